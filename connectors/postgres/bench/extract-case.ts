/*
 * One full extract in its own process, so peak RSS belongs to the extract alone.
 * Usage: extract-case.ts <schema> <table> <outDir>, with the URL in AGNES_PG_URL.
 * Prints one JSON line.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorRuntime, readExtractContents } from '@agnes/connector-runtime';
import { createPostgresConnector, URL_ENV_VAR } from '../src/index.js';

/** What the parent reads back from the last stdout line. */
export interface ExtractResult {
  rows: number;
  secs: number;
  peakRssMb: number;
  parquetBytes: number;
}

const [schema, table, outDir] = process.argv.slice(2);
const url = process.env[URL_ENV_VAR];
if (!schema || !table || !outDir || !url) throw new Error(`usage: ${URL_ENV_VAR}=postgres://… extract-case.ts <schema> <table> <outDir>`);

const dir = join(outDir, 'extracts', 'pg_bench');
const connector = createPostgresConnector({ schemas: [schema], tables: [table] }, { secrets: { [URL_ENV_VAR]: url } });
// Timed from before discover: a user's extract pays for it too.
const t0 = performance.now();
const stats = await new ConnectorRuntime(dir).run(connector);
const secs = (performance.now() - t0) / 1000;
if (stats.errors.length > 0) throw new Error(`extract failed: ${stats.errors.map((e) => `${e.table}: ${e.code} ${e.message}`).join('; ')}`);
const meta = (await readExtractContents(dir)).meta;
if (meta.length !== 1 || !meta[0]!.dataPath) throw new Error(`expected one table with a parquet file, got ${meta.map((m) => m.tableName).join(', ') || 'none'}`);
const result: ExtractResult = {
  rows: stats.totalRows,
  secs,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  parquetBytes: statSync(join(dir, meta[0]!.dataPath)).size,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
