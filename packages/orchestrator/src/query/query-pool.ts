import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, setPriority, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Logger, silentLogger } from '@agnes/connector-kit';
import { DEFAULT_TOKEN_ENVS } from '../remote/remote-policy.js';
import { QueryError } from './query-error.js';
import type { WorkerAnswer, WorkerInit, WorkerMessage, WorkerQuery } from './worker-protocol.js';

/** Options of a {@link QueryPool}. */
export interface QueryPoolOptions {
  analyticsPath: string;
  extractsDir: string;
  /** Where the token variables of remote catalogs are read from; only those are handed to the workers. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Remote trust policy (extensions and token variables; custom attachers cannot cross into a worker). */
  remote?: { extensions?: readonly string[]; tokenEnvs?: readonly string[] };
  /** Worker processes, each running one query at a time: the global cap on concurrent queries. Default 2. */
  workers?: number;
  /** Concurrent queries one owner may run. Default 2. */
  maxPerOwner?: number;
  /**
   * Memory all queries together may use, in bytes. Default: a quarter of the machine's
   * memory. Each worker gets its share as DuckDB's `memory_limit`, and is stopped when its
   * resident memory passes that share plus {@link MEMORY_HEADROOM} (DuckDB does not count
   * every allocation against its limit).
   */
  memoryBytes?: number;
  /** DuckDB threads of each worker. Default: the machine's cores. */
  threads?: number;
  /** Default time limit of a query; the worker is stopped 1 s past it if the query has not ended. Default 30 s. */
  timeoutMs?: number;
  /** Where the workers' folders (their sandboxes and spill files) are made. Default: the OS temp folder. */
  sandboxDir?: string;
  /** Scheduling priority of the workers (`nice`), so the server's own work goes first. Default 10. */
  nice?: number;
  logger?: Logger;
}

/** Per-query settings of {@link QueryPool.query}. */
export interface PoolQueryOptions {
  /** Who runs it, for the per-owner cap (a user id). */
  owner?: string;
  /** Names of the views the caller may read; omit for every view. Anything else is refused. */
  readable?: readonly string[];
  /** Rows to return at most (then `truncated`). Default 10,000. */
  limitRows?: number;
  /** Bytes of JSON values to return at most (then `truncated`). Default 64 MiB. */
  limitBytes?: number;
  timeoutMs?: number;
}

/** What a pooled query returns: values by position, exact (see QueryEngine). */
export interface PoolResult {
  columns: { name: string; type: string }[];
  values: unknown[][];
  tables: string[];
  /** True when rows were left out at `limitRows` or `limitBytes`. */
  truncated: boolean;
}

/** Resident memory a worker may use above its DuckDB share before it is stopped. */
export const MEMORY_HEADROOM = 256 * 1024 * 1024;
/** How often a busy worker's memory is read. */
const WATCH_MS = 100;
/** How long past its time limit a query may take to stop before its worker is killed. */
const KILL_GRACE_MS = 1_000;
const RETRY_AFTER_MS = 1_000;

interface Pending {
  id: number;
  settle: (answer: WorkerAnswer | QueryError) => void;
}

interface Slot {
  child: ChildProcess | undefined;
  ready: Promise<void> | undefined;
  current: Pending | undefined;
}

function workerEntry(): { url: URL; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) return { url: new URL('./query-worker-dev.mjs', import.meta.url), execArgv: ['--conditions=@agnes/source'] };
  return { url: new URL('./query-worker.js', import.meta.url), execArgv: [] };
}

/** Resident memory of a process in bytes (Linux), or 0 when it cannot be read. */
function residentBytes(pid: number): number {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * 4096;
  } catch {
    return 0;
  }
}

