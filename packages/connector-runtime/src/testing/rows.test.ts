import { Field, Int64, List, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { multiset, multisetDifference, stableJson } from './rows.js';

describe('stableJson', () => {
  it('writes bigint, Date, bytes, NaN and key order the same way every time', () => {
    expect(stableJson({ b: 1n, a: new Uint8Array([0, 255]), d: new Date(Date.UTC(2026, 0, 1)), n: Number.NaN })).toBe(
      '{"a":"00FF","b":"1","d":"1767225600000","n":"NaN"}',
    );
    expect(stableJson({ x: 1, y: [2] })).toBe(stableJson({ y: [2n], x: 1n }));
  });

  it('writes an Arrow list value like the plain array DuckDB returns', () => {
    const list = vectorFromArray([[1n, null, 3n]], new List(new Field('item', new Int64(), true))).get(0);
    expect(stableJson(list)).toBe(stableJson([1n, null, 3n]));
  });
});

describe('multisetDifference', () => {
  it('ignores order but not multiplicity', () => {
    expect(multisetDifference(multiset(['a', 'b', 'a']), multiset(['b', 'a', 'a']))).toBeUndefined();
    expect(multisetDifference(multiset(['a', 'a']), multiset(['a']))).toBe('row a was read 2 time(s) but the view returns it 1 time(s)');
    expect(multisetDifference(multiset(['a']), multiset(['a', 'c']))).toBe('the view returns row c (1 time(s)) that read() never yielded');
  });
});
