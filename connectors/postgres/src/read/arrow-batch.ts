import { type Data, type DataType, type Field, type List, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { bitmapOf, variableWidthOf } from '@agnes/connector-kit';
import type { ScalarKind, ValueKind } from '../catalog/type-mapping.js';
import { parseArrayText, parseBool, parseBytea, parseDate, parseDecimalUnscaled, parseTimestampMicros, ValueError } from './text-values.js';

/** Where a bad value sits, so the reader can name the row. */
export class CellError extends Error {
  constructor(
    readonly row: number,
    readonly column: string,
    message: string,
  ) {
    super(message);
    this.name = 'CellError';
  }
}

/** One column of a batch: its declared field and how its text decodes. */
export interface ColumnDecoder {
  field: Field;
  kind: ValueKind;
}

const encoder = new TextEncoder();

/** Arrow data of one scalar kind from the texts (`null` for SQL NULL). Throws ValueError at the bad index. */
function scalarData(kind: ScalarKind, scale: number, arrow: DataType, values: readonly (string | null)[], onBad: (i: number, e: ValueError) => never): Data {
  const length = values.length;
  let nullCount = 0;
  for (const v of values) if (v === null) nullCount++;
  const base = {
    type: arrow,
    length,
    nullCount,
    ...(nullCount > 0 ? { nullBitmap: bitmapOf(length, (i) => values[i] !== null) } : {}),
  };
  const each = <T>(f: (text: string) => T, set: (i: number, v: T) => void): void => {
    for (let i = 0; i < length; i++) {
      const text = values[i];
      if (text === null || text === undefined) continue;
      try {
        set(i, f(text));
      } catch (error) {
        if (error instanceof ValueError) onBad(i, error);
        throw error;
      }
    }
  };
  switch (kind) {
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64': {
      const out = new ({ int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[kind])(length);
      each(kind.startsWith('int') ? Number : parseFloat, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'int64': {
      const out = new BigInt64Array(length);
      each(BigInt, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'decimal': {
      const out = new BigInt64Array(length * 2);
      each(
        (t) => parseDecimalUnscaled(t, scale),
        (i, v) => {
          out[i * 2] = BigInt.asIntN(64, v);
          out[i * 2 + 1] = BigInt.asIntN(64, v >> 64n);
        },
      );
      return makeData({ ...base, data: new Uint32Array(out.buffer) } as never);
    }
    case 'bool': {
      const bools: boolean[] = new Array<boolean>(length).fill(false);
      each(parseBool, (i, v) => (bools[i] = v));
      return makeData({ ...base, data: bitmapOf(length, (i) => bools[i]!) } as never);
    }
    case 'date': {
      const out = new Int32Array(length);
      each(parseDate, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'timestamp':
    case 'timestamptz': {
      const out = new BigInt64Array(length);
      each(parseTimestampMicros, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'text':
    case 'bytea': {
      const bytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(length).fill(null);
      each(kind === 'text' ? (t) => encoder.encode(t) : parseBytea, (i, v) => (bytes[i] = v));
      return makeData({ ...base, ...variableWidthOf(bytes) } as never);
    }
  }
}

function columnData(decoder: ColumnDecoder, values: readonly (string | null)[]): Data {
  const { field, kind } = decoder;
  const bad = (row: number, e: ValueError): never => {
    throw new CellError(row, field.name, e.message);
  };
  if (!kind.list) return scalarData(kind.scalar, kind.scale ?? 0, field.type, values, bad);
  const length = values.length;
  let nullCount = 0;
  const offsets = new Int32Array(length + 1);
  const items: (string | null)[] = [];
  const owner: number[] = [];
  for (let i = 0; i < length; i++) {
    const text = values[i];
    if (text === null || text === undefined) nullCount++;
    else {
      let parsed: (string | null)[];
      try {
        parsed = parseArrayText(text);
      } catch (error) {
        if (error instanceof ValueError) bad(i, error);
        throw error;
      }
      for (const item of parsed) {
        items.push(item);
        owner.push(i);
      }
    }
    offsets[i + 1] = items.length;
  }
  const itemType = (field.type as List).valueType;
  const child = scalarData(kind.scalar, kind.scale ?? 0, itemType, items, (at, e) => bad(owner[at]!, e));
  return makeData({
    type: field.type,
    length,
    nullCount,
    ...(nullCount > 0 ? { nullBitmap: bitmapOf(length, (i) => values[i] !== null) } : {}),
    valueOffsets: offsets,
    child,
  } as never);
}

/**
 * A record batch of exactly `schema` from rows of PostgreSQL text values (row mode
 * `array`, one entry per decoder, in order). A value the type cannot hold throws
 * {@link CellError} with its row index.
 */
export function buildBatch(schema: Schema, decoders: readonly ColumnDecoder[], rows: readonly (readonly (string | null)[])[]): RecordBatch {
  const children = decoders.map((d, c) => columnData(d, rows.map((r) => r[c] ?? null)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children }));
}

/** The schema of a set of decoders, in their order. */
export function schemaOf(decoders: readonly ColumnDecoder[]): Schema {
  return new Schema(decoders.map((d) => d.field));
}
