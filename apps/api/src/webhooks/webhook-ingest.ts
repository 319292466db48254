import { Cap, type Connector, hasCap, loadConnector, type Logger } from '@agnes/connector-kit';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import { join } from 'node:path';
import type { Source, SystemDb } from '@agnes/system-db';
import { ApiError } from '../http/api-error.js';
import type { ConnectorCatalog } from '../sources/connector-catalog.js';

/** Options of {@link WebhookIngest}. */
export interface WebhookIngestOptions {
  readonly db: SystemDb;
  readonly connectors: ConnectorCatalog;
  readonly extractsDir: string;
  /** The source whose connector's `stream` receives the events. */
  readonly source: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** Rebuilds the analytics database; called at most once per `rebuildIntervalMs`. */
  readonly rebuild: () => Promise<unknown>;
  /** Events older or newer than this (by their `timestamp`) are refused. Default 5 min. */
  readonly replayWindowMs?: number;
  /** Queued events are handed over at least this often. Default 1 s. */
  readonly flushIntervalMs?: number;
  /** Default 5 s. */
  readonly rebuildIntervalMs?: number;
  /** How long after a failed hand-over the events are tried again. Default 5 s. */
  readonly retryMs?: number;
  /** Events waiting at most; past it the endpoint answers 503 so the sender retries. Default 10,000. */
  readonly maxQueued?: number;
}

/**
 * Receives webhook events: queues them, hands them in batches to the source's connector
 * (`runtime.runStream`, one call per stream table), and rebuilds the analytics database at
 * most once per interval however fast events arrive.
 */
export class WebhookIngest {
  #queue: unknown[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #lastRebuild = 0;
  #rebuildTimer: NodeJS.Timeout | undefined;
  #rebuilding: Promise<unknown> = Promise.resolve();
  #connector: { key: string; loading: Promise<{ connector: Connector; tables: string[] }> } | undefined;
  #closed = false;

  constructor(private readonly options: WebhookIngestOptions) {}

  /**
   * Queues one parsed event after checking its replay window; throws a 400/503 otherwise.
   * Without a configured source nothing is accepted: a 202 must mean the event will be kept.
   */
  async accept(event: unknown): Promise<void> {
    if (this.#closed) throw new ApiError('unavailable', 'the server is shutting down; retry later');
    if (!(await this.options.db.sources.get(this.options.source))) {
      throw new ApiError('unavailable', `no source ${this.options.source} receives these webhooks yet; add it with POST /api/admin/sources (the sender will retry)`, {
        headers: { 'Retry-After': '60' },
      });
    }
    const at = timestampOf(event);
    const window = this.options.replayWindowMs ?? 5 * 60_000;
    if (at === undefined) throw new ApiError('invalid_request', 'the event has no numeric "timestamp" (milliseconds since the epoch)');
    if (Math.abs(this.options.clock().getTime() - at) > window) {
      throw new ApiError('invalid_request', `the event's timestamp is outside the ${Math.round(window / 1000)} s replay window; a replayed or delayed event is refused`);
    }
    if (this.#queue.length >= (this.options.maxQueued ?? 10_000)) {
      throw new ApiError('unavailable', 'too many events are waiting; retry later', { headers: { 'Retry-After': '5' } });
    }
    this.#queue.push(event);
    this.#schedule(this.options.flushIntervalMs ?? 1_000);
  }

  #schedule(ms: number): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Hands every queued event to the connector now, then schedules a rebuild. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce()).catch((error: unknown) => {
      this.options.logger.error('webhook flush failed', { source: this.options.source, error: error instanceof Error ? error.message : String(error) });
    });
    return this.#flushing;
  }

  /** Resolves when queued events are written and the pending rebuild (if any) is done. */
  async settle(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    await this.flush();
    if (this.#rebuildTimer) {
      clearTimeout(this.#rebuildTimer);
      this.#rebuildTimer = undefined;
      await this.#rebuild();
    }
    await this.#rebuilding;
  }

  /** Flushes what is queued and stops. */
  async close(): Promise<void> {
    await this.settle();
    this.#closed = true;
  }

  /** The source's connector, loaded again whenever the source's connector or config changed. */
  async #connectorNow(): Promise<{ connector: Connector; tables: string[] }> {
    const source = await this.options.db.sources.get(this.options.source);
    if (!source) throw new Error(`webhook source ${this.options.source} is not configured; add it with POST /api/admin/sources`);
    const key = JSON.stringify([source.connector, source.config]);
    if (this.#connector?.key !== key) {
      const loading = this.#load(source);
      this.#connector = { key, loading };
      loading.catch(() => {
        if (this.#connector?.loading === loading) this.#connector = undefined;
      });
    }
    return this.#connector.loading;
  }

  async #load(source: Source): Promise<{ connector: Connector; tables: string[] }> {
    const installed = await this.options.connectors.get(source.connector);
    const { connector } = await loadConnector(installed.manifestPath, { config: source.config, env: this.options.env, logger: this.options.logger });
    if (!hasCap(connector.capabilities, Cap.STREAM)) throw new Error(`the connector of source ${source.name} cannot stream (no stream capability)`);
    const tables = typeof connector.discover === 'function' ? (await connector.discover()).filter((t) => hasCap(t.capabilities, Cap.STREAM)).map((t) => t.name) : [];
    return { connector, tables };
  }

  async #flushOnce(): Promise<void> {
    if (this.#queue.length === 0) return;
    const events = this.#queue;
    this.#queue = [];
    try {
      const { connector, tables } = await this.#connectorNow();
      const runtime = new ConnectorRuntime(join(this.options.extractsDir, this.options.source), { logger: this.options.logger });
      for (const table of tables) {
        await runtime.runStream(connector, table, { events: fromArray(events), flushRows: 50_000, flushIntervalMs: 60_000 });
      }
    } catch (error) {
      // Accepted events are never dropped: back to the front of the queue, tried again later.
      // Stream tables merge by primary key, so a table that already took them is not doubled.
      this.#queue = [...events, ...this.#queue];
      if (!this.#closed) this.#schedule(this.options.retryMs ?? 5_000);
      throw error;
    }
    this.#scheduleRebuild();
  }

  #scheduleRebuild(): void {
    if (this.#rebuildTimer) return;
    const interval = this.options.rebuildIntervalMs ?? 5_000;
    const wait = Math.max(0, this.#lastRebuild + interval - Date.now());
    this.#rebuildTimer = setTimeout(() => {
      this.#rebuildTimer = undefined;
      void this.#rebuild();
    }, wait);
  }

  #rebuild(): Promise<unknown> {
    this.#lastRebuild = Date.now();
    this.#rebuilding = this.#rebuilding.then(() => this.options.rebuild()).catch((error: unknown) => {
      this.options.logger.error('rebuild after webhook events failed', { error: error instanceof Error ? error.message : String(error) });
    });
    return this.#rebuilding;
  }
}

function timestampOf(event: unknown): number | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const value = (event as Record<string, unknown>).timestamp;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

async function* fromArray<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
