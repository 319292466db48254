import duckdb from '@duckdb/node-bindings';
import { type Data, DataType, TimeUnit, Type } from 'apache-arrow';
import { UnsupportedTypeError } from './duckdb-types.js';

/*
 * Copies Arrow data into DuckDB output vectors without going through JS values:
 * fixed-width buffers are copied with one native call, strings are handed over as
 * byte ranges of the Arrow buffer (no UTF-8 decode), validity bitmaps are copied as
 * bytes (Arrow's LSB bitmap is DuckDB's validity mask). Values that need a change of
 * representation (bool bits → bytes, narrower decimals, time units) are converted in
 * typed arrays. All writes start at row 0 of the target vector: a list's child range
 * for one chunk is contiguous, and struct children are row-aligned.
 */

type Vector = duckdb.Vector;

function byteView(arr: ArrayBufferView): Uint8Array {
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function copyBytes(vec: Vector, bytes: Uint8Array): void {
  if (bytes.byteLength === 0) return;
  duckdb.copy_data_to_vector(vec, 0, bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

function isValidBit(bitmap: Uint8Array, bit: number): boolean {
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** Writes the validity of rows [start, start+n) of `data` into `vec`. */
function writeValidity(vec: Vector, data: Data, start: number, n: number): void {
  const bytes = Math.ceil(n / 8);
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) {
    // The output chunk may carry a mask from an earlier call: reset it to all-valid.
    const existing = duckdb.vector_get_validity(vec, Math.ceil(n / 64) * 8);
    if (existing) {
      const ones = new Uint8Array(bytes).fill(0xff);
      duckdb.copy_data_to_vector_validity(vec, 0, ones.buffer, 0, bytes);
    }
    return;
  }
  duckdb.vector_ensure_validity_writable(vec);
  const bit0 = data.offset + start;
  if ((bit0 & 7) === 0) {
    duckdb.copy_data_to_vector_validity(vec, 0, bitmap.buffer as ArrayBuffer, bitmap.byteOffset + (bit0 >> 3), bytes);
    return;
  }
  const out = new Uint8Array(bytes);
  for (let i = 0; i < n; i++) if (isValidBit(bitmap, bit0 + i)) out[i >> 3]! |= 1 << (i & 7);
  duckdb.copy_data_to_vector_validity(vec, 0, out.buffer, 0, bytes);
}

function rowValid(data: Data, row: number): boolean {
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return true;
  return isValidBit(bitmap, data.offset + row);
}

/** Bytes per row of a fixed-width Arrow column (its values buffer times stride). */
function rowWidth(data: Data): number {
  const v = data.values as ArrayBufferView & { BYTES_PER_ELEMENT: number };
  return v.BYTES_PER_ELEMENT * data.stride;
}

function fixedBytes(data: Data, start: number, n: number): Uint8Array {
  const w = rowWidth(data);
  const v = data.values as ArrayBufferView;
  return new Uint8Array(v.buffer, v.byteOffset + start * w, n * w);
}

/** Reads rows as int64 regardless of the JS array type Arrow chose (Int32Array×2 or BigInt64Array). */
function int64Rows(data: Data, start: number, n: number): BigInt64Array {
  const bytes = fixedBytes(data, start, n);
  if (bytes.byteOffset % 8 === 0) return new BigInt64Array(bytes.buffer, bytes.byteOffset, n);
  return new BigInt64Array(bytes.slice().buffer, 0, n);
}

function int32Rows(data: Data, start: number, n: number): Int32Array {
  const bytes = fixedBytes(data, start, n);
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  return new Int32Array(bytes.slice().buffer, 0, n);
}

function writeStrings(vec: Vector, data: Data, start: number, n: number): void {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const values = data.values as Uint8Array;
  const big = offsets instanceof BigInt64Array;
  for (let i = 0; i < n; i++) {
    const r = start + i;
    if (!rowValid(data, r)) continue;
    const a = big ? Number(offsets[r]) : (offsets[r] as number);
    const b = big ? Number(offsets[r + 1]) : (offsets[r + 1] as number);
    duckdb.vector_assign_string_element_len(vec, i, values.subarray(a, b));
  }
}

function writeFixedBinary(vec: Vector, data: Data, start: number, n: number): void {
  const width = (data.type as unknown as { byteWidth: number }).byteWidth;
  const values = data.values as Uint8Array;
  for (let i = 0; i < n; i++) {
    const r = start + i;
    if (!rowValid(data, r)) continue;
    duckdb.vector_assign_string_element_len(vec, i, values.subarray(r * width, (r + 1) * width));
  }
}

function writeBool(vec: Vector, data: Data, start: number, n: number): void {
  const bits = data.values as Uint8Array;
  const out = new Uint8Array(n);
  const bit0 = data.offset + start;
  for (let i = 0; i < n; i++) out[i] = isValidBit(bits, bit0 + i) ? 1 : 0;
  copyBytes(vec, out);
}

function writeDecimal(vec: Vector, data: Data, start: number, n: number): void {
  const t = data.type as unknown as { precision: number; bitWidth: number };
  const srcWords = t.bitWidth / 64; // 64-bit words per Arrow value: 1 or 2
  const bytes = fixedBytes(data, start, n);
  const src =
    bytes.byteOffset % 8 === 0
      ? new BigInt64Array(bytes.buffer, bytes.byteOffset, n * srcWords)
      : new BigInt64Array(bytes.slice().buffer);
  if (t.precision > 18) {
    if (srcWords === 2) return copyBytes(vec, fixedBytes(data, start, n));
    // Sign-extend narrower Arrow decimals into DuckDB's 128-bit layout (lower u64, upper i64).
    const out = new BigInt64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const lo = src[i * srcWords]!;
      out[i * 2] = lo;
      out[i * 2 + 1] = lo < 0n ? -1n : 0n;
    }
    return copyBytes(vec, byteView(out));
  }
  // DuckDB stores DECIMAL(p≤18) in 16/32/64-bit integers: the low bytes of the two's complement value.
  if (t.precision > 9) {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i * srcWords]!;
    return copyBytes(vec, byteView(out));
  }
  const out = t.precision > 4 ? new Int32Array(n) : new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(BigInt.asIntN(32, src[i * srcWords]!));
  copyBytes(vec, byteView(out));
}

const MICROS_PER: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1_000_000n,
  [TimeUnit.MILLISECOND]: 1_000n,
  [TimeUnit.MICROSECOND]: 1n,
};

