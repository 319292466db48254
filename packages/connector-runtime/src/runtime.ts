import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  Cap,
  ConfigError,
  type Connector,
  childLogger,
  DATA_DIR,
  EXTRACT_DB_FILE,
  errorCode,
  type ExtractStats,
  FatalSourceError,
  generationPath,
  hasCap,
  identifierProblem,
  type Logger,
  type MetaRow,
  monthPartition,
  partitionGlob,
  partitionPath,
  quoteIdent,
  quoteLiteral,
  type RemoteAttachInfo,
  remoteAttachProblems,
  type SchemaChange,
  type SchemaJson,
  silentLogger,
  type StateRow,
  type TableInfo,
  withRetry,
} from '@agnes/connector-kit';
import { commitExtract, type ExtractContents, readExtractContents } from './extract/extract-db.js';
import { hashFile, hashParts } from './extract/hash.js';
import { RUN_LOCK, withExtractLock } from './extract/lock.js';
import { mergeFiles, mergePartition } from './extract/merge.js';
import { describeChange, diffSchemas } from './schema/diff.js';
import { schemaJsonOf } from './writer/duckdb-types.js';
import { ParquetWriter, type ParquetWriterOptions } from './writer/parquet-writer.js';

/** How a table's new rows combine with what the extract already holds. */
export type MergeStrategy = 'replace' | 'append' | 'upsert';

/** Per-table settings of a run. */
export interface TableRunConfig {
  /**
   * `replace` rewrites the table from a full read; `append` adds new rows (dropping
   * rows whose primary key is already stored); `upsert` replaces rows by primary key
   * (latest wins). Default: `upsert` when an incremental key is in effect, else `replace`.
   */
  strategy?: MergeStrategy;
  /** `evolve` (default) accepts schema changes and reports them; `freeze` refuses them and keeps the old data. */
  schemaPolicy?: 'evolve' | 'freeze';
  /** Cursor column; overrides `TableInfo.incrementalKey`. Needs a primary key. */
  incrementalKey?: string;
}

/** Phases reported by progress events. */
export type ProgressPhase = 'start' | 'read' | 'merge' | 'done' | 'failed' | 'commit';

/** A progress event of a run. */
export interface ProgressEvent {
  /** Table name, or `*` for run-wide phases (commit). */
  table: string;
  phase: ProgressPhase;
  rows: number;
  bytes: number;
  message?: string;
}

