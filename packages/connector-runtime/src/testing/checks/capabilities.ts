import { Cap, type Connector, capNames, hasCap } from '@agnes/connector-kit';
import { discoverTables, readSample } from '../read-sample.js';
import { ContractViolation, describeError } from '../violation.js';

const CHECK = 'capabilities';

/** Each capability with a method, and the method's name. WRITE has no connector method yet. */
const METHODS = [
  [Cap.DISCOVER, 'discover'],
  [Cap.READ, 'read'],
  [Cap.STREAM, 'stream'],
  [Cap.REMOTE, 'remote'],
] as const;

const KNOWN = Object.values(Cap).reduce((a, b) => a | b, 0);

/**
 * Capabilities are truthful: each declared capability's method exists and works
 * (DISCOVER: discover() resolves an array; READ: read() of the first readable table
 * iterates without throwing; STREAM: stream is a function; REMOTE: remote() returns
 * an object). A method present without its flag is a violation too, not a warning:
 * the runtime never calls it, so it is dead code or a forgotten flag.
 *
 * @example
 * await checkCapabilitiesTruthful(createMyConnector(config));
 */
export async function checkCapabilitiesTruthful(connector: Connector): Promise<void> {
  const caps: unknown = connector.capabilities;
  if (typeof caps !== 'number' || !Number.isInteger(caps) || caps <= 0) {
    throw new ContractViolation(CHECK, `capabilities must be a non-empty bit set of Cap flags (e.g. Cap.DISCOVER | Cap.READ), got ${String(caps)}`);
  }
  if ((caps & ~KNOWN) !== 0) {
    throw new ContractViolation(CHECK, `capabilities has unknown bits (${caps & ~KNOWN}); combine only Cap.* flags`);
  }
  const methods = connector as unknown as Record<string, unknown>;
  for (const [flag, method] of METHODS) {
    const declared = hasCap(caps, flag);
    const present = typeof methods[method] === 'function';
    if (declared && !present) {
      throw new ContractViolation(CHECK, `Cap.${method.toUpperCase()} is declared but ${method}() is missing; implement it or drop the flag`);
    }
    if (!declared && present) {
      throw new ContractViolation(
        CHECK,
        `${method}() exists but Cap.${method.toUpperCase()} is not declared (declared: ${capNames(caps).join(', ')}); declare the flag or remove the method`,
      );
    }
  }
  if (hasCap(caps, Cap.DISCOVER)) {
    const tables = await discoverTables(CHECK, connector);
    const readable = tables.find((t) => hasCap(t.capabilities, Cap.READ));
    if (hasCap(caps, Cap.READ) && readable) await readSample(CHECK, connector, readable, 1);
  }
  if (hasCap(caps, Cap.REMOTE)) {
    let info: unknown;
    try {
      info = connector.remote!();
    } catch (error) {
      throw new ContractViolation(CHECK, `remote() threw ${describeError(error)}; it must return the attach info without I/O`, { cause: error });
    }
    if (info && typeof (info as { then?: unknown }).then === 'function') {
      throw new ContractViolation(CHECK, 'remote() returned a Promise; it is synchronous: return the attach info directly (fetch nothing in it)');
    }
    if (!info || typeof info !== 'object') throw new ContractViolation(CHECK, 'remote() must return a RemoteAttachInfo object { extension, url, tokenEnv, alias? }');
  }
}
