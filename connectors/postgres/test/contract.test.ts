import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeConnectorContract } from '@agnes/connector-runtime/testing';
import factory from '../src/index.js';
import { createFixture, type Fixture, testContext, testDatabaseUrl } from './pg-fixture.js';

const url = testDatabaseUrl();

describe.skipIf(!url)('postgres fixture', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture(url!);
  });
  afterAll(async () => fx?.drop());

  describeConnectorContract('postgres over the fixture schema', () => factory({ schemas: [fx.schema] }, testContext(url!)), {
    manifestPath: fileURLToPath(new URL('../connector.yaml', import.meta.url)),
    addRows: async (_table, n) => fx.addRows(n),
  });
});
