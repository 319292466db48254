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
  List,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';

/** How one scalar value arrives (as PostgreSQL's text output) and what it becomes. */
export type ScalarKind =
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'decimal'
  | 'bool'
  | 'text'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'bytea';

/** A column's decoding: a scalar, or a one-dimensional array of scalars. */
export interface ValueKind {
  scalar: ScalarKind;
  list: boolean;
  /** Scale of a `decimal` (digits after the point). */
  scale?: number;
}

/** The catalog facts the mapping needs about one column's type. */
export interface PgTypeInfo {
  /** `pg_type.typname` of the column type (`_int4` for `int4[]`). */
  typname: string;
  /** `pg_type.typcategory`: `A` for arrays. */
  category: string;
  /** Element `typname` of an array type. */
  elemTypname: string | null;
  /** `pg_attribute.atttypmod` (-1 when unconstrained). */
  typmod: number;
}

/** The Arrow type of a column and how to select and decode it. */
export interface MappedType {
  arrow: DataType;
  kind: ValueKind;
  /** True when the column is selected as `col::text` (types without an exact Arrow twin). */
  castToText: boolean;
}

/** Largest precision an Arrow Decimal128 holds. */
const MAX_DECIMAL_PRECISION = 38;

const SCALARS: Record<string, ScalarKind> = {
  int2: 'int16',
  int4: 'int32',
  int8: 'int64',
  float4: 'float32',
  float8: 'float64',
  numeric: 'decimal',
  bool: 'bool',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  char: 'text',
  uuid: 'text',
  json: 'text',
  jsonb: 'text',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  bytea: 'bytea',
};

/**
 * `numeric(p, s)` from a typmod, or undefined when unconstrained. The typmod packs
 * `((p << 16) | s) + 4`; since PostgreSQL 15 the scale is an 11-bit signed number.
 */
export function numericPrecisionScale(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const packed = typmod - 4;
  const precision = (packed >> 16) & 0xffff;
  const rawScale = packed & 0x7ff;
  const scale = rawScale & 0x400 ? rawScale - 0x800 : rawScale;
  return { precision, scale };
}

function scalarType(kind: ScalarKind, typmod: number): { arrow: DataType; kind: ValueKind } {
  switch (kind) {
    case 'int16':
      return { arrow: new Int16(), kind: { scalar: kind, list: false } };
    case 'int32':
      return { arrow: new Int32(), kind: { scalar: kind, list: false } };
    case 'int64':
      return { arrow: new Int64(), kind: { scalar: kind, list: false } };
    case 'float32':
      return { arrow: new Float32(), kind: { scalar: kind, list: false } };
    case 'float64':
      return { arrow: new Float64(), kind: { scalar: kind, list: false } };
    case 'decimal': {
      const ps = numericPrecisionScale(typmod);
      // Unconstrained, too wide, or a negative / larger-than-precision scale: no exact
      // Decimal128 twin, so the exact text travels as Utf8 rather than a rounded number.
      if (!ps || ps.precision > MAX_DECIMAL_PRECISION || ps.scale < 0 || ps.scale > ps.precision) {
        return { arrow: new Utf8(), kind: { scalar: 'text', list: false } };
      }
      return { arrow: new Decimal(ps.scale, ps.precision, 128), kind: { scalar: 'decimal', list: false, scale: ps.scale } };
    }
    case 'bool':
      return { arrow: new Bool(), kind: { scalar: kind, list: false } };
    case 'text':
      return { arrow: new Utf8(), kind: { scalar: kind, list: false } };
    case 'date':
      return { arrow: new DateDay(), kind: { scalar: kind, list: false } };
    case 'timestamp':
      return { arrow: new TimestampMicrosecond(), kind: { scalar: kind, list: false } };
    case 'timestamptz':
      return { arrow: new TimestampMicrosecond('UTC'), kind: { scalar: kind, list: false } };
    case 'bytea':
      return { arrow: new Binary(), kind: { scalar: kind, list: false } };
  }
}

/**
 * The exact Arrow type of a PostgreSQL column type. Arrays of supported scalars become
 * `List<element>`; anything else is selected as `::text` and becomes `Utf8`.
 */
export function mapPgType(info: PgTypeInfo): MappedType {
  if (info.category === 'A') {
    const elem = info.elemTypname ? SCALARS[info.elemTypname] : undefined;
    if (elem) {
      const inner = scalarType(elem, info.typmod);
      return {
        arrow: new List(new Field('item', inner.arrow, true)),
        kind: { ...inner.kind, list: true },
        castToText: false,
      };
    }
    return { arrow: new Utf8(), kind: { scalar: 'text', list: false }, castToText: true };
  }
  const scalar = SCALARS[info.typname];
  if (!scalar) return { arrow: new Utf8(), kind: { scalar: 'text', list: false }, castToText: true };
  return { ...scalarType(scalar, info.typmod), castToText: false };
}
