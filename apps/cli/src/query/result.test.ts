import { describe, expect, it } from 'vitest';
import { formatResult, type QueryResult } from './result.js';

const result: QueryResult = {
  columns: ['id', 'name', 'amount'],
  types: ['BIGINT', 'VARCHAR', 'DECIMAL(38,2)'],
  rows: [
    ['9007199254740993', 'a, "quoted"', '12345678901234567890.12'],
    ['2', null, '-1.50'],
  ],
  row_count: 2,
  truncated: true,
};

describe('formatResult', () => {
  it('keeps exact integers and decimals in every format', () => {
    for (const format of ['table', 'csv', 'json'] as const) {
      const text = formatResult(result, format);
      expect(text).toContain('9007199254740993');
      expect(text).toContain('12345678901234567890.12');
    }
  });

  it('quotes CSV cells with commas and quotes, and writes NULL as empty', () => {
    expect(formatResult(result, 'csv')).toBe('id,name,amount\n9007199254740993,"a, ""quoted""",12345678901234567890.12\n2,,-1.50');
  });

  it('writes JSON rows as objects keyed by column', () => {
    expect(JSON.parse(formatResult(result, 'json')).rows[1]).toEqual({ id: '2', name: null, amount: '-1.50' });
  });

  it('right-aligns numbers in the table and says when rows were cut', () => {
    const lines = formatResult(result, 'table').split('\n');
    expect(lines[3]).toMatch(/^ {15}2 \| NULL/);
    expect(lines.at(-1)).toBe('(2 rows, truncated: raise --limit to see more)');
  });
});