/** Options of {@link ConnectorRuntime.run}. */
export interface RunOptions {
  /** Tables to run: names, or names with settings. Default: every discovered table with READ, plus remote tables. */
  tables?: string[] | Record<string, TableRunConfig>;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** Options of {@link ConnectorRuntime.runStream}. */
export interface StreamRunOptions {
  /** Raw events (e.g. webhook payloads) handed to `connector.stream`. */
  events: AsyncIterable<unknown>;
  signal?: AbortSignal;
  /** Flush after this many buffered rows. Default 10,000. */
  flushRows?: number;
  /** Flush buffered rows at least this often. Default 1,000 ms. */
  flushIntervalMs?: number;
}

/** What {@link ConnectorRuntime.runStream} did. */
export interface StreamStats {
  rows: number;
  flushes: number;
  partitions: string[];
}

/** Options of a {@link ConnectorRuntime}. */
export interface RuntimeOptions {
  logger?: Logger;
  /** Rows per batch asked of `read`. Default 10,000. */
  batchSize?: number;
  /** Retries of a table after a transient source error. Default 3. */
  retries?: number;
  /** Tuning of the parquet writer. */
  writer?: ParquetWriterOptions;
  /**
   * How long `run` waits for another run of the same source to finish (or for the
   * lock of a killed run to go stale) before refusing. Default 7,000 ms.
   */
  runLockWaitMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

interface TableOutcome {
  meta: MetaRow;
  state: StateRow | null;
  changes: SchemaChange[];
}

/**
 * A partitioned table's read, whose merge into the partition files must happen
 * under the commit lock (stream writers rewrite the same files).
 */
interface DeferredOutcome {
  deltaRel: string;
  changes: SchemaChange[];
  merge: (conn: DuckDBConnection, current: ExtractContents) => Promise<TableOutcome>;
}

/** A table refused by its schema policy. */
class SchemaFrozenError extends ConfigError {
  constructor(table: string, changes: SchemaChange[]) {
    super(
      `table ${table}: schema changed while schemaPolicy is 'freeze' (${changes.map(describeChange).join('; ')}); ` +
        `the previous data is kept. Set schemaPolicy 'evolve' to accept the new schema.`,
    );
  }
}

function generation(now: Date): string {
  return `${now.getTime().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * SQL for the greatest cursor value as the string `read` receives: ISO 8601 for
 * timestamps (`…Z` when zoned; sub-µs digits are dropped, which is safe under ≥),
 * `YYYY-MM-DD` for dates, the plain text of anything else.
 */
function cursorSql(key: string, type: string | undefined): string {
  const c = `max(${quoteIdent(key)})`;
  if (type === 'TIMESTAMP WITH TIME ZONE') return `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%fZ')`;
  if (type?.startsWith('TIMESTAMP')) return `strftime(${c}::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%f')`;
  if (type === 'DATE') return `strftime(${c}, '%Y-%m-%d')`;
  return `${c}::VARCHAR`;
}

function normaliseTables(tables: RunOptions['tables']): Map<string, TableRunConfig> | null {
  if (!tables) return null;
  if (Array.isArray(tables)) return new Map(tables.map((t) => [t, {}]));
  return new Map(Object.entries(tables));
}

function validateRemote(info: RemoteAttachInfo): void {
  const problems = remoteAttachProblems(info);
  if (problems.length) throw new ConfigError(`remote() returned invalid attach info: ${problems.join('; ')}`);
}

/**
 * Runs connectors into one extract folder (`<outputDir>` = `extracts/<source>`),
 * following the extract contract: parquet generations, `_meta`, views, remote
 * tables, and the `extract.duckdb` rename as the single commit point.
 *
 * @example
 * const runtime = new ConnectorRuntime('data/extracts/crm');
 * const stats = await runtime.run(connector, { tables: { orders: { strategy: 'upsert' } } });
 */
export class ConnectorRuntime {
  /** The extract folder. */
  readonly dir: string;
  /** The source name (the folder's name). */
  readonly source: string;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly retries: number;
  private readonly writerOptions: ParquetWriterOptions;
  private readonly now: () => Date;
  private readonly runLockWaitMs: number;

  constructor(outputDir: string, options: RuntimeOptions = {}) {
    this.dir = resolve(outputDir);
    this.source = basename(this.dir);
    const problem = identifierProblem(this.source, 'source');
    if (problem) throw new ConfigError(`${problem} (the source name is the extract folder's name: ${this.dir})`);
    this.logger = childLogger(options.logger ?? silentLogger, { source: this.source });
    this.batchSize = options.batchSize ?? 10_000;
    this.retries = options.retries ?? 3;
    this.writerOptions = options.writer ?? {};
    this.now = options.now ?? (() => new Date());
    this.runLockWaitMs = options.runLockWaitMs ?? 7_000;
  }

  /**
   * Extracts tables and commits them in one new `extract.duckdb`. Failures of
   * single tables are returned in `stats.errors` (their previous data stays);
   * invalid names or configuration throw a ConfigError before anything is written.
   */
  async run(connector: Connector, options: RunOptions = {}): Promise<ExtractStats> {
    // Validate before taking the lock, so bad names never create the folder.
    const plan = await this.plan(connector, options);
    return withExtractLock(this.dir, () => this.runLocked(connector, plan, options), { name: RUN_LOCK, waitMs: this.runLockWaitMs });
  }

