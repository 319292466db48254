/*
 * `pnpm --filter @agnes/connector-postgres bench [--rows 1000000]`: a full extract of one
 * table through the connector and the runtime (→ parquet) against PostgreSQL's own speed
 * limit, `COPY (SELECT * …) TO STDOUT (FORMAT binary)` drained to /dev/null by psql.
 * Rows default to 5,000,000 (BENCH_ROWS or --rows overrides). The database is
 * AGNES_TEST_DATABASE_URL, else the local postgres://postgres@127.0.0.1:5432/test.
 * Anchor: dlt's Arrow path does about 620k rows/s for 10M rows Postgres → parquet.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { URL_ENV_VAR } from '../src/index.js';
import { type BenchTable, ensureBenchTable } from './bench-table.js';
import type { ExtractResult } from './extract-case.js';

const DLT_ANCHOR_ROWS_PER_SEC = 620_000;
const BASELINE_RUNS = 3;

function rowsWanted(): number {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === '--rows' || a.startsWith('--rows='));
  const raw = i < 0 ? (process.env.BENCH_ROWS ?? '5000000') : args[i]!.includes('=') ? args[i]!.slice('--rows='.length) : args[i + 1];
  const n = Number(String(raw).replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--rows / BENCH_ROWS must be a whole number of rows above 0, got ${JSON.stringify(raw)}`);
  return n;
}

/** libpq variables for psql, so a password never appears on its command line (visible in ps). */
function psqlEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env, PGHOST: decodeURIComponent(u.hostname), PGPORT: u.port || '5432', PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

const run = promisify(execFile);

/** Seconds for psql to pull the whole table through COPY … TO STDOUT and write it to /dev/null. */
async function copyToNull(url: string, t: BenchTable, format: 'binary' | 'text'): Promise<number> {
  const copy = `\\copy (SELECT * FROM "${t.schema}"."${t.table}") TO '/dev/null' WITH (FORMAT ${format})`;
  const t0 = performance.now();
  const { stdout } = await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', copy], { env: psqlEnv(url), encoding: 'utf8' });
  const secs = (performance.now() - t0) / 1000;
  // psql reports "COPY <n>"; a short read would make the baseline look fast.
  const copied = /COPY (\d+)/.exec(stdout)?.[1];
  if (copied !== undefined && Number(copied) !== t.rows) throw new Error(`COPY moved ${copied} rows, the table has ${t.rows}`);
  return secs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows = rowsWanted();
const url = process.env.AGNES_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const shownDb = (() => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
})();

const table = await ensureBenchTable(url, rows);
process.stdout.write(
  `table ${table.schema}.${table.table} on ${shownDb}: ${(table.bytes / 1e6).toFixed(0)} MB on disk, ` +
    `${table.builtSecs === null ? 'cached' : `built in ${table.builtSecs.toFixed(1)} s`}\n`,
);

// One untimed pass first, so every measurement reads from the same warm page cache.
await copyToNull(url, table, 'binary');
const binary: number[] = [];
const text: number[] = [];
for (let i = 0; i < BASELINE_RUNS; i++) {
  binary.push(await copyToNull(url, table, 'binary'));
  text.push(await copyToNull(url, table, 'text'));
}

// The extract runs in a child (peak RSS is per process) started like this one
// (same --import/--conditions), so it measures the same build of the code.
const out = mkdtempSync(join(tmpdir(), 'agnes-pg-bench-'));
let extract: ExtractResult;
try {
  const stdout = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(new URL('./extract-case.ts', import.meta.url)), table.schema, table.table, out], {
    encoding: 'utf8',
    env: { ...process.env, [URL_ENV_VAR]: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  extract = JSON.parse(stdout.trim().split('\n').pop()!) as ExtractResult;
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (extract.rows !== rows) throw new Error(`the extract wrote ${extract.rows} rows, the table has ${rows}`);

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const baseRate = rows / median(binary);
const extractRate = rows / extract.secs;
const lines: string[][] = [
  ['case', 'secs', 'rows/s', 'vs COPY binary', 'peak RSS MB', 'parquet MB'],
  [`(a) COPY binary → /dev/null (psql, median of ${BASELINE_RUNS})`, fmt(median(binary), 2), fmt(baseRate), '1.00', '', ''],
  [`    COPY text → /dev/null (psql, median of ${BASELINE_RUNS})`, fmt(median(text), 2), fmt(rows / median(text)), fmt(rows / median(text) / baseRate, 2), '', ''],
  ['(b) connector + runtime.run → parquet', fmt(extract.secs, 2), fmt(extractRate), fmt(extractRate / baseRate, 2), fmt(extract.peakRssMb), fmt(extract.parquetBytes / 1e6, 1)],
  ['    anchor: dlt Arrow path, 10M rows → parquet', '', fmt(DLT_ANCHOR_ROWS_PER_SEC), fmt(DLT_ANCHOR_ROWS_PER_SEC / baseRate, 2), '', ''],
];
const widths = lines[0]!.map((_, c) => Math.max(...lines.map((r) => r[c]!.length)));
process.stdout.write(`\n${fmt(rows)} rows, ${process.execArgv.includes('--conditions=@agnes/source') ? 'source tree' : 'dist (built package)'}\n`);
for (const r of lines) process.stdout.write(`${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')}\n`);
process.stdout.write(`\nratio extract/baseline (rows/s): ${fmt(extractRate / baseRate, 2)}; extract vs dlt anchor: ${fmt(extractRate / DLT_ANCHOR_ROWS_PER_SEC, 2)}\n`);
process.stdout.write('The dlt anchor was measured on other hardware; only its order of magnitude compares.\n');
