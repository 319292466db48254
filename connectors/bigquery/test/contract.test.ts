import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { createContext } from '@agnes/connector-kit';
import { describeConnectorContract } from '@agnes/connector-runtime/testing';
import factory from '../src/index.js';
import { startFakeBigQuery } from './fake-bigquery.js';
import { ORDERS_SQL, orderRow, seed } from './fixtures.js';

// Every job polls once before completing and every list is paged one item at a time,
// so the suite also runs through getQueryResults polling and pageToken paging.
const fake = await startFakeBigQuery();
seed(fake);
afterAll(() => fake.close());

const config = {
  project_id: fake.projectId,
  api_base_url: fake.apiBaseUrl,
  queries: { orders: { sql: ORDERS_SQL, description: 'Orders with customers', primary_key: ['id'], incremental_key: 'updated_at' } },
};

describeConnectorContract('bigquery over a fake REST API', () => factory(config, createContext({ secrets: { GOOGLE_APPLICATION_CREDENTIALS: fake.keyFile } })), {
  manifestPath: fileURLToPath(new URL('../connector.yaml', import.meta.url)),
  addRows: async (_table, n) => {
    const rows = fake.queries.get(ORDERS_SQL)!.rows;
    for (let k = 0; k < n; k++) rows.push(orderRow(rows.length));
  },
});
