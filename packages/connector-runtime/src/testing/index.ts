/**
 * The connector contract suite: {@link describeConnectorContract} registers it with
 * vitest; each check is also a plain async function that throws a
 * {@link ContractViolation}, usable without vitest.
 */
export { describeConnectorContract } from './describe.js';
export { ContractViolation, isContractViolation } from './violation.js';
export type { ContractOptions, ConnectorFactoryFn } from './options.js';
export { DEFAULT_SAMPLE_ROWS } from './read-sample.js';
export { checkCapabilitiesTruthful } from './checks/capabilities.js';
export { checkDiscover } from './checks/discover.js';
export { checkBatchesMatchSchema, checkPrimaryKeys } from './checks/batches.js';
export { checkPipeline } from './checks/pipeline.js';
export { checkIncremental, futureCursor, INCREMENTAL_ROWS_ADDED } from './checks/incremental.js';
export { checkRemoteSafe } from './checks/remote.js';
export { checkAbort, MAX_BATCHES_AFTER_ABORT } from './checks/abort.js';
export { checkManifest } from './checks/manifest.js';
export { stableJson } from './rows.js';
