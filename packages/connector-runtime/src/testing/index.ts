/**
 * The connector contract suite: `describeConnectorContract` for vitest, and each
 * check as a plain function that throws a {@link ContractViolation}.
 */
export { describeConnectorContract } from './describe.js';
export { ContractViolation } from './violation.js';
export type { ContractOptions, ConnectorFactoryFn } from './options.js';
export { checkCapabilitiesTruthful } from './checks/capabilities.js';
export { checkDiscover } from './checks/discover.js';
export { checkBatchesMatchSchema, checkPrimaryKeys } from './checks/batches.js';
export { checkPipeline } from './checks/pipeline.js';
export { checkIncremental, futureCursor } from './checks/incremental.js';
export { checkRemoteSafe } from './checks/remote.js';
export { checkAbort, MAX_BATCHES_AFTER_ABORT } from './checks/abort.js';
export { checkManifest } from './checks/manifest.js';
