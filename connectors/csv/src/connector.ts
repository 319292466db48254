import { relative, resolve } from 'node:path';
import { type DuckDBConnection, type DuckDBDataChunk, DuckDBInstance, type DuckDBResult } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  Cap,
  ConfigError,
  type Connector,
  FatalSourceError,
  type FileAccess,
  filePathProblem,
  type Logger,
  type ReadOptions,
  silentLogger,
  type TableInfo,
} from '@agnes/connector-kit';
import { BatchAssembler, type ColumnPlan, planColumn, schemaOf } from './arrow-from-duckdb.js';
import { checkConfig, type CsvConnectorConfig } from './config.js';
import { detectFormat, type FileFormat, listFiles, scanSql } from './file-formats.js';
import { assignTableNames } from './naming.js';

/**
 * What the files connector uses from its host: a structural subset of the kit's
 * `ConnectorContext`, so a full context or `{ logger }` alone both fit.
 */
export interface CsvConnectorContext {
  /** Receives one line per skipped file. Default: silent. */
  readonly logger?: Logger;
  /** Aborted when the host cancels the run; reads stop as if `options.signal` had aborted. */
  readonly signal?: AbortSignal;
  /**
   * Where the host lets sources read: the folder and every file (symlinks resolved) must
   * lie under it, else the connector refuses the folder and skips the file. Default: anywhere.
   */
  readonly fileAccess?: FileAccess;
}

const DEFAULT_BATCH_SIZE = 10_000;

interface FileTable {
  info: TableInfo;
  file: string;
  rel: string;
  format: FileFormat;
  plans: ColumnPlan[];
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '';
}

/**
 * A connector over a folder of files: CSV, TSV, parquet, JSON (an array of objects)
 * and NDJSON become tables named by {@link sanitizeTableName}; other files are
 * skipped with a log line. DuckDB infers the schemas and streams the rows, which
 * arrive as Arrow batches of about `batchSize` rows, so memory stays flat whatever
 * the file size. Files have no cursor: tables offer no incremental key.
 *
 * @example
 * const connector = createCsvConnector({ path: './exports', primaryKeys: { airports: ['iata'] } }, { logger });
 * const [airports] = await connector.discover!();
 * for await (const batch of connector.read!('airports', { batchSize: 10_000 })) rows += batch.numRows;
 */
