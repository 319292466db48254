import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeApi, errorOf } from './harness.js';

describeApi('manifest, downloads, query and catalog', {}, (api) => {
  let analyst: { id: string; token: string };
  let groupId = '';

  it('publishes and auto-registers the synced tables with profiles', async () => {
    const { tables } = await api().call('GET', '/api/admin/registry', { token: api().adminToken });
    expect(tables.map((t: { id: string }) => t.id).sort()).toEqual(['customers', 'orders']);
    const profile = await api().call('GET', '/api/catalog/profile/orders', { token: api().adminToken });
    expect(profile.profile.rows).toBe(100);
    expect(profile.profile.columns.find((c: { name: string }) => c.name === 'id')).toMatchObject({ min: '1', max: '100' });
  });

  it('shows an analyst only the tables granted to one of their groups', async () => {
    analyst = await api().user('analyst@example.com');
    expect(Object.keys((await api().call('GET', '/api/sync/manifest', { token: analyst.token })).tables)).toEqual([]);
    const group = await api().call('POST', '/api/admin/groups', { token: api().adminToken, body: { name: 'sales', description: 'Sales team' } });
    groupId = group.id;
    await api().call('POST', `/api/admin/groups/${group.id}/members`, { token: api().adminToken, body: { email: 'analyst@example.com' } });
    const grant = await api().call('POST', '/api/admin/grants', { token: api().adminToken, body: { group_id: group.id, resource_type: 'table', resource_id: 'orders' } });
    expect(grant.id).toBe(`${group.id}:table:orders`);
    const manifest = await api().call('GET', '/api/sync/manifest', { token: analyst.token });
    expect(Object.keys(manifest.tables)).toEqual(['orders']);
    expect(manifest.tables.orders).toMatchObject({ rows: 100, query_mode: 'local', source: 'shop', source_type: '@agnes/test-sample-connector' });
    expect(manifest.tables.orders.hash).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(manifest.server_time).toMatch(/Z$/);
    const catalog = await api().call('GET', '/api/catalog/tables', { token: analyst.token });
    expect(catalog.tables.map((t: { name: string }) => t.name)).toEqual(['orders']);
  });

  it('refuses a grant on something that is not a table name', async () => {
    const res = await api().request('POST', '/api/admin/grants', { token: api().adminToken, body: { group_id: groupId, resource_id: '../secrets' } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/resource_id/);
  });

  it('streams the parquet with the manifest hash as ETag, answers If-None-Match with 304 and Range with 206', async () => {
    const manifest = await api().call('GET', '/api/sync/manifest', { token: analyst.token });
    const res = await api().request('GET', '/api/data/orders/download', { token: analyst.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${manifest.tables.orders.hash}"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(manifest.tables.orders.size_bytes);
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('PAR1');
    const cached = await api().request('GET', '/api/data/orders/download', { token: analyst.token, headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(cached.status).toBe(304);
    const ranged = await api().request('GET', '/api/data/orders/download', { token: analyst.token, headers: { range: 'bytes=4-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 4-99/${bytes.length}`);
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes.slice(4, 100));
    const tail = await api().request('GET', '/api/data/orders/download', { token: analyst.token, headers: { range: 'bytes=-10' } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.slice(-10));
    const bad = await api().request('GET', '/api/data/orders/download', { token: analyst.token, headers: { range: `bytes=${bytes.length}-` } });
    expect(bad.status).toBe(416);
    // Ranges this server does not do are ignored, as HTTP allows: the whole file comes back.
    for (const range of ['bytes=0-1,4-5', 'items=0-1']) {
      const whole = await api().request('GET', '/api/data/orders/download', { token: analyst.token, headers: { range } });
      expect(whole.status, range).toBe(200);
      expect((await whole.arrayBuffer()).byteLength).toBe(bytes.length);
    }
  });

  it('answers a forbidden table, a missing one and a hostile name with the same 404', async () => {
    const forbidden = await api().request('GET', '/api/data/customers/download', { token: analyst.token });
    const missing = await api().request('GET', '/api/data/nothing_here/download', { token: analyst.token });
    const hostile = await api().request('GET', `/api/data/${encodeURIComponent('../../state/system')}/download`, { token: analyst.token });
    expect([forbidden.status, missing.status, hostile.status]).toEqual([404, 404, 404]);
    const [a, b] = [{ error: await errorOf(forbidden) }, { error: await errorOf(missing) }];
    expect(a.error.code).toBe(b.error.code);
    expect(a.error.message.replace('customers', 'X')).toBe(b.error.message.replace('nothing_here', 'X'));
    expect((await api().request('GET', '/api/catalog/profile/customers', { token: analyst.token })).status).toBe(404);
  });

  it('runs granted read queries with exact big integers and refuses the rest with 400 or 403', async () => {
    const result = await api().call('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT id, big FROM orders ORDER BY id LIMIT 2' } });
    expect(result).toEqual({ columns: ['id', 'big'], types: ['BIGINT', 'BIGINT'], rows: [['1', '9007199254740994'], ['2', '9007199254740995']], row_count: 2, truncated: false });
    const truncated = await api().call('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT id FROM orders', limit: 5 } });
    expect(truncated).toMatchObject({ row_count: 5, truncated: true });
    const twins = await api().call('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT 1 AS x, 2 AS x, id AS x FROM orders WHERE id = 7' } });
    expect(twins).toMatchObject({ columns: ['x', 'x', 'x'], rows: [[1, 2, '7']] });
    const empty = await api().call('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT id FROM orders WHERE id < 0' } });
    expect(empty).toMatchObject({ columns: ['id'], rows: [], row_count: 0 });
    const forbidden = await api().request('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT * FROM orders JOIN customers ON true' } });
    expect(forbidden.status).toBe(403);
    expect((await errorOf(forbidden)).message).toMatch(/customers/);
    for (const sql of ["COPY orders TO '/tmp/x.csv'", 'DROP VIEW orders', "SELECT * FROM read_csv('/etc/passwd')"]) {
      const res = await api().request('POST', '/api/query', { token: analyst.token, body: { sql } });
      expect([400, 403], sql).toContain(res.status);
    }
    expect((await api().request('POST', '/api/query', { token: analyst.token, body: { sql: 'DELETE FROM orders' } })).status).toBe(400);
  });

  it('gives an analyst nothing of other tables through CTE scope escapes or catalog macros', async () => {
    const glob = join(api().dataDir, 'extracts', '*', 'data', '*.parquet');
    const attacks = [
      `SELECT * FROM '${glob}' WHERE EXISTS (WITH "${glob}" AS (SELECT 1) SELECT 1)`,
      ...['duckdb_tables', 'duckdb_views', 'sqlite_master', 'pg_settings', 'duckdb_databases', '_agnes_tables', 'customers'].map((x) => `SELECT * FROM (WITH "${x}" AS (SELECT 1) SELECT 1) AS _s, ${x}`),
      'SELECT pg_get_viewdef(x) AS d FROM range(0, 100000) t(x) WHERE d IS NOT NULL',
      "SELECT json_serialize_plan('SELECT * FROM customers')",
    ];
    for (const sql of attacks) {
      const res = await api().request('POST', '/api/query', { token: analyst.token, body: { sql } });
      expect([400, 403], sql).toContain(res.status);
      const body = JSON.stringify(await res.json());
      expect(body, sql).not.toMatch(/CREATE VIEW|read_parquet|extracts\/shop/);
    }
    // The analyst's own table still answers, from their sandbox.
    const own = await api().call('POST', '/api/query', { token: analyst.token, body: { sql: 'WITH o AS (SELECT * FROM orders) SELECT count(*) AS n FROM o' } });
    expect(own.rows).toEqual([['100']]);
  });

  it('honours table subscriptions in the manifest', async () => {
    await api().call('POST', '/api/admin/grants', { token: api().adminToken, body: { group_id: groupId, resource_id: 'customers' } });
    expect(Object.keys((await api().call('GET', '/api/sync/manifest', { token: analyst.token })).tables).sort()).toEqual(['customers', 'orders']);
    await api().call('PUT', '/api/sync/settings', { token: analyst.token, body: { tables: { customers: false } } });
    expect(Object.keys((await api().call('GET', '/api/sync/manifest', { token: analyst.token })).tables)).toEqual(['orders']);
    await api().call('PUT', '/api/sync/settings', { token: analyst.token, body: { tables: { customers: true } } });
    expect(Object.keys((await api().call('GET', '/api/sync/manifest', { token: analyst.token })).tables)).toEqual(['customers']);
  });

  it('keeps the admin safeguards: not yourself, not the last admin', async () => {
    const me = await api().call('GET', '/auth/me', { token: api().adminToken });
    for (const [method, path, body] of [
      ['POST', `/api/users/${me.id}/deactivate`, undefined],
      ['PATCH', `/api/users/${me.id}`, { role: 'analyst' }],
      ['DELETE', `/api/users/${me.id}`, undefined],
    ] as const) {
      const res = await api().request(method, path, { token: api().adminToken, body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const other = await api().user('second-admin@example.com', { role: 'admin' });
    // The other admin may not remove the last remaining admin either, once alone.
    await api().call('POST', `/api/users/${other.id}/deactivate`, { token: api().adminToken });
    const last = await api().request('PATCH', `/api/users/${me.id}`, { token: api().adminToken, body: { role: 'analyst' } });
    expect(last.status).toBe(403);
  });

  it('describes every route, the auth schemes and the error shape in the OpenAPI document', async () => {
    const doc = await api().call('GET', '/api/openapi.json');
    for (const path of ['/auth/token', '/auth/tokens/{id}', '/api/users/{id}/{action}', '/api/admin/grants', '/api/sync/manifest', '/api/data/{table}/download', '/api/query', '/api/health', '/api/jira/webhook']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'cookie']);
    expect(doc.components.schemas.Error).toBeDefined();
    expect(doc.paths['/api/query'].post.responses['403']).toBeDefined();
  });

  it('answers health without auth', async () => {
    const health = await api().call('GET', '/api/health');
    expect(health).toMatchObject({ status: 'ok', tables: 2, sync_running: false, system_db: api().kind });
    expect(health.disk_free_bytes).toBeGreaterThan(0);
  });
});
