import { existsSync, statSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import {
  Cap,
  ConfigError,
  type Connector,
  type Logger,
  type ReadOptions,
  silentLogger,
  type TableInfo,
} from '@agnes/connector-kit';
import { BatchAssembler, type ColumnPlan, planColumn, schemaOf } from './arrow-from-duckdb.js';
import { assignTableNames } from './naming.js';

/** Configuration of the files connector. */
export interface CsvConnectorConfig {
  /** Folder holding the files. */
  path: string;
  /** Also look in sub-folders. Default false. */
  recursive?: boolean;
  /** Rows per batch when the runtime does not ask. Default 10,000. */
  batchSize?: number;
  /** Primary key columns per table name. */
  primaryKeys?: Record<string, string[]>;
}

/** What the files connector needs from its host. */
export interface CsvConnectorContext {
  logger?: Logger;
}

type Format = 'csv' | 'parquet' | 'json' | 'ndjson';

const FORMATS: Record<string, Format> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.parquet': 'parquet',
  '.json': 'json',
  '.jsonl': 'ndjson',
  '.ndjson': 'ndjson',
};

interface FileTable {
  info: TableInfo;
  file: string;
  format: Format;
  plans: ColumnPlan[];
}

function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function scan(format: Format, file: string): string {
  switch (format) {
    case 'csv':
      return `read_csv(${literal(file)})`;
    case 'parquet':
      return `read_parquet(${literal(file)})`;
    case 'json':
      return `read_json(${literal(file)}, format = 'array')`;
    case 'ndjson':
      return `read_json(${literal(file)}, format = 'newline_delimited')`;
  }
}

async function listFiles(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...(await listFiles(path, true)));
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      out.push(path);
    }
  }
  return out;
}

/** The first few KiB of a file, for sniffing JSON shapes. */
async function head(file: string, bytes = 4096): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * `.json` files count as tables when they hold an array of objects, or one object
 * per line (NDJSON); a single JSON document (TopoJSON, GeoJSON, config) does not.
 */
async function jsonFormat(file: string): Promise<Format | string> {
  const text = (await head(file)).trimStart();
  if (text.startsWith('[')) {
    return text.slice(1).trimStart().startsWith('{') ? 'json' : 'a JSON array whose items are not objects';
  }
  if (text.startsWith('{')) {
    const firstLine = text.split('\n', 1)[0] ?? '';
    try {
      JSON.parse(firstLine);
      return 'ndjson';
    } catch {
      return 'a single JSON document, not records';
    }
  }
  return 'not JSON records';
}

/**
 * A connector over a folder of files: CSV/TSV, parquet, JSON (array of objects)
 * and NDJSON become tables named by {@link sanitizeTableName}; other files are
 * skipped with a log note. Schemas are inferred by DuckDB; rows stream through
 * DuckDB in batches, so memory stays flat whatever the file size.
 *
 * @example
 * const connector = createCsvConnector({ path: './exports' });
 * const stats = await new ConnectorRuntime('data/extracts/exports').run(connector);
 */
export function createCsvConnector(config: CsvConnectorConfig, ctx: CsvConnectorContext = {}): Connector {
  const logger = ctx.logger ?? silentLogger;
  const dir = config.path;
  if (!dir || typeof dir !== 'string') throw new ConfigError('csv connector: config.path is required (the folder holding the files)');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(`csv connector: config.path ${JSON.stringify(dir)} is not a folder; point it at the folder holding the files`);
  }
  let db: Promise<DuckDBConnection> | undefined;
  const connection = () =>
    (db ??= DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' }).then((i) => i.connect()));
  let tables: Promise<Map<string, FileTable>> | undefined;

  async function discoverAll(): Promise<Map<string, FileTable>> {
    const conn = await connection();
    const candidates: { file: string; format: Format }[] = [];
    for (const file of (await listFiles(dir, config.recursive ?? false)).sort()) {
      const ext = extname(file).toLowerCase();
      let format: Format | string | undefined = FORMATS[ext];
      if (format === 'json') format = await jsonFormat(file);
      if (format === undefined) {
        logger.info(`skipped ${relative(dir, file)}: not a tabular file type (${ext || 'no extension'})`);
        continue;
      }
      if (!(format in { csv: 1, parquet: 1, json: 1, ndjson: 1 })) {
        logger.info(`skipped ${relative(dir, file)}: ${format}`);
        continue;
      }
      candidates.push({ file, format: format as Format });
    }
    const names = assignTableNames(candidates.map((c) => relative(dir, c.file)));
    const out = new Map<string, FileTable>();
    for (const [name, rel] of names) {
      const { file, format } = candidates.find((c) => relative(dir, c.file) === rel)!;
      try {
        const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${scan(format, file)}`);
        const plans = described.getRowObjectsJson().map((r) => planColumn(String(r.column_name), String(r.column_type)));
        if (plans.length === 0) throw new Error('no columns');
        const pk = config.primaryKeys?.[name];
        out.set(name, {
          file,
          format,
          plans,
          info: {
            name,
            schema: schemaOf(plans),
            capabilities: Cap.READ,
            description: `${rel} (${format})`,
            ...(pk ? { primaryKey: pk } : {}),
          },
        });
      } catch (error) {
        logger.warn(`skipped ${rel}: DuckDB cannot read it as ${format}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return out;
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ,
    async discover() {
      tables = discoverAll();
      return [...(await tables).values()].map((t) => t.info);
    },
    async *read(table: string, options: ReadOptions): AsyncGenerator<RecordBatch> {
      const t = (await (tables ??= discoverAll())).get(table);
      if (!t) throw new ConfigError(`csv connector: no table ${table} in ${dir}; run discover() to list tables`);
      const wanted = options.columns ? t.plans.filter((p) => options.columns!.includes(p.name)) : t.plans;
      const conn = await connection();
      const result = await conn.stream(`SELECT ${wanted.map((p) => p.select).join(', ')} FROM ${scan(t.format, t.file)}`);
      const batchSize = options.batchSize || config.batchSize || 10_000;
      const assembler = new BatchAssembler(wanted);
      for (;;) {
        if (options.signal?.aborted) return;
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        assembler.add(chunk);
        if (assembler.size >= batchSize) yield assembler.take()!;
      }
      const last = assembler.take();
      if (last) yield last;
    },
  };
}
