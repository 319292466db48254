import { describe, expect, it } from 'vitest';
import { daysFromCivil, parseDate, parseDatetime, parseInt64, parseTime, parseTimestamp, parseUnscaled, ValueError } from './values.js';

describe('parseUnscaled', () => {
  it('scales decimal text exactly, exponents included', () => {
    expect(parseUnscaled('12.5', 9)).toBe(12_500_000_000n);
    expect(parseUnscaled('-0.000000001', 9)).toBe(-1n);
    expect(parseUnscaled('99999999999999999999999999999.999999999', 9)).toBe(99999999999999999999999999999999999999n);
    expect(parseUnscaled('1.5E9', 6)).toBe(1_500_000_000_000_000n);
    expect(parseUnscaled('1.25e-3', 6)).toBe(1250n);
    expect(parseUnscaled('7.000', 0)).toBe(7n);
  });

  it('refuses digits that would be rounded away, and non-numbers', () => {
    expect(() => parseUnscaled('0.0000000001', 9)).toThrow(ValueError);
    expect(() => parseUnscaled('abc', 9)).toThrow(ValueError);
    expect(() => parseUnscaled('.', 9)).toThrow(ValueError);
  });
});

describe('temporal values', () => {
  it('counts days with the proleptic Gregorian calendar for every year', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(parseDate('0001-01-01')).toBe(-719_162);
    expect(parseDate('9999-12-31')).toBe(2_932_896);
    expect(parseDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
  });

  it('reads TIME, DATETIME and both TIMESTAMP spellings to the microsecond', () => {
    expect(parseTime('23:59:59.999999')).toBe(86_399_999_999n);
    expect(parseTime('00:00:01.5')).toBe(1_500_000n);
    expect(parseDatetime('2026-03-01T10:20:30.000001')).toBe(BigInt(Date.UTC(2026, 2, 1, 10, 20, 30)) * 1000n + 1n);
    expect(parseDatetime('2026-03-01 10:20:30')).toBe(BigInt(Date.UTC(2026, 2, 1, 10, 20, 30)) * 1000n);
    expect(parseTimestamp('1767225600000001')).toBe(1_767_225_600_000_001n);
    expect(parseTimestamp('1.767225600000001E9')).toBe(1_767_225_600_000_001n);
    expect(parseTimestamp('-1.0E-6')).toBe(-1n);
  });

  it('keeps INT64 exact and range-checked', () => {
    expect(parseInt64('9007199254740993')).toBe(9_007_199_254_740_993n);
    expect(() => parseInt64('9223372036854775808')).toThrow(ValueError);
  });
});
