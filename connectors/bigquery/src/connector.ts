import type { RecordBatch } from 'apache-arrow';
import {
  Cap,
  type Connector,
  type ConnectorContext,
  FatalSourceError,
  type ReadOptions,
  type RemoteAttachInfo,
  silentLogger,
  type TableInfo,
} from '@agnes/connector-kit';
import { BigQueryClient } from './api/client.js';
import type { RetryTuning } from './api/http.js';
import { ServiceAccountTokens } from './auth/service-account.js';
import { discoverRemoteTables, planQueries, type QueryPlan, REMOTE_ALIAS } from './catalog/discover.js';
import { CREDENTIALS_ENV, resolveConfig } from './config.js';
import { materialize } from './read/materialize.js';

/** One HTTP request (not a whole job) is abandoned and retried after this long. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** What the connector uses of the host's context; every field is optional outside a host. */
export type BigQueryConnectorContext = Partial<Pick<ConnectorContext, 'secrets' | 'logger' | 'signal'>>;

/** Tuning that is not configuration: tests shorten the backoff and the request timeout. */
export interface BigQueryConnectorOptions {
  retry?: RetryTuning;
  requestTimeoutMs?: number;
}

/** The BigQuery connector with its methods known to be present. */
export type BigQueryConnector = Connector & {
  discover(): Promise<TableInfo[]>;
  read(table: string, options: ReadOptions): AsyncIterable<RecordBatch>;
  remote(): RemoteAttachInfo;
};

/**
 * Builds the BigQuery connector.
 *
 * - `discover()` dry-runs each materialised query of `config.queries` (its result
 *   schema becomes an exact Arrow schema; `Cap.READ`) and, unless `remote_tables` is
 *   false, lists the project's datasets and tables (`datasets.list`, `tables.list`,
 *   `tables.get`) as remote tables (`Cap.REMOTE`) named `<dataset>_<table>`.
 * - `read()` runs a materialised query through the jobs API after a dry-run cost
 *   guard (`max_bytes_per_materialize`) and yields one Arrow batch per result page.
 * - `remote()` tells the orchestrator to attach `project=<project_id>` with the DuckDB
 *   `bigquery` extension; the credentials stay in `GOOGLE_APPLICATION_CREDENTIALS`.
 *
 * Config problems throw one `ConfigError` here; nothing is requested until `discover`
 * or `read`.
 *
 * @example
 * const connector = createBigQueryConnector(
 *   { project_id: 'acme-analytics', queries: { daily_revenue: { sql: 'SELECT day, revenue FROM sales.daily', primary_key: ['day'] } } },
 *   { secrets: { GOOGLE_APPLICATION_CREDENTIALS: '/etc/agnes/bq-key.json' } },
 * );
 * for await (const batch of connector.read('daily_revenue', { batchSize: 10_000 })) console.log(batch.numRows);
 */
export function createBigQueryConnector(
  rawConfig: Readonly<Record<string, unknown>>,
  ctx: BigQueryConnectorContext = {},
  options: BigQueryConnectorOptions = {},
): BigQueryConnector {
  const config = resolveConfig(rawConfig);
  const logger = ctx.logger ?? silentLogger;
  const http = { logger, retry: options.retry, timeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS };
  const tokens = new ServiceAccountTokens(ctx.secrets?.[CREDENTIALS_ENV], http);
  const client = new BigQueryClient(config.apiBaseUrl, config.projectId, tokens, http);
  let plans: Promise<Map<string, QueryPlan>> | undefined;

  async function loadPlans(signal: AbortSignal | undefined): Promise<Map<string, QueryPlan>> {
    return new Map((await planQueries(client, config, signal)).map((p) => [p.info.name, p]));
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,

    async discover(): Promise<TableInfo[]> {
      const current = loadPlans(ctx.signal);
      plans = current;
      current.catch(() => {
        if (plans === current) plans = undefined;
      });
      const queries = [...(await current).values()].map((p) => p.info);
      if (!config.remoteTables) return queries;
      const taken = new Set(queries.map((q) => q.name.toLowerCase()));
      return [...queries, ...(await discoverRemoteTables(client, config, taken, logger, ctx.signal))];
    },

    async *read(table: string, readOptions: ReadOptions): AsyncGenerator<RecordBatch> {
      const signal = readOptions.signal && ctx.signal ? AbortSignal.any([readOptions.signal, ctx.signal]) : (readOptions.signal ?? ctx.signal);
      if (!config.queries.has(table)) {
        throw new FatalSourceError(
          `table ${table} is not a materialised query of this source (config.queries: ${[...config.queries.keys()].join(', ') || 'none'}); remote tables are queried through the bigquery extension, not read`,
        );
      }
      plans ??= loadPlans(signal);
      const current = plans;
      current.catch(() => {
        if (plans === current) plans = undefined;
      });
      const plan = (await current).get(table)!;
      yield* materialize(plan, { ...readOptions, ...(signal ? { signal } : {}) }, {
        client,
        location: config.location,
        maxBytes: config.maxBytes,
        batchSize: config.batchSize,
        logger,
      });
    },

    remote(): RemoteAttachInfo {
      return { extension: 'bigquery', url: `project=${config.projectId}`, tokenEnv: CREDENTIALS_ENV, alias: REMOTE_ALIAS };
    },
  };
}
