import { Bool, type DataType, Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';

// DuckDB type → Arrow type for the JSON values the engine returns. Exact by construction:
// 64-bit integers come as strings and become Int64 through BigInt; types without a lossless
// JSON form here (DECIMAL, HUGEINT, temporal, nested) travel as their exact text.
function arrowTypeOf(duckdbType: string): { type: DataType; convert: (v: unknown) => unknown } {
  const t = duckdbType.toUpperCase();
  if (t === 'BOOLEAN') return { type: new Bool(), convert: (v) => (v === null ? null : Boolean(v)) };
  if (t === 'TINYINT' || t === 'SMALLINT' || t === 'INTEGER' || t === 'UTINYINT' || t === 'USMALLINT') {
    return { type: new Int32(), convert: (v) => (v === null ? null : Number(v)) };
  }
  if (t === 'BIGINT' || t === 'UINTEGER') return { type: new Int64(), convert: (v) => (v === null ? null : BigInt(v as string | number)) };
  if (t === 'DOUBLE' || t === 'FLOAT') return { type: new Float64(), convert: (v) => (v === null ? null : Number(v)) };
  return { type: new Utf8(), convert: (v) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v)) };
}

/**
 * Column names made unique as DuckDB does for a table (`a`, `a_1`): Arrow's IPC reader in JS
 * confuses the types of columns that share a name.
 */
function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 1;
    while (taken.has(`${name}_${n}`)) n += 1;
    taken.add(`${name}_${n}`);
    return `${name}_${n}`;
  });
}

/** Encodes a query result as an Arrow IPC stream, column by position (`SELECT 1 AS a, 2 AS a` keeps both, as `a` and `a_1`). */
export function arrowResult(columns: readonly { name: string; type: string }[], rows: readonly unknown[][]): Uint8Array<ArrayBuffer> {
  const children = columns.map((col, i) => {
    const { type, convert } = arrowTypeOf(col.type);
    return vectorFromArray(rows.map((r) => convert(r[i] ?? null)), type).data[0]!;
  });
  const names = uniqueNames(columns.map((col) => col.name));
  const schema = new Schema(columns.map((_, i) => new Field(names[i]!, children[i]!.type, true)));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children }));
  return new Uint8Array(tableToIPC(new Table(batch), 'stream'));
}
