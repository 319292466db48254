/*
 * Extract folders written straight with DuckDB and the kit's contract DDL, with real
 * content hashes (da sync verifies every byte), fast enough for 1,000 tables.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { META_DDL, META_TABLE, quoteIdent, quoteLiteral } from '@agnes/connector-kit';

const hashOf = (file: string) => `sha256-${createHash('sha256').update(readFileSync(file)).digest('hex')}`;

/** Writes `sources` × `tablesPerSource` small tables plus, when `bigRows` > 0, one table `big`. */
export async function writeExtracts(extractsDir: string, sources: number, tablesPerSource: number, bigRows: number): Promise<string[]> {
  const tables: string[] = [];
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const write = async (source: string, entries: { table: string; sql: string; rows: number }[]) => {
    const dir = join(extractsDir, source);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const ex = await (await DuckDBInstance.create(join(dir, 'extract.duckdb'))).connect();
    await ex.run(META_DDL);
    await ex.run(`SET file_search_path = ${quoteLiteral(dir)}`);
    for (const e of entries) {
      const rel = `data/${e.table}.g1.parquet`;
      const file = join(dir, rel);
      await db.run(`COPY (${e.sql}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
      await ex.run(
        `INSERT INTO ${META_TABLE} VALUES (${quoteLiteral(e.table)}, NULL, ${e.rows}, ${statSync(file).size}, now()::TIMESTAMP, 'local',
          '{"fields":[{"name":"id","type":"BIGINT","nullable":true},{"name":"v","type":"VARCHAR","nullable":true}]}', ${quoteLiteral(hashOf(file))}, ${quoteLiteral(rel)})`,
      );
      await ex.run(`CREATE VIEW ${quoteIdent(e.table)} AS SELECT * FROM read_parquet(${quoteLiteral(rel)})`);
      tables.push(e.table);
    }
    ex.closeSync();
  };
  for (let s = 0; s < sources; s++) {
    const source = `src_${String(s).padStart(3, '0')}`;
    await write(
      source,
      Array.from({ length: tablesPerSource }, (_, t) => ({ table: `${source}_t${t}`, sql: `SELECT i AS id, 'v' || i AS v FROM range(${10 + t}) r(i)`, rows: 10 + t })),
    );
  }
  if (bigRows > 0) await write('bigsrc', [{ table: 'big', sql: `SELECT i AS id, md5(i::VARCHAR) AS v FROM range(${bigRows}) t(i)`, rows: bigRows }]);
  return tables;
}
