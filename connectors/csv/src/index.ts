import type { Connector, ConnectorContext } from '@agnes/connector-kit';
import { parseManifestConfig } from './config.js';
import { createCsvConnector } from './connector.js';

export { createCsvConnector } from './connector.js';
export type { CsvConnectorContext } from './connector.js';
export type { CsvConnectorConfig } from './config.js';
export { sanitizeTableName, assignTableNames } from './naming.js';

/**
 * The entrypoint factory named by `connector.yaml`: the manifest's config
 * (`path`, `recursive`, `batch_size`, `primary_keys`) and the host's context in,
 * connector out. Every config problem is reported at once in one `ConfigError`.
 *
 * @example
 * const connector = factory({ path: './exports', batch_size: 50_000 }, createContext({ logger }));
 */
export default function factory(config: Readonly<Record<string, unknown>>, ctx: ConnectorContext): Connector {
  return createCsvConnector(parseManifestConfig(config), ctx);
}
