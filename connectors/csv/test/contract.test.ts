import { fileURLToPath } from 'node:url';
import { describeConnectorContract } from '@agnes/connector-runtime/testing';
import { vegaDataDir } from '../scripts/vega-data.js';
import { createCsvConnector } from '../src/index.js';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The contract suite over real vega-datasets files (CSV, JSON, parquet); flights-3m
// is left to the benchmark and the demo to keep CI fast.
const files = ['airports.csv', 'seattle-weather.csv', 'stocks.csv', 'cars.json', 'movies.json', 'flights-200k.json', 'unemployment.tsv'];
const dir = mkdtempSync(join(tmpdir(), 'agnes-csv-contract-'));
for (const f of files) symlinkSync(join(vegaDataDir(), f), join(dir, f));

describeConnectorContract('csv over vega-datasets', () => createCsvConnector({ path: dir }), {
  manifestPath: fileURLToPath(new URL('../connector.yaml', import.meta.url)),
  sampleRows: 5_000,
});
