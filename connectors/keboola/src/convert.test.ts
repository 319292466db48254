import { describe, expect, it } from 'vitest';
import { RecordError } from '@agnes/connector-kit';
import { parseDateDay, parseDecimal, parseInt64, parseTimestampMicros } from './convert.js';
import { sanitizeTableName, uniqueNames } from './naming.js';
import { arrowTypeFor } from './types.js';

describe('conversions', () => {
  it('parses int64 exactly and refuses overflow', () => {
    expect(parseInt64('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseInt64('-42.000')).toBe(-42n);
    expect(() => parseInt64('9223372036854775808')).toThrow(RecordError);
    expect(() => parseInt64('1.5')).toThrow(RecordError);
  });

  it('parses decimals to scaled bigints without floating point', () => {
    expect(parseDecimal('1234567890123456.78', 2, 18)).toBe(123456789012345678n);
    expect(parseDecimal('-0.05', 2, 18)).toBe(-5n);
    expect(parseDecimal('7', 2, 18)).toBe(700n);
    expect(parseDecimal('1.50000', 2, 18)).toBe(150n);
    expect(parseDecimal('1.5e2', 2, 18)).toBe(15000n);
    expect(parseDecimal('.5', 2, 18)).toBe(50n);
    expect(() => parseDecimal('1.234', 2, 18)).toThrow(/decimal places/);
    expect(() => parseDecimal('12345678901234567.00', 2, 18)).toThrow(/does not fit/);
    expect(() => parseDecimal('abc', 2, 18)).toThrow(RecordError);
  });

  it('parses dates and timestamps to days and µs', () => {
    expect(parseDateDay('1970-01-02')).toBe(1);
    expect(() => parseDateDay('2023-02-30')).toThrow(RecordError);
    expect(parseTimestampMicros('1970-01-01 00:00:00.000001')).toBe(1n);
    expect(parseTimestampMicros('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(parseTimestampMicros('1970-01-01T00:00:00-0030')).toBe(1_800_000_000n);
    expect(parseTimestampMicros('1970-01-01')).toBe(0n);
    expect(() => parseTimestampMicros('yesterday')).toThrow(RecordError);
  });
});

describe('names and types', () => {
  it('sanitises names', () => {
    expect(sanitizeTableName('in', 'c-crm', 'orders')).toBe('in_c_crm_orders');
    expect(sanitizeTableName('1n', 'B', 'T')).toBe('t_1n_b_t');
    expect(sanitizeTableName('out', 'c-x', 'y'.repeat(100))).toHaveLength(64);
    expect(uniqueNames(['a_b', 'A_B', 'c'])).toEqual(['a_b', 'A_B_2', 'c']);
  });

  it('maps basetypes', () => {
    const t = (basetype?: string, length?: string) =>
      String(arrowTypeFor([...(basetype ? [{ key: 'KBC.datatype.basetype', value: basetype }] : []), ...(length ? [{ key: 'KBC.datatype.length', value: length }] : [])]));
    expect(t('INTEGER')).toBe('Int64');
    expect(t('NUMERIC', '38,10')).toBe('Decimal[38e+10]'); // apache-arrow prints precision e+scale
    expect(t('NUMERIC', '39,2')).toBe('Utf8');
    expect(t('NUMERIC')).toBe('Utf8');
    expect(t('FLOAT')).toBe('Float64');
    expect(t('BOOLEAN')).toBe('Bool');
    expect(t('DATE')).toBe('Date32<DAY>');
    expect(t('TIMESTAMP')).toBe('Timestamp<MICROSECOND, UTC>');
    expect(t('STRING')).toBe('Utf8');
    expect(t('GEOGRAPHY')).toBe('Utf8');
    expect(t()).toBe('Utf8');
    // A user-set basetype wins over the provider's.
    expect(String(arrowTypeFor([{ key: 'KBC.datatype.basetype', value: 'STRING', provider: 'user' }, { key: 'KBC.datatype.basetype', value: 'INTEGER', provider: 'x' }]))).toBe('Utf8');
  });
});
