import { Cap, type Connector, hasCap, identifierProblem } from '@agnes/connector-kit';
import { ContractViolation } from '../violation.js';

const SECRET_PARAMS = /(^|[?&;])(token|access_token|password|passwd|secret|key|api_key|apikey|credentials?)=/i;

/** remote() leaks no secret: tokenEnv is a variable name, the URL carries no credentials. */
export async function checkRemoteSafe(connector: Connector): Promise<void> {
  const check = 'remote';
  if (!hasCap(connector.capabilities, Cap.REMOTE)) return;
  const info = connector.remote!();
  if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(String(info.tokenEnv))) {
    throw new ContractViolation(check, `tokenEnv ${JSON.stringify(info.tokenEnv)} must be the NAME of an environment variable (e.g. KBC_TOKEN), never the token`);
  }
  for (const [kind, value] of [['extension', info.extension], ['alias', info.alias]] as const) {
    if (value === undefined && kind === 'alias') continue;
    const p = identifierProblem(value, kind);
    if (p) throw new ContractViolation(check, p);
  }
  const url = String(info.url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.username || parsed.password)) {
    throw new ContractViolation(check, 'the remote URL carries credentials; pass them through the variable named by tokenEnv');
  }
  if (SECRET_PARAMS.test(parsed ? parsed.search : url)) {
    throw new ContractViolation(check, 'the remote URL has a secret-looking parameter (token=, password=, key=…); pass secrets through tokenEnv');
  }
}
