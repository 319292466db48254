import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuthError, ConfigError } from '../errors/errors.js';
import { childLogger, type Logger, silentLogger } from '../logging/logger.js';
import type { Connector } from '../protocol/connector.js';
import { fetchWithRetry, type RetryOptions } from '../retry/retry.js';
import { type ConnectorManifest, loadManifest, validateConnectorConfig } from './manifest.js';

/** What the host hands a connector factory besides its config. */
export interface ConnectorContext {
  /** The manifest's auth variables, resolved by the host. Connectors never read `process.env`. */
  secrets: Readonly<Record<string, string>>;
  logger: Logger;
  /** `fetch` with retry of transient failures and auth errors mapped (see {@link fetchWithRetry}). */
  fetch: (input: string | URL, init?: RequestInit, options?: RetryOptions) => Promise<Response>;
  signal?: AbortSignal;
}

/** The default export of a connector package's entrypoint. */
export type ConnectorFactory<C = Record<string, unknown>> = (config: C, ctx: ConnectorContext) => Connector | Promise<Connector>;

/**
 * Picks the manifest's auth variables out of `env`. Throws an AuthError naming the
 * missing required variables (names only, never values).
 */
export function resolveSecrets(
  manifest: Pick<ConnectorManifest, 'name' | 'auth'>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const secrets: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of manifest.auth.env_vars) {
    const value = env[v.name];
    if (value) secrets[v.name] = value;
    else if (v.required) missing.push(v.name);
  }
  if (missing.length) {
    throw new AuthError(
      `connector ${manifest.name} needs the environment variable(s) ${missing.join(', ')}; set them where the host runs`,
    );
  }
  return secrets;
}

/** A context with a logger child and a fetch bound to the signal and logger. */
export function createContext(options: { secrets?: Record<string, string>; logger?: Logger; signal?: AbortSignal } = {}): ConnectorContext {
  const logger = options.logger ?? silentLogger;
  const signal = options.signal;
  return {
    secrets: Object.freeze({ ...(options.secrets ?? {}) }),
    logger,
    fetch: (input, init, retry) => fetchWithRetry(input, init, { logger, ...(signal ? { signal } : {}), ...retry }),
    ...(signal ? { signal } : {}),
  };
}

/**
 * Loads a connector from its manifest: validates the config, resolves its secrets
 * from `env`, imports the entrypoint (relative to `connector.yaml`) and calls its
 * default-export factory.
 *
 * @example
 * const connector = await loadConnector('connectors/csv/connector.yaml', { config: { path: './files' }, env: process.env });
 */
export async function loadConnector(
  manifestPath: string,
  options: { config?: Record<string, unknown>; env?: Readonly<Record<string, string | undefined>>; logger?: Logger; signal?: AbortSignal } = {},
): Promise<{ connector: Connector; manifest: ConnectorManifest }> {
  const manifest = await loadManifest(manifestPath);
  const config = validateConnectorConfig(manifest, options.config ?? {});
  const secrets = resolveSecrets(manifest, options.env ?? {});
  const entry = resolve(dirname(resolve(manifestPath)), manifest.entrypoint);
  if (!existsSync(entry)) {
    throw new ConfigError(`${manifestPath}: entrypoint ${manifest.entrypoint} does not exist (${entry}); build the package first`);
  }
  const mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    throw new ConfigError(
      `${manifestPath}: entrypoint ${manifest.entrypoint} must default-export a factory (config, ctx) => Connector`,
    );
  }
  const ctx = createContext({
    secrets,
    logger: childLogger(options.logger ?? silentLogger, { connector: manifest.name }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const connector = await (mod.default as ConnectorFactory)(config, ctx);
  return { connector, manifest };
}
