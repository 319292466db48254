import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { type Logger, type RemoteAttachRow, silentLogger } from '@agnes/connector-kit';
import { type PublishedViews, readPublishedViews, type ViewTarget } from '../rebuild/rebuild.js';
import type { RemotePolicy } from '../remote/remote-policy.js';
import { isQueryError, QueryError } from './query-error.js';
import { lockDown, Sandbox } from './sandbox.js';
import { inspectQuery, noSuchTable } from './sql-guard.js';

/** Sandboxes kept open per analytics generation; the least recently used idle one closes first. */
const MAX_SANDBOXES = 8;

/** Options of a {@link QueryEngine}. */
export interface QueryEngineOptions {
  /** The analytics file written by `rebuild`. */
  analyticsPath: string;
  /** The extracts folder: the only folder queries may read (parquet under the views). */
  extractsDir: string;
  /** Token variables for remote catalogs. */
  env?: Readonly<Record<string, string | undefined>>;
  remote?: RemotePolicy;
  /** Rows a query may return. Default 10,000. */
  maxRows?: number;
  /** Time a query may run. Default 30 s. */
  timeoutMs?: number;
  /** DuckDB threads. Default: DuckDB's choice. */
  threads?: number;
  /** DuckDB memory limit, e.g. `'2GB'`, per instance (the main one and each sandbox). */
  memoryLimit?: string;
  /** Disk one query may spill to, e.g. `'4GiB'`, per instance. Default: DuckDB's (90 % of free space). */
  maxTempSize?: string;
  /**
   * Where per-caller sandboxes are built, and where their queries spill to disk. Default:
   * the OS temp folder. Each sandbox is a private folder removed when it closes.
   */
  sandboxDir?: string;
  logger?: Logger;
}

/** Per-query settings. */
export interface QueryOptions {
  /**
   * Called with the published views the query reads (as published, deduplicated);
   * throw (e.g. a QueryError 'forbidden') to refuse. Omit to allow every view.
   */
  authorize?: (tables: string[]) => void | Promise<void>;
  /**
   * The caller's reach: given every published view name, returns those the caller may
   * read. A reference to any other view is refused, and the query runs in a sandbox
   * that holds only these views and may open only their files, so that a flaw in the
   * parse-tree check still cannot reach another table. Omit for trusted callers (every view).
   */
  readable?: (published: readonly string[]) => readonly string[];
  maxRows?: number;
  timeoutMs?: number;
}

/** A query's result: exact values (BIGINT, DECIMAL, HUGEINT as strings), JSON-safe. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  /** Rows keyed by column name; a later column wins where names repeat (see `values`). */
  rows: Record<string, unknown>[];
  /** The same rows by position, one value per column: exact even when column names repeat. */
  values: unknown[][];
  /** Published views the query read. */
  tables: string[];
}

interface Generation {
  key: string;
  instance: DuckDBInstance;
  catalog: string;
  /** Published view names: lower case → as published. */
  views: Map<string, string>;
  /** What each view reads, by lower-case name. */
  targets: Map<string, ViewTarget>;
  /** Remote catalogs by lower-case alias. */
  attach: Map<string, RemoteAttachRow>;
  /** Sandboxes by readable set, opening or open; see {@link Sandbox}. */
  sandboxes: Map<string, Promise<Sandbox>>;
  /** The ones open, by the same key. */
  open: Map<string, Sandbox>;
  active: number;
  retired: boolean;
}

