import { makeData, Utf8, Vector, Int32 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bitmapOf, validityOf, variableWidthOf } from './buffers.js';

describe('Arrow buffers', () => {
  it('sets bit i of byte i>>3 in LSB order', () => {
    expect([...bitmapOf(10, (i) => i % 3 === 0)]).toEqual([0b01001001, 0b00000010]);
  });

  it('builds columns Arrow reads back exactly, nulls included', () => {
    const texts = ['a', null, 'ünï', ''];
    const enc = new TextEncoder();
    const utf8 = makeData({ type: new Utf8(), length: 4, ...validityOf(texts), ...variableWidthOf(texts.map((t) => (t === null ? null : enc.encode(t)))) });
    expect(new Vector([utf8]).toArray()).toEqual(['a', null, 'ünï', '']);
    const ints = [1, null, 3];
    const int32 = makeData({ type: new Int32(), length: 3, ...validityOf(ints), data: Int32Array.from(ints, (v) => v ?? 0) });
    expect([...new Vector([int32])]).toEqual([1, null, 3]);
    expect(validityOf([1, 2])).toEqual({ nullCount: 0 });
    expect(validityOf(['x', ''], (v) => v === '').nullCount).toBe(1);
  });
});
