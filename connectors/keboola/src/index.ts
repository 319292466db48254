import type { ConnectorFactory } from '@agnes/connector-kit';
import type { KeboolaConfig } from './config.js';
import { createKeboolaConnector } from './connector.js';

export { createKeboolaConnector, REMOTE_ALIAS, JOB_POLL_START_MS, JOB_POLL_MAX_MS, JOB_TIMEOUT_MS } from './connector.js';
export { parseConfig, DEFAULT_TIMEOUT_SECONDS } from './config.js';
export type { KeboolaConfig, ParsedConfig } from './config.js';
export { StorageClient, TOKEN_ENV, describeUrl } from './api.js';
export type { KbcBucket, KbcTable, KbcJob, KbcSliceManifest, ExportParams, StorageClientOptions } from './api.js';
export { signAwsV4, sliceRequest } from './file-storage.js';
export type { AwsV4Request, KbcFile, SliceRequest } from './file-storage.js';
export { CsvParser } from './csv.js';
export { sanitizeTableName, uniqueNames, MAX_NAME_LENGTH } from './naming.js';
export { arrowTypeFor, fieldFor, metadataValue, MAX_DECIMAL_PRECISION } from './types.js';
export type { KbcMetadataEntry } from './types.js';
export {
  batchFromRows,
  columnData,
  parseBool,
  parseDateDay,
  parseDecimal,
  parseFloat64,
  parseInt64,
  parseTimestampMicros,
} from './convert.js';

/**
 * The entrypoint's factory: `(config, ctx) => Connector`. The host passes the
 * `config` section of connector.yaml and a context whose `secrets` hold
 * `KEBOOLA_STORAGE_TOKEN`.
 *
 * @example
 * const connector = await factory({ url: 'https://connection.keboola.com' }, ctx);
 */
const factory: ConnectorFactory<KeboolaConfig> = (config, ctx) => createKeboolaConnector(config, ctx);

export default factory;
