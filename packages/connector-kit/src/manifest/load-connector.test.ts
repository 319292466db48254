import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthError, ConfigError } from '../errors/errors.js';
import { loadConnector, resolveSecrets } from './load-connector.js';
import { parseManifest } from './manifest.js';

function manifestText(entrypoint: string): string {
  return `
name: crm
version: "1.0.0"
description: CRM API
entrypoint: ${entrypoint}
capabilities: [discover, read]
auth:
  type: token
  env_vars:
    - name: CRM_TOKEN
    - name: CRM_REGION
      required: false
config:
  url: { type: string, required: true }
  page_size: { type: integer, default: 100 }
`;
}

/** A temp connector folder with connector.yaml pointing at `entry` and the given files. */
function connectorDir(entry: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'agnes-load-'));
  writeFileSync(join(dir, 'connector.yaml'), manifestText(entry));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, 'connector.yaml');
}

function unexpected(): never {
  throw new Error('expected loadConnector to reject');
}

const env = { CRM_TOKEN: 'tok-123', UNRELATED: 'x' };

describe('resolveSecrets', () => {
  const manifest = parseManifest(manifestText('./entry.mjs'));

  it('returns only the manifest variables that are set', () => {
    expect(resolveSecrets(manifest, { ...env, CRM_REGION: 'eu' })).toEqual({ CRM_TOKEN: 'tok-123', CRM_REGION: 'eu' });
    expect(resolveSecrets(manifest, env)).toEqual({ CRM_TOKEN: 'tok-123' });
  });

  it('names the missing required variables and nothing else', () => {
    const run = () => resolveSecrets(manifest, { CRM_TOKEN: '', CRM_REGION: 'eu-secret-region' });
    expect(run).toThrow(AuthError);
    expect(run).toThrow('connector crm needs the environment variable CRM_TOKEN; set it where the host runs');
  });
});

describe('loadConnector', () => {
  it('imports the entrypoint and calls its default factory with validated config and secrets', async () => {
    const path = connectorDir('./entry.mjs', {
      'entry.mjs': `
        export default async (config, ctx) => ({
          capabilities: 3,
          config,
          secrets: { ...ctx.secrets },
          fetchType: typeof ctx.fetch,
          secretsFrozen: Object.isFrozen(ctx.secrets),
        });`,
    });
    const { connector, manifest } = await loadConnector(path, { config: { url: 'https://crm.example.com' }, env });
    expect(manifest.name).toBe('crm');
    expect(connector).toEqual({
      capabilities: 3,
      config: { url: 'https://crm.example.com', page_size: 100 },
      secrets: { CRM_TOKEN: 'tok-123' },
      fetchType: 'function',
      secretsFrozen: true,
    });
  });

  it('gives the factory a logger that names the connector', async () => {
    const path = connectorDir('./entry.mjs', {
      'entry.mjs': `export default (config, ctx) => { ctx.logger.info('hello', { n: 1 }); return { capabilities: 3 }; };`,
    });
    const lines: unknown[] = [];
    const logger = { debug() {}, warn() {}, error() {}, info: (m: string, f?: object) => void lines.push([m, f]) };
    await loadConnector(path, { config: { url: 'u' }, env, logger });
    expect(lines).toEqual([['hello', { connector: 'crm', n: 1 }]]);
  });

  it('refuses a missing entrypoint file with a ConfigError naming it', async () => {
    const path = connectorDir('./dist/index.js', {});
    const err = await loadConnector(path, { config: { url: 'u' }, env }).then(unexpected, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(`${path}: entrypoint ./dist/index.js does not exist`);
  });

  it('refuses a module without a default factory', async () => {
    const path = connectorDir('./entry.mjs', { 'entry.mjs': 'export const connector = {};' });
    await expect(loadConnector(path, { config: { url: 'u' }, env })).rejects.toThrow(
      `${path}: entrypoint ./entry.mjs must default-export a factory (config, ctx) => Connector; found no default export`,
    );
  });

  it('reports a module that fails to import as a ConfigError', async () => {
    const path = connectorDir('./entry.mjs', { 'entry.mjs': 'export default (=> 1;' });
    const err = await loadConnector(path, { config: { url: 'u' }, env }).then(unexpected, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(`${path}: cannot import entrypoint ./entry.mjs`);
  });

  it('refuses a factory that returns something other than a connector', async () => {
    const path = connectorDir('./entry.mjs', { 'entry.mjs': 'export default () => ({ read() {} });' });
    await expect(loadConnector(path, { config: { url: 'u' }, env })).rejects.toThrow(/must return a connector/);
  });

  it('checks config and secrets before importing anything', async () => {
    const path = connectorDir('./entry.mjs', { 'entry.mjs': 'throw new Error("must not be imported");' });
    await expect(loadConnector(path, { config: {}, env })).rejects.toThrow(/url: is required/);
    await expect(loadConnector(path, { config: { url: 'u' }, env: {} })).rejects.toBeInstanceOf(AuthError);
  });
});
