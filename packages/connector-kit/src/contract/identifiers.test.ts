import { describe, expect, it } from 'vitest';
import { identifierProblem, isValidIdentifier, quoteIdent, quoteLiteral } from './identifiers.js';

describe('identifiers', () => {
  it('accepts the documented pattern', () => {
    for (const ok of ['a', 'orders', 'Orders_2026', 'x'.repeat(64), 'A1_b2']) expect(isValidIdentifier(ok, 'table')).toBe(true);
  });

  it('refuses bad names with a message naming the name and the rule', () => {
    for (const bad of ['', '1abc', 'a-b', 'a b', 'x'.repeat(65), 'žluť', 'tablé', 'données_2026', 'a;drop', 'a"b', 'a\n']) {
      expect(isValidIdentifier(bad, 'table')).toBe(false);
    }
    expect(identifierProblem('1abc', 'source')).toBe(
      'source name "1abc" is invalid: it must be a letter or underscore, then letters, digits or underscores, at most 64 characters, not starting with "_" (reserved)',
    );
  });

  it('reserves a leading underscore for contract tables, for sources and tables only', () => {
    expect(identifierProblem('_meta', 'table')).toMatch(/reserved for contract tables/);
    expect(identifierProblem('_x', 'source')).toMatch(/reserved/);
    expect(identifierProblem('_x', 'column')).toBeUndefined();
  });

  it("refuses source and table names that would shadow DuckDB's catalog, in any case", () => {
    const reserved = ['duckdb_tables', 'DuckDB_Settings', 'pg_class', 'pg_anything', 'sqlite_master', 'information_schema', 'PG_CATALOG', 'read_parquet', 'read_csv', 'range', 'generate_series', 'unnest', 'glob', 'query', 'Query_Table'];
    for (const name of reserved) {
      expect(identifierProblem(name, 'table'), name).toMatch(/is reserved: .*DuckDB/);
      expect(identifierProblem(name, 'source'), name).toMatch(/is reserved/);
    }
    expect(identifierProblem('duckdb_tables', 'table')).toBe(
      'table name "duckdb_tables" is reserved: names starting with "duckdb_" are DuckDB\'s catalog views and functions, which the name would shadow in SQL; choose another name',
    );
    for (const name of ['ranges', 'queries', 'pgx', 'duckdb', 'my_duckdb_tables', 'read_parquet_files', 'airports']) expect(identifierProblem(name, 'table'), name).toBeUndefined();
    expect(identifierProblem('range', 'column')).toBeUndefined();
  });

  it('quotes identifiers and literals', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});
