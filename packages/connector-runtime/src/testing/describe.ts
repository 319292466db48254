import { describe, it } from 'vitest';
import { checkAbort } from './checks/abort.js';
import { checkBatchesMatchSchema, checkPrimaryKeys } from './checks/batches.js';
import { checkCapabilitiesTruthful } from './checks/capabilities.js';
import { checkDiscover } from './checks/discover.js';
import { checkIncremental } from './checks/incremental.js';
import { checkManifest } from './checks/manifest.js';
import { checkPipeline } from './checks/pipeline.js';
import { checkRemoteSafe } from './checks/remote.js';
import type { ConnectorFactoryFn, ContractOptions } from './options.js';

/**
 * Registers the connector contract suite with vitest: one test per check, each on a
 * fresh connector from `factory`. Runs offline.
 *
 * @example
 * import { describeConnectorContract } from '@agnes/connector-runtime/testing';
 * describeConnectorContract('my source', () => createMyConnector({ path: fixtures }), {
 *   manifestPath: new URL('../connector.yaml', import.meta.url).pathname,
 * });
 */
export function describeConnectorContract(name: string, factory: ConnectorFactoryFn, options: ContractOptions = {}): void {
  const timeout = 120_000;
  describe(`connector contract: ${name}`, () => {
    it('declares truthful capabilities', async () => checkCapabilitiesTruthful(await factory()), timeout);
    it('discovers valid, unique tables with Arrow schemas and existing keys', async () => {
      await checkDiscover(await factory());
    }, timeout);
    it('yields batches that match the declared schema', async () => checkBatchesMatchSchema(await factory(), options), timeout);
    it('yields unique, non-null primary keys', async () => checkPrimaryKeys(await factory(), options), timeout);
    it('produces an extract whose views return exactly the rows read', async () => checkPipeline(await factory(), options), timeout);
    // Registered only when they apply, so a suite never reports skipped checks.
    if (options.addRows) {
      it('reads only new rows incrementally, none after a future cursor', async () => checkIncremental(await factory(), options), timeout);
    }
    it('leaks no secret through remote()', async () => checkRemoteSafe(await factory()), timeout);
    it('stops within two batches after abort', async () => checkAbort(await factory(), options), timeout);
    const manifestPath = options.manifestPath;
    if (manifestPath) it('agrees with its connector.yaml', async () => checkManifest(await factory(), manifestPath), timeout);
  });
}
