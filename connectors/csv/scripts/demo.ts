/*
 * `pnpm demo`: extracts the vega-datasets files (CSV, JSON, parquet — 3M flights
 * included) with the CSV/files connector into demo-output/extracts/vega and prints
 * what was written. Until the API server exists, this is the main job.
 */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract } from '@agnes/connector-runtime';
import { createCsvConnector } from '../src/index.js';
import { vegaDataDir } from './vega-data.js';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dataDir = vegaDataDir();
const out = join(root, 'demo-output', 'extracts', 'vega');

const notes: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: (m) => notes.push(m),
  warn: (m) => notes.push(m),
  error: (m, f) => notes.push(`${m}${f?.code ? ` (${String(f.code)})` : ''}`),
};

const mb = (n: number | null) => (n === null ? '' : `${(n / 1e6).toFixed(1)} MB`);
const started = Date.now();
console.log(`Extracting ${dataDir}\n      into ${relative(process.cwd(), out) || out}\n`);
const connector = createCsvConnector({ path: dataDir }, { logger });
const stats = await new ConnectorRuntime(out, { logger }).run(connector, {
  onProgress: (e) => {
    if (e.phase === 'done') console.log(`  ✓ ${e.table.padEnd(36)} ${e.rows.toLocaleString('en-US').padStart(10)} rows  ${mb(e.bytes)}`);
    if (e.phase === 'failed') console.log(`  ✗ ${e.table.padEnd(36)} ${e.message ?? ''}`);
  },
});
const secs = (Date.now() - started) / 1000;
console.log(
  `\n${stats.tablesExtracted} tables, ${stats.totalRows.toLocaleString('en-US')} rows in ${secs.toFixed(1)} s; ` +
    `${stats.tablesFailed} failed.`,
);
const skipped = notes.filter((n) => /skip/i.test(n));
if (skipped.length) console.log(`Skipped ${skipped.length} non-tabular file(s), e.g. ${skipped.slice(0, 3).join('; ')}`);

const reader = await openExtract(out);
const meta = await reader.meta();
const flights = meta.find((m) => m.tableName.startsWith('flights_3m'));
console.log(`\nWritten: ${join(out, 'extract.duckdb')} (_meta: ${meta.length} rows) and ${join(out, 'data')}/`);
if (flights) {
  const top = await reader.query(
    `SELECT origin, count(*) AS flights FROM ${flights.tableName} GROUP BY origin ORDER BY flights DESC LIMIT 3`,
  );
  console.log(`Busiest origins in ${flights.tableName}: ${top.map((r) => `${String(r.origin)} (${String(r.flights)})`).join(', ')}`);
  console.log(`content_hash of ${flights.tableName}: ${flights.contentHash}`);
}
reader.close();
