/*
 * `pnpm bench`: native DuckDB COPY vs runtime.run at 1M, 5M, 20M rows, each in a
 * fresh process, printed as a table with the b/a ratio and the RSS growth.
 * BENCH_ROWS=1000000,5000000 narrows the sizes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Result {
  mode: string;
  rows: number;
  secs: number;
  rowsPerSec: number;
  mbPerSec: number;
  peakRssMb: number;
  fileMb: number;
}

const sizes = (process.env.BENCH_ROWS ?? '1000000,5000000,20000000').split(',').map(Number);
const caseFile = fileURLToPath(new URL('./case.ts', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'agnes-bench-'));
// Measure the built package (what users run) when it exists; else the source tree.
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const conditions = built ? [] : ['--conditions=@agnes/source'];

function measure(mode: string, rows: number): Result {
  const stdout = execFileSync(process.execPath, [...conditions, '--import', 'tsx', caseFile, mode, String(rows), out], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Result;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const rows: string[][] = [['rows', 'case', 'secs', 'rows/s', 'MB/s (arrow)', 'peak RSS MB', 'parquet MB', 'b/a']];
const runtimeRss: number[] = [];
try {
  for (const n of sizes) {
    const a = measure('native', n);
    const b = measure('runtime', n);
    runtimeRss.push(b.peakRssMb);
    rows.push([fmt(n), '(a) native COPY', fmt(a.secs, 2), fmt(a.rowsPerSec), fmt(a.mbPerSec, 1), fmt(a.peakRssMb), fmt(a.fileMb, 1), '']);
    rows.push([fmt(n), '(b) runtime.run', fmt(b.secs, 2), fmt(b.rowsPerSec), fmt(b.mbPerSec, 1), fmt(b.peakRssMb), fmt(b.fileMb, 1), fmt(b.rowsPerSec / a.rowsPerSec, 2)]);
    rmSync(join(out, 'extracts'), { recursive: true, force: true });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.stdout.write(`measured: ${built ? 'dist (built package)' : 'source tree (run pnpm build to measure dist)'}\n`);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) process.stdout.write(`${r.map((v, c) => v.padStart(widths[c]!)).join('  ')}\n`);
if (runtimeRss.length > 1) {
  process.stdout.write(`\nruntime peak RSS at ${fmt(sizes.at(-1)!)} rows / at ${fmt(sizes[0]!)} rows = ${fmt(runtimeRss.at(-1)! / runtimeRss[0]!, 2)}\n`);
}
