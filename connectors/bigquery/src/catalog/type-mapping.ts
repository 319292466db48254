import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int64,
  List,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';

/** A column as BigQuery describes it (`TableFieldSchema` of tables.get and query results). */
export interface BqField {
  name: string;
  type: string;
  mode?: string;
  fields?: BqField[];
  description?: string;
  precision?: string;
  scale?: string;
}

/** The scalar decodings a BigQuery value can need. */
export type BqScalarKind = 'int64' | 'float64' | 'numeric' | 'bool' | 'string' | 'bytes' | 'date' | 'datetime' | 'timestamp' | 'time';

/** NUMERIC holds 38 digits with 9 after the point: exactly Arrow decimal(38, 9). */
export const NUMERIC_PRECISION = 38;
/** Scale of NUMERIC values. */
export const NUMERIC_SCALE = 9;

/**
 * The scalar kind of a BigQuery type name (legacy spellings included), or undefined
 * for RECORD/STRUCT. BIGNUMERIC (76 digits) does not fit a decimal128, so it stays its
 * exact text; JSON, GEOGRAPHY (WKT), INTERVAL and RANGE are text too.
 */
export function scalarKind(type: string): BqScalarKind | undefined {
  switch (type.toUpperCase()) {
    case 'INT64':
    case 'INTEGER':
      return 'int64';
    case 'FLOAT64':
    case 'FLOAT':
      return 'float64';
    case 'NUMERIC':
    case 'DECIMAL':
      return 'numeric';
    case 'BOOL':
    case 'BOOLEAN':
      return 'bool';
    case 'BYTES':
      return 'bytes';
    case 'DATE':
      return 'date';
    case 'DATETIME':
      return 'datetime';
    case 'TIMESTAMP':
      return 'timestamp';
    case 'TIME':
      return 'time';
    case 'RECORD':
    case 'STRUCT':
      return undefined;
    default:
      // STRING, BIGNUMERIC/BIGDECIMAL, JSON, GEOGRAPHY, INTERVAL, RANGE and any type added later.
      return 'string';
  }
}

/** True for RECORD/STRUCT columns. */
export function isRecord(f: BqField): boolean {
  return scalarKind(f.type) === undefined;
}

/** True for REPEATED (array) columns. */
export function isRepeated(f: BqField): boolean {
  return (f.mode ?? 'NULLABLE').toUpperCase() === 'REPEATED';
}

function scalarArrowType(kind: BqScalarKind): DataType {
  switch (kind) {
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'numeric':
      return new Decimal(NUMERIC_SCALE, NUMERIC_PRECISION, 128);
    case 'bool':
      return new Bool();
    case 'string':
      return new Utf8();
    case 'bytes':
      return new Binary();
    case 'date':
      return new DateDay();
    case 'datetime':
      return new TimestampMicrosecond();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
    case 'time':
      return new TimeMicrosecond();
  }
}

/** The Arrow type of one element of `f` (for a REPEATED column, of its items). */
export function elementArrowType(f: BqField): DataType {
  const kind = scalarKind(f.type);
  if (kind) return scalarArrowType(kind);
  // Nested fields are nullable whatever their mode: a NULL parent STRUCT leaves them without a value.
  return new Struct((f.fields ?? []).map((c) => arrowField(c, true)));
}

/**
 * The Arrow field of a BigQuery column: REQUIRED columns are not nullable; REPEATED
 * columns become a non-null `List` (BigQuery has no NULL arrays, only empty ones);
 * RECORD becomes `Struct`. `nested` marks a field inside a STRUCT or list, always nullable.
 */
export function arrowField(f: BqField, nested = false): Field {
  const element = elementArrowType(f);
  if (isRepeated(f)) return new Field(f.name, new List(new Field('item', element, true)), nested);
  const required = (f.mode ?? 'NULLABLE').toUpperCase() === 'REQUIRED';
  return new Field(f.name, element, nested || !required);
}

/** The Arrow schema of a BigQuery table or query result schema. */
export function arrowSchema(fields: readonly BqField[]): Schema {
  return new Schema(fields.map((f) => arrowField(f)));
}
