import { bitmapOf, quoteIdent, variableWidthOf } from '@agnes/connector-kit';
import duckdb from '@duckdb/node-bindings';
import {
  type DuckDBDataChunk,
  DuckDBListType,
  type DuckDBListValue,
  DuckDBStructType,
  type DuckDBStructValue,
  type DuckDBType,
  DuckDBTypeId,
  VARCHAR,
} from '@duckdb/node-api';
import {
  Binary,
  Bool,
  type Data,
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
  List,
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
} from 'apache-arrow';

/*
 * DuckDB result chunks → Arrow record batches. Top-level fixed-width columns are
 * copied from the vector's memory in one call per chunk (the node-api value readers
 * would allocate one JS object per date, timestamp or decimal); strings are read per
 * value and UTF-8-encoded once per batch; lists and structs go through their JS values,
 * which is slower but rare in files. Types Arrow cannot hold exactly here are cast to
 * VARCHAR in the query instead (see `planColumn`).
 */

/** How a DuckDB column is carried into Arrow. */
export interface ColumnPlan {
  name: string;
  arrow: DataType;
  /** The DuckDB type the SELECT yields (after any cast), as DuckDB spells it. */
  duckType: string;
  /** SQL expression selecting the column (a CAST when the type is carried as text). */
  select: string;
  kind: 'fixed' | 'bool' | 'string' | 'blob' | 'decimal' | 'nested';
  /** Bytes per value in DuckDB's vector (fixed and decimal). */
  width: number;
  /** The DuckDB type the SELECT yields; nested and text columns are converted by walking its values. */
  type: DuckDBType;
}

const FIXED: Partial<Record<DuckDBTypeId, [() => DataType, number]>> = {
  [DuckDBTypeId.TINYINT]: [() => new Int8(), 1],
  [DuckDBTypeId.SMALLINT]: [() => new Int16(), 2],
  [DuckDBTypeId.INTEGER]: [() => new Int32(), 4],
  [DuckDBTypeId.BIGINT]: [() => new Int64(), 8],
  [DuckDBTypeId.UTINYINT]: [() => new Uint8(), 1],
  [DuckDBTypeId.USMALLINT]: [() => new Uint16(), 2],
  [DuckDBTypeId.UINTEGER]: [() => new Uint32(), 4],
  [DuckDBTypeId.UBIGINT]: [() => new Uint64(), 8],
  [DuckDBTypeId.FLOAT]: [() => new Float32(), 4],
  [DuckDBTypeId.DOUBLE]: [() => new Float64(), 8],
  [DuckDBTypeId.DATE]: [() => new DateDay(), 4],
  [DuckDBTypeId.TIMESTAMP]: [() => new TimestampMicrosecond(), 8],
  [DuckDBTypeId.TIMESTAMP_TZ]: [() => new TimestampMicrosecond('UTC'), 8],
  [DuckDBTypeId.TIMESTAMP_NS]: [() => new TimestampNanosecond(), 8],
  [DuckDBTypeId.TIMESTAMP_MS]: [() => new TimestampMillisecond(), 8],
  [DuckDBTypeId.TIMESTAMP_S]: [() => new TimestampSecond(), 8],
};


/** The exact Arrow type for a DuckDB type, or undefined when it is carried as text. */
function arrowTypeOf(type: DuckDBType): DataType | undefined {
  const fixed = FIXED[type.typeId];
  if (fixed) return fixed[0]();
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new Bool();
    case DuckDBTypeId.VARCHAR:
      return new Utf8();
    case DuckDBTypeId.BLOB:
      return new Binary();
    case DuckDBTypeId.DECIMAL:
      return new Decimal(type.scale, type.width, 128);
  }
  if (type instanceof DuckDBListType) {
    const child = arrowTypeOf(type.valueType);
    return child && new List(new Field('item', child, true));
  }
  if (type instanceof DuckDBStructType) {
    const fields: Field[] = [];
    for (const [i, entry] of type.entryTypes.entries()) {
      const child = arrowTypeOf(entry);
      if (!child) return undefined;
      fields.push(new Field(type.entryNames[i]!, child, true));
    }
    return fields.length > 0 ? new Struct(fields) : undefined;
  }
  return undefined;
}

/**
 * The Arrow type and transfer plan for a DuckDB column. JSON, maps, unions, UUID,
 * TIME, INTERVAL, HUGEINT, ENUM, and lists or structs holding any of them are carried
 * exactly as their text.
 */
export function planColumn(name: string, type: DuckDBType): ColumnPlan {
  const arrow = arrowTypeOf(type);
  const q = quoteIdent(name);
  if (!arrow) {
    return { name, arrow: new Utf8(), duckType: 'VARCHAR', select: `CAST(${q} AS VARCHAR) AS ${q}`, kind: 'string', width: 0, type: VARCHAR };
  }
  const plan = { name, arrow, duckType: type.toString(), select: q, type };
  const fixed = FIXED[type.typeId];
  if (fixed) return { ...plan, kind: 'fixed', width: fixed[1] };
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { ...plan, kind: 'bool', width: 1 };
    case DuckDBTypeId.VARCHAR:
      return { ...plan, kind: 'string', width: 0 };
    case DuckDBTypeId.BLOB:
      return { ...plan, kind: 'blob', width: 0 };
    case DuckDBTypeId.DECIMAL: {
      const p = type.width;
      return { ...plan, kind: 'decimal', width: p <= 4 ? 2 : p <= 9 ? 4 : p <= 18 ? 8 : 16 };
    }
    default:
      return { ...plan, kind: 'nested', width: 0 };
  }
}

