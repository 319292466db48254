/**
 * The extract contract (CONTRACT.md) in code: folder and file names, the DDL of the
 * contract tables, and the shapes of their rows. The runtime writes with this module;
 * the orchestrator, the API, the contract suite and `da` read with it.
 */

/** File name of the commit point inside an extract folder. */
export const EXTRACT_DB_FILE = 'extract.duckdb';
/** Folder (relative to the extract folder) holding parquet files. */
export const DATA_DIR = 'data';
/** Name of the metadata table. */
export const META_TABLE = '_meta';
/** Name of the remote-attach table. */
export const REMOTE_ATTACH_TABLE = '_remote_attach';
/** Name of the remote-table map. */
export const REMOTE_TABLES_TABLE = '_remote_tables';
/** Prefix of every content hash. */
export const HASH_PREFIX = 'sha256-';

/** `_meta` DDL, column order is normative. */
export const META_DDL = `CREATE TABLE ${META_TABLE} (
  table_name   VARCHAR NOT NULL,
  description  VARCHAR,
  rows         BIGINT,
  size_bytes   BIGINT,
  extracted_at TIMESTAMP,
  query_mode   VARCHAR NOT NULL,
  schema_json  VARCHAR,
  content_hash VARCHAR,
  data_path    VARCHAR
)`;

/** `_remote_attach` DDL. */
export const REMOTE_ATTACH_DDL = `CREATE TABLE ${REMOTE_ATTACH_TABLE} (alias VARCHAR, extension VARCHAR, url VARCHAR, token_env VARCHAR)`;

/** `_remote_tables` DDL. */
export const REMOTE_TABLES_DDL = `CREATE TABLE ${REMOTE_TABLES_TABLE} (table_name VARCHAR, alias VARCHAR, remote_schema VARCHAR, remote_table VARCHAR)`;

/** The columns of `_meta`, in order. */
export const META_COLUMNS = [
  'table_name',
  'description',
  'rows',
  'size_bytes',
  'extracted_at',
  'query_mode',
  'schema_json',
  'content_hash',
  'data_path',
] as const;

/** `query_mode` values. */
export type QueryMode = 'local' | 'remote';

/** One column in `schema_json`. `type` is a DuckDB type string. */
export interface SchemaJsonField {
  name: string;
  type: string;
  nullable: boolean;
}

/** The parsed form of `schema_json`. */
export interface SchemaJson {
  fields: SchemaJsonField[];
}

/** One `_meta` row as read by JS. `rows`/`sizeBytes` are bigint-safe numbers. */
export interface MetaRow {
  tableName: string;
  description: string | null;
  rows: number | null;
  sizeBytes: number | null;
  /** UTC, ISO 8601. */
  extractedAt: string | null;
  queryMode: QueryMode;
  schemaJson: SchemaJson | null;
  contentHash: string | null;
  dataPath: string | null;
}

/** One `_remote_attach` row. */
export interface RemoteAttachRow {
  alias: string;
  extension: string;
  url: string;
  tokenEnv: string;
}

/** One `_remote_tables` row. */
export interface RemoteTableRow {
  tableName: string;
  alias: string;
  remoteSchema: string;
  remoteTable: string;
}

/** Relative path of a batch table's generation file. */
export function generationPath(table: string, generation: string): string {
  return `${DATA_DIR}/${table}.${generation}.parquet`;
}

/** Relative glob of a partitioned (stream) table. */
export function partitionGlob(table: string): string {
  return `${DATA_DIR}/${table}/*.parquet`;
}

/** Relative path of one partition of a stream table, e.g. `data/events/2026-11.parquet`. */
export function partitionPath(table: string, partition: string): string {
  return `${DATA_DIR}/${table}/${partition}.parquet`;
}

/** Partition key (`YYYY-MM`, UTC) for an instant. */
export function monthPartition(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/**
 * Content hash of a partitioned table: sha256 over the sorted list of
 * `<part>:<part hash>` lines. Takes a hashing function so the kit stays free of
 * `node:crypto` (hosts pass `createHash`).
 */
export function partitionedContentHashInput(parts: readonly { part: string; hash: string }[]): string {
  return [...parts]
    .sort((a, b) => (a.part < b.part ? -1 : a.part > b.part ? 1 : 0))
    .map((p) => `${p.part}:${p.hash}`)
    .join('\n');
}

/** Parses `schema_json`, returning null for NULL or malformed text. */
export function parseSchemaJson(text: string | null | undefined): SchemaJson | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && Array.isArray((v as SchemaJson).fields)) return v as SchemaJson;
  } catch {
    return null;
  }
  return null;
}

/**
 * Runtime-private state, committed in the same file as `_meta` so a table's cursor
 * moves only with its data. Readers ignore it. `parts_json` holds the part hashes
 * of partitioned tables (`{"2026-11":"sha256-…"}`) so a flush rehashes one part.
 */
export const STATE_TABLE = '_state';

/** `_state` DDL. */
export const STATE_DDL = `CREATE TABLE ${STATE_TABLE} (table_name VARCHAR NOT NULL, incremental_key VARCHAR, cursor_value VARCHAR, parts_json VARCHAR, updated_at TIMESTAMP)`;

/** One `_state` row. */
export interface StateRow {
  tableName: string;
  incrementalKey: string | null;
  cursorValue: string | null;
  /** Partition → content hash, for partitioned tables. */
  parts: Record<string, string> | null;
  /** UTC, ISO 8601. */
  updatedAt: string | null;
}
