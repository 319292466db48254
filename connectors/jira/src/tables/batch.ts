import { makeData, RecordBatch, type Schema, Struct, vectorFromArray } from 'apache-arrow';
import { RecordError } from '@agnes/connector-kit';

/** One row of a table, keyed by column name; absent columns are null. */
export type Row = Record<string, unknown>;

/**
 * Builds a record batch with exactly `schema`'s columns. A null in a column declared
 * not nullable is a RecordError naming the table, the column and the row's key, so a
 * malformed upstream record never becomes a silent null.
 */
export function rowsToBatch(table: string, schema: Schema, rows: readonly Row[], key: readonly string[]): RecordBatch {
  for (const field of schema.fields) {
    if (field.nullable) continue;
    const bad = rows.find((r) => r[field.name] === null || r[field.name] === undefined);
    if (bad) {
      const id = key.map((k) => `${k}=${String(bad[k])}`).join(', ');
      throw new RecordError(`table ${table}: column ${field.name} is empty in the row with ${id}, but the column is not nullable`);
    }
  }
  const children = schema.fields.map((field) => vectorFromArray(rows.map((r) => r[field.name] ?? null), field.type).data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
