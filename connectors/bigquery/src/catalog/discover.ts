import { Cap, ConfigError, identifierProblem, type Logger, type TableInfo } from '@agnes/connector-kit';
import type { BigQueryClient } from '../api/client.js';
import { CREDENTIALS_ENV, type QueryTableConfig, type ResolvedConfig } from '../config.js';
import { arrowSchema, type BqField, isRecord, isRepeated } from './type-mapping.js';

/** DuckDB catalog alias of the attached BigQuery project. */
export const REMOTE_ALIAS = 'bq';

/** A materialised query as discover() planned it. */
export interface QueryPlan {
  info: TableInfo;
  config: QueryTableConfig;
  /** The result schema of the dry run, in BigQuery's terms. */
  columns: BqField[];
}

/**
 * The published name of an upstream table: `<dataset>_<table>`, lower-cased, every
 * character outside `[a-z0-9_]` replaced by `_`, `t_` before a leading digit.
 *
 * @example
 * publishedName('Sales-EU', 'Orders 2024'); // 'sales_eu_orders_2024'
 */
export function publishedName(datasetId: string, tableId: string): string {
  const name = `${datasetId}_${tableId}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `t_${name}` : name;
}

/**
 * Plans every materialised query: a dry run (free) gives its result schema, from
 * which the exact Arrow schema follows. Keys named in config must be result columns;
 * an incremental key must be a scalar column.
 */
export async function planQueries(client: BigQueryClient, config: ResolvedConfig, signal: AbortSignal | undefined): Promise<QueryPlan[]> {
  const plans: QueryPlan[] = [];
  for (const [name, q] of config.queries) {
    signal?.throwIfAborted();
    const dry = await client.dryRun({ query: q.sql, location: config.location }, `query table ${name}`, signal);
    if (dry.schema.length === 0) throw new ConfigError(`config.queries.${name}: the query returns no columns; it must be a SELECT`);
    const byName = new Map(dry.schema.map((f) => [f.name, f]));
    const problems: string[] = [];
    for (const k of q.primary_key ?? []) if (!byName.has(k)) problems.push(`primary_key column "${k}" is not in the result`);
    if (q.incremental_key !== undefined) {
      const f = byName.get(q.incremental_key);
      if (!f) problems.push(`incremental_key column "${q.incremental_key}" is not in the result`);
      else if (isRecord(f) || isRepeated(f)) problems.push(`incremental_key column "${q.incremental_key}" is a ${isRepeated(f) ? 'REPEATED' : 'RECORD'} column; pick a scalar one`);
    }
    if (problems.length) {
      throw new ConfigError(`config.queries.${name}: ${problems.join('; ')} (result columns: ${dry.schema.map((f) => f.name).join(', ')})`);
    }
    plans.push({
      config: q,
      columns: dry.schema,
      info: {
        name,
        schema: arrowSchema(dry.schema),
        capabilities: Cap.READ,
        description: q.description ?? `BigQuery query materialised into the extract`,
        ...(q.primary_key ? { primaryKey: q.primary_key } : {}),
        ...(q.incremental_key ? { incrementalKey: q.incremental_key } : {}),
      },
    });
  }
  return plans;
}

/**
 * Lists the project's datasets (or `config.datasets`) and their tables as remote
 * tables with exact schemas from `tables.get`. A table whose published name is invalid
 * or already taken (by a query table or another table) is skipped with a warning.
 */
export async function discoverRemoteTables(
  client: BigQueryClient,
  config: ResolvedConfig,
  taken: Set<string>,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<TableInfo[]> {
  const listed = await client.listDatasets(signal);
  let datasets = listed.map((d) => d.datasetReference.datasetId).sort();
  if (config.datasets) {
    const missing = config.datasets.filter((d) => !datasets.includes(d));
    if (missing.length) {
      throw new ConfigError(
        `config.datasets names ${missing.join(', ')}, not found in project ${config.projectId} or not visible to the service account of ${CREDENTIALS_ENV}; visible: ${datasets.join(', ') || '(none)'}`,
      );
    }
    datasets = [...config.datasets];
  }
  const out: TableInfo[] = [];
  for (const datasetId of datasets) {
    const tables = (await client.listTables(datasetId, signal)).map((t) => t.tableReference.tableId).sort();
    for (const tableId of tables) {
      signal?.throwIfAborted();
      const name = publishedName(datasetId, tableId);
      const problem = identifierProblem(name, 'table');
      if (problem || taken.has(name)) {
        logger.warn('skipping a BigQuery table whose published name is invalid or taken', { dataset: datasetId, table: tableId, name, problem: problem ?? 'taken' });
        continue;
      }
      const table = await client.getTable(datasetId, tableId, signal);
      const fields = table.schema?.fields ?? [];
      const columns = new Set(fields.map((f) => f.name));
      const pk = table.tableConstraints?.primaryKey?.columns?.filter((c) => columns.has(c)) ?? [];
      taken.add(name);
      out.push({
        name,
        schema: arrowSchema(fields),
        capabilities: Cap.REMOTE,
        description: table.description || `BigQuery ${(table.type ?? 'table').toLowerCase().replace(/_/g, ' ')} ${config.projectId}.${datasetId}.${tableId}`,
        remote: { alias: REMOTE_ALIAS, schema: datasetId, table: tableId },
        ...(pk.length ? { primaryKey: pk } : {}),
      });
    }
  }
  return out;
}
