import { Cap, type Connector, capNames, hasCap } from '@agnes/connector-kit';
import { readSample } from '../read-sample.js';
import { ContractViolation } from '../violation.js';

const METHODS = [
  [Cap.DISCOVER, 'discover'],
  [Cap.READ, 'read'],
  [Cap.STREAM, 'stream'],
  [Cap.REMOTE, 'remote'],
] as const;

/**
 * Capabilities are truthful: each declared capability's method exists and works,
 * and no capability method exists without its flag (the runtime would never call it).
 */
export async function checkCapabilitiesTruthful(connector: Connector): Promise<void> {
  const check = 'capabilities';
  const caps = connector.capabilities;
  if (typeof caps !== 'number' || !Number.isInteger(caps) || caps <= 0) {
    throw new ContractViolation(check, `capabilities must be a non-empty bit set of Cap flags, got ${String(caps)}`);
  }
  const c = connector as unknown as Record<string, unknown>;
  for (const [flag, method] of METHODS) {
    const declared = hasCap(caps, flag);
    const present = typeof c[method] === 'function';
    if (declared && !present) {
      throw new ContractViolation(check, `Cap.${method.toUpperCase()} is declared but ${method}() is missing; implement it or drop the flag`);
    }
    if (!declared && present) {
      throw new ContractViolation(check, `${method}() exists but Cap.${method.toUpperCase()} is not declared (${capNames(caps).join(', ')}); declare it or remove the method`);
    }
  }
  if (hasCap(caps, Cap.DISCOVER)) {
    const tables = await connector.discover!();
    if (!Array.isArray(tables)) throw new ContractViolation(check, 'discover() must resolve to an array of TableInfo');
    const readable = tables.find((t) => hasCap(t.capabilities, Cap.READ));
    if (hasCap(caps, Cap.READ) && readable) await readSample(check, connector, readable, 1);
  }
  if (hasCap(caps, Cap.REMOTE)) {
    const info = connector.remote!();
    if (!info || typeof info !== 'object') throw new ContractViolation(check, 'remote() must return a RemoteAttachInfo object');
  }
}
