import { type Data, DataType, type Field, type RecordBatch, type Schema, TimeUnit, Type } from 'apache-arrow';
import { quoteIdent } from '@agnes/connector-kit';

/*
 * Canonical text forms of values, so rows read from a connector (Arrow) and rows
 * read back from an extract view (DuckDB) compare exactly. Scalars are taken from
 * the raw Arrow buffers where JS getters would round (timestamps, decimals), and
 * the DuckDB side is converted in SQL to the same form; a JS Date would drop the
 * microseconds that the runtime keeps. Nested values go through stableJson on
 * both sides.
 */

/**
 * Deterministic JSON text of a JS value as Arrow or DuckDB hands it out: bigint and
 * numbers as decimal text (NaN included), `Date` as epoch milliseconds, bytes as
 * upper-case hex, Arrow vectors and iterables as arrays, object keys sorted.
 *
 * @example
 * stableJson({ b: 1n, a: new Uint8Array([255]) }); // '{"a":"FF","b":"1"}'
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return String(v.getTime());
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(normalise);
  if (typeof v === 'object') {
    // Arrow list values are Vectors (iterable); DuckDB hands out plain arrays.
    if (Symbol.iterator in v && typeof (v as { toArray?: unknown }).toArray === 'function') return [...(v as Iterable<unknown>)].map(normalise);
    if (v instanceof Map) return normaliseEntries([...v.entries()].map(([k, x]) => [String(k), x]));
    return normaliseEntries(Object.entries(v));
  }
  return String(v);
}

function normaliseEntries(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = normalise(x);
  return out;
}

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

/** Microseconds since midnight, as DuckDB's TIME holds it (nanoseconds are truncated on write). */
function timeMicrosAt(data: Data, i: number): bigint {
  const unit = (data.type as unknown as { unit: TimeUnit }).unit;
  if (unit === TimeUnit.SECOND) return BigInt((data.values as Int32Array)[i]!) * 1_000_000n;
  if (unit === TimeUnit.MILLISECOND) return BigInt((data.values as Int32Array)[i]!) * 1_000n;
  const v = int64At(data, i);
  return unit === TimeUnit.NANOSECOND ? v / 1_000n : v;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/**
 * Nested columns are compared by value when every leaf is a type whose JS value
 * is the same on both sides (numbers, text, booleans, bytes); temporal and decimal
 * leaves come back differently from Arrow getters and DuckDB, so such columns are
 * compared by presence only rather than risk a false violation.
 */
function nestedComparable(t: DataType): boolean {
  if (DataType.isList(t) || DataType.isStruct(t) || DataType.isFixedSizeList(t)) {
    return t.children.every((c) => nestedComparable(c.type as DataType));
  }
  return DataType.isInt(t) || DataType.isFloat(t) || DataType.isBool(t) || DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isBinary(t);
}

function isNested(t: DataType): boolean {
  return DataType.isList(t) || DataType.isStruct(t) || DataType.isFixedSizeList(t);
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
    case Type.Dictionary:
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
    case Type.Time:
      return String(timeMicrosAt(data, i));
    case Type.Timestamp:
      return String(int64At(data, i));
    default:
      if (isNested(t) && nestedComparable(t)) return stableJson(vector.get(i));
      return 'present';
  }
}

/** SQL that turns column `f` of a view into the canonical form of {@link canonicalRows}. */
export function canonicalSql(f: Field): string {
  const c = quoteIdent(f.name);
  const t = f.type as DataType;
  switch (t.typeId) {
    case Type.Int:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Decimal:
    case Type.Dictionary:
      return `${c}::VARCHAR`;
    case Type.Bool:
      return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
    case Type.Float:
      return c; // compared as JS numbers
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return `hex(${c})`;
    case Type.Date:
      return `(${c} - DATE '1970-01-01')::VARCHAR`;
    case Type.Time:
      return `epoch_us(${c})::VARCHAR`;
    case Type.Timestamp: {
      const unit = (t as unknown as { unit: TimeUnit }).unit;
      const fn = unit === TimeUnit.SECOND ? 'epoch' : unit === TimeUnit.MILLISECOND ? 'epoch_ms' : unit === TimeUnit.MICROSECOND ? 'epoch_us' : 'epoch_ns';
      return `${fn}(${c})::BIGINT::VARCHAR`;
    }
    default:
      if (isNested(t) && nestedComparable(t)) return c; // serialised in JS by stableJson
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE 'present' END`;
  }
}

/** Canonical JSON text of each row of a batch (columns in schema order). */
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
      const t = f.type as DataType;
      if (DataType.isFloat(t)) return Number.isNaN(Number(v)) ? 'NaN' : String(Number(v));
      if (isNested(t) && nestedComparable(t)) return stableJson(v);
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
