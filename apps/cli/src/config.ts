import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Everything `da` takes from its environment. Only this module reads `process.env`. */
export interface CliEnv {
  /** Where config.json and token.json live. */
  readonly configDir: string;
  /** `DA_TOKEN`: wins over the saved token. */
  readonly token: string | undefined;
  /** `DA_SERVER`: wins over the saved server. */
  readonly server: string | undefined;
  /** The workspace (`DA_LOCAL_DIR`, else the current directory); `--dir` wins. */
  readonly workspace: string;
  /** Progress bars only on a terminal and outside CI. */
  readonly interactive: boolean;
  /** First backoff step of retried requests. */
  readonly retryBaseMs: number;
  /** The whole environment, for connectors run by `da connector test` (their secrets live there). */
  readonly connectorEnv: Readonly<Record<string, string | undefined>>;
}

/** Reads the environment once, at the edge. */
export function loadEnv(env: Readonly<Record<string, string | undefined>> = process.env, cwd = process.cwd(), stderrIsTty = Boolean(process.stderr.isTTY)): CliEnv {
  const configDir = env.DA_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'da');
  const retry = Number(env.DA_RETRY_BASE_MS);
  return {
    configDir: resolve(configDir),
    token: env.DA_TOKEN || undefined,
    server: env.DA_SERVER || undefined,
    workspace: resolve(cwd, env.DA_LOCAL_DIR || '.'),
    interactive: stderrIsTty && !env.CI && env.TERM !== 'dumb',
    connectorEnv: env,
    retryBaseMs: Number.isFinite(retry) && retry >= 0 && env.DA_RETRY_BASE_MS !== undefined && env.DA_RETRY_BASE_MS !== '' ? retry : 500,
  };
}
