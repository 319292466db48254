/*
 * Writes extract folders straight with DuckDB and the kit's contract DDL — fast
 * enough for 2,000-table benchmarks. Correctness tests use the real runtime.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { META_DDL, META_TABLE, quoteIdent, quoteLiteral } from '@agnes/connector-kit';

export async function writeSyntheticExtracts(extractsDir: string, sources: number, tablesPerSource: number): Promise<void> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  for (let s = 0; s < sources; s++) {
    const source = `src_${String(s).padStart(3, '0')}`;
    const dir = join(extractsDir, source);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const ex = await (await DuckDBInstance.create(join(dir, 'extract.duckdb'))).connect();
    await ex.run(META_DDL);
    await ex.run(`SET file_search_path = ${quoteLiteral(dir)}`);
    for (let t = 0; t < tablesPerSource; t++) {
      const table = `${source}_t${t}`;
      const rel = `data/${table}.g1.parquet`;
      await db.run(`COPY (SELECT i AS id, 'v' || i AS v FROM range(${10 + t}) r(i)) TO ${quoteLiteral(join(dir, rel))} (FORMAT parquet)`);
      await ex.run(
        `INSERT INTO ${META_TABLE} VALUES (${quoteLiteral(table)}, NULL, ${10 + t}, 100, now()::TIMESTAMP, 'local',
          '{"fields":[{"name":"id","type":"BIGINT","nullable":true},{"name":"v","type":"VARCHAR","nullable":true}]}', 'sha256-${'0'.repeat(64)}', ${quoteLiteral(rel)})`,
      );
      await ex.run(`CREATE VIEW ${quoteIdent(table)} AS SELECT * FROM read_parquet(${quoteLiteral(rel)})`);
    }
    ex.closeSync();
  }
}
