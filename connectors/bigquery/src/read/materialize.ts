import { type Field, type RecordBatch, Schema } from 'apache-arrow';
import { ConfigError, FatalSourceError, type Logger, type ReadOptions, RecordError } from '@agnes/connector-kit';
import type { BigQueryClient, BqQueryParameter, QueryPage, QuerySpec } from '../api/client.js';
import type { QueryPlan } from '../catalog/discover.js';
import { arrowField, type BqField } from '../catalog/type-mapping.js';
import { buildBatch, CellError } from './arrow-batch.js';

/** Name of the query parameter that carries the incremental cursor. */
export const CURSOR_PARAMETER = 'agnes_cursor';

/** A query job still unfinished after this long fails the table. */
export const JOB_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** What reading a materialised query needs besides the plan. */
export interface MaterializeOptions {
  client: BigQueryClient;
  location: string | undefined;
  /** The dry-run guard; 0 disables it. */
  maxBytes: number;
  batchSize: number;
  logger: Logger;
}

/** A GoogleSQL identifier in backticks. */
export function quoteBq(name: string): string {
  return `\`${name.replace(/[\\`]/g, '\\$&')}\``;
}

const PARAMETER_TYPES: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL', DECIMAL: 'NUMERIC', BIGDECIMAL: 'BIGNUMERIC' };

/**
 * The SQL a read runs: the configured query, wrapped to project `columns` and to keep
 * rows whose incremental key is ≥ the cursor (a named parameter, never spliced in).
 * Without either, the configured SQL runs unchanged.
 */
export function readQuery(sql: string, columns: readonly string[] | undefined, cursor: { key: BqField; value: string } | undefined): QuerySpec {
  if (!columns && !cursor) return { query: sql };
  // A trailing `;` would end the subquery; a trailing `-- comment` is closed by the newline.
  const inner = sql.replace(/[\s;]+$/, '');
  const select = columns ? columns.map(quoteBq).join(', ') : '*';
  let query = `SELECT ${select} FROM (\n${inner}\n)`;
  const parameters: BqQueryParameter[] = [];
  if (cursor) {
    query += ` WHERE ${quoteBq(cursor.key.name)} >= @${CURSOR_PARAMETER}`;
    const type = cursor.key.type.toUpperCase();
    parameters.push({ name: CURSOR_PARAMETER, parameterType: { type: PARAMETER_TYPES[type] ?? type }, parameterValue: { value: cursor.value } });
  }
  return { query, ...(parameters.length ? { parameters } : {}) };
}

/** "12.0 GiB" for people, next to the exact byte count for machines. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** Same names and Arrow types in the same order; differences say what changed. */
function schemaDrift(declared: readonly Field[], result: readonly BqField[]): string | undefined {
  if (declared.length !== result.length) {
    return `it returns ${result.length} column(s) (${result.map((f) => f.name).join(', ')}), ${declared.length} were declared`;
  }
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!;
    const r = arrowField(result[i]!);
    if (d.name !== r.name) return `column ${i + 1} is now "${r.name}", "${d.name}" was declared`;
    if (String(d.type) !== String(r.type)) return `column "${d.name}" is now ${String(r.type)}, ${String(d.type)} was declared`;
  }
  return undefined;
}

/**
 * Reads a materialised query: a dry run first (refused with a {@link ConfigError} when
 * it would process more than `maxBytes`), then `jobs.query`, polling
 * `jobs.getQueryResults` until the job completes and paging its rows with `pageToken`,
 * one Arrow batch per page of at most `batchSize` rows. The signal is checked before
 * every request.
 */
export async function* materialize(plan: QueryPlan, options: ReadOptions, m: MaterializeOptions): AsyncGenerator<RecordBatch> {
  const table = plan.info.name;
  const signal = options.signal;
  const byName = new Map(plan.columns.map((f, i) => [f.name, i]));
  let fields = plan.info.schema.fields;
  if (options.columns) {
    const unknown = options.columns.filter((c) => !byName.has(c));
    if (unknown.length) throw new ConfigError(`table ${table} has no column(s) ${unknown.join(', ')}; its columns: ${[...byName.keys()].join(', ')}`);
    fields = options.columns.map((c) => plan.info.schema.fields[byName.get(c)!]!);
  }
  const schema = new Schema(fields);
  let cursor: { key: BqField; value: string } | undefined;
  if (options.incrementalValue !== undefined) {
    const keyName = options.incrementalKey ?? plan.info.incrementalKey;
    const key = keyName === undefined ? undefined : plan.columns[byName.get(keyName) ?? -1];
    if (!key) throw new ConfigError(`table ${table}: the incremental key ${keyName ?? '(none)'} is not a column of its query`);
    cursor = { key, value: options.incrementalValue };
  }
  const spec = { ...readQuery(plan.config.sql, options.columns, cursor), location: m.location };
  const what = `query table ${table}`;

  signal?.throwIfAborted();
  const dry = await m.client.dryRun(spec, what, signal);
  if (m.maxBytes > 0 && dry.totalBytesProcessed > m.maxBytes) {
    throw new ConfigError(
      `query table ${table} would process ${dry.totalBytesProcessed} bytes (${formatBytes(dry.totalBytesProcessed)}), over the limit of ${m.maxBytes} bytes (${formatBytes(m.maxBytes)}) set by max_bytes_per_materialize; narrow the query, raise max_bytes_per_materialize, or set it to 0 to disable the guard`,
    );
  }
  m.logger.debug('bigquery dry run passed', { table, bytes: dry.totalBytesProcessed, limit: m.maxBytes });

  const maxResults = Math.max(1, Math.floor(options.batchSize || m.batchSize));
  signal?.throwIfAborted();
  let page: QueryPage = await m.client.startQuery({ ...spec, maxResults }, what, signal);
  const jobId = page.jobReference?.jobId;
  const jobRef = { jobId: jobId ?? '', location: page.jobReference?.location ?? m.location };
  const started = Date.now();
  while (!page.jobComplete) {
    if (!jobId) throw new FatalSourceError(`BigQuery jobs.query of ${what} answered without a job reference`);
    if (Date.now() - started > JOB_TIMEOUT_MS) throw new FatalSourceError(`BigQuery job ${jobId} of ${what} did not finish within ${JOB_TIMEOUT_MS / 3_600_000} hours`);
    signal?.throwIfAborted();
    // getQueryResults waits server-side (timeoutMs) for the job, so no client sleep is needed.
    page = await m.client.getQueryResults(jobRef, { maxResults }, what, signal);
  }
  const resultColumns = page.schema?.fields ?? [];
  const drift = schemaDrift(fields, resultColumns);
  if (drift) throw new FatalSourceError(`the result of query table ${table} changed since discover: ${drift}; run discover again`);

  let rowsBefore = 0;
  for (;;) {
    const rows = page.rows ?? [];
    if (rows.length > 0) {
      let batch: RecordBatch;
      try {
        batch = buildBatch(schema, resultColumns, rows);
      } catch (error) {
        if (error instanceof CellError) {
          throw new RecordError(`query table ${table}, row ${rowsBefore + error.row + 1}, column ${error.column}: ${error.message}`, { cause: error });
        }
        throw error;
      }
      rowsBefore += rows.length;
      yield batch;
    }
    if (!page.pageToken) break;
    if (!jobId) throw new FatalSourceError(`BigQuery jobs.query of ${what} gave a pageToken without a job reference`);
    signal?.throwIfAborted();
    page = await m.client.getQueryResults(jobRef, { maxResults, pageToken: page.pageToken }, what, signal);
  }
  m.logger.debug('bigquery query read', { table, job: jobId, rows: rowsBefore });
}
