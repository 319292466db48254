import { Cap, type Connector, hasCap, remoteAttachProblems, type RemoteAttachInfo } from '@agnes/connector-kit';
import { ContractViolation, describeError } from '../violation.js';

const CHECK = 'remote';

/**
 * remote() leaks no secret and nothing unsafe reaches SQL (only for connectors with
 * Cap.REMOTE): `tokenEnv` is an environment variable NAME (`^[A-Z][A-Z0-9_]{0,63}$`),
 * the URL carries no user or password and no `token=`/`password=`/`secret=`/`key=`
 * style parameter, and `extension` and `alias` are identifiers. The rule is the
 * kit's `remoteAttachProblems`, the same one the runtime enforces; like the runtime,
 * it accepts ATTACH targets that are not URLs (a file path, a project id).
 *
 * @example
 * await checkRemoteSafe(createWarehouseConnector(config));
 */
export async function checkRemoteSafe(connector: Connector): Promise<void> {
  if (!hasCap(connector.capabilities, Cap.REMOTE)) return;
  if (typeof connector.remote !== 'function') throw new ContractViolation(CHECK, 'Cap.REMOTE is declared but remote() is missing');
  let info: Partial<RemoteAttachInfo>;
  try {
    info = connector.remote();
  } catch (error) {
    throw new ContractViolation(CHECK, `remote() threw ${describeError(error)}`, { cause: error });
  }
  if (!info || typeof info !== 'object') throw new ContractViolation(CHECK, 'remote() must return { extension, url, tokenEnv, alias? }');
  const problems = remoteAttachProblems(info);
  if (problems.length) throw new ContractViolation(CHECK, `remote() returned unsafe attach info: ${problems.join('; ')}`);
}