export function createCsvConnector(config: CsvConnectorConfig, ctx: CsvConnectorContext = {}): Connector {
  checkConfig(config);
  const logger = ctx.logger ?? silentLogger;
  const dir = resolve(config.path);
  const access = ctx.fileAccess;
  const outside = (path: string) => (access ? filePathProblem(path, access) : undefined);
  const refused = outside(dir);
  if (refused) throw new ConfigError(`csv connector: config.path ${refused}`);

  // One in-memory instance per connector; one connection per discover or read, because
  // a DuckDB connection serves one streaming result at a time and reads may interleave.
  let instance: Promise<DuckDBInstance> | undefined;
  async function connect(): Promise<DuckDBConnection> {
    instance ??= DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' }).catch((error: unknown) => {
      instance = undefined;
      throw error;
    });
    return (await instance).connect();
  }

  async function describe(conn: DuckDBConnection, format: FileFormat, file: string): Promise<ColumnPlan[]> {
    // A prepared statement binds (so DuckDB sniffs the file) without reading rows, and
    // gives structured types where DESCRIBE gives strings to parse.
    const stmt = await conn.prepare(`SELECT * FROM ${scanSql(format, file)}`);
    try {
      return Array.from({ length: stmt.columnCount }, (_, i) => planColumn(stmt.columnName(i), stmt.columnType(i)));
    } finally {
      stmt.destroySync();
    }
  }

  function primaryKeyFor(name: string, plans: readonly ColumnPlan[], problems: string[]): string[] | undefined {
    const pk = config.primaryKeys?.[name];
    if (!pk) return undefined;
    const missing = pk.filter((c) => !plans.some((p) => p.name === c));
    if (missing.length > 0) {
      problems.push(
        `config.primaryKeys.${name} names ${missing.map((c) => JSON.stringify(c)).join(', ')}, not a column of ${name}; columns: ${plans.map((p) => p.name).join(', ')}`,
      );
    }
    return pk;
  }

  async function discoverAll(): Promise<Map<string, FileTable>> {
    const candidates = new Map<string, { file: string; format: FileFormat }>();
    for (const file of await listFiles(dir, config.recursive ?? false)) {
      const rel = relative(dir, file);
      // A symlink in an allowed folder may point anywhere.
      const problem = outside(file);
      if (problem) {
        logger.warn(`skipped ${rel}: ${problem}`, { file: rel });
        continue;
      }
      const format = await detectFormat(file);
      if (typeof format === 'object') logger.info(`skipped ${rel}: ${format.skip}`, { file: rel });
      else candidates.set(rel, { file, format });
    }
    const out = new Map<string, FileTable>();
    const problems: string[] = [];
    const conn = await connect();
    try {
      for (const [name, rel] of assignTableNames([...candidates.keys()])) {
        const { file, format } = candidates.get(rel)!;
        let plans: ColumnPlan[];
        try {
          plans = await describe(conn, format, file);
          if (plans.length === 0) throw new Error('no columns');
        } catch (error) {
          logger.warn(`skipped ${rel}: DuckDB cannot read it as ${format}: ${firstLine(error)}`, { file: rel });
          continue;
        }
        const primaryKey = primaryKeyFor(name, plans, problems);
        const info: TableInfo = {
          name,
          schema: schemaOf(plans),
          capabilities: Cap.READ,
          description: `${rel} (${format})`,
          ...(primaryKey ? { primaryKey } : {}),
        };
        out.set(name, { info, file, rel, format, plans });
      }
    } finally {
      conn.closeSync();
    }
    for (const name of Object.keys(config.primaryKeys ?? {})) {
      if (!out.has(name)) logger.warn(`config.primaryKeys.${name}: no table ${name} in ${dir}; the key is ignored`);
    }
    if (problems.length > 0) throw new ConfigError(`csv connector: ${problems.join('; ')}`);
    return out;
  }

  let tables: Promise<Map<string, FileTable>> | undefined;
  const aborted = (options: ReadOptions) => Boolean(options.signal?.aborted || ctx.signal?.aborted);

  async function* read(table: string, options: ReadOptions): AsyncGenerator<RecordBatch> {
    const known = await (tables ??= discoverAll());
    const t = known.get(table);
    if (!t) {
      throw new ConfigError(`csv connector: no table ${table} in ${dir}; tables: ${[...known.keys()].join(', ') || 'none'}`);
    }
    let wanted = t.plans;
    if (options.columns) {
      const unknown = options.columns.filter((c) => !t.plans.some((p) => p.name === c));
      if (unknown.length > 0 || options.columns.length === 0) {
        throw new ConfigError(
          `csv connector: table ${table} has no column ${unknown.map((c) => JSON.stringify(c)).join(', ') || '(empty projection)'}; columns: ${t.plans.map((p) => p.name).join(', ')}`,
        );
      }
      // Schema order, not request order: a projection narrows the declared schema.
      wanted = t.plans.filter((p) => options.columns!.includes(p.name));
    }
    // The file may have been replaced by a symlink since discover.
    const moved = outside(t.file);
    if (moved) throw new ConfigError(`csv connector: ${t.rel}: ${moved}`);
    const batchSize = options.batchSize > 0 ? options.batchSize : (config.batchSize ?? DEFAULT_BATCH_SIZE);
    const fail = (error: unknown) =>
      new FatalSourceError(`csv connector: cannot read ${t.rel} as ${t.format}: ${firstLine(error)}`, { cause: error });

    const conn = await connect();
    try {
      let result: DuckDBResult;
      try {
        result = await conn.stream(`SELECT ${wanted.map((p) => p.select).join(', ')} FROM ${scanSql(t.format, t.file)}`);
      } catch (error) {
        throw fail(error);
      }
      // The batch assembler copies vector memory by the declared width, so a file that
      // changed type since discover must stop here, not be misread.
      const got = result.columnTypes().map(String);
      const changed = wanted.filter((p, i) => got[i] !== p.duckType);
      if (changed.length > 0) {
        const what = changed.map((p) => `${p.name} is ${got[wanted.indexOf(p)]}, was ${p.duckType}`).join('; ');
        throw new FatalSourceError(`csv connector: ${t.rel} changed since discover (${what}); run discover again`);
      }
      const assembler = new BatchAssembler(wanted);
      for (;;) {
        if (aborted(options)) return;
        let chunk: DuckDBDataChunk | null;
        try {
          chunk = await result.fetchChunk();
        } catch (error) {
          if (aborted(options)) return;
          throw fail(error);
        }
        if (!chunk || chunk.rowCount === 0) break;
        assembler.add(chunk);
        if (assembler.size >= batchSize) yield assembler.take()!;
      }
      const last = assembler.take();
      if (last) yield last;
    } finally {
      conn.closeSync();
    }
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ,
    async discover() {
      tables = discoverAll();
      return [...(await tables).values()].map((t) => t.info);
    },
    read,
  };
}
