export { ConnectorRuntime } from './runtime.js';
export type {
  MergeStrategy,
  TableRunConfig,
  RunOptions,
  StreamRunOptions,
  StreamStats,
  RuntimeOptions,
  ProgressEvent,
  ProgressPhase,
} from './runtime.js';
export { openExtract } from './extract/reader.js';
export type { ExtractReader } from './extract/reader.js';
export { readExtractContents } from './extract/extract-db.js';
export type { ExtractContents } from './extract/extract-db.js';
export { hashFile } from './extract/hash.js';
export { diffSchemas, describeChange } from './schema/diff.js';
export { duckdbTypeOf, schemaJsonOf, UnsupportedTypeError } from './writer/duckdb-types.js';
export { ParquetWriter } from './writer/parquet-writer.js';
export type { ParquetWriterOptions, ParquetWriteProgress } from './writer/parquet-writer.js';
export { scaffoldConnector } from './scaffold/index.js';
export type { ScaffoldOptions } from './scaffold/index.js';
