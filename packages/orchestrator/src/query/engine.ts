import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { type Logger, quoteLiteral, silentLogger } from '@agnes/connector-kit';
import { CATALOG } from '../rebuild/rebuild.js';
import { attachStatements, type RemotePolicy, remoteRowProblems } from '../remote/remote-policy.js';
import { QueryError } from './query-error.js';
import { inspectQuery } from './sql-guard.js';

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
  /** DuckDB memory limit, e.g. `'2GB'`. */
  memoryLimit?: string;
  logger?: Logger;
}

/** Per-query settings. */
export interface QueryOptions {
  /**
   * Called with the published views the query reads (as published, deduplicated);
   * throw (e.g. a QueryError 'forbidden') to refuse. Omit to allow every view.
   */
  authorize?: (tables: string[]) => void | Promise<void>;
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
  active: number;
  retired: boolean;
}

function fileKey(path: string): string {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/**
 * Runs untrusted read-only SQL over the analytics file. Two walls: DuckDB's parser
 * decides what a query reads (one SELECT; only published views and a few harmless
 * table functions; see `inspectQuery`), and the engine's own DuckDB instance runs
 * with external access off and its configuration locked, so a query that slipped
 * past the first wall still cannot read files, attach databases or change settings.
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
      if (old.active === 0) old.instance.closeSync();
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
      // Every setting first: once external access is off and the configuration is
      // locked, nothing can be changed — which is the point.
      await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
      if (o.threads) await conn.run(`SET threads = ${Math.max(1, Math.floor(o.threads))}`);
      if (o.memoryLimit) await conn.run(`SET memory_limit = ${quoteLiteral(o.memoryLimit)}`);
      const catalog = String((await conn.runAndReadAll('SELECT current_database() AS d')).getRowObjectsJson()[0]?.d);
      for (const r of (await conn.runAndReadAll(`SELECT alias, extension, url, token_env FROM ${CATALOG.remoteAttach}`)).getRowObjectsJson()) {
        const row = { alias: String(r.alias), extension: String(r.extension), url: String(r.url), tokenEnv: String(r.token_env) };
        const problems = remoteRowProblems(row, o.remote);
        if (problems.length) {
          this.logger.warn('remote catalog not attached', { alias: row.alias, problems });
          continue;
        }
        try {
          for (const sql of attachStatements(row, o.env ?? {}, o.remote)) await conn.run(sql);
        } catch (error) {
          this.logger.warn('remote catalog not attached', { alias: row.alias, error: (error as Error).message.split('\n')[0] });
        }
      }
      const views = new Map<string, string>();
      for (const r of (await conn.runAndReadAll(`SELECT table_name FROM ${CATALOG.tables}`)).getRowObjectsJson()) {
        views.set(String(r.table_name).toLowerCase(), String(r.table_name));
      }
      await conn.run(`SET allowed_directories = [${quoteLiteral(o.extractsDir + sep)}]`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
      return { key, instance, catalog, views, active: 0, retired: false };
    } catch (error) {
      instance.closeSync();
      throw error;
    } finally {
      conn.closeSync();
    }
  }

  /** The published views of the current analytics file. */
  async tables(): Promise<string[]> {
    return [...(await this.generation()).views.values()];
  }

  /** Parses, walks and authorizes `sql`; returns the published views it reads. */
  private async admit(conn: DuckDBConnection, gen: Generation, sql: string, options: QueryOptions): Promise<string[]> {
    const refs = await inspectQuery(conn, sql, gen.catalog);
    const tables: string[] = [];
    for (const name of refs.tables) {
      const published = gen.views.get(name.toLowerCase());
      if (published) tables.push(published);
      else if (!refs.ctes.includes(name.toLowerCase())) {
        throw new QueryError('forbidden', `table "${name}" does not exist or you have no access to it`);
      }
    }
    const unique = [...new Set(tables)];
    await options.authorize?.(unique);
    return unique;
  }

  /** Runs one read-only query. Throws a {@link QueryError} with a message safe to show. */
  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const gen = await this.generation();
    gen.active++;
    let conn: DuckDBConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      conn = await gen.instance.connect();
      const tables = await this.admit(conn, gen, sql, options);
      const { maxRows, timeoutMs } = this.limits(options);
      const c = conn;
      timer = setTimeout(() => c.interrupt(), timeoutMs);
      let reader;
      try {
        reader = await conn.streamAndReadUntil(sql, maxRows + 1);
      } catch (error) {
        throw QueryError.fromDuckDB(error);
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
      conn?.closeSync();
      this.release(gen);
    }
  }

  /**
   * Like {@link query}, but yields the result chunk by chunk (JSON rows with exact
   * values), for responses that stream; an empty result yields one chunk without rows,
   * for its columns. The row and time limits apply to the whole stream; stopping the
   * iteration early releases the query.
   */
  async *stream(sql: string, options: QueryOptions = {}): AsyncGenerator<QueryResult> {
    const gen = await this.generation();
    gen.active++;
    let conn: DuckDBConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      conn = await gen.instance.connect();
      const tables = await this.admit(conn, gen, sql, options);
      const { maxRows, timeoutMs } = this.limits(options);
      const c = conn;
      timer = setTimeout(() => c.interrupt(), timeoutMs);
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
        throw error instanceof QueryError ? error : QueryError.fromDuckDB(error);
      }
    } finally {
      if (timer) clearTimeout(timer);
      conn?.closeSync();
      this.release(gen);
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
    if (gen.retired && gen.active === 0) gen.instance.closeSync();
  }

  /** Closes the engine's DuckDB instances. */
  close(): void {
    this.current?.instance.closeSync();
    this.current = undefined;
  }
}
