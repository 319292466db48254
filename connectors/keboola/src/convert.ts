import {
  type DataType,
  type Field,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
  Type,
  type Data,
  type Decimal,
} from 'apache-arrow';
import { bitmapOf, RecordError, validityOf, variableWidthOf } from '@agnes/connector-kit';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const encoder = new TextEncoder();

/** Parses an integer text exactly (a `.0…` tail is accepted). */
export function parseInt64(text: string): bigint {
  const m = /^\s*([+-]?\d+)(?:\.0*)?\s*$/.exec(text);
  if (!m) throw new RecordError(`${JSON.stringify(text)} is not an integer`);
  const v = BigInt(m[1]!);
  if (v < INT64_MIN || v > INT64_MAX) throw new RecordError(`${text} does not fit in int64`);
  return v;
}

/**
 * Parses a decimal text into its unscaled value at `scale` (exactly, no floating
 * point): `parseDecimal('-12.5', 2)` is `-1250n`. Accepts an exponent (`1.5e3`).
 * Digits beyond `scale` that are not zero, or more than `precision` digits, are a
 * {@link RecordError}.
 */
export function parseDecimal(text: string, scale: number, precision: number): bigint {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RecordError(`${JSON.stringify(text)} is not a decimal number`);
  let digits = (m[2] ?? '') + (m[3] ?? '');
  // value = digits × 10^(exp - fractionLength); we want value × 10^scale.
  const shift = Number(m[4] ?? '0') - (m[3] ?? '').length + scale;
  if (shift >= 0) {
    digits += '0'.repeat(shift);
  } else {
    const cut = digits.length + shift;
    const dropped = cut > 0 ? digits.slice(cut) : digits;
    if (/[1-9]/.test(dropped)) throw new RecordError(`${text} has more than ${scale} decimal places`);
    digits = cut > 0 ? digits.slice(0, cut) : '0';
  }
  const unscaled = BigInt(digits === '' ? '0' : digits);
  if (unscaled.toString().length > precision && unscaled !== 0n) {
    throw new RecordError(`${text} does not fit in DECIMAL(${precision},${scale})`);
  }
  return m[1] === '-' ? -unscaled : unscaled;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` text (a time part after it is ignored). */
export function parseDateDay(text: string): number {
  const m = /^\s*(-?\d{4,})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(text);
  if (!m) throw new RecordError(`${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3])) throw new RecordError(`${JSON.stringify(text)} is not a valid date`);
  return ms / 86_400_000;
}

/**
 * Microseconds since the epoch of an ISO 8601 / SQL timestamp text:
 * `2024-01-15 10:30:00.123456`, `2024-01-15T10:30:00Z`, `…+02:00`, or a bare date.
 * Without a zone the time is UTC. Fractions beyond µs are truncated.
 */
export function parseTimestampMicros(text: string): bigint {
  const m =
    /^\s*(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$/.exec(text);
  if (!m) throw new RecordError(`${JSON.stringify(text)} is not a timestamp`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new RecordError(`${JSON.stringify(text)} is not a valid timestamp`);
  }
  let micros = BigInt(ms) * 1000n + BigInt((frac + '000000').slice(0, 6));
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offsetMin = Number(z[2]) * 60 + Number(z[3] ?? '0');
    micros -= BigInt((z[1] === '-' ? -1 : 1) * offsetMin) * 60_000_000n;
  }
  return micros;
}

/** Parses a boolean text: true/false, t/f, 1/0, yes/no, y/n (any case). */
export function parseBool(text: string): boolean {
  switch (text.trim().toLowerCase()) {
    case 'true':
    case 't':
    case '1':
    case 'yes':
    case 'y':
      return true;
    case 'false':
    case 'f':
    case '0':
    case 'no':
    case 'n':
      return false;
    default:
      throw new RecordError(`${JSON.stringify(text)} is not a boolean`);
  }
}

/** Parses a float text (`inf`, `-inf`, `nan` accepted). */
export function parseFloat64(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === 'infinity' || t === '+inf' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new RecordError(`${JSON.stringify(text)} is not a number`);
  return v;
}

/** Writes `v` as 128-bit little-endian two's complement into `out` at word `at`. */
function writeInt128(out: Uint32Array, at: number, v: bigint): void {
  let u = BigInt.asUintN(128, v);
  for (let w = 0; w < 4; w++) {
    out[at + w] = Number(u & 0xffffffffn);
    u >>= 32n;
  }
}

/**
 * One Arrow column from CSV texts. Strings keep every text (the empty string
 * included); for every other type an empty text is null.
 */
export function columnData(field: Field, values: readonly string[], column = field.name): Data {
  const type: DataType = field.type;
  const length = values.length;
  const at = (i: number, fn: () => unknown) => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof RecordError) throw new RecordError(`column ${column}: ${error.message}`, { cause: error });
      throw error;
    }
  };
  if (type.typeId === Type.Utf8) {
    return makeData({ type, length, nullCount: 0, ...variableWidthOf(values.map((v) => encoder.encode(v))) } as never);
  }
  const base = { type, length, ...validityOf(values, (v) => v === '') } as const;
  switch (type.typeId) {
    case Type.Int: {
      const data = new BigInt64Array(length);
      values.forEach((v, i) => {
        if (v !== '') data[i] = at(i, () => parseInt64(v)) as bigint;
      });
      return makeData({ ...base, data } as never);
    }
    case Type.Float: {
      const data = new Float64Array(length);
      values.forEach((v, i) => {
        if (v !== '') data[i] = at(i, () => parseFloat64(v)) as number;
      });
      return makeData({ ...base, data } as never);
    }
    case Type.Bool: {
      const data = bitmapOf(length, (i) => values[i] !== '' && (at(i, () => parseBool(values[i]!)) as boolean));
      return makeData({ ...base, data } as never);
    }
    case Type.Date: {
      const data = new Int32Array(length);
      values.forEach((v, i) => {
        if (v !== '') data[i] = at(i, () => parseDateDay(v)) as number;
      });
      return makeData({ ...base, data } as never);
    }
    case Type.Timestamp: {
      const data = new BigInt64Array(length);
      values.forEach((v, i) => {
        if (v !== '') data[i] = at(i, () => parseTimestampMicros(v)) as bigint;
      });
      return makeData({ ...base, data } as never);
    }
    case Type.Decimal: {
      const { scale, precision } = type as Decimal;
      const data = new Uint32Array(length * 4);
      values.forEach((v, i) => {
        if (v !== '') writeInt128(data, i * 4, at(i, () => parseDecimal(v, scale, precision)) as bigint);
      });
      return makeData({ ...base, data } as never);
    }
    default:
      throw new RecordError(`column ${column}: unsupported Arrow type ${String(type)}`);
  }
}

/**
 * A record batch of `schema` from CSV rows whose cells are in the schema's field
 * order. A row with a different number of cells is a {@link RecordError}.
 */
export function batchFromRows(schema: Schema, rows: readonly string[][]): RecordBatch {
  const width = schema.fields.length;
  const columns: string[][] = schema.fields.map(() => new Array<string>(rows.length));
  rows.forEach((row, r) => {
    if (row.length !== width) {
      throw new RecordError(`an exported row has ${row.length} values, expected ${width} (${schema.fields.map((f) => f.name).join(', ')})`);
    }
    for (let c = 0; c < width; c++) columns[c]![r] = row[c]!;
  });
  const children = schema.fields.map((f, c) => columnData(f, columns[c]!));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children }));
}

