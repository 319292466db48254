import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuthError, ConfigError } from '../errors/errors.js';
import type { FileAccess } from '../files/file-access.js';
import { childLogger, type Logger, silentLogger } from '../logging/logger.js';
import type { Connector } from '../protocol/connector.js';
import { type ConnectorFactory, createContext } from './context.js';
import { type ConnectorManifest, loadManifest, validateConnectorConfig } from './manifest.js';

/**
 * Picks the manifest's auth variables out of `env`. Throws an {@link AuthError} naming
 * every missing required variable (names only, never values). Empty values count as missing.
 *
 * @example
 * const secrets = resolveSecrets(manifest, env); // { KEBOOLA_STORAGE_TOKEN: '…' }
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
  if (missing.length > 0) {
    const plural = missing.length > 1;
    throw new AuthError(
      `connector ${manifest.name} needs the environment variable${plural ? 's' : ''} ${missing.join(', ')}; set ${plural ? 'them' : 'it'} where the host runs`,
    );
  }
  return secrets;
}

/** Options of {@link loadConnector}. */
export interface LoadConnectorOptions {
  /** The connector's configuration; checked against the manifest, defaults applied. */
  config?: Readonly<Record<string, unknown>>;
  /** Where the manifest's auth variables are looked up (the host passes its environment). */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  signal?: AbortSignal;
  /** Where the connector may read local files: checked against `format: path` fields and handed to the factory. */
  fileAccess?: FileAccess;
}

/** What {@link loadConnector} returns. */
export interface LoadedConnector {
  connector: Connector;
  manifest: ConnectorManifest;
}

/**
 * Loads a connector from its `connector.yaml`: validates the manifest and the config,
 * resolves the secrets from `env`, imports the entrypoint (relative to the manifest's
 * folder) and calls its default-export {@link ConnectorFactory}. Every failure before
 * the factory runs is a {@link ConfigError} or {@link AuthError} naming the file.
 *
 * @example
 * const { connector, manifest } = await loadConnector('connectors/keboola/connector.yaml', {
 *   config: { url: 'https://connection.keboola.com' },
 *   env: hostEnv,
 *   logger,
 * });
 */
export async function loadConnector(manifestPath: string, options: LoadConnectorOptions = {}): Promise<LoadedConnector> {
  const manifest = await loadManifest(manifestPath);
  const config = validateConnectorConfig(manifest, options.config ?? {}, { fileAccess: options.fileAccess });
  const secrets = resolveSecrets(manifest, options.env ?? {});
  const entry = resolve(dirname(resolve(manifestPath)), manifest.entrypoint);
  if (!existsSync(entry)) {
    throw new ConfigError(
      `${manifestPath}: entrypoint ${manifest.entrypoint} does not exist (looked for ${entry}); build the connector or fix the path`,
    );
  }
  options.signal?.throwIfAborted();
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError(`${manifestPath}: cannot import entrypoint ${manifest.entrypoint}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof mod.default !== 'function') {
    throw new ConfigError(
      `${manifestPath}: entrypoint ${manifest.entrypoint} must default-export a factory (config, ctx) => Connector; found ${
        mod.default === undefined ? 'no default export' : `a default export of type ${typeof mod.default}`
      }`,
    );
  }
  const ctx = createContext({
    secrets,
    logger: childLogger(options.logger ?? silentLogger, { connector: manifest.name }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.fileAccess ? { fileAccess: options.fileAccess } : {}),
  });
  const connector: unknown = await (mod.default as ConnectorFactory)(config, ctx);
  if (typeof connector !== 'object' || connector === null || typeof (connector as Connector).capabilities !== 'number') {
    throw new ConfigError(
      `${manifestPath}: the factory of ${manifest.entrypoint} must return a connector (an object with numeric capabilities, see defineConnector)`,
    );
  }
  return { connector: connector as Connector, manifest };
}
