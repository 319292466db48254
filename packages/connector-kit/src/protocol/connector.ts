import type { RecordBatch, Schema } from 'apache-arrow';
import type { Caps } from './capabilities.js';

/** Where a remote table lives in the source warehouse (quoted upstream names, never our identifiers). */
export interface RemoteTableRef {
  /** DuckDB alias of the attached catalog, as in {@link RemoteAttachInfo.alias}. */
  alias: string;
  schema: string;
  table: string;
}

/** A table a connector can provide. */
export interface TableInfo {
  /** Published name; must satisfy the identifier rule (see `validateTableName`). */
  name: string;
  /** Arrow schema with types and nullability. Remote tables may give an empty schema. */
  schema: Schema;
  /** Per-table capabilities, a subset of the connector's. */
  capabilities: Caps;
  /** Columns that identify a row; required for incremental reads and `upsert`. */
  primaryKey?: string[];
  description?: string;
  /** Suggested cursor column for incremental reads. */
  incrementalKey?: string;
  /**
   * For tables with `Cap.STREAM`: a date or timestamp column whose UTC month picks
   * the partition (`data/<table>/<YYYY-MM>.parquet`). Without it, rows go to the
   * month they arrive in.
   */
  partitionKey?: string;
  /** For tables with `Cap.REMOTE`: where the table lives upstream. */
  remote?: RemoteTableRef;
}

/**
 * What the runtime passes to `read`.
 *
 * Incremental rule: when `incrementalValue` is set, yield rows whose `incrementalKey`
 * column is **≥** that value (parse the string as the column's type). The runtime
 * dedupes by primary key, so rows sharing the last cursor value are neither lost
 * nor duplicated.
 */
export interface ReadOptions {
  /** Projection; undefined means every column of the declared schema. */
  columns?: string[];
  incrementalKey?: string;
  /**
   * The greatest cursor value read by the last committed run, as a string:
   * timestamps in ISO 8601 (`2026-01-01T10:00:00.000000Z` when the column has a
   * zone, no `Z` when naive), dates as `YYYY-MM-DD`, numbers and strings as text.
   */
  incrementalValue?: string;
  /** Rows per batch the runtime would like (a hint). */
  batchSize: number;
  /** Aborted when the run is cancelled: stop fetching and return. */
  signal?: AbortSignal;
}

/** What the runtime passes to `stream`: raw events (e.g. webhook payloads) to turn into rows. */
export interface StreamOptions {
  events: AsyncIterable<unknown>;
  signal?: AbortSignal;
}

/** How to attach the source's warehouse as a DuckDB catalog. Never holds a secret. */
export interface RemoteAttachInfo {
  /** DuckDB extension name, e.g. `keboola`, `bigquery`. */
  extension: string;
  /** The ATTACH target; must not contain credentials. */
  url: string;
  /** Name of the environment variable that holds the token — never the token. */
  tokenEnv: string;
  /** Catalog alias; defaults to the extension name. */
  alias?: string;
}

/** The connector protocol: implement the methods your capabilities name. */
export interface Connector {
  readonly capabilities: Caps;
  discover?(): Promise<TableInfo[]>;
  read?(table: string, options: ReadOptions): AsyncIterable<RecordBatch>;
  stream?(table: string, options: StreamOptions): AsyncIterable<RecordBatch>;
  remote?(): RemoteAttachInfo;
}

/** A typed identity helper for plain-object connectors. */
export function defineConnector<T extends Connector>(connector: T): T {
  return connector;
}

/** One schema difference between two runs of a table. */
export type SchemaChange =
  | { table: string; kind: 'added'; column: string; type: string }
  | { table: string; kind: 'removed'; column: string; type: string }
  | { table: string; kind: 'type_changed'; column: string; from: string; to: string }
  | { table: string; kind: 'nullability_changed'; column: string; from: boolean; to: boolean };

/** What a run did. Failures of single tables are listed in `errors`, not thrown. */
export interface ExtractStats {
  tablesExtracted: number;
  tablesFailed: number;
  totalRows: number;
  schemaChanges: SchemaChange[];
  errors: { table: string; code: string; message: string }[];
}