function writeTimestamp(vec: Vector, data: Data, start: number, n: number): void {
  const t = data.type as unknown as { unit: TimeUnit; timezone: string | null };
  // Without a zone, or at µs/ns, the stored int64 is already DuckDB's representation.
  if (!t.timezone || t.unit === TimeUnit.MICROSECOND || t.unit === TimeUnit.NANOSECOND) {
    return copyBytes(vec, fixedBytes(data, start, n));
  }
  const factor = MICROS_PER[t.unit]!;
  const src = int64Rows(data, start, n);
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = src[i]! * factor;
  copyBytes(vec, byteView(out));
}

function writeTime(vec: Vector, data: Data, start: number, n: number): void {
  const unit = (data.type as unknown as { unit: TimeUnit }).unit;
  const out = new BigInt64Array(n);
  if (unit === TimeUnit.SECOND || unit === TimeUnit.MILLISECOND) {
    const src = int32Rows(data, start, n);
    const f = unit === TimeUnit.SECOND ? 1_000_000n : 1_000n;
    for (let i = 0; i < n; i++) out[i] = BigInt(src[i]!) * f;
  } else {
    const src = int64Rows(data, start, n);
    const div = unit === TimeUnit.NANOSECOND ? 1_000n : 1n;
    for (let i = 0; i < n; i++) out[i] = src[i]! / div;
  }
  copyBytes(vec, byteView(out));
}

