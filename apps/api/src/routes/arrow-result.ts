import { Bool, type DataType, Float64, Int32, Int64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';

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

/** Encodes a query result as an Arrow IPC stream. */
export function arrowResult(columns: readonly { name: string; type: string }[], rows: readonly unknown[][]): Uint8Array<ArrayBuffer> {
  const vectors = Object.fromEntries(
    columns.map((col, i) => {
      const { type, convert } = arrowTypeOf(col.type);
      return [col.name, vectorFromArray(rows.map((r) => convert(r[i] ?? null)), type)];
    }),
  );
  return new Uint8Array(tableToIPC(new Table(vectors), 'stream'));
}
