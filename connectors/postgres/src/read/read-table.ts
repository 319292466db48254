import type { RecordBatch } from 'apache-arrow';
import { ConfigError, quoteIdent, quoteLiteral, type ReadOptions, RecordError } from '@agnes/connector-kit';
import type pg from 'pg';
import type { ColumnPlan, TablePlan } from '../catalog/discover.js';
import { mapPgError } from '../errors.js';
import { buildBatch, CellError, type ColumnDecoder, schemaOf } from './arrow-batch.js';

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-9223372036854775808n, 9223372036854775807n],
};

/** The SQL predicate `key >= value`, or `false` when no row can qualify (a cursor past the type's range). */
function cursorPredicate(column: ColumnPlan, value: string): string | false {
  const col = quoteIdent(column.name);
  const range = column.kind.list ? undefined : INT_RANGE[column.kind.scalar];
  if (range) {
    // Cast to the column's own type so an index on it is used, but a cursor beyond the
    // type's range (the contract's "far future" value) would fail that cast.
    if (!/^-?\d+$/.test(value.trim())) return `${col} >= ${quoteLiteral(value)}::numeric`;
    const v = BigInt(value.trim());
    if (v > range[1]) return false;
    if (v < range[0]) return 'true';
  }
  return `${col} >= ${quoteLiteral(value)}::${column.baseType}`;
}

/** The SELECT a read runs: projected columns, then any key columns needed to name a bad row. */
export function buildSelect(plan: TablePlan, options: ReadOptions): { sql: string | undefined; selected: ColumnPlan[]; keyIndexes: number[] } {
  const byName = new Map(plan.columns.map((c) => [c.name, c]));
  if (options.columns) {
    const unknown = options.columns.filter((c) => !byName.has(c));
    if (unknown.length) {
      throw new ConfigError(`table ${plan.info.name} has no column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}; its columns: ${plan.columns.map((c) => c.name).join(', ')}`);
    }
  }
  const wanted = options.columns && new Set(options.columns);
  const selected = wanted ? plan.columns.filter((c) => wanted.has(c.name)) : plan.columns;
  const pk = plan.info.primaryKey ?? [];
  const extra = pk.filter((k) => !selected.some((c) => c.name === k)).map((k) => byName.get(k)!);
  const all = [...selected, ...extra];
  const keyIndexes = pk.map((k) => all.findIndex((c) => c.name === k));
  const list = all.map((c) => (c.castToText ? `${quoteIdent(c.name)}::text` : quoteIdent(c.name))).join(', ');
  let sql: string | undefined = `SELECT ${list} FROM ${quoteIdent(plan.schema)}.${quoteIdent(plan.table)}`;
  if (options.incrementalKey) {
    const key = byName.get(options.incrementalKey);
    if (!key) throw new ConfigError(`table ${plan.info.name} has no column ${JSON.stringify(options.incrementalKey)} to use as incremental key`);
    if (options.incrementalValue !== undefined) {
      const predicate = cursorPredicate(key, options.incrementalValue);
      if (predicate === false) sql = undefined;
      else sql += ` WHERE ${predicate}`;
    }
    if (sql) sql += ` ORDER BY ${quoteIdent(key.name)}`;
  }
  return { sql, selected, keyIndexes };
}

const CURSOR = 'agnes_read';

/**
 * Streams one table through a server-side cursor in a read-only REPEATABLE READ
 * transaction, `batchSize` rows per FETCH, each page becoming one record batch of exactly
 * the declared (projected) schema. Stops before the next FETCH once `signal` aborts; the
 * cursor and the client are closed however the iteration ends.
 */
export async function* readTable(client: pg.Client, plan: TablePlan, options: ReadOptions, batchSize: number, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  const { sql, selected, keyIndexes } = buildSelect(plan, options);
  if (sql === undefined) return;
  const decoders: ColumnDecoder[] = selected.map((c) => ({ field: c.field, kind: c.kind }));
  const schema = schemaOf(decoders);
  const size = Math.max(1, Math.floor(batchSize));
  const what = `reading ${plan.schema}.${plan.table}`;
  const aborted = () => options.signal?.aborted === true || signal?.aborted === true;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`);
  } catch (error) {
    throw mapPgError(error, what);
  }
  for (;;) {
    if (aborted()) return;
    let rows: (string | null)[][];
    try {
      rows = (await client.query<(string | null)[]>({ text: `FETCH FORWARD ${size} FROM ${CURSOR}`, rowMode: 'array' })).rows;
    } catch (error) {
      throw mapPgError(error, what);
    }
    if (rows.length === 0) return;
    try {
      yield buildBatch(schema, decoders, rows);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      const row = rows[error.row]!;
      const key = keyIndexes.length
        ? `primary key (${plan.info.primaryKey!.map((k, i) => `${k}=${row[keyIndexes[i]!] ?? 'NULL'}`).join(', ')})`
        : 'a row without primary key';
      throw new RecordError(`table ${plan.info.name}, column ${error.column}, ${key}: ${error.message}`, { cause: error });
    }
    if (rows.length < size) return;
  }
}