/** The Arrow schema of a plan; file columns are always nullable. */
export function schemaOf(plans: readonly ColumnPlan[]): Schema {
  return new Schema(plans.map((p) => new Field(p.name, p.arrow, true)));
}

class ColumnBuilder {
  private parts: Uint8Array[] = [];
  private values: unknown[] = [];
  private bools: number[] = [];
  private valid: boolean[] = [];
  private nulls = 0;

  constructor(private readonly plan: ColumnPlan) {}

  append(chunk: DuckDBDataChunk, column: number, n: number): void {
    // Query results arrive flattened (DuckDB's QueryResult::Fetch), so a vector's
    // memory holds `n` values in row order.
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
      for (let i = 0; i < n; i++) this.values.push(isValid(i) ? (vector.getItem(i) as unknown) : null);
    }
  }

  finish(length: number): Data {
    const { kind, arrow } = this.plan;
    if (kind === 'string' || kind === 'blob' || kind === 'nested') return valuesToData(this.plan.type, arrow, this.values);
    const nullBitmap = this.nulls > 0 ? bitmapOf(this.valid.length, (i) => this.valid[i]!) : undefined;
    const base = { type: arrow, length, nullCount: this.nulls, ...(nullBitmap ? { nullBitmap } : {}) };
    if (kind === 'bool') return makeData({ ...base, data: bitmapOf(this.bools.length, (i) => this.bools[i] !== 0) } as never);
    const bytes = concat(this.parts);
    const T = arrayTypeOf(arrow);
    return makeData({ ...base, data: new T(bytes.buffer, bytes.byteOffset, bytes.byteLength / T.BYTES_PER_ELEMENT) } as never);
  }
}

type TypedArrayCtor = {
  new (length: number): ArrayLike<number | bigint> & { [i: number]: number | bigint };
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView;
  BYTES_PER_ELEMENT: number;
};

function arrayTypeOf(type: DataType): TypedArrayCtor {
  return (type as unknown as { ArrayType: TypedArrayCtor }).ArrayType;
}

/** The number or bigint DuckDB's JS value stands for, in the unit of its Arrow type. */
function scalarOf(typeId: DuckDBTypeId, v: unknown): number | bigint {
  switch (typeId) {
    case DuckDBTypeId.DATE:
      return (v as { days: number }).days;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v as { micros: bigint }).micros;
    case DuckDBTypeId.TIMESTAMP_MS:
      return (v as { millis: bigint }).millis;
    case DuckDBTypeId.TIMESTAMP_S:
      return (v as { seconds: bigint }).seconds;
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v as { nanos: bigint }).nanos;
    default:
      return v as number | bigint;
  }
}

/** Arrow data from DuckDB's JS values (`null` for SQL NULL), recursing into lists and structs. */
function valuesToData(type: DuckDBType, arrow: DataType, values: readonly unknown[]): Data {
  const length = values.length;
  let nullCount = 0;
  for (const v of values) if (v === null || v === undefined) nullCount++;
  const base = {
    type: arrow,
    length,
    nullCount,
    ...(nullCount > 0 ? { nullBitmap: bitmapOf(values.length, (i) => values[i] !== null && values[i] !== undefined) } : {}),
  };
  if (type instanceof DuckDBListType) {
    const offsets = new Int32Array(length + 1);
    const items: unknown[] = [];
    values.forEach((v, i) => {
      if (v) for (const item of (v as DuckDBListValue).items) items.push(item);
      offsets[i + 1] = items.length;
    });
    const child = valuesToData(type.valueType, (arrow as List).valueType, items);
    return makeData({ ...base, valueOffsets: offsets, child } as never);
  }
  if (type instanceof DuckDBStructType) {
    const fields = (arrow as Struct).children;
    const children = type.entryNames.map((name, c) =>
      valuesToData(
        type.entryTypes[c]!,
        fields[c]!.type,
        values.map((v) => (v ? ((v as DuckDBStructValue).entries[name] ?? null) : null)),
      ),
    );
    return makeData({ ...base, children } as never);
  }
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return makeData({ ...base, data: bitmapOf(values.length, (i) => values[i] === true) } as never);
    case DuckDBTypeId.VARCHAR:
      return makeData({ ...base, ...variableWidthOf(values.map((v) => (typeof v === 'string' ? encoder.encode(v) : null))) } as never);
    case DuckDBTypeId.BLOB:
      return makeData({ ...base, ...variableWidthOf(values.map((v) => (v ? (v as { bytes: Uint8Array }).bytes : null))) } as never);
    case DuckDBTypeId.DECIMAL: {
      const out = new BigInt64Array(length * 2);
      values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        const unscaled = (v as { value: bigint }).value;
        out[i * 2] = BigInt.asIntN(64, unscaled);
        out[i * 2 + 1] = BigInt.asIntN(64, unscaled >> 64n);
      });
      return makeData({ ...base, data: new Uint32Array(out.buffer) } as never);
    }
    default: {
      const out = new (arrayTypeOf(arrow))(length);
      values.forEach((v, i) => {
        if (v !== null && v !== undefined) out[i] = scalarOf(type.typeId, v);
      });
      return makeData({ ...base, data: out } as never);
    }
  }
}

const encoder = new TextEncoder();

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
