export { Cap, CAP_NAMES, hasCap, capNames, parseCaps } from './protocol/capabilities.js';
export type { CapFlag, Caps, CapName } from './protocol/capabilities.js';
export { defineConnector } from './protocol/connector.js';
export type {
  Connector,
  TableInfo,
  ReadOptions,
  StreamOptions,
  RemoteAttachInfo,
  RemoteTableRef,
  ExtractStats,
  SchemaChange,
} from './protocol/connector.js';
export {
  IDENTIFIER_PATTERN,
  IDENTIFIER_RULE,
  identifierProblem,
  isValidIdentifier,
  quoteIdent,
  quoteLiteral,
} from './contract/identifiers.js';
export type { IdentifierKind } from './contract/identifiers.js';
export { DUCKDB_TABLE_FUNCTIONS, RESERVED_NAME_PREFIXES } from './contract/duckdb-names.js';
export {
  EXTRACT_DB_FILE,
  DATA_DIR,
  META_TABLE,
  REMOTE_ATTACH_TABLE,
  REMOTE_TABLES_TABLE,
  HASH_PREFIX,
  META_DDL,
  REMOTE_ATTACH_DDL,
  REMOTE_TABLES_DDL,
  META_COLUMNS,
  generationPath,
  partitionGlob,
  partitionPath,
  monthPartition,
  partitionedContentHashInput,
  parseSchemaJson,
  STATE_TABLE,
  STATE_DDL,
} from './contract/extract.js';
export type {
  QueryMode,
  SchemaJson,
  SchemaJsonField,
  MetaRow,
  RemoteAttachRow,
  RemoteTableRow,
  StateRow,
} from './contract/extract.js';
export {
  ConnectorError,
  ConfigError,
  AuthError,
  TransientSourceError,
  FatalSourceError,
  RecordError,
  isConnectorError,
  errorCode,
} from './errors/errors.js';
export type { ConnectorErrorCode, ConnectorErrorOptions } from './errors/errors.js';
export { silentLogger, childLogger } from './logging/logger.js';
export type { Logger, LogFields } from './logging/logger.js';
export { withRetry, parseRetryAfter, fetchWithRetry } from './retry/retry.js';
export type { RetryOptions } from './retry/retry.js';
export { loadManifest, parseManifest, pathFieldProblems, validateConnectorConfig } from './manifest/manifest.js';
export type { ConnectorManifest, ConfigFieldSpec, ValidateConfigOptions } from './manifest/manifest.js';
export { filePathProblem, resolvedPath } from './files/file-access.js';
export type { FileAccess } from './files/file-access.js';
export { createContext } from './manifest/context.js';
export type { ConnectorContext, ConnectorFactory, CreateContextOptions } from './manifest/context.js';
export { loadConnector, resolveSecrets } from './manifest/load-connector.js';
export type { LoadConnectorOptions, LoadedConnector } from './manifest/load-connector.js';
export { ENV_VAR_PATTERN, envVarProblem, remoteAttachProblems } from './contract/remote.js';
export { publishDatabaseFile, discardDatabaseFile } from './contract/publish.js';
export { bitmapOf, validityOf, variableWidthOf } from './arrow/buffers.js';