function fileKey(path: string): string {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/**
 * Runs untrusted read-only SQL over the analytics file. Two independent walls: DuckDB's
 * parser decides what a query reads (one SELECT; only published views the caller may
 * read, CTEs in scope, allowlisted functions; see `inspectQuery`), and a caller with
 * `readable` set runs in a {@link Sandbox} that holds only their views, may open only
 * those views' files and cannot write, with external access off and its configuration
 * locked — so a query that slipped past the first wall still cannot reach another table.
 * Notices when `rebuild` swaps the file and opens the new one for new queries;
 * queries running on the old one finish undisturbed.
 *
 * @example
 * const engine = new QueryEngine({ analyticsPath: 'data/analytics/server.duckdb', extractsDir: 'data/extracts' });
 * const { rows } = await engine.query('SELECT count(*) AS n FROM orders', { authorize: (t) => check(user, t) });
 */
export class QueryEngine {
  private readonly options: QueryEngineOptions;
  private readonly logger: Logger;
  private current: Generation | undefined;
  private opening: Promise<Generation> | undefined;

  constructor(options: QueryEngineOptions) {
    this.options = { ...options, analyticsPath: resolve(options.analyticsPath), extractsDir: resolve(options.extractsDir) };
    this.logger = options.logger ?? silentLogger;
  }

  private async generation(): Promise<Generation> {
    let key: string;
    try {
      key = fileKey(this.options.analyticsPath);
    } catch {
      throw new QueryError('failed', 'no analytics database has been built yet; run a sync first');
    }
    if (this.current && this.current.key === key) return this.current;
    if (this.opening) return this.opening;
    this.opening = this.open(key).finally(() => {
      this.opening = undefined;
    });
    const next = await this.opening;
    const old = this.current;
    this.current = next;
    if (old) {
      old.retired = true;
      if (old.active === 0) closeGeneration(old);
    }
    return next;
  }

  private async open(key: string): Promise<Generation> {
    const o = this.options;
    const instance = await DuckDBInstance.create(o.analyticsPath, {
      access_mode: 'READ_ONLY',
      autoinstall_known_extensions: 'false',
    });
    const conn = await instance.connect();
    try {
      const catalog = String((await conn.runAndReadAll('SELECT current_database() AS d')).getRowObjectsJson()[0]?.d);
      let published: PublishedViews;
      try {
        published = await readPublishedViews(conn);
      } catch (error) {
        throw new QueryError('failed', 'the analytics database was built by an older version; run a sync to rebuild it', { cause: error });
      }
      const { names: views, targets, attach } = published;
      // The main instance serves callers who may read every view: all of the extracts folder.
      await lockDown(conn, this.settings(), [...attach.values()], { paths: [], directories: [o.extractsDir + sep] });
      return { key, instance, catalog, views, targets, attach, sandboxes: new Map(), open: new Map(), active: 0, retired: false };
    } catch (error) {
      instance.closeSync();
      throw error;
    } finally {
      conn.closeSync();
    }
  }

  private settings() {
    const o = this.options;
    return { threads: o.threads, memoryLimit: o.memoryLimit, maxTempSize: o.maxTempSize, env: o.env, remote: o.remote, logger: this.logger };
  }

  /** The published views of the current analytics file. */
  async tables(): Promise<string[]> {
    return [...(await this.generation()).views.values()];
  }

  /**
   * Opens a connection for `sql` on the instance the caller may use (the main one, or
   * their sandbox), then parses, walks and authorizes the query on it. Returns the
   * connection, the published views the query reads, and the release to call once done.
   */
  private async start(sql: string, options: QueryOptions): Promise<{ conn: DuckDBConnection; tables: string[]; done: (error?: unknown) => void }> {
    const gen = await this.generation();
    gen.active++;
    let sandbox: Sandbox | undefined;
    let conn: DuckDBConnection | undefined;
    const done = (error?: unknown) => {
      conn?.closeSync();
      // A database DuckDB invalidated serves nobody again: out of the cache, closed when idle.
      if (isQueryError(error) && error.fatal) this.invalidate(gen, sandbox);
      if (sandbox) {
        sandbox.active--;
        sandbox.lastUsed = Date.now();
        if (sandbox.retired && sandbox.active === 0) sandbox.close();
      }
      this.release(gen);
    };
    try {
      const readable = options.readable ? this.readableOf(gen, options.readable) : undefined;
      if (readable && readable.size < gen.views.size) {
        sandbox = await this.sandbox(gen, readable);
      }
      conn = await (sandbox?.instance ?? gen.instance).connect();
      const refs = await inspectQuery(conn, sql, gen.catalog);
      const tables: string[] = [];
      for (const name of refs.tables) {
        const published = gen.views.get(name.toLowerCase());
        if (!published || (readable && !readable.has(name.toLowerCase()))) throw noSuchTable(name);
        tables.push(published);
      }
      const unique = [...new Set(tables)];
      await options.authorize?.(unique);
      return { conn, tables: unique, done };
    } catch (error) {
      const mapped = isQueryError(error) ? error : QueryError.fromDuckDB(error);
      done(mapped);
      throw mapped;
    }
  }

  /** Takes an invalidated sandbox, or the generation's main instance, out of service. */
  private invalidate(gen: Generation, sandbox: Sandbox | undefined): void {
    if (sandbox) {
      for (const [key, s] of gen.open) {
        if (s !== sandbox) continue;
        gen.open.delete(key);
        gen.sandboxes.delete(key);
      }
      sandbox.retired = true;
    } else if (this.current === gen) {
      this.current = undefined;
      gen.retired = true;
    }
  }

  /** The caller's readable views, lower case, among those published. */
  private readableOf(gen: Generation, readable: NonNullable<QueryOptions['readable']>): Set<string> {
    const out = new Set<string>();
    for (const name of readable([...gen.views.values()])) {
      const key = name.toLowerCase();
      if (gen.views.has(key)) out.add(key);
    }
    return out;
  }

  /** The sandbox for one readable set in this generation, built on first use; counted active for the caller. */
  private async sandbox(gen: Generation, readable: Set<string>): Promise<Sandbox> {
    for (;;) {
      const names = [...readable].sort();
      const key = createHash('sha256').update(names.join('\n')).digest('hex');
      let pending = gen.sandboxes.get(key);
      if (!pending) {
        const views = names.map((n) => ({ name: gen.views.get(n)!, from: gen.targets.get(n)! }));
        const aliases = new Set(views.flatMap((v) => (v.from.kind === 'remote' ? [v.from.alias.toLowerCase()] : [])));
        const attach = [...aliases].flatMap((a) => (gen.attach.has(a) ? [gen.attach.get(a)!] : []));
        pending = Sandbox.open({ ...this.settings(), views, attach, parentDir: this.options.sandboxDir, catalog: gen.catalog });
        gen.sandboxes.set(key, pending);
        pending.then(
          (opened) => {
            // The generation may have closed while this one was being built.
            if (gen.sandboxes.get(key) === pending) gen.open.set(key, opened);
            else opened.close();
          },
          () => gen.sandboxes.delete(key),
        );
      }
      const sandbox = await pending;
      // An eviction may have closed it between its promise settling and this line.
      if (!sandbox.closed) {
        // Counted before anything else runs, so that no eviction closes it under the caller.
        sandbox.active++;
        evict(gen, key);
        return sandbox;
      }
    }
  }

  /** Runs one read-only query. Throws a {@link QueryError} with a message safe to show. */
  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const { conn, tables, done } = await this.start(sql, options);
    let timer: NodeJS.Timeout | undefined;
    let failure: unknown;
    try {
      const { maxRows, timeoutMs } = this.limits(options);
      timer = setTimeout(() => conn.interrupt(), timeoutMs);
      let reader;
      try {
        reader = await conn.streamAndReadUntil(sql, maxRows + 1);
      } catch (error) {
        failure = QueryError.fromDuckDB(error);
        throw failure;
      }
      if (reader.currentRowCount > maxRows) {
        throw new QueryError('too_many_rows', `the result has more than ${maxRows} rows; add a LIMIT or aggregate`);
      }
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name, type: String(types[i]) })),
        rows: reader.getRowObjectsJson() as Record<string, unknown>[],
        values: reader.getRowsJson() as unknown[][],
        tables,
      };
    } finally {
      if (timer) clearTimeout(timer);
      done(failure);
    }
  }

  /**
   * Like {@link query}, but yields the result chunk by chunk (JSON rows with exact
   * values), for responses that stream; an empty result yields one chunk without rows,
   * for its columns. The row and time limits apply to the whole stream; stopping the
   * iteration early releases the query.
   */
  async *stream(sql: string, options: QueryOptions = {}): AsyncGenerator<QueryResult> {
    const { conn, tables, done } = await this.start(sql, options);
    let timer: NodeJS.Timeout | undefined;
    let failure: unknown;
    try {
      const { maxRows, timeoutMs } = this.limits(options);
      timer = setTimeout(() => conn.interrupt(), timeoutMs);
      let sent = 0;
      try {
        const result = await conn.stream(sql);
        const columns = result.columnNames().map((name, i) => ({ name, type: String(result.columnTypes()[i]) }));
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          sent += chunk.rowCount;
          if (sent > maxRows) throw new QueryError('too_many_rows', `the result has more than ${maxRows} rows; add a LIMIT or aggregate`);
          const values = chunk.convertRows(JsonDuckDBValueConverter).map((row) => columns.map((_, i) => row[i] ?? null));
          const rows = values.map((row) => Object.fromEntries(columns.map((col, i) => [col.name, row[i]])));
          yield { columns, rows, values, tables };
        }
        // An empty result still says what its columns are.
        if (sent === 0) yield { columns, rows: [], values: [], tables };
      } catch (error) {
        failure = error instanceof QueryError ? error : QueryError.fromDuckDB(error);
        throw failure;
      }
    } finally {
      if (timer) clearTimeout(timer);
      done(failure);
    }
  }

  private limits(options: QueryOptions): { maxRows: number; timeoutMs: number } {
    return {
      maxRows: options.maxRows ?? this.options.maxRows ?? 10_000,
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? 30_000,
    };
  }

  private release(gen: Generation): void {
    gen.active--;
    if (gen.retired && gen.active === 0) closeGeneration(gen);
  }

  /** Closes the engine's DuckDB instances and removes its sandboxes. */
  close(): void {
    if (this.current) closeGeneration(this.current);
    this.current = undefined;
  }
}

/** Closes the least recently used idle sandboxes past {@link MAX_SANDBOXES}, never `keep`. */
function evict(gen: Generation, keep: string): void {
  if (gen.open.size <= MAX_SANDBOXES) return;
  const idle = [...gen.open].filter(([key, s]) => key !== keep && s.active === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
  for (const [key, sandbox] of idle.slice(0, gen.open.size - MAX_SANDBOXES)) {
    gen.open.delete(key);
    gen.sandboxes.delete(key);
    sandbox.close();
  }
}

/** Closes a generation's instance and every sandbox it opened (a sandbox still opening closes when it settles). */
function closeGeneration(gen: Generation): void {
  gen.instance.closeSync();
  for (const sandbox of gen.open.values()) sandbox.close();
  gen.open.clear();
  gen.sandboxes.clear();
}
