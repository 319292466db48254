import { describe, expect, it } from 'vitest';
import { DEFAULT_API_BASE_URL, DEFAULT_MAX_BYTES, resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('applies the defaults', () => {
    const c = resolveConfig({ project_id: 'acme-analytics' });
    expect(c).toMatchObject({ projectId: 'acme-analytics', maxBytes: DEFAULT_MAX_BYTES, batchSize: 10_000, remoteTables: true, apiBaseUrl: DEFAULT_API_BASE_URL });
    expect(c.queries.size).toBe(0);
  });

  it('refuses an incremental key without a primary key and names colliding tables', () => {
    expect(() =>
      resolveConfig({ project_id: 'acme-analytics', queries: { Daily: { sql: 'SELECT 1', incremental_key: 'd' }, daily: { sql: 'SELECT 2' } } }),
    ).toThrow(/incremental_key needs primary_key[\s\S]*"Daily" and "daily" collide/);
  });

  it('refuses an api_base_url with credentials or a negative byte limit', () => {
    expect(() => resolveConfig({ project_id: 'acme-analytics', api_base_url: 'https://u:p@example.com/v2' })).toThrow(/no credentials/);
    expect(() => resolveConfig({ project_id: 'acme-analytics', max_bytes_per_materialize: -1 })).toThrow(/0 disables the guard/);
  });
});
