import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type Data,
} from 'apache-arrow';

/*
 * DuckDB result chunks → Arrow record batches. Fixed-width columns are copied from
 * the vector's memory in one call per chunk; strings are read per value and
 * UTF-8-encoded once per batch. Types Arrow cannot hold exactly are cast to
 * VARCHAR in the query instead (see `arrowTypeFor`).
 */

/** How a DuckDB column is carried into Arrow. */
export interface ColumnPlan {
  name: string;
  arrow: DataType;
  /** SQL expression selecting the column (a CAST when the type is carried as text). */
  select: string;
  kind: 'fixed' | 'bool' | 'string' | 'blob' | 'decimal';
  /** Bytes per value in DuckDB's vector (fixed and decimal). */
  width: number;
}

const FIXED: Record<string, [() => DataType, number]> = {
  TINYINT: [() => new Int8(), 1],
  SMALLINT: [() => new Int16(), 2],
  INTEGER: [() => new Int32(), 4],
  BIGINT: [() => new Int64(), 8],
  UTINYINT: [() => new Uint8(), 1],
  USMALLINT: [() => new Uint16(), 2],
  UINTEGER: [() => new Uint32(), 4],
  UBIGINT: [() => new Uint64(), 8],
  FLOAT: [() => new Float32(), 4],
  DOUBLE: [() => new Float64(), 8],
  DATE: [() => new DateDay(), 4],
  TIMESTAMP: [() => new TimestampMicrosecond(), 8],
  'TIMESTAMP WITH TIME ZONE': [() => new TimestampMicrosecond('UTC'), 8],
  TIMESTAMP_NS: [() => new TimestampNanosecond(), 8],
  TIMESTAMP_MS: [() => new TimestampMillisecond(), 8],
  TIMESTAMP_S: [() => new TimestampSecond(), 8],
};

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The Arrow type and transfer plan for a DuckDB column type string. */
export function planColumn(name: string, duckType: string): ColumnPlan {
  const fixed = FIXED[duckType];
  if (fixed) return { name, arrow: fixed[0](), select: quote(name), kind: 'fixed', width: fixed[1] };
  if (duckType === 'BOOLEAN') return { name, arrow: new Bool(), select: quote(name), kind: 'bool', width: 1 };
  if (duckType === 'VARCHAR') return { name, arrow: new Utf8(), select: quote(name), kind: 'string', width: 0 };
  if (duckType === 'BLOB') return { name, arrow: new Binary(), select: quote(name), kind: 'blob', width: 0 };
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(duckType);
  if (dec) {
    const p = Number(dec[1]);
    const s = Number(dec[2]);
    const width = p <= 4 ? 2 : p <= 9 ? 4 : p <= 18 ? 8 : 16;
    return { name, arrow: new Decimal(s, p, 128), select: quote(name), kind: 'decimal', width };
  }
  // JSON, lists, structs, UUID, TIME, INTERVAL, HUGEINT…: carried exactly as their text.
  return { name, arrow: new Utf8(), select: `CAST(${quote(name)} AS VARCHAR) AS ${quote(name)}`, kind: 'string', width: 0 };
}

/** The Arrow schema of a plan; file columns are always nullable. */
export function schemaOf(plans: readonly ColumnPlan[]): Schema {
  return new Schema(plans.map((p) => new Field(p.name, p.arrow, true)));
}

class ColumnBuilder {
  private parts: Uint8Array[] = [];
  private strings: (string | null)[] = [];
  private blobs: (Uint8Array | null)[] = [];
  private bools: number[] = [];
  private valid: boolean[] = [];
  private nulls = 0;

  constructor(private readonly plan: ColumnPlan) {}

