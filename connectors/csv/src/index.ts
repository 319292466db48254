import { ConfigError, type Connector, type ConnectorContext } from '@agnes/connector-kit';
import { createCsvConnector, type CsvConnectorConfig } from './connector.js';

export { createCsvConnector } from './connector.js';
export type { CsvConnectorConfig, CsvConnectorContext } from './connector.js';
export { sanitizeTableName, assignTableNames } from './naming.js';

/**
 * The entrypoint factory named by `connector.yaml`: manifest config (snake_case)
 * in, connector out.
 */
export default function factory(config: Record<string, unknown>, ctx: ConnectorContext): Connector {
  if (typeof config.path !== 'string') {
    throw new ConfigError('csv connector: config.path is required (the folder holding the files)');
  }
  const options: CsvConnectorConfig = { path: config.path };
  if (typeof config.recursive === 'boolean') options.recursive = config.recursive;
  if (typeof config.batch_size === 'number') options.batchSize = config.batch_size;
  return createCsvConnector(options, { logger: ctx.logger });
}
