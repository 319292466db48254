/**
 * Building blocks for connectors that assemble Arrow data by hand (`makeData`) from
 * rows: the validity bitmap and the offsets + bytes of variable-width columns, in the
 * layout the Arrow columnar format specifies (LSB bit order, int32 offsets).
 */

/** A bitmap of `length` bits where bit i is `valid(i)` (Arrow validity or boolean data). */
export function bitmapOf(length: number, valid: (i: number) => boolean): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (valid(i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/**
 * The null count and, when there are nulls, the validity bitmap of `values`, ready to
 * spread into `makeData({ type, length, ...validityOf(values), … })`. A value is null
 * when `isNull` says so (default: `null` or `undefined`).
 *
 * @example
 * makeData({ type: new Int32(), length: values.length, ...validityOf(values), data: Int32Array.from(values, (v) => v ?? 0) });
 */
export function validityOf<T>(
  values: readonly T[],
  isNull: (value: T) => boolean = (v) => v === null || v === undefined,
): { nullCount: number; nullBitmap?: Uint8Array } {
  let nullCount = 0;
  for (const v of values) if (isNull(v)) nullCount++;
  return nullCount > 0 ? { nullCount, nullBitmap: bitmapOf(values.length, (i) => !isNull(values[i] as T)) } : { nullCount };
}

/** The `valueOffsets` and `data` of a Utf8/Binary column from encoded values (`null`: empty). */
export function variableWidthOf(values: readonly (Uint8Array | null)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  values.forEach((v, i) => {
    total += v?.byteLength ?? 0;
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  values.forEach((v, i) => v && data.set(v, valueOffsets[i]!));
  return { valueOffsets, data };
}
