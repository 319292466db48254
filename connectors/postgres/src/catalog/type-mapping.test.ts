import { describe, expect, it } from 'vitest';
import { mapPgType, numericPrecisionScale } from './type-mapping.js';

const typmod = (p: number, s: number) => ((p << 16) | (s & 0x7ff)) + 4;

describe('mapPgType', () => {
  it('maps numeric(p ≤ 38, s) to Decimal128 and wider or unconstrained numerics to exact text', () => {
    expect(numericPrecisionScale(typmod(38, 10))).toEqual({ precision: 38, scale: 10 });
    expect(numericPrecisionScale(typmod(5, -2))).toEqual({ precision: 5, scale: -2 });
    expect(numericPrecisionScale(-1)).toBeUndefined();
    const d = mapPgType({ typname: 'numeric', category: 'N', elemTypname: null, typmod: typmod(38, 10) });
    expect(d.kind).toEqual({ scalar: 'decimal', list: false, scale: 10 });
    for (const mod of [-1, typmod(39, 2), typmod(5, -2)]) {
      expect(String(mapPgType({ typname: 'numeric', category: 'N', elemTypname: null, typmod: mod }).arrow)).toBe('Utf8');
    }
  });

  it('maps arrays of scalars to lists and everything unknown to text', () => {
    expect(String(mapPgType({ typname: '_int8', category: 'A', elemTypname: 'int8', typmod: -1 }).arrow)).toBe('List<Int64>');
    const inet = mapPgType({ typname: '_inet', category: 'A', elemTypname: 'inet', typmod: -1 });
    expect([String(inet.arrow), inet.castToText]).toEqual(['Utf8', true]);
    const interval = mapPgType({ typname: 'interval', category: 'T', elemTypname: null, typmod: -1 });
    expect([String(interval.arrow), interval.castToText]).toEqual(['Utf8', true]);
  });
});
