import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import { Cap } from '../protocol/capabilities.js';
import { loadManifest, parseManifest, validateConnectorConfig } from './manifest.js';

const valid = `
name: keboola
version: "1.0.0"
description: Keboola Storage connector
entrypoint: ./dist/index.js
capabilities: [discover, Read, remote]
auth:
  type: token
  env_vars:
    - name: KEBOOLA_STORAGE_TOKEN
      description: Storage API token
config:
  url: { type: string, required: true, format: uri, description: Keboola stack URL }
  batch_size: { type: integer, default: 1000 }
  tables: { type: array, default: [] }
  token: { type: string, secret: true }
health_check:
  endpoint: "\${url}/v2/storage"
  headers:
    X-StorageApi-Token: "\${KEBOOLA_STORAGE_TOKEN}"
`;

const broken = `
name: my-connector
version: 1
entrypoint: dist/index.js
capabilities: [read, reed]
helth_check: {}
auth:
  type: apikey
  env_vars:
    - name: my token
config:
  url: { type: strin }
  batch_size: { type: integer, default: 1.5 }
`;

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'agnes-manifest-')), name);
  writeFileSync(path, text);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe('loadManifest', () => {
  it('loads a valid connector.yaml with defaults and the capability bit set', async () => {
    const path = tempFile('connector.yaml', valid);
    const m = await loadManifest(path);
    expect(m).toMatchObject({
      name: 'keboola',
      version: '1.0.0',
      entrypoint: './dist/index.js',
      capabilities: ['discover', 'read', 'remote'],
      caps: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
      file: path,
    });
    expect(m.auth).toEqual({
      type: 'token',
      env_vars: [{ name: 'KEBOOLA_STORAGE_TOKEN', required: true, description: 'Storage API token' }],
    });
    expect(m.config.batch_size).toEqual({ type: 'integer', default: 1000, required: false, secret: false });
    expect(m.health_check).toEqual({
      endpoint: '${url}/v2/storage',
      method: 'GET',
      headers: { 'X-StorageApi-Token': '${KEBOOLA_STORAGE_TOKEN}' },
      expect_status: 200,
      timeout_seconds: 10,
    });
  });

  it('defaults description to empty, auth to none and config to empty', () => {
    const m = parseManifest('name: files\nversion: "0.1.0"\nentrypoint: ./index.js\ncapabilities: [read]\n');
    expect(m.description).toBe('');
    expect(m.auth).toEqual({ type: 'none', env_vars: [] });
    expect(m.config).toEqual({});
    expect(m.health_check).toBeUndefined();
  });

  it('reports every problem at once with the file name, the field path and the fix', async () => {
    const path = tempFile('connector.yaml', broken);
    const err = await rejection(loadManifest(path));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message.split('\n')).toEqual([
      `${path} is not a valid connector manifest:`,
      '  - name: source name "my-connector" is invalid: it must be a letter or underscore, then letters, digits or underscores, at most 64 characters, not starting with "_" (reserved); use e.g. "my_source"',
      '  - version: must be a semantic version such as "1.0.0" (quote it in YAML), got number 1',
      '  - entrypoint: must be a module path relative to connector.yaml starting with "./", e.g. "./dist/index.js"',
      "  - capabilities[1]: unknown capability 'reed'; valid: discover, read, stream, remote, write",
      "  - auth.type: unknown auth type 'apikey'; valid: token, oauth, basic, service_account, none",
      '  - auth.env_vars[0].name: must be an environment variable name such as "MY_API_TOKEN" (A-Z, 0-9 and _, starting with a letter)',
      "  - config.url.type: unknown type 'strin'; valid: string, number, integer, boolean, array, object",
      '  - config.batch_size.default: must be an integer to match type: integer',
      "  - (top level): unknown field 'helth_check' in the manifest; valid fields: name, version, description, entrypoint, capabilities, auth, config, health_check",
    ]);
  });

  it('lists every YAML syntax error with its line', async () => {
    const path = tempFile('connector.yaml', 'name: a\n  bad: [\nversion: "1.0.0"\n');
    const err = await rejection(loadManifest(path));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(new RegExp(`^${path} is not valid YAML:\\n  - .* at line 1, column \\d+\\n  - `));
  });

  it('says the manifest must be a mapping when it is something else', () => {
    expect(() => parseManifest('- a\n- b\n', 'x.yaml')).toThrow(
      'x.yaml is not a valid connector manifest:\n  - (top level): the manifest must be a mapping with the fields',
    );
  });

  it('names every missing required field of an empty file', () => {
    expect(() => parseManifest('', 'empty.yaml')).toThrow(
      /name: is required[\s\S]*version: is required[\s\S]*entrypoint: is required[\s\S]*capabilities: is required/,
    );
  });

  it('names a file it cannot read', async () => {
    const err = await rejection(loadManifest('/nonexistent/connector.yaml'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^cannot read connector manifest \/nonexistent\/connector.yaml: ENOENT/);
  });
});

describe('validateConnectorConfig', () => {
  const manifest = parseManifest(valid);

  it('applies defaults and keeps given values', () => {
    const config = validateConnectorConfig(manifest, { url: 'https://x', batch_size: 50 });
    expect(config).toEqual({ url: 'https://x', batch_size: 50, tables: [] });
  });

  it('gives each run its own copy of an object default', () => {
    const a = validateConnectorConfig(manifest, { url: 'https://x' });
    (a.tables as string[]).push('orders');
    expect(validateConnectorConfig(manifest, { url: 'https://x' }).tables).toEqual([]);
  });

  it('lists every missing, mistyped and unknown field', () => {
    expect(() => validateConnectorConfig(manifest, { batch_size: 1.5, tables: 'orders', extra: 1 })).toThrow(
      [
        'configuration of connector keboola is invalid:',
        '  - url: is required (string: Keboola stack URL)',
        '  - batch_size: must be an integer, got number 1.5',
        '  - tables: must be an array, got the text "orders"',
        '  - extra: unknown field; remove it or fix the spelling (known fields: url, batch_size, tables, token)',
      ].join('\n'),
    );
  });

  it('never echoes the value of a secret field', () => {
    let message = '';
    try {
      validateConnectorConfig(manifest, { url: 'https://x', token: ['sk-live-123'] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('token: must be a string, got a list (value not shown: secret)');
    expect(message).not.toContain('sk-live-123');
  });
});
