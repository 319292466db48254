import type { CliEnv } from '../config.js';
import { CliError } from '../errors/cli-error.js';
import { type ApiClient, createApiClient } from '../api/client.js';
import { normalizeServer, readConfig, readToken } from './credentials.js';

/** A server and, when known, the token to use with it. */
export interface Session {
  readonly server: string;
  readonly token: string | undefined;
  readonly api: ApiClient;
}

/** The server: the flag, else DA_SERVER, else the saved one. */
export async function resolveServer(env: CliEnv, flag?: string): Promise<string | undefined> {
  const raw = flag ?? env.server ?? (await readToken(env.configDir).catch(() => undefined))?.server ?? (await readConfig(env.configDir)).server;
  return raw === undefined ? undefined : normalizeServer(raw);
}

/** The server and token for a command that talks to the API; explains what to do when either is missing. */
export async function openSession(env: CliEnv, options: { needToken?: boolean; server?: string } = {}): Promise<Session> {
  const server = await resolveServer(env, options.server);
  if (!server) throw new CliError('usage', 'no server configured', { hint: 'run `da login --server https://…` or set DA_SERVER' });
  const token = env.token ?? (await readToken(env.configDir))?.access_token;
  if (options.needToken !== false && !token) {
    throw new CliError('unauthenticated', 'you are not logged in', { hint: 'run `da login` (or `da auth import-token --token …`, or set DA_TOKEN)' });
  }
  return { server, token, api: createApiClient({ server, token, retryBaseMs: env.retryBaseMs }) };
}