/**
 * Runs untrusted queries in worker processes, so that queries never stall the server:
 * they use the workers' thread pools, CPU at a lower priority and bounded memory, not the
 * server's; a query past its time limit is stopped within a second whatever it does (its
 * worker is killed and restarted), and a query that crashes DuckDB ends a worker, not the
 * server. Each worker runs a {@link QueryEngine} (both query walls) one query at a time;
 * past the global or per-owner cap a query is refused at once with `busy` (retry after
 * `retryAfterMs`), never queued behind heavy work.
 *
 * @example
 * const pool = new QueryPool({ analyticsPath: 'data/analytics/server.duckdb', extractsDir: 'data/extracts' });
 * const { values, truncated } = await pool.query('SELECT count(*) FROM orders', { owner: user.id, readable: ['orders'] });
 */
export class QueryPool {
  readonly #options: QueryPoolOptions;
  readonly #logger: Logger;
  readonly #slots: Slot[];
  readonly #owners = new Map<string, number>();
  readonly #memoryPerWorker: number;
  #nextId = 1;
  #closed = false;

  constructor(options: QueryPoolOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    const workers = Math.max(1, options.workers ?? 2);
    this.#slots = Array.from({ length: workers }, () => ({ child: undefined, ready: undefined, current: undefined }));
    this.#memoryPerWorker = Math.max(64 * 1024 * 1024, Math.floor((options.memoryBytes ?? totalmem() / 4) / workers));
  }

  /** Process ids of the running workers (for operators and tests). */
  get pids(): number[] {
    return this.#slots.flatMap((s) => (s.child?.pid === undefined ? [] : [s.child.pid]));
  }

  /** Queries running now (at most the number of workers). */
  get running(): number {
    return this.#slots.filter((s) => s.current !== undefined).length;
  }

  /** DuckDB's memory limit in each worker, in bytes. */
  get memoryPerWorker(): number {
    return this.#memoryPerWorker;
  }

  /** Starts every worker now rather than on the first query. */
  async warm(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#start(slot)));
  }

