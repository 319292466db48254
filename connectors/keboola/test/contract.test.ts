import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { describeConnectorContract } from '@agnes/connector-runtime/testing';
import { createKeboolaConnector } from '../src/index.js';
import { startFakeStorageApi } from './fake-storage-api.js';

const TOKEN = 'contract-token-7f3a9c';
// The faults stay armed once: the first export answers 429 and the first slice 503
// (both with Retry-After), so the suite also runs through the retries.
const fake = await startFakeStorageApi({ token: TOKEN });
afterAll(() => fake.close());

describeConnectorContract(
  'keboola over a fake Storage API',
  () =>
    createKeboolaConnector(
      { url: fake.url, incremental_keys: { in_c_crm_orders: 'created', out_c_reports_daily_summary: 'day' } },
      fake.context({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN } }),
    ),
  {
    manifestPath: fileURLToPath(new URL('../connector.yaml', import.meta.url)),
    // New rows are imported now, with key values after the existing ones (and before now).
    addRows: async (table, n) => fake.addRows(table, n),
  },
);