  append(chunk: DuckDBDataChunk, column: number, n: number): void {
    const raw = duckdb.data_chunk_get_vector(chunk.chunk, column);
    const validity = duckdb.vector_get_validity(raw, Math.ceil(n / 64) * 8);
    const isValid = (i: number) => !validity || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
    for (let i = 0; i < n; i++) {
      const v = isValid(i);
      this.valid.push(v);
      if (!v) this.nulls++;
    }
    const { kind, width } = this.plan;
    if (kind === 'fixed') {
      this.parts.push(duckdb.vector_get_data(raw, n * width).slice());
    } else if (kind === 'decimal') {
      const src = duckdb.vector_get_data(raw, n * width);
      const out = new BigInt64Array(n * 2);
      const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
      for (let i = 0; i < n; i++) {
        let lo: bigint;
        let hi: bigint;
        if (width === 16) {
          lo = view.getBigUint64(i * 16, true);
          hi = view.getBigInt64(i * 16 + 8, true);
        } else {
          const v = width === 8 ? view.getBigInt64(i * 8, true) : BigInt(width === 4 ? view.getInt32(i * 4, true) : view.getInt16(i * 2, true));
          lo = BigInt.asUintN(64, v);
          hi = v < 0n ? -1n : 0n;
        }
        out[i * 2] = BigInt.asIntN(64, lo);
        out[i * 2 + 1] = hi;
      }
      this.parts.push(new Uint8Array(out.buffer));
    } else if (kind === 'bool') {
      const src = duckdb.vector_get_data(raw, n);
      for (let i = 0; i < n; i++) this.bools.push(src[i]!);
    } else {
      const vector = chunk.getColumnVector(column);
      for (let i = 0; i < n; i++) {
        if (!isValid(i)) {
          if (kind === 'string') this.strings.push(null);
          else this.blobs.push(null);
          continue;
        }
        const item = vector.getItem(i) as unknown;
        if (kind === 'string') this.strings.push(String(item));
        else this.blobs.push((item as { bytes: Uint8Array }).bytes);
      }
    }
  }

  finish(length: number): Data {
    const nullBitmap = this.nulls > 0 ? bitmap(this.valid) : undefined;
    const base = { type: this.plan.arrow, length, nullCount: this.nulls, ...(nullBitmap ? { nullBitmap } : {}) };
    const { kind } = this.plan;
    if (kind === 'fixed' || kind === 'decimal') {
      const bytes = concat(this.parts);
      const T = (this.plan.arrow as unknown as { ArrayType: new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView }).ArrayType;
      const per = (T as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      return makeData({ ...base, data: new T(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / per) } as never);
    }
    if (kind === 'bool') return makeData({ ...base, data: bitmap(this.bools.map((b) => b !== 0)) } as never);
    const values = kind === 'string' ? this.strings.map((s) => (s === null ? null : encoder.encode(s))) : this.blobs;
    const offsets = new Int32Array(length + 1);
    let total = 0;
    values.forEach((v, i) => {
      total += v?.byteLength ?? 0;
      offsets[i + 1] = total;
    });
    const data = new Uint8Array(total);
    values.forEach((v, i) => v && data.set(v, offsets[i]!));
    return makeData({ ...base, valueOffsets: offsets, data } as never);
  }
}

const encoder = new TextEncoder();

function bitmap(bits: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Accumulates DuckDB chunks and hands out Arrow batches of about `batchSize` rows. */
export class BatchAssembler {
  private builders: ColumnBuilder[];
  private rows = 0;
  private readonly schema: Schema;

  constructor(private readonly plans: readonly ColumnPlan[]) {
    this.schema = schemaOf(plans);
    this.builders = plans.map((p) => new ColumnBuilder(p));
  }

  get size(): number {
    return this.rows;
  }

  add(chunk: DuckDBDataChunk): void {
    const n = chunk.rowCount;
    this.builders.forEach((b, c) => b.append(chunk, c, n));
    this.rows += n;
  }

  /** The accumulated rows as one batch (null when empty); starts a new batch. */
  take(): RecordBatch | null {
    if (this.rows === 0) return null;
    const children = this.builders.map((b) => b.finish(this.rows));
    const batch = new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: this.rows, children }));
    this.builders = this.plans.map((p) => new ColumnBuilder(p));
    this.rows = 0;
    return batch;
  }
}
