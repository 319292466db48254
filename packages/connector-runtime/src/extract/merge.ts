import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral, type SchemaJson } from '@agnes/connector-kit';
import { PARQUET_OPTIONS } from '../writer/parquet-sink.js';

/*
 * Merges are plain DuckDB SQL over parquet files: DuckDB streams them at native
 * speed and bounded memory, and `UNION ALL BY NAME` absorbs added and removed
 * columns. Every output is cast to the declared schema so the file matches
 * `schema_json` exactly.
 */

function projection(schema: SchemaJson): string {
  return schema.fields.map((f) => `CAST(${quoteIdent(f.name)} AS ${f.type}) AS ${quoteIdent(f.name)}`).join(', ');
}

function keyMatch(pk: readonly string[], a: string, b: string): string {
  return pk.map((k) => `${a}.${quoteIdent(k)} IS NOT DISTINCT FROM ${b}.${quoteIdent(k)}`).join(' AND ');
}

function partitionBy(pk: readonly string[]): string {
  return pk.map(quoteIdent).join(', ');
}

/**
 * Writes `output` = previous rows merged with `delta` rows.
 * - `upsert`: a delta row replaces the previous row with the same key; within the
 *   delta the last row of a key wins (latest wins).
 * - `append`: previous rows stay; delta rows whose key already exists are dropped
 *   (so re-read rows at the last cursor value are not duplicated); without a key,
 *   every delta row is appended.
 */
export async function mergeFiles(
  conn: DuckDBConnection,
  args: {
    previous: string;
    delta: string;
    output: string;
    schema: SchemaJson;
    strategy: 'append' | 'upsert';
    primaryKey: readonly string[];
  },
): Promise<void> {
  const prev = `read_parquet(${quoteLiteral(args.previous)})`;
  const delta = `read_parquet(${quoteLiteral(args.delta)}, file_row_number = true)`;
  const pk = args.primaryKey;
  let body: string;
  if (pk.length === 0) {
    body = `SELECT * FROM ${prev} UNION ALL BY NAME SELECT * EXCLUDE (file_row_number) FROM ${delta}`;
  } else if (args.strategy === 'upsert') {
    body = `SELECT o.* FROM ${prev} o ANTI JOIN ${delta} d ON ${keyMatch(pk, 'o', 'd')}
            UNION ALL BY NAME
            SELECT * EXCLUDE (file_row_number) FROM ${delta}
            QUALIFY row_number() OVER (PARTITION BY ${partitionBy(pk)} ORDER BY file_row_number DESC) = 1`;
  } else {
    body = `SELECT * FROM ${prev}
            UNION ALL BY NAME
            SELECT d.* EXCLUDE (file_row_number) FROM ${delta} d ANTI JOIN ${prev} o ON ${keyMatch(pk, 'd', 'o')}
            QUALIFY row_number() OVER (PARTITION BY ${partitionBy(pk.map((k) => k))} ORDER BY d.file_row_number) = 1`;
  }
  await conn.run(`COPY (SELECT ${projection(args.schema)} FROM (${body})) TO ${quoteLiteral(args.output)} (${PARQUET_OPTIONS})`);
}

/**
 * Writes one partition: the rows of `delta` that fall in `partition` (by
 * `monthExpr`), merged into the previous partition file if any. With a key,
 * the latest row of a key wins inside the partition.
 */
export async function mergePartition(
  conn: DuckDBConnection,
  args: {
    previous: string | null;
    delta: string;
    output: string;
    monthExpr: string;
    partition: string;
    schema: SchemaJson;
    primaryKey: readonly string[];
  },
): Promise<void> {
  const fresh = `SELECT *, 1 AS __src, file_row_number AS __rn FROM read_parquet(${quoteLiteral(args.delta)}, file_row_number = true)
                 WHERE ${args.monthExpr} = ${quoteLiteral(args.partition)}`;
  const old = args.previous
    ? `SELECT *, 0 AS __src, file_row_number AS __rn FROM read_parquet(${quoteLiteral(args.previous)}, file_row_number = true)`
    : null;
  const union = old ? `${old} UNION ALL BY NAME ${fresh}` : fresh;
  const dedupe =
    args.primaryKey.length > 0
      ? `QUALIFY row_number() OVER (PARTITION BY ${partitionBy(args.primaryKey)} ORDER BY __src DESC, __rn DESC) = 1`
      : '';
  await conn.run(
    `COPY (SELECT ${projection(args.schema)} FROM (SELECT * FROM (${union}) ${dedupe}) ORDER BY __src, __rn)
     TO ${quoteLiteral(args.output)} (${PARQUET_OPTIONS})`,
  );
}
