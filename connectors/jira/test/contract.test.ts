import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { createContext } from '@agnes/connector-kit';
import { describeConnectorContract } from '@agnes/connector-runtime/testing';
import factory from '../src/index.js';
import { addRowsFor, seededFakeJira } from './fake-jira.js';

const jira = await seededFakeJira();
afterAll(() => jira.close());

describeConnectorContract(
  'jira against the fake Jira Cloud API',
  () =>
    factory(
      { url: jira.url, jql: 'project = AG', page_size: 4 },
      createContext({ secrets: { JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.token } }),
    ),
  {
    manifestPath: fileURLToPath(new URL('../connector.yaml', import.meta.url)),
    addRows: async (table, n) => addRowsFor(jira, table, n),
  },
);
