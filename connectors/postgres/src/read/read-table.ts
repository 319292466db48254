import type { RecordBatch } from 'apache-arrow';
import { ConfigError, quoteIdent, quoteLiteral, type ReadOptions, RecordError } from '@agnes/connector-kit';
import type pg from 'pg';
import type { ColumnPlan, TablePlan } from '../catalog/discover.js';
import { mapPgError } from '../errors.js';
import { buildBatch, CellError, type ColumnDecoder, schemaOf } from './arrow-batch.js';
import { readBinaryCopy } from './copy-binary.js';

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

/** Types (as `format_type` names them) whose binary COPY form is their UTF-8 text. */
const CHARACTER_TYPES = new Set(['text', 'character varying', 'character', 'name']);

/** The SELECT a read runs: projected columns, then any key columns needed to name a bad row. */
export function buildSelect(
  plan: TablePlan,
  options: ReadOptions,
  binary = false,
): { sql: string | undefined; selected: ColumnPlan[]; all: ColumnPlan[]; keyIndexes: number[] } {
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
  // Binary COPY sends some text-like types in their own layout (uuid as 16 bytes, jsonb with
  // a version byte); as ::text every one of them is plain UTF-8. The character types already
  // are, and a cast would trim char(n)'s padding, which the text path keeps.
  const asText = (c: ColumnPlan) => c.castToText || (binary && !c.kind.list && c.kind.scalar === 'text' && !CHARACTER_TYPES.has(c.baseType));
  const list = all.map((c) => (asText(c) ? `${quoteIdent(c.name)}::text` : quoteIdent(c.name))).join(', ');
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
  return { sql, selected, all, keyIndexes };
}

const CURSOR = 'agnes_read';

/**
 * Streams one table in record batches of exactly the declared (projected) schema. Tables of
 * scalar columns go through binary COPY decoded straight into Arrow (copy-binary.ts);
 * tables with array columns through a server-side cursor in a read-only REPEATABLE READ
 * transaction, `batchSize` rows per FETCH. Stops once `signal` aborts; the stream or
 * cursor and the client are closed however the iteration ends.
 */
export async function* readTable(client: pg.Client, plan: TablePlan, options: ReadOptions, batchSize: number, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  const binary = plan.columns.every((c) => !c.kind.list);
  const { sql, selected, all, keyIndexes } = buildSelect(plan, options, binary);
  if (sql === undefined) return;
  const decoders: ColumnDecoder[] = selected.map((c) => ({ field: c.field, kind: c.kind }));
  const schema = schemaOf(decoders);
  const size = Math.max(1, Math.floor(batchSize));
  const what = `reading ${plan.schema}.${plan.table}`;
  const aborted = () => options.signal?.aborted === true || signal?.aborted === true;
  const badRow = (error: CellError, key: (string | null)[]): never => {
    const named = keyIndexes.length
      ? `primary key (${plan.info.primaryKey!.map((k, i) => `${k}=${key[i] ?? 'NULL'}`).join(', ')})`
      : 'a row without primary key';
    throw new RecordError(`table ${plan.info.name}, column ${error.column}, ${named}: ${error.message}`, { cause: error });
  };
  if (binary) {
    // One statement, one snapshot: binary COPY needs neither a transaction nor a cursor.
    const allDecoders: ColumnDecoder[] = all.map((c) => ({ field: c.field, kind: c.kind }));
    try {
      yield* readBinaryCopy(client, sql, schema, allDecoders, size, aborted, badRow, keyIndexes);
    } catch (error) {
      if (error instanceof RecordError) throw error;
      throw mapPgError(error, what);
    }
    return;
  }
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
      badRow(error, keyIndexes.map((k) => row[k] ?? null));
    }
    if (rows.length < size) return;
  }
}
