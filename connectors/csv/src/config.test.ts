import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cap, ConfigError, createContext, isConnectorError } from '@agnes/connector-kit';
import { createCsvConnector } from './connector.js';
import factory from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'agnes-csv-config-'));
writeFileSync(join(dir, 'a.csv'), 'x\n1\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(isConnectorError(error) && error.code).toBe('config');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('csv connector config', () => {
  it('builds a discover+read connector from the manifest spelling', async () => {
    const c = factory({ path: dir, recursive: false, batch_size: 5, primary_keys: { a: ['x'] } }, createContext());
    expect(c.capabilities).toBe(Cap.DISCOVER | Cap.READ);
    const [a] = await c.discover!();
    expect(a).toMatchObject({ name: 'a', primaryKey: ['x'] });
  });

  it('refuses a missing path, naming the field and the fix', () => {
    expect(errorOf(() => factory({}, createContext())).message).toBe(
      'csv connector: config.path is required: set it to the folder holding the files',
    );
  });

  it('refuses a path that does not exist or is a file', () => {
    expect(errorOf(() => createCsvConnector({ path: join(dir, 'nope') })).message).toMatch(
      /config\.path ".*nope" does not exist; point it at the folder holding the files/,
    );
    expect(errorOf(() => createCsvConnector({ path: join(dir, 'a.csv') })).message).toMatch(/is a file, not a folder/);
  });

  it('reports every problem at once, in the caller\'s spelling', () => {
    const message = errorOf(() =>
      factory({ path: 3, recursive: 'yes', batch_size: 0, primary_keys: { a: [] } }, createContext()),
    ).message;
    expect(message).toContain('the configuration has 4 problems');
    expect(message).toContain('config.path is required: set it to the folder holding the files (got 3)');
    expect(message).toContain('config.recursive must be true or false, got "yes"');
    expect(message).toContain('config.batch_size must be a whole number of rows above 0, got 0');
    expect(message).toContain('config.primary_keys.a must be a non-empty list of column names');
    expect(errorOf(() => createCsvConnector({ path: dir, batchSize: 1.5 })).message).toContain('config.batchSize must be');
  });
});
