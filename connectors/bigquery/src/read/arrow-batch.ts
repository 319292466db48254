import { type Data, type DataType, type Field, makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import { bitmapOf, validityOf, variableWidthOf } from '@agnes/connector-kit';
import { type BqField, type BqScalarKind, isRepeated, NUMERIC_SCALE, scalarKind } from '../catalog/type-mapping.js';
import { parseBool, parseBytes, parseDate, parseDatetime, parseFloat64, parseInt64, parseTime, parseTimestamp, parseUnscaled, ValueError } from './values.js';

/** A cell of the REST row format: `{ v: text | null | [cells] (REPEATED) | { f: [cells] } (RECORD) }`. */
export interface BqCell {
  v?: unknown;
}

/** A row of `jobs.query` / `jobs.getQueryResults`. */
export interface BqRow {
  f: BqCell[];
}

/** A bad value, with the row index inside the page and the column path. */
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

const encoder = new TextEncoder();

/**
 * Arrow data of one scalar kind. `values` are the raw `v`s (text or null); `owner`
 * maps an index to the row it belongs to (list items), for the error.
 */
function scalarData(kind: BqScalarKind, type: DataType, values: readonly unknown[], column: string, owner: (i: number) => number): Data {
  const length = values.length;
  const base = { type, length, ...validityOf(values) };
  const each = <T>(parse: (text: string) => T, set: (i: number, v: T) => void): void => {
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      try {
        if (typeof v !== 'string') throw new ValueError(`expected a text value, got ${Array.isArray(v) ? 'a list' : typeof v}`);
        set(i, parse(v));
      } catch (error) {
        if (error instanceof ValueError) throw new CellError(owner(i), column, error.message);
        throw error;
      }
    }
  };
  switch (kind) {
    case 'int64':
    case 'datetime':
    case 'timestamp':
    case 'time': {
      const out = new BigInt64Array(length);
      const parse = { int64: parseInt64, datetime: parseDatetime, timestamp: parseTimestamp, time: parseTime }[kind];
      each(parse, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'float64': {
      const out = new Float64Array(length);
      each(parseFloat64, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'numeric': {
      const out = new BigInt64Array(length * 2);
      each(
        (t) => {
          const v = parseUnscaled(t, NUMERIC_SCALE);
          if (v !== BigInt.asIntN(128, v)) throw new ValueError(`${t} does not fit NUMERIC`);
          return v;
        },
        (i, v) => {
          out[i * 2] = BigInt.asIntN(64, v);
          out[i * 2 + 1] = BigInt.asIntN(64, v >> 64n);
        },
      );
      return makeData({ ...base, data: new Uint32Array(out.buffer) } as never);
    }
    case 'bool': {
      const bools = new Array<boolean>(length).fill(false);
      each(parseBool, (i, v) => (bools[i] = v));
      return makeData({ ...base, data: bitmapOf(length, (i) => bools[i]!) } as never);
    }
    case 'date': {
      const out = new Int32Array(length);
      each(parseDate, (i, v) => (out[i] = v));
      return makeData({ ...base, data: out } as never);
    }
    case 'string':
    case 'bytes': {
      const bytes = new Array<Uint8Array | null>(length).fill(null);
      each(kind === 'string' ? (t) => encoder.encode(t) : parseBytes, (i, v) => (bytes[i] = v));
      return makeData({ ...base, ...variableWidthOf(bytes) } as never);
    }
  }
}

/** Data of one element of `bq` (not the list level) from raw `v`s. */
function elementData(bq: BqField, type: DataType, values: readonly unknown[], column: string, owner: (i: number) => number): Data {
  const kind = scalarKind(bq.type);
  if (kind) return scalarData(kind, type, values, column, owner);
  const children = (bq.fields ?? []).map((child, c) => {
    const childField = (type as Struct).children[c]!;
    const childValues = values.map((v, i) => {
      if (v === null || v === undefined) return null;
      const cells = (v as { f?: unknown }).f;
      if (!Array.isArray(cells)) throw new CellError(owner(i), column, 'a RECORD value has no "f" list of fields');
      return (cells[c] as BqCell | undefined)?.v ?? null;
    });
    return fieldData(child, childField, childValues, `${column}.${child.name}`, owner);
  });
  return makeData({ type: type as Struct, length: values.length, ...validityOf(values), children } as never);
}

/** Data of column `bq` (declared as `field`) from raw `v`s, one per row. */
function fieldData(bq: BqField, field: Field, values: readonly unknown[], column: string, owner: (i: number) => number): Data {
  if (!isRepeated(bq)) return elementData(bq, field.type as DataType, values, column, owner);
  const offsets = new Int32Array(values.length + 1);
  const items: unknown[] = [];
  const itemOwner: number[] = [];
  values.forEach((v, i) => {
    // BigQuery has no NULL arrays: a missing array is an empty one.
    if (v !== null && v !== undefined) {
      if (!Array.isArray(v)) throw new CellError(owner(i), column, 'a REPEATED value is not a list');
      for (const cell of v as BqCell[]) {
        items.push(cell?.v ?? null);
        itemOwner.push(owner(i));
      }
    }
    offsets[i + 1] = items.length;
  });
  const itemField = (field.type as DataType & { children: Field[] }).children[0]!;
  const child = elementData(bq, itemField.type as DataType, items, column, (at) => itemOwner[at]!);
  return makeData({ type: field.type, length: values.length, nullCount: 0, valueOffsets: offsets, child } as never);
}

/**
 * A record batch of exactly `schema` from REST rows whose columns are `columns` (the
 * result schema, in the same order). A value the type cannot hold, or a NULL in a
 * column declared not nullable, throws {@link CellError} with the row index.
 */
export function buildBatch(schema: Schema, columns: readonly BqField[], rows: readonly BqRow[]): RecordBatch {
  const children = columns.map((bq, c) => {
    const field = schema.fields[c]!;
    const values = rows.map((r) => r.f?.[c]?.v ?? null);
    if (!field.nullable && !isRepeated(bq)) {
      const at = values.findIndex((v) => v === null);
      if (at >= 0) throw new CellError(at, bq.name, 'NULL in a REQUIRED column');
    }
    return fieldData(bq, field, values, bq.name, (i) => i);
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children }));
}
