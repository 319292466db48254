import type { RemoteAttachInfo } from '../protocol/connector.js';
import { identifierProblem } from './identifiers.js';

/** Names of environment variables that may hold secrets (manifest `auth.env_vars`, `tokenEnv`). */
export const ENV_VAR_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/** A problem with an environment variable name, or undefined when it is valid. */
export function envVarProblem(name: unknown): string | undefined {
  if (typeof name === 'string' && ENV_VAR_PATTERN.test(name)) return undefined;
  return `${JSON.stringify(name)} is not an environment variable name: use A-Z, 0-9 and _, starting with a letter, at most 64 characters (e.g. "MY_API_TOKEN")`;
}

const SECRET_PARAMS = /(^|[?&;])(token|access_token|password|passwd|secret|key|api_key|apikey|credentials?)=/i;

/**
 * Every reason `info` could leak a secret or reach SQL unsafely: extension and
 * alias must be identifiers, `tokenEnv` the NAME of a variable, and the URL must
 * carry no credentials or secret-looking parameters. `_remote_attach` is a trust
 * boundary: the runtime refuses such info, the orchestrator refuses such rows.
 */
export function remoteAttachProblems(info: Partial<RemoteAttachInfo>): string[] {
  const problems: string[] = [];
  const ext = identifierProblem(info.extension, 'extension');
  if (ext) problems.push(ext);
  if (info.alias !== undefined) {
    const a = identifierProblem(info.alias, 'alias');
    if (a) problems.push(a);
  }
  const env = envVarProblem(info.tokenEnv);
  if (env) problems.push(`tokenEnv ${env}; it names the variable holding the token, never the token`);
  const url = String(info.url ?? '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Not every ATTACH target is a URL (a file path, a project id).
  }
  if (parsed && (parsed.username || parsed.password)) {
    problems.push('url carries credentials; pass them through the variable named by tokenEnv');
  }
  if (SECRET_PARAMS.test(parsed ? parsed.search : url)) {
    problems.push('url has a secret-looking parameter (token=, password=, key=…); pass secrets through tokenEnv');
  }
  return problems;
}
