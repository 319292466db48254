import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cap } from '../protocol/capabilities.js';
import { loadConnector, resolveSecrets } from './load-connector.js';
import { loadManifest, parseManifest, validateConnectorConfig } from './manifest.js';

const good = `
name: keboola
version: "1.0.0"
description: Keboola Storage
entrypoint: ./entry.mjs
capabilities: [discover, read, remote]
auth:
  type: token
  env_vars:
    - name: KEBOOLA_STORAGE_TOKEN
      description: Storage API token
config:
  url: { type: string, required: true, format: uri }
  batch_size: { type: integer, default: 1000 }
`;

describe('manifest', () => {
  it('parses a valid connector.yaml with defaults', () => {
    const m = parseManifest(good);
    expect(m).toMatchObject({ name: 'keboola', version: '1.0.0', caps: Cap.DISCOVER | Cap.READ | Cap.REMOTE });
    expect(m.auth.env_vars).toEqual([{ name: 'KEBOOLA_STORAGE_TOKEN', required: true, description: 'Storage API token' }]);
  });

  it('reports every problem at once, with the file, the field and the fix', () => {
    const bad = `
name: my-connector
version: 1
entrypoint: dist/index.js
capabilities: [read, reed]
auth:
  env_vars:
    - name: my token
`;
    let message = '';
    try {
      parseManifest(bad, '/x/connector.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('/x/connector.yaml is not a valid connector manifest');
    expect(message).toContain('name: source name "my-connector" is invalid');
    expect(message).toContain('version: ');
    expect(message).toContain('entrypoint: must be a module path relative to connector.yaml');
    expect(message).toContain("capabilities[1]: unknown capability 'reed'; valid: discover, read, stream, remote, write");
    expect(message).toContain('auth.env_vars[0].name: must be an environment variable name');
  });

  it('names a missing file', async () => {
    await expect(loadManifest('/nonexistent/connector.yaml')).rejects.toThrow(/cannot read connector manifest \/nonexistent\/connector.yaml/);
  });

  it('validates config against the manifest and applies defaults', () => {
    const m = parseManifest(good);
    expect(validateConnectorConfig(m, { url: 'https://x' })).toEqual({ url: 'https://x', batch_size: 1000 });
    expect(() => validateConnectorConfig(m, { batch_size: 1.5, extra: 1 })).toThrow(
      /url: is required[\s\S]*batch_size: must be an integer[\s\S]*extra: unknown field/,
    );
  });

  it('resolves secrets by name and names the missing ones without values', () => {
    const m = parseManifest(good);
    expect(resolveSecrets(m, { KEBOOLA_STORAGE_TOKEN: 't0k', OTHER: 'x' })).toEqual({ KEBOOLA_STORAGE_TOKEN: 't0k' });
    expect(() => resolveSecrets(m, {})).toThrow('connector keboola needs the environment variable(s) KEBOOLA_STORAGE_TOKEN');
  });

  it('loads a connector through its entrypoint factory with config and secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agnes-manifest-'));
    writeFileSync(join(dir, 'connector.yaml'), good);
    writeFileSync(
      join(dir, 'entry.mjs'),
      `export default (config, ctx) => ({ capabilities: 11, config, token: ctx.secrets.KEBOOLA_STORAGE_TOKEN, hasFetch: typeof ctx.fetch });`,
    );
    const { connector, manifest } = await loadConnector(join(dir, 'connector.yaml'), {
      config: { url: 'https://connection.keboola.com' },
      env: { KEBOOLA_STORAGE_TOKEN: 'secret-value' },
    });
    expect(manifest.name).toBe('keboola');
    expect(connector).toMatchObject({
      config: { url: 'https://connection.keboola.com', batch_size: 1000 },
      token: 'secret-value',
      hasFetch: 'function',
    });
    writeFileSync(join(dir, 'connector2.yaml'), good.replace('./entry.mjs', './no-default.mjs'));
    writeFileSync(join(dir, 'no-default.mjs'), 'export const nothing = 1;');
    await expect(
      loadConnector(join(dir, 'connector2.yaml'), { config: { url: 'x' }, env: { KEBOOLA_STORAGE_TOKEN: 't' } }),
    ).rejects.toThrow(/must default-export a factory/);
  });
});
