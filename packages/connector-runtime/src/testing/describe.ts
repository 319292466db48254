import { checkAbort } from './checks/abort.js';
import { checkBatchesMatchSchema, checkPrimaryKeys } from './checks/batches.js';
import { checkCapabilitiesTruthful } from './checks/capabilities.js';
import { checkDiscover } from './checks/discover.js';
import { checkIncremental } from './checks/incremental.js';
import { checkManifest } from './checks/manifest.js';
import { checkPipeline } from './checks/pipeline.js';
import { checkRemoteSafe } from './checks/remote.js';
import type { ConnectorFactoryFn, ContractOptions } from './options.js';

/*
 * vitest is an optional peer: the plain checks must load without it (a CLI or
 * another test runner calls them). A static import would fail to load this
 * module where vitest is absent, and describe() must register synchronously
 * while the test file is collected, so the import is awaited once here, when
 * this module loads, and failure is reported only when the suite is asked for.
 */
const vitest = await import('vitest').catch((error: unknown) => ({ unavailable: error }));

/** Time a single check may take: the pipeline checks start DuckDB and write parquet. */
const CHECK_TIMEOUT_MS = 120_000;

/**
 * Registers the connector contract suite with vitest: a `describe` with one test
 * per check, each on a fresh connector from `factory`. The incremental test is
 * registered only with `addRows`, the manifest test only with `manifestPath`; a
 * check that does not apply to the connector's capabilities passes. Runs offline.
 *
 * @example
 * import { fileURLToPath } from 'node:url';
 * import { describeConnectorContract } from '@agnes/connector-runtime/testing';
 *
 * describeConnectorContract('my source', () => createMyConnector({ path: fixtures }), {
 *   manifestPath: fileURLToPath(new URL('../connector.yaml', import.meta.url)),
 *   addRows: (table, n) => fakeApi.insert(table, n),
 * });
 */
export function describeConnectorContract(name: string, factory: ConnectorFactoryFn, options: ContractOptions = {}): void {
  if ('unavailable' in vitest) {
    throw new Error(
      `describeConnectorContract needs vitest (npm install -D vitest); the plain checks (checkDiscover, checkPipeline, …) work without it`,
      { cause: vitest.unavailable },
    );
  }
  const { describe, it } = vitest;
  describe(`connector contract: ${name}`, () => {
    it('declares only capabilities it implements, and implements only those it declares', async () => {
      await checkCapabilitiesTruthful(await factory());
    }, CHECK_TIMEOUT_MS);
    it('discovers valid, unique tables with Arrow schemas and existing key columns', async () => {
      await checkDiscover(await factory());
    }, CHECK_TIMEOUT_MS);
    it('yields batches that match the declared schema', async () => {
      await checkBatchesMatchSchema(await factory(), options);
    }, CHECK_TIMEOUT_MS);
    it('yields unique, non-null primary keys', async () => {
      await checkPrimaryKeys(await factory(), options);
    }, CHECK_TIMEOUT_MS);
    it('produces an extract whose _meta and views match the rows read', async () => {
      await checkPipeline(await factory(), options);
    }, CHECK_TIMEOUT_MS);
    // Registered only when they apply, so a suite never reports skipped checks.
    if (options.addRows) {
      it('reads only new rows incrementally and none after a future cursor', async () => {
        await checkIncremental(await factory(), options);
      }, CHECK_TIMEOUT_MS);
    }
    it('leaks no secret through remote()', async () => {
      await checkRemoteSafe(await factory());
    }, CHECK_TIMEOUT_MS);
    it('stops within two batches after the signal aborts', async () => {
      await checkAbort(await factory(), options);
    }, CHECK_TIMEOUT_MS);
    const manifestPath = options.manifestPath;
    if (manifestPath) {
      it('agrees with its connector.yaml', async () => {
        await checkManifest(await factory(), manifestPath);
      }, CHECK_TIMEOUT_MS);
    }
  });
}
