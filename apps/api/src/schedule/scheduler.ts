import { Cron } from 'croner';
import type { Logger } from '@agnes/connector-kit';
import { normalizeTableId } from '@agnes/rbac';
import type { SystemDb } from '@agnes/system-db';
import { isApiError } from '../http/api-error.js';
import type { SyncRequest, SyncService } from '../sync/sync-service.js';

/** Options of the {@link Scheduler}. */
export interface SchedulerOptions {
  readonly db: SystemDb;
  readonly sync: SyncService;
  readonly logger: Logger;
  /** Sources without a schedule sync this often; 0 disables. */
  readonly defaultIntervalMs: number;
  /** How often schedules are re-read from the database. Default 60 s. */
  readonly reloadMs?: number;
  readonly clock: () => Date;
}

/**
 * Runs syncs on the sources' and tables' cron schedules (croner), and sources without one
 * every `defaultIntervalMs` measured from their last recorded sync (so it survives a
 * restart). A due run that finds a sync in progress (here or on another replica, through
 * the same lock) is skipped, not queued.
 */
export class Scheduler {
  readonly #jobs = new Map<string, Cron>();
  /** When this process last started each source's overdue sync. */
  readonly #attempted = new Map<string, number>();
  #reload: NodeJS.Timeout | undefined;
  #interval: NodeJS.Timeout | undefined;

  constructor(private readonly options: SchedulerOptions) {}

  async start(): Promise<void> {
    await this.reload();
    this.#reload = setInterval(() => void this.reload().catch((e: unknown) => this.#warn('cannot reload schedules', e)), this.options.reloadMs ?? 60_000);
    this.#reload.unref();
    if (this.options.defaultIntervalMs > 0) {
      this.#interval = setInterval(() => void this.runOverdue(), Math.min(this.options.defaultIntervalMs, 60_000));
      this.#interval.unref();
    }
  }

  stop(): void {
    if (this.#reload) clearInterval(this.#reload);
    if (this.#interval) clearInterval(this.#interval);
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }

  /** Re-reads the schedules: one cron job per distinct (source or table, expression). */
  async reload(): Promise<void> {
    const wanted = new Map<string, { pattern: string; request: SyncRequest }>();
    for (const source of await this.options.db.sources.list()) {
      if (source.enabled && source.schedule) wanted.set(`source:${source.name}:${source.schedule}`, { pattern: source.schedule, request: { sources: [source.name], trigger: 'scheduler' } });
    }
    for (const table of await this.options.db.registry.list()) {
      if (table.schedule) {
        wanted.set(`table:${table.id}:${table.schedule}`, { pattern: table.schedule, request: { sources: [table.source], tables: [table.id], trigger: 'scheduler' } });
      }
    }
    for (const [key, job] of this.#jobs) {
      if (!wanted.has(key)) {
        job.stop();
        this.#jobs.delete(key);
      }
    }
    for (const [key, { pattern, request }] of wanted) {
      if (this.#jobs.has(key)) continue;
      try {
        this.#jobs.set(key, new Cron(pattern, { timezone: 'UTC', protect: true }, async () => {
          await this.#run(request);
        }));
      } catch (error) {
        this.#warn(`schedule ${key} is not a valid cron expression`, error);
      }
    }
  }

  /** Syncs the enabled sources without a schedule whose last sync is older than the interval. */
  async runOverdue(): Promise<void> {
    try {
      const sources = (await this.options.db.sources.list()).filter((s) => s.enabled && !s.schedule);
      if (sources.length === 0) return;
      // The last attempt, failed ones included (a source that keeps failing waits its
      // interval like any other): recorded runs per table, and this process's own triggers
      // for sources that have produced no table yet.
      const latest = new Map<string, number>(this.#attempted);
      const sourceOf = new Map((await this.options.db.registry.list()).map((r) => [normalizeTableId(r.id), r.source]));
      for (const run of await this.options.db.sync.latestRuns()) {
        const source = sourceOf.get(normalizeTableId(run.tableId));
        if (source) latest.set(source, Math.max(latest.get(source) ?? 0, run.startedAt.getTime()));
      }
      const now = this.options.clock().getTime();
      const due = sources.filter((s) => now - (latest.get(s.name) ?? 0) >= this.options.defaultIntervalMs).map((s) => s.name);
      if (due.length > 0 && (await this.#run({ sources: due, trigger: 'scheduler' }))) for (const name of due) this.#attempted.set(name, now);
    } catch (error) {
      this.#warn('cannot check overdue sources', error);
    }
  }

  /** Starts a sync; false when it did not start (one is running, or it failed to). */
  async #run(request: SyncRequest): Promise<boolean> {
    try {
      await this.options.sync.trigger(request);
      return true;
    } catch (error) {
      if (!(isApiError(error) && error.code === 'sync_running')) this.#warn('scheduled sync did not start', error);
      return false;
    }
  }

  #warn(message: string, error: unknown): void {
    this.options.logger.warn(message, { error: error instanceof Error ? error.message : String(error) });
  }
}
