import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { vegaDataDir } from '../scripts/vega-data.js';
import { createCsvConnector } from '../src/index.js';

describe('csv connector over the real vega-datasets', () => {
  it('reads the same row counts DuckDB counts, flights-3m included', async () => {
    const data = vegaDataDir();
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const c = createCsvConnector({ path: data });
    const tables = await c.discover!();
    const want: Record<string, string> = {
      airports: `read_csv('${join(data, 'airports.csv')}')`,
      seattle_weather: `read_csv('${join(data, 'seattle-weather.csv')}')`,
      stocks: `read_csv('${join(data, 'stocks.csv')}')`,
      cars: `read_json('${join(data, 'cars.json')}')`,
      movies: `read_json('${join(data, 'movies.json')}')`,
      flights_3m: `read_parquet('${join(data, 'flights-3m.parquet')}')`,
    };
    for (const [table, scan] of Object.entries(want)) {
      expect(tables.map((t) => t.name)).toContain(table);
      const [expected] = (await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${scan}`)).getRowObjectsJson();
      let rows = 0;
      // One narrow column keeps the 3M-row count quick.
      const first = tables.find((t) => t.name === table)!.schema.fields[0]!.name;
      for await (const b of c.read!(table, { batchSize: 50_000, columns: [first] })) rows += b.numRows;
      expect(rows, table).toBe(expected!.n);
    }
  }, 120_000);
});
