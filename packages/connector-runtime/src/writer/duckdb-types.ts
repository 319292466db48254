import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  FLOAT,
  INTEGER,
  LIST,
  SMALLINT,
  STRUCT,
  TIME,
  TIMESTAMP,
  TIMESTAMP_MS,
  TIMESTAMP_NS,
  TIMESTAMP_S,
  TIMESTAMPTZ,
  TINYINT,
  UBIGINT,
  UINTEGER,
  USMALLINT,
  UTINYINT,
  VARCHAR,
  type DuckDBType,
} from '@duckdb/node-api';
import { DataType, type Field, type Schema, TimeUnit, Type } from 'apache-arrow';
import type { SchemaJson } from '@agnes/connector-kit';

/** Thrown when an Arrow type has no exact DuckDB equivalent we write. */
export class UnsupportedTypeError extends Error {
  constructor(column: string, type: DataType) {
    super(
      `column ${JSON.stringify(column)} has Arrow type ${String(type)}, which the runtime does not write; ` +
        'supported: ints, floats, bool, utf8, binary, decimal, date, time, timestamp, list, struct, dictionary',
    );
    this.name = 'UnsupportedTypeError';
  }
}

/**
 * The DuckDB type a column of this Arrow type is written as. The mapping is exact:
 * no value changes on the way (timestamps with a zone are UTC instants already;
 * nanosecond ones keep nanoseconds in TIMESTAMP_NS because DuckDB has no
 * nanosecond TIMESTAMPTZ).
 */
export function duckdbTypeOf(type: DataType, column: string): DuckDBType {
  if (DataType.isDictionary(type)) return duckdbTypeOf(type.dictionary, column);
  switch (type.typeId) {
    case Type.Int: {
      const t = type as unknown as { bitWidth: number; isSigned: boolean };
      const signed = [TINYINT, SMALLINT, INTEGER, BIGINT];
      const unsigned = [UTINYINT, USMALLINT, UINTEGER, UBIGINT];
      const i = Math.log2(t.bitWidth) - 3;
      const r = (t.isSigned ? signed : unsigned)[i];
      if (!r) throw new UnsupportedTypeError(column, type);
      return r;
    }
    case Type.Float: {
      const p = (type as unknown as { precision: number }).precision;
      return p === 2 ? DOUBLE : FLOAT;
    }
    case Type.Bool:
      return BOOLEAN;
    case Type.Utf8:
    case Type.LargeUtf8:
      return VARCHAR;
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return BLOB;
    case Type.Decimal: {
      const d = type as unknown as { precision: number; scale: number; bitWidth: number };
      if (d.precision > 38 || (d.bitWidth !== 64 && d.bitWidth !== 128)) throw new UnsupportedTypeError(column, type);
      return DECIMAL(d.precision, d.scale);
    }
    case Type.Date:
      return DATE;
    case Type.Time:
      return TIME;
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone: string | null };
      if (t.timezone) return t.unit === TimeUnit.NANOSECOND ? TIMESTAMP_NS : TIMESTAMPTZ;
      switch (t.unit) {
        case TimeUnit.SECOND:
          return TIMESTAMP_S;
        case TimeUnit.MILLISECOND:
          return TIMESTAMP_MS;
        case TimeUnit.MICROSECOND:
          return TIMESTAMP;
        default:
          return TIMESTAMP_NS;
      }
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const child = type.children[0];
      if (!child) throw new UnsupportedTypeError(column, type);
      return LIST(duckdbTypeOf(child.type, `${column}.${child.name}`));
    }
    case Type.Struct: {
      const entries: Record<string, DuckDBType> = {};
      for (const f of type.children) entries[f.name] = duckdbTypeOf(f.type, `${column}.${f.name}`);
      return STRUCT(entries);
    }
    default:
      throw new UnsupportedTypeError(column, type);
  }
}

/** `schema_json` for an Arrow schema: DuckDB type strings and nullability. */
export function schemaJsonOf(schema: Schema): SchemaJson {
  return {
    fields: schema.fields.map((f: Field) => ({
      name: f.name,
      type: duckdbTypeOf(f.type, f.name).toString(),
      nullable: f.nullable,
    })),
  };
}
