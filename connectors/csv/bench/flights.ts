/*
 * The real flights-3m.parquet (3M rows) through the CSV/files connector and the
 * runtime, against DuckDB copying the same file natively. Prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import { createCsvConnector } from '../src/index.js';
import { vegaDataDir } from '../scripts/vega-data.js';

const file = join(vegaDataDir(), 'flights-3m.parquet');
const work = mkdtempSync(join(tmpdir(), 'agnes-flights-'));
try {
  mkdirSync(join(work, 'src'));
  symlinkSync(file, join(work, 'src', 'flights-3m.parquet'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  let t0 = performance.now();
  await conn.run(`COPY (SELECT * FROM read_parquet('${file}')) TO '${join(work, 'native.parquet')}' (FORMAT parquet, COMPRESSION zstd)`);
  const native = (performance.now() - t0) / 1000;
  const rows = Number((await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`)).getRowObjectsJson()[0]!.n);
  t0 = performance.now();
  const stats = await new ConnectorRuntime(join(work, 'extracts', 'flights')).run(createCsvConnector({ path: join(work, 'src') }));
  const viaRuntime = (performance.now() - t0) / 1000;
  if (stats.totalRows !== rows) throw new Error(`runtime wrote ${stats.totalRows} rows, file has ${rows}`);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log('\nflights-3m.parquet (real data)');
  console.log(`  ${'case'.padEnd(34)} ${'secs'.padStart(6)} ${'rows/s'.padStart(12)}`);
  console.log(`  ${'native DuckDB parquet → parquet'.padEnd(34)} ${native.toFixed(2).padStart(6)} ${fmt(rows / native).padStart(12)}`);
  console.log(`  ${'CSV/files connector + runtime.run'.padEnd(34)} ${viaRuntime.toFixed(2).padStart(6)} ${fmt(rows / viaRuntime).padStart(12)}`);
  console.log(`  ratio connector/native: ${(native / viaRuntime).toFixed(2)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

