import { Cap, type Connector, hasCap, remoteAttachProblems } from '@agnes/connector-kit';
import { ContractViolation } from '../violation.js';

/** remote() leaks no secret: tokenEnv is a variable name, the URL carries no credentials (the kit's rule). */
export async function checkRemoteSafe(connector: Connector): Promise<void> {
  if (!hasCap(connector.capabilities, Cap.REMOTE)) return;
  const problems = remoteAttachProblems(connector.remote!());
  if (problems.length) throw new ContractViolation('remote', problems.join('; '));
}
