/*
 * `pnpm --filter @agnes/orchestrator bench`: rebuild time for 50 sources × 40 tables
 * (2,000 views) and 10× fewer, the query engine's overhead over bare DuckDB on a small
 * query (with and without a caller's sandbox), and the cost of building a sandbox for a
 * caller who may read 1,000 of the 2,000 views (baseline: the rebuild's cost per view).
 * Prints a table.
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
  // The same query as a caller who may read half the views: their sandbox, warm.
  const half = { readable: (published: readonly string[]) => published.filter((t, i) => i % 2 === 0 || t === 'src_000_t1') };
  await engine.query(sql, half);
  const tSandbox: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await engine.query(sql, half);
    tSandbox.push(performance.now() - t);
  }
  engine.close();
  rows.push(['small query, bare DuckDB (baseline)', '1', median(tBare).toFixed(2), '']);
  rows.push(['small query, QueryEngine, all views', '1', median(tEngine).toFixed(2), '']);
  rows.push(['small query, QueryEngine, in a sandbox', '1', median(tSandbox).toFixed(2), '']);
  rows.push(['engine overhead (sandbox)', '', (median(tEngine) - median(tBare)).toFixed(2), `(${(median(tSandbox) - median(tBare)).toFixed(2)})`]);
  // Building a sandbox: the first query of a new readable set, 1,000 of 2,000 views, minus a warm query.
  const big = new QueryEngine({ analyticsPath: join(root, 'x50', 'analytics', 'server.duckdb'), extractsDir: join(root, 'x50', 'extracts') });
  const builds: number[] = [];
  for (let k = 0; k < 3; k++) {
    const reach = { readable: (published: readonly string[]) => published.filter((_, i) => i % 2 === k % 2 && i !== k) };
    let t = performance.now();
    await big.query('SELECT 1', reach);
    const first = performance.now() - t;
    t = performance.now();
    await big.query('SELECT 1', reach);
    builds.push(first - (performance.now() - t));
  }
  big.close();
  rows.push(['sandbox build, 1,000 of 2,000 views', '999', median(builds).toFixed(0), (median(builds) / 999).toFixed(2)]);
} finally {
  rmSync(root, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  '));
