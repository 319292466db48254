/*
 * `pnpm --filter @agnes/orchestrator bench`: rebuild time for 50 sources × 40 tables
 * (2,000 views) and 10× fewer, and the query engine's overhead over bare DuckDB on
 * a small query. Prints a table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { QueryEngine, rebuild } from '../src/index.js';
import { writeSyntheticExtracts } from '../test/synthetic-extracts.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const root = mkdtempSync(join(tmpdir(), 'agnes-orch-bench-'));
const rows: string[][] = [['case', 'tables', 'median ms', 'per table ms']];
try {
  for (const [sources, perSource] of [
    [5, 40],
    [50, 40],
  ] as const) {
    const extractsDir = join(root, `x${sources}`, 'extracts');
    await writeSyntheticExtracts(extractsDir, sources, perSource);
    const target = join(root, `x${sources}`, 'analytics', 'server.duckdb');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await rebuild({ extractsDir, target });
      if (r.tables.length !== sources * perSource) throw new Error(`built ${r.tables.length} tables`);
      times.push(r.durationMs);
    }
    const n = sources * perSource;
    rows.push([`rebuild ${sources} sources × ${perSource}`, String(n), median(times).toFixed(0), (median(times) / n).toFixed(2)]);
  }
  // Query overhead: the engine (parse, walk, authorize, fresh connection) vs bare DuckDB on the same file.
  const extractsDir = join(root, 'x5', 'extracts');
  const target = join(root, 'x5', 'analytics', 'server.duckdb');
  const engine = new QueryEngine({ analyticsPath: target, extractsDir });
  const sql = 'SELECT count(*) AS n, max(v) AS m FROM src_000_t1';
  const bare = await (await DuckDBInstance.create(target, { access_mode: 'READ_ONLY' })).connect();
  const tEngine: number[] = [];
  const tBare: number[] = [];
  for (let i = 0; i < 200; i++) {
    let t = performance.now();
    await engine.query(sql);
    tEngine.push(performance.now() - t);
    t = performance.now();
    await bare.runAndReadAll(sql);
    tBare.push(performance.now() - t);
  }
  engine.close();
  rows.push(['small query, bare DuckDB', '1', median(tBare).toFixed(2), '']);
  rows.push(['small query, QueryEngine', '1', median(tEngine).toFixed(2), '']);
  rows.push(['engine overhead', '', (median(tEngine) - median(tBare)).toFixed(2), '']);
} finally {
  rmSync(root, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  '));
