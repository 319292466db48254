import { Bool, type DataType, DateDay, Decimal, Field, Float64, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';

/** One entry of a column's metadata as the Storage API lists it. */
export interface KbcMetadataEntry {
  key: string;
  value: string;
  provider?: string;
}

/** Greatest decimal precision stored as Arrow Decimal128. */
export const MAX_DECIMAL_PRECISION = 38;

/**
 * The value of `key` in a column's metadata. Several providers may set the same key;
 * a value set by the `user` provider wins, otherwise the last one listed.
 */
export function metadataValue(entries: readonly KbcMetadataEntry[] | undefined, key: string): string | undefined {
  if (!entries) return undefined;
  const matching = entries.filter((e) => e.key === key);
  const user = matching.find((e) => e.provider === 'user');
  return (user ?? matching[matching.length - 1])?.value;
}

/**
 * The Arrow type of a Keboola column from its `KBC.datatype.basetype` (and
 * `KBC.datatype.length` for NUMERIC):
 *
 * | basetype | Arrow |
 * |---|---|
 * | INTEGER | Int64 |
 * | NUMERIC with length `p,s` (or `p`), p ≤ 38 | Decimal(s, p, 128) |
 * | NUMERIC otherwise | Utf8 (the exact text) |
 * | FLOAT | Float64 |
 * | BOOLEAN | Bool |
 * | DATE | DateDay |
 * | TIMESTAMP | TimestampMicrosecond('UTC') |
 * | STRING, missing or unknown | Utf8 |
 *
 * @example
 * arrowTypeFor([{ key: 'KBC.datatype.basetype', value: 'NUMERIC' }, { key: 'KBC.datatype.length', value: '18,2' }]); // Decimal(2, 18)
 */
export function arrowTypeFor(entries: readonly KbcMetadataEntry[] | undefined): DataType {
  const base = metadataValue(entries, 'KBC.datatype.basetype')?.trim().toUpperCase();
  switch (base) {
    case 'INTEGER':
      return new Int64();
    case 'NUMERIC': {
      const m = /^\s*(\d+)\s*(?:,\s*(\d+)\s*)?$/.exec(metadataValue(entries, 'KBC.datatype.length') ?? '');
      if (!m) return new Utf8();
      const precision = Number(m[1]);
      const scale = Number(m[2] ?? '0');
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) return new Utf8();
      return new Decimal(scale, precision, 128);
    }
    case 'FLOAT':
      return new Float64();
    case 'BOOLEAN':
      return new Bool();
    case 'DATE':
      return new DateDay();
    case 'TIMESTAMP':
      return new TimestampMicrosecond('UTC');
    default:
      return new Utf8();
  }
}

/** A nullable Arrow field for a Keboola column (Keboola does not enforce NOT NULL on exports). */
export function fieldFor(name: string, entries: readonly KbcMetadataEntry[] | undefined): Field {
  return new Field(name, arrowTypeFor(entries), true);
}
