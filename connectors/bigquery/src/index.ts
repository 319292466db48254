import type { Connector, ConnectorContext } from '@agnes/connector-kit';
import { createBigQueryConnector } from './connector.js';

export { createBigQueryConnector, REQUEST_TIMEOUT_MS } from './connector.js';
export type { BigQueryConnector, BigQueryConnectorContext, BigQueryConnectorOptions } from './connector.js';
export { CREDENTIALS_ENV, DEFAULT_API_BASE_URL, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BYTES, resolveConfig } from './config.js';
export type { BigQueryConfig, QueryTableConfig, ResolvedConfig } from './config.js';
export { publishedName, REMOTE_ALIAS } from './catalog/discover.js';
export { arrowField, arrowSchema, NUMERIC_PRECISION, NUMERIC_SCALE } from './catalog/type-mapping.js';
export type { BqField } from './catalog/type-mapping.js';
export { BIGQUERY_SCOPE, DEFAULT_TOKEN_URI } from './auth/service-account.js';
export { CURSOR_PARAMETER, formatBytes, JOB_TIMEOUT_MS, readQuery } from './read/materialize.js';

/**
 * The entrypoint factory named by `connector.yaml`: the manifest's config and the
 * host's context in, connector out. The secret `GOOGLE_APPLICATION_CREDENTIALS` in
 * `ctx.secrets` is the path of a service-account JSON key file.
 *
 * @example
 * const connector = factory(
 *   { project_id: 'acme-analytics', queries: { daily_revenue: { sql: 'SELECT day, revenue FROM sales.daily' } } },
 *   createContext({ secrets: { GOOGLE_APPLICATION_CREDENTIALS: '/etc/agnes/bq-key.json' }, logger }),
 * );
 */
export default function factory(config: Readonly<Record<string, unknown>>, ctx: ConnectorContext): Connector {
  return createBigQueryConnector(config, ctx);
}
