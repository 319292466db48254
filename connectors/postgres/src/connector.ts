import type { RecordBatch } from 'apache-arrow';
import { Cap, type Connector, type ConnectorContext, defineConnector, FatalSourceError, type ReadOptions, silentLogger, type TableInfo } from '@agnes/connector-kit';
import { discoverTables, type TablePlan } from './catalog/discover.js';
import { type PostgresConnectorConfig, resolveConfig } from './config.js';
import { connect } from './connection.js';
import { readTable } from './read/read-table.js';

/** What the connector uses of the host's context; every field is optional outside a host. */
export type PostgresConnectorContext = Partial<Pick<ConnectorContext, 'secrets' | 'logger' | 'signal'>>;

/**
 * Builds the PostgreSQL connector: `discover` lists the tables and views of the configured
 * schemas, `read` streams one through a server-side cursor. Config problems throw one
 * `ConfigError` here; nothing connects until `discover` or `read`.
 *
 * @example
 * const connector = createPostgresConnector({ schemas: ['public', 'sales'] }, { secrets: { AGNES_PG_URL: url } });
 * const tables = await connector.discover(); // [{ name: 'orders', primaryKey: ['id'], … }]
 */
export function createPostgresConnector(
  config: PostgresConnectorConfig,
  ctx: PostgresConnectorContext = {},
): Connector & { discover(): Promise<TableInfo[]>; read(table: string, options: ReadOptions): AsyncIterable<RecordBatch> } {
  const resolved = resolveConfig(config as Readonly<Record<string, unknown>>, ctx.secrets ?? {});
  const logger = ctx.logger ?? silentLogger;
  let plans: Promise<Map<string, TablePlan>> | undefined;

  async function loadPlans(): Promise<Map<string, TablePlan>> {
    const client = await connect(resolved.url, logger);
    try {
      const found = await discoverTables(client, resolved.schemas, resolved.tables, logger);
      return new Map(found.map((p) => [p.info.name, p]));
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  return defineConnector({
    capabilities: Cap.DISCOVER | Cap.READ,
    async discover() {
      const current = loadPlans();
      plans = current;
      current.catch(() => {
        if (plans === current) plans = undefined;
      });
      return [...(await current).values()].map((p) => p.info);
    },
    async *read(table: string, options: ReadOptions) {
      plans ??= loadPlans();
      const plan = (await plans).get(table);
      if (!plan) {
        throw new FatalSourceError(`table ${table} is not among the discovered tables of schemas ${resolved.schemas.join(', ')}; run discover again`);
      }
      const client = await connect(resolved.url, logger);
      try {
        yield* readTable(client, plan, options, options.batchSize || resolved.batchSize, ctx.signal);
      } finally {
        // Ending the session rolls back the read-only transaction and drops the cursor.
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      }
    },
  });
}
