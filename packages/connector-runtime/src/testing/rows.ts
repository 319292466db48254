import { type Data, DataType, type Field, type RecordBatch, type Schema, TimeUnit, Type } from 'apache-arrow';
import { quoteIdent } from '@agnes/connector-kit';

/*
 * Canonical text forms of values, so rows read from a connector (Arrow) and rows
 * read back from an extract view (DuckDB) can be compared exactly. Arrow values
 * are taken from the raw buffers where JS getters would round (timestamps,
 * decimals); the DuckDB side is converted in SQL to the same form.
 */

function isValid(data: Data, i: number): boolean {
  const bm = data.nullBitmap as Uint8Array | undefined;
  if (!bm || bm.length === 0 || data.nullCount === 0) return true;
  const bit = data.offset + i;
  return (bm[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

function int64At(data: Data, i: number, words = 1, word = 0): bigint {
  const v = data.values as ArrayBufferView;
  const width = 8 * words;
  const dv = new DataView(v.buffer, v.byteOffset + i * width + word * 8, 8);
  return word === words - 1 ? dv.getBigInt64(0, true) : dv.getBigUint64(0, true);
}

function decimalAt(data: Data, i: number): string {
  const t = data.type as unknown as { scale: number; bitWidth: number };
  const words = t.bitWidth / 64;
  let value = 0n;
  for (let w = words - 1; w >= 0; w--) value = (value << 64n) | BigInt.asUintN(64, int64At(data, i, words, w));
  value = BigInt.asIntN(t.bitWidth, value);
  const neg = value < 0n;
  const digits = (neg ? -value : value).toString().padStart(t.scale + 1, '0');
  const body = t.scale > 0 ? `${digits.slice(0, -t.scale)}.${digits.slice(-t.scale)}` : digits;
  return neg ? `-${body}` : body;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** The canonical form of row `i` of column `data`, or null. */
function canonical(data: Data, i: number, vector: { get(i: number): unknown }): string | null {
  if (!isValid(data, i)) return null;
  const t = data.type as DataType;
  switch (t.typeId) {
    case Type.Int:
    case Type.Bool:
    case Type.Utf8:
    case Type.LargeUtf8:
      return String(vector.get(i));
    case Type.Float: {
      const v = Number(vector.get(i));
      return Number.isNaN(v) ? 'NaN' : String(v);
    }
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return hex(vector.get(i) as Uint8Array);
    case Type.Decimal:
      return decimalAt(data, i);
    case Type.Date: {
      const unit = (t as unknown as { unit: number }).unit;
      if (unit === 0) return String((data.values as Int32Array)[i]);
      const ms = int64At(data, i);
      return String(ms / 86_400_000n - (ms % 86_400_000n < 0n ? 1n : 0n));
    }
    case Type.Timestamp:
      return String(int64At(data, i));
    case Type.Dictionary:
      return String(vector.get(i));
    default:
      // Nested and rarer types are compared by presence only.
      return 'present';
  }
}

/** SQL that turns column `f` of a view into the canonical form of {@link canonical}. */
export function canonicalSql(f: Field): string {
  const c = quoteIdent(f.name);
  const t = f.type as DataType;
  switch (t.typeId) {
    case Type.Int:
    case Type.Utf8:
    case Type.LargeUtf8:
      return `${c}::VARCHAR`;
    case Type.Bool:
      return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
    case Type.Float:
      return c; // compared as JS numbers
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return `hex(${c})`;
    case Type.Decimal:
      return `${c}::VARCHAR`;
    case Type.Date:
      return `(${c} - DATE '1970-01-01')::VARCHAR`;
    case Type.Timestamp: {
      const unit = (t as unknown as { unit: TimeUnit }).unit;
      const fn = unit === TimeUnit.SECOND ? 'epoch' : unit === TimeUnit.MILLISECOND ? 'epoch_ms' : unit === TimeUnit.MICROSECOND ? 'epoch_us' : 'epoch_ns';
      return `${fn}(${c})::BIGINT::VARCHAR`;
    }
    case Type.Dictionary:
      return `${c}::VARCHAR`;
    default:
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE 'present' END`;
  }
}

/** Canonical JSON text of each row of a batch. */
export function canonicalRows(batch: RecordBatch): string[] {
  const cols = batch.schema.fields.map((_, c) => ({ data: batch.data.children[c]!, vector: batch.getChildAt(c)! }));
  const out: string[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    out.push(JSON.stringify(cols.map(({ data, vector }) => canonical(data, i, vector))));
  }
  return out;
}

/** Canonical JSON text of a row read back from DuckDB with {@link canonicalSql} columns. */
export function canonicalDbRow(schema: Schema, row: Record<string, unknown>): string {
  return JSON.stringify(
    schema.fields.map((f) => {
      const v = row[f.name];
      if (v === null || v === undefined) return null;
      if (DataType.isFloat(f.type)) return Number.isNaN(Number(v)) ? 'NaN' : String(Number(v));
      return String(v);
    }),
  );
}

/** Counts of each distinct canonical row. */
export function multiset(rows: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** The first difference between two multisets, described for a person, or undefined. */
export function multisetDifference(expected: Map<string, number>, actual: Map<string, number>): string | undefined {
  for (const [row, n] of expected) {
    const got = actual.get(row) ?? 0;
    if (got !== n) return `row ${row} was read ${n} time(s) but the view returns it ${got} time(s)`;
  }
  for (const [row, n] of actual) {
    if (!expected.has(row)) return `the view returns row ${row} (${n} time(s)) that read() never yielded`;
  }
  return undefined;
}
