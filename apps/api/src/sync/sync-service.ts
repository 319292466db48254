import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type FileAccess, type Logger, pathFieldProblems, resolveSecrets, validateConnectorConfig } from '@agnes/connector-kit';
import { ConnectorRuntime, type TableRunConfig } from '@agnes/connector-runtime';
import { type RebuildResult, rebuild } from '@agnes/orchestrator';
import { normalizeTableId } from '@agnes/rbac';
import type { Source, SystemDb } from '@agnes/system-db';
import type { PublishedTables } from '../catalog/published-tables.js';
import { ApiError, toApiError } from '../http/api-error.js';
import type { ConnectorCatalog } from '../sources/connector-catalog.js';
import { profileTables } from './profiler.js';
import { runWorker } from './run-worker.js';
import type { DiscoveredTable } from './worker-protocol.js';

/** Name of the lock that makes syncs one at a time (across replicas on PostgreSQL). */
export const SYNC_LOCK = 'agnes.sync';

/** One table's part of a sync job. */
export interface JobTable {
  readonly source: string;
  readonly table: string;
  status: 'running' | 'ok' | 'failed';
  rows: number;
  reason: string | null;
}

/** A sync run as `GET /api/sync/jobs/:id` shows it. */
export interface SyncJob {
  readonly id: string;
  readonly trigger: string;
  readonly startedAt: Date;
  finishedAt: Date | null;
  status: 'running' | 'succeeded' | 'failed';
  phase: 'extract' | 'rebuild' | 'record' | 'profile' | 'done';
  readonly sources: { name: string; status: 'pending' | 'running' | 'ok' | 'failed'; reason: string | null }[];
  readonly tables: JobTable[];
  published: number | null;
  problems: { source: string; table?: string | undefined; reason: string }[];
  error: string | null;
}

/** What a sync may be limited to. */
export interface SyncRequest {
  /** Source names; default every enabled source. */
  readonly sources?: readonly string[] | undefined;
  /** Table ids, for per-table schedules; default every registered table of each source. */
  readonly tables?: readonly string[] | undefined;
  /** Who or what started it: a user id, `scheduler`, `startup`. */
  readonly trigger: string;
}

/** Dependencies of the {@link SyncService}. */
export interface SyncServiceDeps {
  readonly db: SystemDb;
  readonly tables: PublishedTables;
  readonly connectors: ConnectorCatalog;
  readonly extractsDir: string;
  readonly analyticsPath: string;
  /** The host environment: the connectors' secrets are picked from it by name. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where connectors may read local files (AGNES_SOURCE_ROOTS, never the state folder). */
  readonly fileAccess: FileAccess;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** A connector run is stopped after this long. */
  readonly workerTimeoutMs: number;
  /** Called after every rebuild (the query engine notices the swap itself). */
  readonly onRebuilt?: ((result: RebuildResult) => void) | undefined;
}

const KEEP_JOBS = 50;

/**
 * Runs syncs: each due source's connector in a child process, then the orchestrator's
 * rebuild, then the bookkeeping (sync state, history, auto-registration) and profiles of
 * changed tables. One at a time: the database lock makes a second trigger fail fast with
 * the running job's id. Everything after `trigger` returns runs off the request path.
 */
export class SyncService {
  readonly #jobs = new Map<string, SyncJob>();
  #running: SyncJob | undefined;
  #idle: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SyncServiceDeps) {}

  /** Where connectors may read local files; source configs are checked against it when saved and before every run. */
  get fileAccess(): FileAccess {
    return this.deps.fileAccess;
  }

  /**
   * Logs a warning for every source whose `format: path` config lies outside the file
   * access (its next sync would fail), and returns their names.
   */
  async warnSourcesOutsideRoots(): Promise<string[]> {
    const outside: string[] = [];
    for (const source of await this.deps.db.sources.list()) {
      const installed = await this.deps.connectors.get(source.connector).catch(() => undefined);
      if (!installed) continue;
      const problems = pathFieldProblems(installed.manifest, source.config, this.deps.fileAccess);
      if (problems.length === 0) continue;
      outside.push(source.name);
      this.deps.logger.warn(`source ${source.name} reads outside ${this.deps.fileAccess.setting}; its syncs fail until it is moved or the setting allows it`, {
        source: source.name,
        problems,
      });
    }
    return outside;
  }

  /** The running job of this replica, if any. */
  get running(): SyncJob | undefined {
    return this.#running;
  }

  /** A recent job of this replica. */
  job(id: string): SyncJob | undefined {
    return this.#jobs.get(id);
  }

  /** Resolves when the running job (if any) has finished. */
  idle(): Promise<void> {
    return this.#idle;
  }