  private async runLocked(
    connector: Connector,
    { local, remote, configs }: Awaited<ReturnType<ConnectorRuntime['plan']>>,
    options: RunOptions,
  ): Promise<ExtractStats> {
    const stats: ExtractStats = { tablesExtracted: 0, tablesFailed: 0, totalRows: 0, schemaChanges: [], errors: [] };
    const progress = options.onProgress ?? (() => undefined);
    const remoteInfo = remote.length > 0 || hasCap(connector.capabilities, Cap.REMOTE) ? this.remoteInfo(connector) : null;

    await mkdir(join(this.dir, DATA_DIR), { recursive: true });
    const previous = await readExtractContents(this.dir);
    const outcomes = new Map<string, TableOutcome>();
    const deferred = new Map<string, DeferredOutcome>();
    const writer = new ParquetWriter({ prewarm: true, ...this.writerOptions });
    const engine = await this.openEngine();
    try {
      let authFailure: string | undefined;
      for (const info of local) {
        const log = childLogger(this.logger, { table: info.name });
        if (options.signal?.aborted) {
          stats.tablesFailed++;
          stats.errors.push({ table: info.name, code: 'cancelled', message: 'run cancelled before this table started' });
          continue;
        }
        if (authFailure) {
          // Refused credentials will be refused for every table: do not hammer the source.
          stats.tablesFailed++;
          stats.errors.push({ table: info.name, code: 'auth', message: `not attempted: ${authFailure}` });
          continue;
        }
        progress({ table: info.name, phase: 'start', rows: 0, bytes: 0 });
        try {
          const outcome = await this.extractTable(connector, info, configs.get(info.name) ?? {}, previous, {
            writer,
            engine: engine.conn,
            signal: options.signal,
            progress,
          });
          if ('merge' in outcome) {
            deferred.set(info.name, outcome);
            continue;
          }
          outcomes.set(info.name, outcome);
          stats.tablesExtracted++;
          stats.totalRows += outcome.meta.rows ?? 0;
          stats.schemaChanges.push(...outcome.changes);
          for (const c of outcome.changes) log.info(`schema change: ${describeChange(c)}`);
          progress({ table: info.name, phase: 'done', rows: outcome.meta.rows ?? 0, bytes: outcome.meta.sizeBytes ?? 0 });
        } catch (error) {
          const code = options.signal?.aborted ? 'cancelled' : error instanceof SchemaFrozenError ? 'schema' : errorCode(error);
          const message = error instanceof Error ? error.message : String(error);
          stats.tablesFailed++;
          stats.errors.push({ table: info.name, code, message });
          if (code === 'auth') authFailure = message;
          log.error(`table failed; previous data kept: ${message}`, { code });
          progress({ table: info.name, phase: 'failed', rows: 0, bytes: 0, message });
        }
      }
    } finally {
      await writer.close();
      engine.close();
    }

    progress({ table: '*', phase: 'commit', rows: stats.totalRows, bytes: 0 });
    await withExtractLock(this.dir, async () => {
      // Re-read under the lock: a stream writer may have committed meanwhile.
      const current = await readExtractContents(this.dir);
      if (deferred.size > 0) {
        const mergeEngine = await this.openEngine();
        try {
          for (const [table, d] of deferred) {
            progress({ table, phase: 'merge', rows: 0, bytes: 0 });
            try {
              const outcome = await d.merge(mergeEngine.conn, current);
              outcomes.set(table, outcome);
              stats.tablesExtracted++;
              stats.totalRows += outcome.meta.rows ?? 0;
              stats.schemaChanges.push(...outcome.changes);
              progress({ table, phase: 'done', rows: outcome.meta.rows ?? 0, bytes: outcome.meta.sizeBytes ?? 0 });
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              stats.tablesFailed++;
              stats.errors.push({ table, code: errorCode(error), message });
              progress({ table, phase: 'failed', rows: 0, bytes: 0, message });
            } finally {
              await rm(this.abs(d.deltaRel), { force: true });
            }
          }
        } finally {
          mergeEngine.close();
        }
      }
      const next = this.compose(current, outcomes, remote, remoteInfo);
      await commitExtract(this.dir, next);
      await this.collectGarbage(previous, next, new Set(outcomes.keys()));
    });
    this.logger.info('run committed', { tables: stats.tablesExtracted, failed: stats.tablesFailed, rows: stats.totalRows });
    return stats;
  }

