import { describe, expect, it } from 'vitest';
import { isValidIdentifier } from '@agnes/connector-kit';
import { assignTableNames, sanitizeTableName } from './naming.js';

describe('table naming rule', () => {
  it('lower-cases, replaces other characters with _ and prefixes a leading digit', () => {
    expect(sanitizeTableName('Seattle-Weather.csv')).toBe('seattle_weather');
    expect(sanitizeTableName('2024 Sales (final).parquet')).toBe('t_2024_sales__final_');
    expect(sanitizeTableName('žluťoučký.json')).toBe('t__lu_ou_k_');
    expect(sanitizeTableName('_hidden.csv')).toBe('t__hidden');
    expect(sanitizeTableName('.csv')).toBe('t__csv');
    expect(sanitizeTableName('')).toBe('t_');
    expect(sanitizeTableName('a'.repeat(80) + '.csv')).toBe('a'.repeat(64));
  });

  it("prefixes names that would shadow DuckDB's catalog, so such a file still publishes", () => {
    expect(sanitizeTableName('range.csv')).toBe('t_range');
    expect(sanitizeTableName('DuckDB_Tables.parquet')).toBe('t_duckdb_tables');
    expect(sanitizeTableName('pg_stats.json')).toBe('t_pg_stats');
    expect(sanitizeTableName('information_schema.csv')).toBe('t_information_schema');
    expect(sanitizeTableName('ranges.csv')).toBe('ranges');
  });

  it('always produces a valid identifier of at most 64 characters', () => {
    for (const f of ['a'.repeat(100) + '.csv', '9.csv', '---.csv', 'ok.csv', 'read_parquet.csv', `pg_${'x'.repeat(70)}.csv`]) {
      const name = sanitizeTableName(f);
      expect(name.length).toBeLessThanOrEqual(64);
      expect(isValidIdentifier(name, 'table')).toBe(true);
    }
  });

  it('suffixes collisions in file-name order', () => {
    const names = assignTableNames(['b/Sales.csv', 'a/sales.json', 'SALES.parquet', 'x'.repeat(70) + '.csv', 'x'.repeat(65) + '.csv']);
    expect(names.get('sales')).toBe('SALES.parquet');
    expect(names.get('sales_2')).toBe('a/sales.json');
    expect(names.get('sales_3')).toBe('b/Sales.csv');
    expect([...names.keys()].filter((n) => n.startsWith('xxx')).map((n) => n.length)).toEqual([64, 64]);
  });
});