  /**
   * Starts a sync and returns its job at once; `sync_running` (409) when one runs here or
   * on another replica.
   */
  async trigger(request: SyncRequest): Promise<SyncJob> {
    const current = () => this.#running;
    if (current()) throw running(current()?.id ?? null);
    const release = await this.deps.db.tryLock(SYNC_LOCK);
    if (!release) throw running(current()?.id ?? null);
    // Another trigger of this replica may have won while the lock was being taken.
    if (current()) {
      await release();
      throw running(current()?.id ?? null);
    }
    const job: SyncJob = {
      id: randomUUID(),
      trigger: request.trigger,
      startedAt: this.deps.clock(),
      finishedAt: null,
      status: 'running',
      phase: 'extract',
      sources: [],
      tables: [],
      published: null,
      problems: [],
      error: null,
    };
    this.#running = job;
    this.#jobs.set(job.id, job);
    for (const id of [...this.#jobs.keys()].slice(0, Math.max(0, this.#jobs.size - KEEP_JOBS))) this.#jobs.delete(id);
    this.#idle = this.#execute(job, request)
      .catch((error: unknown) => {
        job.status = 'failed';
        job.error = toApiError(error).message;
        this.deps.logger.error('sync failed', { job: job.id, error: error instanceof Error ? error.message : String(error) });
      })
      .finally(async () => {
        job.finishedAt = this.deps.clock();
        job.phase = 'done';
        this.#running = undefined;
        await release().catch(() => undefined);
      });
    return job;
  }

  /**
   * Rebuilds the analytics database from the extracts on disk (start-up, webhook
   * flushes) and refreshes the published tables; takes no sync lock (the orchestrator
   * has its own).
   */
  async rebuildAnalytics(): Promise<RebuildResult> {
    const result = await rebuild({
      extractsDir: this.deps.extractsDir,
      target: this.deps.analyticsPath,
      env: this.deps.env,
      logger: this.deps.logger,
    });
    await this.deps.tables.refresh(result, this.deps.clock());
    this.deps.onRebuilt?.(result);
    return result;
  }

  /** Takes a table out of its source's extract and republishes, so it is gone from the catalog at once. */
  async unpublish(source: string, table: string): Promise<boolean> {
    const removed = await new ConnectorRuntime(join(this.deps.extractsDir, source), { logger: this.deps.logger }).removeTables([table]);
    if (removed.length > 0) await this.rebuildAnalytics();
    return removed.length > 0;
  }

  /** Runs a source's `discover` in a child process. */
  async discover(source: Source): Promise<DiscoveredTable[]> {
    const { manifestPath, config, env } = await this.#prepare(source);
    const answer = await runWorker({ kind: 'discover', manifestPath, config, env, fileAccess: this.deps.fileAccess }, { timeoutMs: Math.min(this.deps.workerTimeoutMs, 120_000), hostEnv: this.deps.env });
    if (answer.kind === 'discovered') return answer.tables;
    if (answer.kind === 'failed') throw new ApiError('invalid_request', `discovery of source ${source.name} failed (${answer.code}): ${answer.message}`);
    throw new ApiError('internal', 'the connector process answered a discovery with something else');
  }

  async #prepare(source: Source): Promise<{ manifestPath: string; config: Record<string, unknown>; env: Record<string, string> }> {
    const installed = await this.deps.connectors.get(source.connector);
    // Checked again at run time: the source may predate the setting, or the files may have moved behind a symlink.
    const config = validateConnectorConfig(installed.manifest, await this.#withRegisteredQueries(source, installed.manifest.config), {
      fileAccess: this.deps.fileAccess,
    });
    const env = resolveSecrets(installed.manifest, this.deps.env);
    return { manifestPath: installed.manifestPath, config, env };
  }

