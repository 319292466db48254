import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '@agnes/connector-kit';
import { ALLOWED_FUNCTIONS, ALLOWED_TABLE_FUNCTIONS, BARE_KEYWORDS, REFUSED_FUNCTIONS, REFUSED_PRAGMAS, REFUSED_TABLE_FUNCTIONS } from './function-policy.js';
import { referencedTables } from './sql-guard.js';

interface Fn {
  name: string;
  type: string;
  schema: string;
  definition: string | null;
}

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let functions: Fn[];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  functions = (
    await conn.runAndReadAll(`SELECT DISTINCT function_name AS name, function_type AS type, schema_name AS schema, macro_definition AS definition FROM duckdb_functions()`)
  )
    .getRowObjectsJson()
    .map((r) => ({ name: String(r.name).toLowerCase(), type: String(r.type), schema: String(r.schema), definition: r.definition === null ? null : String(r.definition) }));
});
afterAll(() => instance.closeSync());

describe('function policy of the pinned DuckDB', () => {
  it('places every function of duckdb_functions() on the allowlist or the refused list, never both', () => {
    const unplaced: string[] = [];
    for (const f of functions) {
      const placed =
        f.type === 'table' || f.type === 'table_macro'
          ? ALLOWED_TABLE_FUNCTIONS.includes(f.name) || REFUSED_TABLE_FUNCTIONS.has(f.name)
          : f.type === 'pragma'
            ? REFUSED_PRAGMAS.has(f.name)
            : ALLOWED_FUNCTIONS.has(f.name) || REFUSED_FUNCTIONS.has(f.name);
      if (!placed) unplaced.push(`${f.schema}.${f.name} (${f.type})`);
    }
    // A DuckDB upgrade that adds a function fails here until the function is placed in function-policy.ts.
    expect(unplaced).toEqual([]);
    expect(functions.length).toBeGreaterThan(900);
    expect([...ALLOWED_FUNCTIONS].filter((n) => REFUSED_FUNCTIONS.has(n))).toEqual([]);
    expect(ALLOWED_TABLE_FUNCTIONS.filter((n) => REFUSED_TABLE_FUNCTIONS.has(n))).toEqual([]);
  });

  it('allows no function that takes or makes raw memory: aggregate states, pointers', async () => {
    const typed = (
      await conn.runAndReadAll(`SELECT DISTINCT lower(function_name) AS name, array_to_string(parameter_types, ',') || ' -> ' || coalesce(return_type, '') AS sig FROM duckdb_functions()`)
    ).getRowObjectsJson();
    const risky = typed.filter((r) => /AGGREGATE_STATE|POINTER/i.test(String(r.sig)));
    expect(risky.map((r) => r.name).sort()).toEqual(['arrow_scan', 'arrow_scan_dumb', 'combine', 'finalize']);
    expect(risky.filter((r) => ALLOWED_FUNCTIONS.has(String(r.name)) || ALLOWED_TABLE_FUNCTIONS.includes(String(r.name)))).toEqual([]);
    // And none that casts to the type of an arbitrary value.
    expect(['cast_to_type', 'replace_type'].filter((n) => ALLOWED_FUNCTIONS.has(n))).toEqual([]);
  });

  it('refuses every macro outside main (pg_catalog, information_schema) whatever it is called', () => {
    const outside = functions.filter((f) => f.schema !== 'main');
    expect(outside.length).toBeGreaterThan(40);
    expect(outside.filter((f) => ALLOWED_FUNCTIONS.has(f.name) || ALLOWED_TABLE_FUNCTIONS.includes(f.name)).map((f) => `${f.schema}.${f.name}`)).toEqual([]);
  });

  it('allows only main macros whose expansion calls allowed functions and reads no table', async () => {
    const macros = functions.filter((f) => f.type === 'macro' && f.schema === 'main' && ALLOWED_FUNCTIONS.has(f.name));
    expect(macros.length).toBeGreaterThan(50);
    const bad: string[] = [];
    for (const m of macros) {
      const tree = JSON.parse(
        String((await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(`SELECT ${m.definition}`)}) AS j`)).getRowObjectsJson()[0]?.j),
      ) as { error: boolean; statements: unknown };
      try {
        if (tree.error) throw new Error('the definition does not parse');
        const tables = referencedTables(tree.statements, 'memory');
        if (tables.length) throw new Error(`reads ${tables.join(', ')}`);
      } catch (error) {
        bad.push(`${m.name}: ${(error as Error).message}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('knows every name DuckDB resolves without parentheses, and each is a constant', async () => {
    // `SELECT current_user` binds to a function when no column has the name: the walker sees a column there.
    const bare: string[] = [];
    for (const name of new Set(functions.map((f) => f.name))) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) continue;
      const ran = await conn.runAndReadAll(`SELECT "${name}"`).then(
        () => true,
        () => false,
      );
      if (ran) bare.push(name);
    }
    expect(bare.sort()).toEqual([...BARE_KEYWORDS].sort());
  });
});