  /** Discovers, validates names and settings, and splits tables into local and remote. */
  private async plan(connector: Connector, options: RunOptions) {
    if (!hasCap(connector.capabilities, Cap.DISCOVER) || typeof connector.discover !== 'function') {
      throw new ConfigError('the connector must declare Cap.DISCOVER and implement discover() so the runtime knows table schemas');
    }
    const discovered = await connector.discover();
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const t of discovered) {
      const p = identifierProblem(t.name, 'table');
      if (p) problems.push(p);
      const lower = String(t.name).toLowerCase();
      if (seen.has(lower)) problems.push(`table names ${JSON.stringify(seen.get(lower))} and ${JSON.stringify(t.name)} collide (names are case-insensitive)`);
      seen.set(lower, t.name);
    }
    if (problems.length) throw new ConfigError(`discover() returned invalid tables: ${problems.join('; ')}`);
    const configs = normaliseTables(options.tables);
    const byName = new Map(discovered.map((t) => [t.name, t]));
    if (configs) {
      const unknown = [...configs.keys()].filter((n) => !byName.has(n));
      if (unknown.length) {
        throw new ConfigError(`unknown table(s) ${unknown.join(', ')}; discovered: ${[...byName.keys()].join(', ') || '(none)'}`);
      }
    }
    const selected = configs ? discovered.filter((t) => configs.has(t.name)) : discovered;
    const isLocal = (t: TableInfo) => hasCap(t.capabilities, Cap.READ) && hasCap(connector.capabilities, Cap.READ);
    const local = selected.filter(isLocal);
    const remote = selected.filter((t) => !isLocal(t) && hasCap(t.capabilities, Cap.REMOTE));
    for (const t of local) this.checkTableConfig(t, configs?.get(t.name) ?? {});
    return { local, remote, configs: configs ?? new Map<string, TableRunConfig>() };
  }

  private checkTableConfig(info: TableInfo, cfg: TableRunConfig): void {
    const names = new Set(info.schema.fields.map((f) => f.name));
    const key = cfg.incrementalKey ?? info.incrementalKey;
    const pk = info.primaryKey ?? [];
    const missing = [...pk, ...(key ? [key] : [])].filter((c) => !names.has(c));
    if (missing.length) {
      throw new ConfigError(`table ${info.name}: column(s) ${missing.join(', ')} named as key are not in its schema`);
    }
    const strategy = cfg.strategy ?? (key ? 'upsert' : 'replace');
    if (key && strategy !== 'replace' && pk.length === 0) {
      throw new ConfigError(`table ${info.name}: incremental reads need a primary key (declare primaryKey in discover())`);
    }
    if (strategy === 'upsert' && pk.length === 0) {
      throw new ConfigError(`table ${info.name}: strategy 'upsert' needs a primary key (declare primaryKey in discover())`);
    }
  }

  private remoteInfo(connector: Connector): RemoteAttachInfo {
    if (typeof connector.remote !== 'function') {
      throw new ConfigError('the connector lists remote tables but does not implement remote()');
    }
    const info = connector.remote();
    validateRemote(info);
    return info;
  }

  private async openEngine(): Promise<{ conn: DuckDBConnection; close: () => void }> {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return {
      conn,
      close: () => {
        conn.closeSync();
        instance.closeSync();
      },
    };
  }

  private abs(rel: string): string {
    return join(this.dir, rel);
  }