  /**
   * Admin-registered SQL ("materialised queries"): a connector that takes SQL declares a
   * `queries` object in its config schema; registry rows of the source that carry a
   * `query` are added to it under their table id (the source's own entries win).
   */
  async #withRegisteredQueries(source: Source, schema: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!('queries' in schema)) return source.config;
    const registered = (await this.deps.db.registry.list({ source: source.name })).filter((r) => r.query);
    if (registered.length === 0) return source.config;
    const fromRegistry = Object.fromEntries(
      registered.map((r) => [
        r.id,
        { sql: r.query, ...(r.primaryKey.length > 0 ? { primary_key: r.primaryKey } : {}), ...(r.description ? { description: r.description } : {}) },
      ]),
    );
    const own = (source.config.queries ?? {}) as Record<string, unknown>;
    return { ...source.config, queries: { ...fromRegistry, ...own } };
  }

  async #execute(job: SyncJob, request: SyncRequest): Promise<void> {
    const { db, logger } = this.deps;
    const wanted = request.sources ? new Set(request.sources) : undefined;
    const sources = (await db.sources.list()).filter((s) => (wanted ? wanted.has(s.name) : s.enabled));
    const onlyTables = request.tables ? new Set(request.tables.map(normalizeTableId)) : undefined;
    const registry = await db.registry.list();
    for (const source of sources) job.sources.push({ name: source.name, status: 'pending', reason: null });

    for (const [index, source] of sources.entries()) {
      const entry = job.sources[index];
      if (!entry) continue;
      entry.status = 'running';
      const registered = registry.filter((r) => r.source === source.name && (!onlyTables || onlyTables.has(normalizeTableId(r.id))));
      if (onlyTables && registered.length === 0) {
        entry.status = 'ok';
        continue;
      }
      const tables: Record<string, TableRunConfig> | undefined =
        registered.length > 0 ? Object.fromEntries(registered.map((r) => [r.id, { strategy: r.strategy }])) : undefined;
      try {
        const { manifestPath, config, env } = await this.#prepare(source);
        const answer = await runWorker(
          { kind: 'run', extractDir: join(this.deps.extractsDir, source.name), manifestPath, config, env, fileAccess: this.deps.fileAccess, tables },
          {
            timeoutMs: this.deps.workerTimeoutMs,
            hostEnv: this.deps.env,
            // The commit is reported for the whole extract (table '*'), not per table.
            onProgress: ({ event }) => {
              if (event.phase !== 'commit') trackProgress(job, source.name, event.table, event.phase, event.rows, event.message);
            },
            onStderr: (line) => logger.warn('connector', { source: source.name, line }),
          },
        );
        if (answer.kind === 'failed') {
          entry.status = 'failed';
          entry.reason = `${answer.code}: ${answer.message}`;
          for (const t of job.tables) if (t.source === source.name && t.status === 'running') Object.assign(t, { status: 'failed', reason: entry.reason });
        } else if (answer.kind === 'ran') {
          entry.status = answer.stats.tablesFailed > 0 ? 'failed' : 'ok';
          for (const e of answer.stats.errors) {
            const t = trackProgress(job, source.name, e.table, 'failed', 0, `${e.code}: ${e.message}`);
            t.reason = `${e.code}: ${e.message}`;
          }
          if (answer.stats.tablesFailed > 0) entry.reason = `${answer.stats.tablesFailed} table(s) failed`;
        }
      } catch (error) {
        entry.status = 'failed';
        entry.reason = toApiError(error).message;
      }
    }

    job.phase = 'rebuild';
    const previous = new Map((await db.sync.listStates()).map((s) => [normalizeTableId(s.tableId), s.contentHash]));
    const result = await this.rebuildAnalytics();
    job.published = result.tables.length;
    job.problems = result.problems.map((p) => ({ source: p.source, table: p.table, reason: p.reason }));

    job.phase = 'record';
    const finishedAt = this.deps.clock();
    const registeredIds = new Set(registry.map((r) => normalizeTableId(r.id)));
    const changed = [];
    for (const table of this.deps.tables.list()) {
      const key = normalizeTableId(table.table);
      if (!registeredIds.has(key)) {
        await db.registry.register({
          id: table.table,
          source: table.source,
          sourceTable: table.table,
          queryMode: table.queryMode,
          description: table.description,
        });
        registeredIds.add(key);
      }
      const ran = job.tables.find((t) => normalizeTableId(t.table) === key && t.source === table.source);
      if (!ran || ran.status !== 'ok') continue;
      await db.sync.recordRun({
        tableId: table.table,
        startedAt: job.startedAt,
        finishedAt,
        outcome: 'ok',
        rows: table.rows ?? ran.rows,
        state: { sizeBytes: table.sizeBytes, contentHash: table.contentHash, queryMode: table.queryMode, schema: table.schema },
      });
      if (previous.get(key) !== table.contentHash) changed.push(table);
    }
    for (const t of job.tables.filter((t) => t.status === 'failed')) {
      await db.sync.recordRun({ tableId: t.table, startedAt: job.startedAt, finishedAt, outcome: 'failed', reason: t.reason });
    }

    job.phase = 'profile';
    try {
      for (const [tableId, profile] of await profileTables(changed, finishedAt)) await db.profiles.put(tableId, { ...profile });
    } catch (error) {
      logger.warn('profiling failed', { error: error instanceof Error ? error.message : String(error) });
    }
    job.status = job.sources.some((s) => s.status === 'failed') || job.tables.some((t) => t.status === 'failed') ? 'failed' : 'succeeded';
    if (job.status === 'failed') job.error = job.sources.find((s) => s.reason)?.reason ?? 'some tables failed';
  }
}

function running(jobId: string | null): ApiError {
  return new ApiError(
    'sync_running',
    jobId ? `a sync is already running (job ${jobId}); follow it at GET /api/sync/jobs/${jobId}` : 'a sync is already running on another server',
    { details: { job_id: jobId } },
  );
}

function trackProgress(job: SyncJob, source: string, table: string, phase: string, rows: number, message: string | undefined): JobTable {
  let entry = job.tables.find((t) => t.source === source && t.table === table);
  if (!entry) {
    entry = { source, table, status: 'running', rows: 0, reason: null };
    job.tables.push(entry);
  }
  entry.rows = Math.max(entry.rows, rows);
  if (phase === 'done') entry.status = 'ok';
  if (phase === 'failed') {
    entry.status = 'failed';
    entry.reason = message ?? entry.reason;
  }
  return entry;
}
