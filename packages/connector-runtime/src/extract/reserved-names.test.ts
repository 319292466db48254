import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DUCKDB_TABLE_FUNCTIONS, identifierProblem } from '@agnes/connector-kit';

// The kit has no DuckDB of its own; the runtime pins the DuckDB that writes the extracts, so
// the kit's copy of DuckDB's table function names is checked against it here.
describe("the kit's reserved names", () => {
  it('list every table function and table macro of the pinned DuckDB, so an upgrade that adds one fails here', async () => {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const conn = await instance.connect();
    try {
      const reader = await conn.runAndReadAll(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') ORDER BY function_name",
      );
      const enumerated = reader.getRows().map((row) => String(row[0]));
      expect(enumerated.length).toBeGreaterThan(50);
      // Add a new name to packages/connector-kit/src/contract/duckdb-names.ts (and a changeset).
      expect([...DUCKDB_TABLE_FUNCTIONS].sort()).toEqual(enumerated);
      for (const name of enumerated) expect(identifierProblem(name, 'table'), name).toMatch(/is reserved/);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