  /**
   * Runs one query. Throws a QueryError: `busy` (with `retryAfterMs`) past a cap, `timeout`,
   * `too_large` past the memory bound, or the engine's own refusals.
   */
  async query(sql: string, options: PoolQueryOptions = {}): Promise<PoolResult> {
    if (this.#closed) throw new QueryError('failed', 'the query pool is closed');
    const owner = options.owner;
    const maxPerOwner = this.#options.maxPerOwner ?? 2;
    if (owner !== undefined && (this.#owners.get(owner) ?? 0) >= maxPerOwner) {
      throw new QueryError('busy', `you already have ${maxPerOwner} queries running; wait for one to finish`, { retryAfterMs: RETRY_AFTER_MS });
    }
    const slot = this.#slots.find((s) => s.current === undefined);
    if (!slot) throw new QueryError('busy', 'the server is running as many queries as it allows; try again in a moment', { retryAfterMs: RETRY_AFTER_MS });
    const id = this.#nextId++;
    let settle!: (answer: WorkerAnswer | QueryError) => void;
    const done = new Promise<WorkerAnswer | QueryError>((resolve) => (settle = resolve));
    slot.current = { id, settle };
    if (owner !== undefined) this.#owners.set(owner, (this.#owners.get(owner) ?? 0) + 1);
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 30_000;
    let killTimer: NodeJS.Timeout | undefined;
    let watch: NodeJS.Timeout | undefined;
    try {
      await this.#start(slot);
      const child = slot.child!;
      const message: WorkerQuery = {
        kind: 'query',
        id,
        sql,
        ...(options.readable ? { readable: [...options.readable] } : {}),
        limitRows: options.limitRows ?? 10_000,
        limitBytes: options.limitBytes ?? 64 * 1024 * 1024,
        timeoutMs,
      };
      child.send(message);
      killTimer = setTimeout(() => this.#kill(slot, new QueryError('timeout', 'the query took too long and was stopped')), timeoutMs + KILL_GRACE_MS);
      watch = setInterval(() => {
        if (child.pid !== undefined && residentBytes(child.pid) > this.#memoryPerWorker + MEMORY_HEADROOM) {
          this.#kill(slot, new QueryError('too_large', 'the query needed more memory than the server allows for one query (QUERY_MEMORY_LIMIT); filter or aggregate more'));
        }
      }, WATCH_MS);
      const answer = await done;
      if (answer instanceof QueryError) throw answer;
      if (answer.kind === 'error') {
        // DuckDB was left in a state nobody should query again: a fresh worker for the next query.
        if (answer.fatal) this.#kill(slot, new QueryError(answer.code, answer.message), 'SIGTERM');
        throw new QueryError(answer.code, answer.message);
      }
      return { columns: answer.columns, values: answer.values, tables: answer.tables, truncated: answer.truncated };
    } finally {
      clearTimeout(killTimer);
      clearInterval(watch);
      if (slot.current?.id === id) slot.current = undefined;
      if (owner !== undefined) {
        const n = (this.#owners.get(owner) ?? 1) - 1;
        if (n <= 0) this.#owners.delete(owner);
        else this.#owners.set(owner, n);
      }
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots) this.#kill(slot, new QueryError('failed', 'the query pool is closed'), 'SIGTERM');
  }

  #start(slot: Slot): Promise<void> {
    if (slot.ready) return slot.ready;
    const o = this.#options;
    const { url, execArgv } = workerEntry();
    // Only what the worker needs: no server secrets in its environment or memory.
    const tokenEnvs = o.remote?.tokenEnvs ?? DEFAULT_TOKEN_ENVS;
    // Each worker builds its sandboxes (and spills) in a folder of its own, removed when it exits,
    // however it exits: a killed worker leaves nothing behind.
    const dir = mkdtempSync(join(o.sandboxDir ?? tmpdir(), 'agnes-query-worker-'));
    const env = Object.fromEntries(tokenEnvs.filter((k) => o.env?.[k] !== undefined).map((k) => [k, o.env?.[k]]));
    const child = fork(url, [], {
      execArgv,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'UTC', NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    slot.child = child;
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, o.nice ?? 10);
      } catch {
        // Not allowed on this system: the worker runs at normal priority.
      }
    }
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) this.#logger.warn('query worker', { line: line.slice(0, 500) });
    });
    slot.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') return resolve();
        if (slot.current?.id === message.id) slot.current.settle(message);
      });
      child.on('error', (error) => reject(new QueryError('failed', `cannot start a query worker: ${error.message}`)));
      child.on('exit', (code, signal) => {
        rmSync(dir, { recursive: true, force: true });
        reject(new QueryError('failed', 'the query worker stopped while starting; it restarts by itself, try again'));
        // A worker killed on purpose was detached already; its query is settled.
        if (slot.child !== child) return;
        slot.child = undefined;
        slot.ready = undefined;
        slot.current?.settle(new QueryError('failed', 'the query stopped its worker process, which restarts by itself'));
        if (!this.#closed) this.#logger.warn('query worker exited', { code, signal });
      });
    });
    const init: WorkerInit = {
      kind: 'init',
      analyticsPath: o.analyticsPath,
      extractsDir: o.extractsDir,
      env,
      ...(o.remote ? { remote: o.remote } : {}),
      threads: o.threads ?? availableParallelism(),
      memoryLimit: `${Math.floor(this.#memoryPerWorker / (1024 * 1024))}MiB`,
      // Spilling is bounded too: four times the memory share, on the sandboxes' disk.
      maxTempSize: `${Math.floor((4 * this.#memoryPerWorker) / (1024 * 1024))}MiB`,
      sandboxDir: dir,
    };
    child.send(init);
    return slot.ready;
  }

  /** Ends a slot's worker, settling its query with `reason`; the next query starts a new one. */
  #kill(slot: Slot, reason: QueryError, signal: NodeJS.Signals = 'SIGKILL'): void {
    slot.current?.settle(reason);
    const child = slot.child;
    slot.child = undefined;
    slot.ready = undefined;
    child?.kill(signal);
  }
}
