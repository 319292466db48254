import { describe, expect, it } from 'vitest';
import { parseArrayText, parseBytea, parseDate, parseDecimalUnscaled, parseTimestampMicros, ValueError } from './text-values.js';

describe('text value parsers', () => {
  it('turns timestamps with offsets and fractions into exact UTC microseconds', () => {
    expect(parseTimestampMicros('1970-01-01 00:00:00')).toBe(0n);
    expect(parseTimestampMicros('2024-01-01 10:00:00.5+05:30')).toBe(BigInt(Date.parse('2024-01-01T04:30:00.500Z')) * 1000n);
    expect(parseTimestampMicros('1969-12-31 23:59:59.999999-08')).toBe(28_799_999_999n);
    expect(parseTimestampMicros('1900-01-01 00:00:00+00:19:32')).toBe(BigInt(Date.UTC(1900, 0, 1) - (19 * 60 + 32) * 1000) * 1000n);
    // The largest nanosecond instant, in microseconds.
    expect(parseTimestampMicros('2262-04-11 23:47:16.854775+00')).toBe(9_223_372_036_854_775n);
    const bc = new Date(0);
    bc.setUTCFullYear(0, 0, 1); // 1 BC is astronomical year 0
    expect(parseTimestampMicros('0001-01-01 00:00:00.000001 BC')).toBe(BigInt(bc.getTime()) * 1000n + 1n);
  });

  it('rejects infinite timestamps and dates instead of inventing a value', () => {
    expect(() => parseTimestampMicros('infinity')).toThrow(ValueError);
    expect(() => parseDate('-infinity')).toThrow(ValueError);
  });

  it('counts days across the epoch, leap days and BC years', () => {
    expect(parseDate('1970-01-01')).toBe(0);
    expect(parseDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(parseDate('1600-03-01')).toBe(Date.UTC(1600, 2, 1) / 86_400_000);
    const d = new Date(0);
    d.setUTCFullYear(-43, 2, 15); // 44 BC is astronomical year -43
    expect(parseDate('0044-03-15 BC')).toBe(d.getTime() / 86_400_000);
  });

  it('keeps decimals exact at their scale and refuses NaN and infinities', () => {
    expect(parseDecimalUnscaled('9999999999999999999999999999.9999999999', 10)).toBe(99999999999999999999999999999999999999n);
    expect(parseDecimalUnscaled('-0.01', 2)).toBe(-1n);
    expect(parseDecimalUnscaled('12', 3)).toBe(12000n);
    expect(parseDecimalUnscaled('9007199254740993', 0)).toBe(9007199254740993n);
    for (const bad of ['NaN', 'Infinity', '-Infinity']) expect(() => parseDecimalUnscaled(bad, 2)).toThrow(ValueError);
  });

  it('parses one-dimensional array literals with quotes, escapes and NULLs', () => {
    expect(parseArrayText('{}')).toEqual([]);
    expect(parseArrayText('{a,"b,c",NULL,"NULL","q\\"x","back\\\\slash"}')).toEqual(['a', 'b,c', null, 'NULL', 'q"x', 'back\\slash']);
    expect(parseArrayText('[2:3]={7,8}')).toEqual(['7', '8']);
    expect(() => parseArrayText('{{1,2},{3,4}}')).toThrow(ValueError);
  });

  it('decodes hex bytea', () => {
    expect([...parseBytea('\\x00ff10')]).toEqual([0, 255, 16]);
    expect([...parseBytea('\\x')]).toEqual([]);
  });
});
