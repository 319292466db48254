import type { Connector, ConnectorContext } from '@agnes/connector-kit';
import type { PostgresConnectorConfig } from './config.js';
import { createPostgresConnector } from './connector.js';

export { createPostgresConnector } from './connector.js';
export type { PostgresConnectorContext } from './connector.js';
export { URL_ENV_VAR } from './config.js';
export type { PostgresConnectorConfig } from './config.js';
export { publishedName } from './catalog/discover.js';
export { mapPgType } from './catalog/type-mapping.js';
export type { MappedType, PgTypeInfo, ScalarKind, ValueKind } from './catalog/type-mapping.js';

/**
 * The entrypoint factory named by `connector.yaml`: the manifest's config (`url`,
 * `schemas`, `tables`, `batch_size`) and the host's context in, connector out. The URL
 * comes from `config.url` or the secret `AGNES_PG_URL` in `ctx.secrets`.
 *
 * @example
 * const connector = factory({ schemas: ['public'] }, createContext({ secrets: { AGNES_PG_URL: url }, logger }));
 */
export default function factory(config: Readonly<Record<string, unknown>>, ctx: ConnectorContext): Connector {
  return createPostgresConnector(config as PostgresConnectorConfig, ctx);
}