function writeDate(vec: Vector, data: Data, start: number, n: number): void {
  if ((data.type as unknown as { unit: number }).unit === 0) return copyBytes(vec, fixedBytes(data, start, n)); // DAY
  const src = int64Rows(data, start, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(src[i]! / 86_400_000n) - (src[i]! % 86_400_000n < 0n ? 1 : 0);
  copyBytes(vec, byteView(out));
}

function writeList(vec: Vector, data: Data, start: number, n: number): void {
  const child = data.children[0]!;
  const entries = new BigUint64Array(n * 2);
  let base: number;
  let total: number;
  if (data.typeId === Type.FixedSizeList) {
    const size = (data.type as unknown as { listSize: number }).listSize;
    base = start * size;
    total = n * size;
    for (let i = 0; i < n; i++) {
      entries[i * 2] = BigInt(i * size);
      entries[i * 2 + 1] = BigInt(size);
    }
  } else {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const at = (k: number): number => Number(offsets[k]);
    base = at(start);
    total = at(start + n) - base;
    for (let i = 0; i < n; i++) {
      const a = at(start + i);
      entries[i * 2] = BigInt(a - base);
      entries[i * 2 + 1] = BigInt(at(start + i + 1) - a);
    }
  }
  duckdb.list_vector_reserve(vec, total);
  duckdb.list_vector_set_size(vec, total);
  copyBytes(vec, byteView(entries));
  if (total > 0) fillVector(duckdb.list_vector_get_child(vec), child, base, total);
}

function writeStruct(vec: Vector, data: Data, start: number, n: number): void {
  data.children.forEach((child, k) => fillVector(duckdb.struct_vector_get_child(vec, k), child, start, n));
}

function writeDictionary(vec: Vector, data: Data, start: number, n: number): void {
  const dict = data.dictionary;
  const dictData = dict?.data.length === 1 ? dict.data[0] : undefined;
  if (!dictData) throw new UnsupportedTypeError('(dictionary)', data.type);
  const indices = data.values as ArrayLike<number | bigint>;
  const vt = dictData.type as DataType;
  if (DataType.isUtf8(vt) || DataType.isBinary(vt) || DataType.isLargeUtf8(vt) || DataType.isLargeBinary(vt)) {
    const offsets = dictData.valueOffsets as Int32Array | BigInt64Array;
    const values = dictData.values as Uint8Array;
    for (let i = 0; i < n; i++) {
      const r = start + i;
      if (!rowValid(data, r)) continue;
      const k = Number(indices[r]);
      if (!rowValid(dictData, k)) continue;
      duckdb.vector_assign_string_element_len(vec, i, values.subarray(Number(offsets[k]), Number(offsets[k + 1])));
    }
    return;
  }
  if (DataType.isInt(vt) || DataType.isFloat(vt)) {
    const w = rowWidth(dictData);
    const src = byteView(dictData.values as ArrayBufferView);
    const out = new Uint8Array(n * w);
    for (let i = 0; i < n; i++) {
      const k = Number(indices[start + i]);
      out.set(src.subarray(k * w, (k + 1) * w), i * w);
    }
    return copyBytes(vec, out);
  }
  throw new UnsupportedTypeError('(dictionary)', data.type);
}

/**
 * Writes rows [start, start+n) of Arrow `data` into DuckDB vector `vec` at rows [0, n).
 * The vector's type must be `duckdbTypeOf(data.type)`.
 */
export function fillVector(vec: Vector, data: Data, start: number, n: number): void {
  if (n === 0) return;
  switch (data.typeId) {
    case Type.Int:
    case Type.Float:
      if (DataType.isFloat(data.type) && (data.type as unknown as { precision: number }).precision === 0) {
        const src = data.values as Uint16Array;
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = halfToFloat(src[start + i]!);
        copyBytes(vec, byteView(out));
      } else {
        copyBytes(vec, fixedBytes(data, start, n));
      }
      break;
    case Type.Bool:
      writeBool(vec, data, start, n);
      break;
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
      writeStrings(vec, data, start, n);
      break;
    case Type.FixedSizeBinary:
      writeFixedBinary(vec, data, start, n);
      break;
    case Type.Decimal:
      writeDecimal(vec, data, start, n);
      break;
    case Type.Date:
      writeDate(vec, data, start, n);
      break;
    case Type.Time:
      writeTime(vec, data, start, n);
      break;
    case Type.Timestamp:
      writeTimestamp(vec, data, start, n);
      break;
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
      writeList(vec, data, start, n);
      break;
    case Type.Struct:
      writeStruct(vec, data, start, n);
      break;
    case Type.Dictionary:
      writeDictionary(vec, data, start, n);
      break;
    default:
      throw new UnsupportedTypeError('(column)', data.type);
  }
  writeValidity(vec, data, start, n);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
