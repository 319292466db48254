import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../src/sync/download.js';
import { type DaHome, runDa, spawnDa, startProxy, startTestServer, tempHome, type TestProxy, type TestServer } from './helpers.js';

const ROWS = 30_000;

describe('da sync against a server whose data changes between runs', () => {
  let api: TestServer;
  let proxy: TestProxy;
  let home: DaHome;
  let groupId = '';
  const da = (args: string[]) => runDa(args, { env: home.env, cwd: home.workspace });
  const json = async (args: string[], expectCode = 0) => {
    const res = await da([...args, '--json']);
    expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(expectCode);
    return JSON.parse(res.stdout);
  };
  const manifest = async () => (await api.call('GET', '/api/sync/manifest', { token: analystToken })).tables;
  const parquet = (table: string) => join(home.workspace, 'server', 'parquet', `${table}.parquet`);
  const state = async () => JSON.parse(await readFile(join(home.workspace, '.da', 'state.json'), 'utf8'));
  const setVersion = async (version: number) => {
    await api.call('PATCH', '/api/admin/sources/shop', { token: api.adminToken, body: { config: { rows: ROWS, version } } });
    await api.sync();
  };
  let analystToken = '';

  beforeAll(async () => {
    api = await startTestServer({ rows: ROWS });
    proxy = await startProxy(api.url);
    const analyst = await api.user('ana@example.com');
    analystToken = analyst.token;
    groupId = (await api.call('POST', '/api/admin/groups', { token: api.adminToken, body: { name: 'sales' } })).id;
    await api.call('POST', `/api/admin/groups/${groupId}/members`, { token: api.adminToken, body: { email: 'ana@example.com' } });
    await api.call('POST', '/api/admin/grants', { token: api.adminToken, body: { group_id: groupId, resource_id: 'orders' } });
    home = await tempHome();
    const imported = await da(['auth', 'import-token', '--token', analyst.token, '--server', proxy.url]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
  });

  it('prints the plan with --dry-run and writes nothing', async () => {
    const plan = await json(['sync', '--dry-run']);
    expect(plan.summary).toMatchObject({ new: 1, failed: 0 });
    expect(plan.download).toEqual([{ table: 'orders', status: 'new', rows: ROWS, bytes: (await manifest()).orders.size_bytes }]);
    expect(existsSync(join(home.workspace, 'server'))).toBe(false);
    expect(existsSync(join(home.workspace, '.da'))).toBe(false);
  });

  it('downloads the granted table, verifies it and builds the views; queries are exact and offline', async () => {
    const report = await json(['sync']);
    expect(report.summary).toMatchObject({ new: 1, failed: 0 });
    expect(await hashFile(parquet('orders'))).toBe((await manifest()).orders.hash);
    expect((await state()).tables.orders.hash).toBe((await manifest()).orders.hash);
    const offline = { ...home.env, DA_SERVER: 'http://127.0.0.1:9' };
    const res = await runDa(['query', 'SELECT count(*) AS n, max(big) AS big, sum(amount)::DECIMAL(18,2) AS total FROM orders', '--format', 'json'], { env: offline, cwd: home.workspace });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).rows).toEqual([{ n: String(ROWS), big: String(9007199254740993n + BigInt(ROWS)), total: (1.5 * (ROWS * (ROWS + 1)) / 2).toFixed(2) }]);
    const csv = await runDa(['query', 'SELECT id, big FROM orders ORDER BY id LIMIT 2', '--format', 'csv'], { env: offline, cwd: home.workspace });
    expect(csv.stdout).toBe('id,big\n1,9007199254740994\n2,9007199254740995\n');
  });

  it('does nothing on a second run: no download, no rebuild', async () => {
    const before = proxy.downloads.length;
    const report = await json(['sync']);
    expect(report.summary).toMatchObject({ unchanged: 1, new: 0, updated: 0, failed: 0 });
    expect(report.database_rebuilt).toBe(false);
    expect(proxy.downloads.length).toBe(before);
  });

  it("keeps the analyst's own tables and views across syncs; a same-named own table wins with a warning", async () => {
    for (const sql of ['CREATE TABLE mine AS SELECT id FROM orders WHERE id <= 3', "CREATE TABLE customers AS SELECT 'my own' AS name", 'CREATE VIEW my_orders AS SELECT count(*) AS n FROM orders']) {
      const res = await da(['query', sql]);
      expect(res.code, res.stderr).toBe(0);
    }
    await setVersion(2);
    await api.call('POST', '/api/admin/grants', { token: api.adminToken, body: { group_id: groupId, resource_id: 'customers' } });
    const res = await da(['sync', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.tables.map((t: { table: string; status: string }) => [t.table, t.status])).toEqual([
      ['customers', 'new'],
      ['orders', 'updated'],
    ]);
    expect(res.stderr).toMatch(/customers.*yours is kept/);
    expect(await hashFile(parquet('orders'))).toBe((await manifest()).orders.hash);
    const q = async (sql: string) => JSON.parse((await da(['query', sql, '--format', 'json'])).stdout).rows;
    expect(await q('SELECT count(*) AS n FROM mine')).toEqual([{ n: '3' }]);
    expect(await q('SELECT name FROM customers')).toEqual([{ name: 'my own' }]);
    expect(await q('SELECT n FROM my_orders')).toEqual([{ n: String(ROWS) }]);
    expect(await q('SELECT amount FROM orders WHERE id = 2')).toEqual([{ amount: 6 }]);
  });

  it('removes tables whose grant was revoked, after saying so in the summary', async () => {
    await api.call('DELETE', `/api/admin/grants/${groupId}:table:customers`, { token: api.adminToken });
    const res = await da(['sync']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/customers: removed/);
    expect(res.stdout).toMatch(/1 removed/);
    expect(existsSync(parquet('customers'))).toBe(false);
    expect((await state()).tables.customers).toBeUndefined();
    const own = JSON.parse((await da(['query', 'SELECT name FROM customers', '--format', 'json'])).stdout).rows;
    expect(own).toEqual([{ name: 'my own' }]);
  });

  it('removes a table deleted on the server', async () => {
    await api.call('POST', '/api/admin/grants', { token: api.adminToken, body: { group_id: groupId, resource_id: 'customers' } });
    await da(['query', 'DROP TABLE customers']);
    expect((await json(['sync'])).summary).toMatchObject({ new: 1 });
    await api.call('DELETE', '/api/admin/registry/customers', { token: api.adminToken });
    await api.sync();
    const gone = !('customers' in (await manifest()));
    // Unregistering is how a table is deleted; the manifest must stop listing it.
    expect(gone).toBe(true);
    const report = await json(['sync']);
    expect(report.tables.find((t: { table: string }) => t.table === 'customers')?.status).toBe('removed');
    expect(existsSync(parquet('customers'))).toBe(false);
    const res = await da(['query', 'SELECT * FROM customers']);
    expect(res.code).toBe(1);
  });

  it('resumes a download killed halfway with Range and If-Range', async () => {
    await setVersion(3);
    const previous = await hashFile(parquet('orders'));
    proxy.mode = 'stall-half';
    const child = spawnDa(['sync'], { env: home.env, cwd: home.workspace });
    const tmp = join(home.workspace, '.da', 'tmp');
    const partial = join(tmp, 'orders.parquet.partial');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(existsSync(partial) && (await stat(partial)).size > 0)) await new Promise((r) => setTimeout(r, 50));
    // Half the file is on disk; the transfer hangs there.
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const half = (await stat(partial)).size;
    const size = (await manifest()).orders.size_bytes;
    expect(half).toBe(Math.floor(size / 2));
    expect(await hashFile(parquet('orders'))).toBe(previous);
    proxy.mode = 'pass';
    const before = proxy.downloads.length;
    const report = await json(['sync']);
    expect(report.summary).toMatchObject({ updated: 1, failed: 0 });
    const resumed = proxy.downloads.slice(before);
    expect(resumed).toEqual([{ path: '/api/data/orders/download', range: `bytes=${half}-`, ifRange: `"${(await manifest()).orders.hash}"`, status: 206 }]);
    expect(await hashFile(parquet('orders'))).toBe((await manifest()).orders.hash);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('deletes a download whose hash does not match, keeps the previous file and exits 5', async () => {
    const good = await hashFile(parquet('orders'));
    await setVersion(4);
    proxy.mode = 'corrupt';
    const res = await da(['sync', '--json']);
    proxy.mode = 'pass';
    expect(res.code).toBe(5);
    const report = JSON.parse(res.stdout);
    expect(report.summary).toMatchObject({ failed: 1 });
    expect(report.tables[0].error).toMatch(/hash/);
    expect(JSON.parse(res.stderr.trim().split('\n').pop() ?? '{}').error).toMatchObject({ code: 'partial_sync', exit_code: 5 });
    expect(await hashFile(parquet('orders'))).toBe(good);
    expect((await state()).tables.orders.hash).toBe(good);
    expect(await readdir(join(home.workspace, '.da', 'tmp'))).toEqual([]);
    const count = JSON.parse((await da(['query', 'SELECT count(*) AS n FROM orders', '--format', 'json'])).stdout).rows;
    expect(count).toEqual([{ n: String(ROWS) }]);
  });

  it('retries a 5xx and then succeeds', async () => {
    proxy.mode = 'fail-once-503';
    const before = proxy.downloads.length;
    const report = await json(['sync']);
    proxy.mode = 'pass';
    expect(report.summary).toMatchObject({ updated: 1, failed: 0 });
    expect(proxy.downloads.slice(before).map((d) => d.status)).toEqual([503, 200]);
    expect(await hashFile(parquet('orders'))).toBe((await manifest()).orders.hash);
  });

  it('queries the server with --remote, with exact big integers', async () => {
    const res = await json(['query', 'SELECT id, big FROM orders ORDER BY id LIMIT 1', '--remote']);
    expect(res.rows).toEqual([{ id: '1', big: '9007199254740994' }]);
    const forbidden = await da(['query', 'SELECT * FROM customers', '--remote']);
    expect(forbidden.code).toBe(3);
  });
});
