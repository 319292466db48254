import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { vegaDataDir } from '../scripts/vega-data.js';
import { createCsvConnector } from '../src/index.js';

describe('csv connector over the real vega-datasets', () => {
  it('reads the same row counts DuckDB counts, flights-3m included', async () => {
    const data = vegaDataDir();
    const want: Record<string, [file: string, scan: string]> = {
      airports: ['airports.csv', 'read_csv'],
      seattle_weather: ['seattle-weather.csv', 'read_csv'],
      stocks: ['stocks.csv', 'read_csv'],
      cars: ['cars.json', 'read_json'],
      movies: ['movies.json', 'read_json'],
      flights_3m: ['flights-3m.parquet', 'read_parquet'],
    };
    for (const [file] of Object.values(want)) expect(existsSync(join(data, file)), file).toBe(true);

    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const c = createCsvConnector({ path: data });
    const tables = await c.discover!();
    for (const [table, [file, scan]] of Object.entries(want)) {
      const info = tables.find((t) => t.name === table);
      expect(info, table).toBeDefined();
      const [expected] = (await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${scan}('${join(data, file)}')`)).getRowObjectsJson();
      let rows = 0;
      // One narrow column keeps the 3M-row count quick.
      const first = info!.schema.fields[0]!.name;
      for await (const b of c.read!(table, { batchSize: 50_000, columns: [first] })) rows += b.numRows;
      expect(rows, table).toBe(expected!.n);
      expect(rows, table).toBeGreaterThan(0);
    }
    db.closeSync();
    instance.closeSync();
  }, 120_000);

  it('reads values DuckDB reads, column for column', async () => {
    const data = vegaDataDir();
    const c = createCsvConnector({ path: data });
    const batches = [];
    for await (const b of c.read!('seattle_weather', { batchSize: 100_000 })) batches.push(b);
    const last = batches.at(-1)!;
    const row = last.get(last.numRows - 1)!.toJSON();
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const [want] = (
      await db.runAndReadAll(
        `SELECT epoch_ms(date::TIMESTAMP) AS date, precipitation, temp_max, temp_min, wind, weather
         FROM read_csv('${join(data, 'seattle-weather.csv')}') ORDER BY date DESC LIMIT 1`,
      )
    ).getRowObjectsJS();
    expect(row).toEqual({ ...want, date: Number(want!.date) });
    db.closeSync();
    instance.closeSync();
  });
});