  private async extractTable(
    connector: Connector,
    info: TableInfo,
    cfg: TableRunConfig,
    previous: ExtractContents,
    ctx: {
      writer: ParquetWriter;
      engine: DuckDBConnection;
      signal: AbortSignal | undefined;
      progress: (e: ProgressEvent) => void;
    },
  ): Promise<TableOutcome | DeferredOutcome> {
    const name = info.name;
    const schemaJson = schemaJsonOf(info.schema);
    const prevMeta = previous.meta.find((m) => m.tableName === name && m.queryMode === 'local');
    const prevState = previous.state.find((s) => s.tableName === name);
    const changes = diffSchemas(name, prevMeta?.schemaJson ?? null, schemaJson);
    if (changes.length > 0 && cfg.schemaPolicy === 'freeze') throw new SchemaFrozenError(name, changes);

    const key = cfg.incrementalKey ?? info.incrementalKey;
    const strategy: MergeStrategy = cfg.strategy ?? (key ? 'upsert' : 'replace');
    const pk = info.primaryKey ?? [];
    const incremental = Boolean(key) && strategy !== 'replace';
    const partitioned = hasCap(info.capabilities, Cap.STREAM);
    const prevFile = prevMeta?.dataPath && !partitioned && existsSync(this.abs(prevMeta.dataPath)) ? prevMeta.dataPath : null;
    const incrementalValue =
      incremental && (prevFile || partitioned) && prevState?.incrementalKey === key ? (prevState?.cursorValue ?? undefined) : undefined;
    const now = this.now();
    const gen = generation(now);
    const finalRel = generationPath(name, gen);
    const merging = partitioned || (strategy !== 'replace' && prevFile !== null);
    const writeRel = merging ? `${DATA_DIR}/${name}.${gen}.delta.parquet` : finalRel;

    const rowsRead = await withRetry(
      async () => {
        await rm(this.abs(writeRel), { force: true });
        const batches = connector.read!(name, {
          batchSize: this.batchSize,
          signal: ctx.signal,
          ...(key && incremental ? { incrementalKey: key } : {}),
          ...(incrementalValue !== undefined ? { incrementalValue } : {}),
        }) as AsyncIterable<RecordBatch>;
        return ctx.writer.write(batches, info.schema, this.abs(writeRel), {
          signal: ctx.signal,
          onBatch: (p) => ctx.progress({ table: name, phase: 'read', rows: p.rows, bytes: p.bytes }),
        });
      },
      { retries: this.retries, signal: ctx.signal, logger: this.logger },
    ).catch(async (error: unknown) => {
      await rm(this.abs(writeRel), { force: true });
      throw error;
    });
    this.logger.debug('table read', { table: name, rows: rowsRead });

    if (partitioned) {
      return {
        deltaRel: writeRel,
        changes,
        merge: (conn, current) => this.mergeIntoPartitions(conn, info, schemaJson, writeRel, current, changes, key ?? null, now),
      };
    }
    // The cursor tracks what was read (the delta), not what the merge kept.
    const readCursor = incremental && key ? (await this.summarise(ctx.engine, this.abs(writeRel), key, schemaJson)).cursor : null;
    if (merging && prevFile) {
      ctx.progress({ table: name, phase: 'merge', rows: rowsRead, bytes: 0 });
      try {
        await mergeFiles(ctx.engine, {
          previous: this.abs(prevFile),
          delta: this.abs(writeRel),
          output: this.abs(finalRel),
          schema: schemaJson,
          strategy: strategy as 'append' | 'upsert',
          primaryKey: pk,
        });
      } catch (error) {
        await rm(this.abs(finalRel), { force: true });
        throw new FatalSourceError(`table ${name}: merging new rows into the previous data failed: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        await rm(this.abs(writeRel), { force: true });
      }
    }
    const summary = await this.summarise(ctx.engine, this.abs(finalRel), undefined);
    const meta: MetaRow = {
      tableName: name,
      description: info.description ?? null,
      rows: summary.rows,
      sizeBytes: (await stat(this.abs(finalRel))).size,
      extractedAt: now.toISOString(),
      queryMode: 'local',
      schemaJson,
      contentHash: await hashFile(this.abs(finalRel)),
      dataPath: finalRel,
    };
    const state: StateRow | null = incremental
      ? {
          tableName: name,
          incrementalKey: key ?? null,
          cursorValue: readCursor ?? prevState?.cursorValue ?? null,
          parts: null,
          updatedAt: now.toISOString(),
        }
      : null;
    return { meta, state, changes };
  }

  private async summarise(conn: DuckDBConnection, file: string, key: string | undefined, schema?: SchemaJson) {
    const type = key ? schema?.fields.find((f) => f.name === key)?.type : undefined;
    const cursor = key ? `, ${cursorSql(key, type)} AS cursor` : '';
    const r = await conn.runAndReadAll(`SELECT count(*)::VARCHAR AS n${cursor} FROM read_parquet(${quoteLiteral(file)})`);
    const row = r.getRowObjectsJson()[0] ?? {};
    return { rows: Number(row.n ?? 0), cursor: row.cursor === null || row.cursor === undefined ? null : String(row.cursor) };
  }

  /**
   * Splits the rows of a delta file into monthly partitions (by `partitionKey`
   * when the table declares one, else the month of arrival) and merges each into
   * its partition file: written to a temp file, renamed into place.
   */
  private async mergeIntoPartitions(
    conn: DuckDBConnection,
    info: TableInfo,
    schemaJson: SchemaJson,
    deltaRel: string,
    previous: ExtractContents,
    changes: SchemaChange[],
    cursorKey: string | null,
    now: Date,
  ): Promise<TableOutcome> {
    const name = info.name;
    const pkey = info.partitionKey;
    const arrival = quoteLiteral(monthPartition(now));
    const monthExpr = pkey
      ? `coalesce(strftime(CAST(${quoteIdent(pkey)} AS TIMESTAMP), '%Y-%m'), ${arrival})`
      : arrival;
    const delta = this.abs(deltaRel);
    const months = (
      await conn.runAndReadAll(`SELECT DISTINCT ${monthExpr} AS m FROM read_parquet(${quoteLiteral(delta)}) ORDER BY m`)
    )
      .getRowObjectsJson()
      .map((r) => String(r.m));
    const prevState = previous.state.find((s) => s.tableName === name);
    const parts: Record<string, string> = { ...(prevState?.parts ?? {}) };
    await mkdir(this.abs(`${DATA_DIR}/${name}`), { recursive: true });
    for (const m of months) {
      const partRel = partitionPath(name, m);
      const tmp = `${this.abs(partRel)}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
      try {
        await mergePartition(conn, {
          previous: existsSync(this.abs(partRel)) ? this.abs(partRel) : null,
          delta,
          output: tmp,
          monthExpr,
          partition: m,
          schema: schemaJson,
          primaryKey: info.primaryKey ?? [],
        });
        parts[m] = await hashFile(tmp);
        await rename(tmp, this.abs(partRel));
      } finally {
        await rm(tmp, { force: true });
      }
    }
    // Parts on disk that the state does not know (first run after an upgrade) are hashed once.
    for (const f of await readdir(this.abs(`${DATA_DIR}/${name}`))) {
      const m = f.endsWith('.parquet') ? f.slice(0, -'.parquet'.length) : null;
      if (m && !(m in parts)) parts[m] = await hashFile(this.abs(partitionPath(name, m)));
    }
    const glob = partitionGlob(name);
    const cursorType = cursorKey ? schemaJson.fields.find((f) => f.name === cursorKey)?.type : undefined;
    const cursor = cursorKey ? `, ${cursorSql(cursorKey, cursorType)} AS cursor` : '';
    const r = await conn.runAndReadAll(
      `SELECT count(*)::VARCHAR AS n${cursor} FROM read_parquet(${quoteLiteral(this.abs(glob))}, union_by_name = true)`,
    );
    const row = r.getRowObjectsJson()[0] ?? {};
    let size = 0;
    for (const m of Object.keys(parts)) size += (await stat(this.abs(partitionPath(name, m)))).size;
    const meta: MetaRow = {
      tableName: name,
      description: info.description ?? null,
      rows: Number(row.n ?? 0),
      sizeBytes: size,
      extractedAt: now.toISOString(),
      queryMode: 'local',
      schemaJson,
      contentHash: hashParts(Object.entries(parts).map(([part, hash]) => ({ part, hash }))),
      dataPath: glob,
    };
    const state: StateRow = {
      tableName: name,
      incrementalKey: cursorKey,
      cursorValue: row.cursor === null || row.cursor === undefined ? (prevState?.cursorValue ?? null) : String(row.cursor),
      parts,
      updatedAt: now.toISOString(),
    };
    return { meta, state, changes };
  }

  /** The next extract: current rows, this run's outcomes, remote tables. */
  private compose(
    current: ExtractContents,
    outcomes: Map<string, TableOutcome>,
    remote: TableInfo[],
    remoteInfo: RemoteAttachInfo | null,
  ): ExtractContents {
    const remoteNames = new Set(remote.map((t) => t.name));
    const meta = current.meta.filter((m) => !outcomes.has(m.tableName) && !remoteNames.has(m.tableName));
    const state = current.state.filter((s) => !outcomes.has(s.tableName));
    for (const o of outcomes.values()) {
      meta.push(o.meta);
      if (o.state) state.push(o.state);
    }
    let remoteAttach = current.remoteAttach;
    const remoteTables = current.remoteTables.filter((r) => !remoteNames.has(r.tableName) && !outcomes.has(r.tableName));
    if (remoteInfo) {
      const alias = remoteInfo.alias ?? remoteInfo.extension;
      remoteAttach = [{ alias, extension: remoteInfo.extension, url: remoteInfo.url, tokenEnv: remoteInfo.tokenEnv }];
      const now = this.now().toISOString();
      for (const t of remote) {
        meta.push({
          tableName: t.name,
          description: t.description ?? null,
          rows: null,
          sizeBytes: null,
          extractedAt: now,
          queryMode: 'remote',
          schemaJson: t.schema.fields.length ? schemaJsonOf(t.schema) : null,
          contentHash: null,
          dataPath: null,
        });
        remoteTables.push({
          tableName: t.name,
          alias: t.remote?.alias ?? alias,
          remoteSchema: t.remote?.schema ?? '',
          remoteTable: t.remote?.table ?? t.name,
        });
      }
    }
    meta.sort((a, b) => (a.tableName < b.tableName ? -1 : a.tableName > b.tableName ? 1 : 0));
    return { meta, state, remoteAttach, remoteTables };
  }

  /**
   * Deletes generation files of the committed tables that neither the new nor the
   * previous extract references (one generation of grace for readers still on the
   * old file), and temp files left by killed writers. Runs under the lock.
   */
  private async collectGarbage(previous: ExtractContents, next: ExtractContents, tables: Set<string>): Promise<void> {
    const keep = new Set<string>();
    for (const m of [...previous.meta, ...next.meta]) if (m.dataPath) keep.add(m.dataPath);
    const dataDir = this.abs(DATA_DIR);
    for (const f of existsSync(dataDir) ? await readdir(dataDir) : []) {
      const table = f.split('.')[0] ?? '';
      if (!f.endsWith('.parquet') || !tables.has(table)) continue;
      const rel = `${DATA_DIR}/${f}`;
      if (!keep.has(rel)) await rm(join(dataDir, f), { force: true });
    }
    for (const f of await readdir(this.dir)) {
      if (f.startsWith(`${EXTRACT_DB_FILE}.tmp-`)) await rm(join(this.dir, f), { force: true });
    }
  }

  /**
   * Removes tables from the extract (their `_meta`, `_state` and remote rows) in one
   * commit and returns the names removed. Their files stay for one generation of grace,
   * like any replaced file, for readers still on the previous extract.
   *
   * @example
   * await new ConnectorRuntime('data/extracts/shop').removeTables(['old_orders']);
   */
  async removeTables(names: readonly string[]): Promise<string[]> {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    if (wanted.size === 0 || !existsSync(join(this.dir, EXTRACT_DB_FILE))) return [];
    return withExtractLock(this.dir, async () => {
      const current = await readExtractContents(this.dir);
      const gone = (name: string) => wanted.has(name.toLowerCase());
      const removed = current.meta.filter((m) => gone(m.tableName)).map((m) => m.tableName);
      if (removed.length === 0) return [];
      const next: ExtractContents = {
        ...current,
        meta: current.meta.filter((m) => !gone(m.tableName)),
        state: current.state.filter((st) => !gone(st.tableName)),
        remoteTables: current.remoteTables.filter((r) => !gone(r.tableName)),
      };
      await commitExtract(this.dir, next);
      this.logger.info('tables removed from the extract', { tables: removed });
      return removed;
    });
  }

  /**
   * Consumes `connector.stream(table, { events })` into monthly partitions
   * (`data/<table>/<YYYY-MM>.parquet`). Rows are buffered and flushed every
   * `flushRows` rows or `flushIntervalMs`, so a burst of small events costs one
   * partition rewrite per flush, not per event. Each flush takes the folder's
   * cross-process lock and commits `_meta`.
   */
  async runStream(connector: Connector, table: string, options: StreamRunOptions): Promise<StreamStats> {
    if (!hasCap(connector.capabilities, Cap.STREAM) || typeof connector.stream !== 'function') {
      throw new ConfigError('the connector must declare Cap.STREAM and implement stream(table, { events })');
    }
    const problem = identifierProblem(table, 'table');
    if (problem) throw new ConfigError(problem);
    const discovered = typeof connector.discover === 'function' ? await connector.discover() : [];
    const declared = discovered.find((t) => t.name === table);
    const flushRows = options.flushRows ?? 10_000;
    const flushMs = options.flushIntervalMs ?? 1_000;
    const stats: StreamStats = { rows: 0, flushes: 0, partitions: [] };
    const iterator = connector.stream(table, { events: options.events, signal: options.signal })[Symbol.asyncIterator]();
    let buffer: RecordBatch[] = [];
    let buffered = 0;
    let firstAt = 0;

    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      const batches = buffer;
      buffer = [];
      buffered = 0;
      const info: TableInfo = declared ?? {
        name: table,
        schema: batches[0]!.schema,
        capabilities: Cap.STREAM,
      };
      const outcome = await this.flushStream(info, batches);
      stats.flushes++;
      for (const p of Object.keys(outcome.state?.parts ?? {})) if (!stats.partitions.includes(p)) stats.partitions.push(p);
    };

    let pending: Promise<IteratorResult<RecordBatch>> | null = null;
    for (;;) {
      pending ??= iterator.next();
      const wait = buffered > 0 ? Math.max(0, firstAt + flushMs - Date.now()) : null;
      const r =
        wait === null
          ? await pending
          : await Promise.race([pending, new Promise<'tick'>((res) => setTimeout(() => res('tick'), wait))]);
      if (r === 'tick') {
        await flush();
        continue;
      }
      pending = null;
      if (r.done) break;
      if (buffered === 0) firstAt = Date.now();
      buffer.push(r.value);
      buffered += r.value.numRows;
      stats.rows += r.value.numRows;
      if (buffered >= flushRows) await flush();
    }
    await flush();
    return stats;
  }

  private async flushStream(info: TableInfo, batches: RecordBatch[]): Promise<TableOutcome> {
    const writer = new ParquetWriter(this.writerOptions);
    const engine = await this.openEngine();
    const now = this.now();
    const deltaRel = `${DATA_DIR}/${info.name}.${generation(now)}.delta.parquet`;
    await mkdir(this.abs(DATA_DIR), { recursive: true });
    try {
      await writer.write(
        (async function* () {
          yield* batches;
        })(),
        info.schema,
        this.abs(deltaRel),
      );
      return await withExtractLock(this.dir, async () => {
        const current = await readExtractContents(this.dir);
        const schemaJson = schemaJsonOf(info.schema);
        const prevMeta = current.meta.find((m) => m.tableName === info.name);
        const changes = diffSchemas(info.name, prevMeta?.schemaJson ?? null, schemaJson);
        const merged = await this.mergeIntoPartitions(engine.conn, info, schemaJson, deltaRel, current, changes, null, now);
        // A stream flush leaves the batch cursor where the last batch run put it: advancing it
        // to the newest event would make the next backfill skip updates no event delivered.
        const prevState = current.state.find((s) => s.tableName === info.name);
        const outcome: TableOutcome =
          prevState && merged.state ? { ...merged, state: { ...merged.state, incrementalKey: prevState.incrementalKey, cursorValue: prevState.cursorValue } } : merged;
        const next = this.compose(current, new Map([[info.name, outcome]]), [], null);
        await commitExtract(this.dir, next);
        for (const c of changes) this.logger.info(`schema change: ${describeChange(c)}`, { table: info.name });
        return outcome;
      });
    } finally {
      await rm(this.abs(deltaRel), { force: true });
      await writer.close();
      engine.close();
    }
  }
}
