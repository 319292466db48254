import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { vegaDataDir } from './demo.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8000, demo: false, scheduler: true, databaseUrl: undefined, queryMaxRows: 10_000 });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('reads the query limits as sizes, shares of memory and counts, and names a bad one', () => {
    const defaults = loadConfig({}, {});
    expect(defaults).toMatchObject({ queryMaxBytes: 64 * 2 ** 20, queryMaxPerUser: 2, queryMemoryBytes: Math.floor(totalmem() / 4), queryWorkers: availableParallelism(), queryThreads: availableParallelism() });
    const set = loadConfig({}, { QUERY_MAX_BYTES: '8MiB', QUERY_MEMORY_LIMIT: '6GB', QUERY_WORKERS: '3', QUERY_MAX_PER_USER: '1', QUERY_THREADS: '1' });
    expect(set).toMatchObject({ queryMaxBytes: 8 * 2 ** 20, queryMemoryBytes: 6e9, queryWorkers: 3, queryMaxPerUser: 1, queryThreads: 1 });
    expect(loadConfig({}, { QUERY_MEMORY_LIMIT: '50%' }).queryMemoryBytes).toBe(Math.floor(totalmem() / 2));
    expect(() => loadConfig({}, { QUERY_MEMORY_LIMIT: 'lots' })).toThrow(/QUERY_MEMORY_LIMIT must be a size such as 512MB, 6GiB or 25%/);
    expect(() => loadConfig({}, { QUERY_MAX_BYTES: '0' })).toThrow(/QUERY_MAX_BYTES/);
  });

  it('lets flags win over the environment', () => {
    const config = loadConfig({ port: 0, dataDir: '/srv/x' }, { PORT: '9000', DATA_DIR: '/srv/y' });
    expect(config).toMatchObject({ port: 0, dataDir: '/srv/x' });
  });

  it('requires JWT_SECRET_KEY with DATABASE_URL, since replicas must share it', () => {
    expect(() => loadConfig({}, { DATABASE_URL: 'postgres://db/agnes' })).toThrow(/JWT_SECRET_KEY is required/);
    expect(loadConfig({}, { DATABASE_URL: 'postgres://db/agnes', JWT_SECRET_KEY: 'k'.repeat(40) }).databaseUrl).toBe('postgres://db/agnes');
  });

  it('lets sources read <data-dir>/files and the demo data by default, or the AGNES_SOURCE_ROOTS folders', () => {
    expect(loadConfig({ dataDir: '/srv/agnes' }, {}).sourceRoots).toEqual(['/srv/agnes/files', vegaDataDir()]);
    expect(loadConfig({ dataDir: '/srv/agnes' }, { AGNES_SOURCE_ROOTS: ' /mnt/exports , relative/drop,' }).sourceRoots).toEqual(['/mnt/exports', resolve('relative/drop')]);
  });

  it('names the variable of a bad number', () => {
    expect(() => loadConfig({}, { QUERY_MAX_ROWS: 'lots' })).toThrow(/QUERY_MAX_ROWS must be a non-negative integer/);
  });
});
