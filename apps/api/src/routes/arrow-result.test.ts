import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowResult } from './arrow-result.js';

describe('Arrow query results', () => {
  it('keeps columns by position when names repeat, with exact 64-bit integers', () => {
    const table = tableFromIPC(
      arrowResult(
        [
          { name: 'a', type: 'INTEGER' },
          { name: 'a', type: 'BIGINT' },
          { name: 'b', type: 'VARCHAR' },
        ],
        [
          [1, '9007199254740993', 'x'],
          [2, null, null],
        ],
      ),
    );
    expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'a_1', 'b']);
    expect(table.numRows).toBe(2);
    expect([...table.getChildAt(0)!]).toEqual([1, 2]);
    expect([...table.getChildAt(1)!]).toEqual([9007199254740993n, null]);
    expect([...table.getChildAt(2)!]).toEqual(['x', null]);
  });

  it('encodes an empty result with its columns', () => {
    const table = tableFromIPC(arrowResult([{ name: 'n', type: 'BIGINT' }], []));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['n']);
  });
});
