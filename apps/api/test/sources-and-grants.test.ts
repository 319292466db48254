import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/server/config.js';
import { startServer } from '../src/server/start-server.js';
import { ADMIN, CapturingLogger, describeApi, errorOf, sourceManifest } from './harness.js';

const CSV = '@agnes/connector-csv';
const CSV_MANIFEST = await sourceManifest(fileURLToPath(new URL('../../../connectors/csv/', import.meta.url)));
// Outside every root of these tests (they allow only folders under the temp dir).
const outside = realpathSync(mkdtempSync(join(homedir(), '.agnes-outside-roots-')));
writeFileSync(join(outside, 'secret.csv'), 'pin\n1234\n');
afterAll(() => rmSync(outside, { recursive: true, force: true }));

// The roots cover the whole temp dir, so also each test server's data dir and its state/.
describeApi('where sources may read (AGNES_SOURCE_ROOTS)', { config: { sourceRoots: [tmpdir()] }, connectors: { [CSV]: CSV_MANIFEST } }, (api) => {
  const create = (name: string, path: string) => api().request('POST', '/api/admin/sources', { token: api().adminToken, body: { name, connector: CSV, config: { path } } });

  it('refuses a source path outside the roots, naming the variable and the allowed roots', async () => {
    const root = realpathSync(tmpdir());
    for (const path of ['/', '/etc', outside]) {
      const res = await create('escape', path);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).message, path).toContain(`path: ${path} is outside the folders sources may read (AGNES_SOURCE_ROOTS: ${root})`);
    }
  });

  it("refuses the data dir's state/ (and folders holding it) even though a root covers it, also through a symlink", async () => {
    const files = join(api().dataDir, 'files');
    mkdirSync(files, { recursive: true });
    symlinkSync(join(api().dataDir, 'state'), join(files, 'state-link'));
    for (const path of [join(api().dataDir, 'state'), api().dataDir, join(files, 'state-link')]) {
      const res = await create('state_reader', path);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).message, path).toMatch(/state, which sources may never read .*AGNES_SOURCE_ROOTS/);
    }
  });

  it('accepts a folder under a root, syncs it, and refuses a change that points it outside', async () => {
    const sales = join(api().dataDir, 'files', 'sales');
    mkdirSync(sales, { recursive: true });
    writeFileSync(join(sales, 'deals.csv'), 'id,amount\n1,10\n2,20\n');
    symlinkSync(join(outside, 'secret.csv'), join(sales, 'leak.csv'));
    expect((await create('sales', sales)).status).toBe(201);
    const job = await api().sync({ sources: ['sales'] });
    expect(job.sources).toEqual([{ name: 'sales', status: 'ok', reason: null }]);
    expect(api().server.deps.tables.get('deals')?.rows).toBe(2);
    // The symlink in the allowed folder leads out: skipped, never published.
    expect(api().server.deps.tables.get('leak')).toBeUndefined();
    const res = await api().request('PATCH', '/api/admin/sources/sales', { token: api().adminToken, body: { config: { path: outside } } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('AGNES_SOURCE_ROOTS');
  });
});

describe('a source saved before AGNES_SOURCE_ROOTS narrowed', () => {
  it('is logged at start-up and fails its next sync with a message naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agnes-roots-'));
    const env = { AGNES_ADMIN_EMAIL: ADMIN.email, AGNES_ADMIN_PASSWORD: ADMIN.password };
    try {
      const reports = join(dataDir, 'files', 'reports');
      mkdirSync(reports, { recursive: true });
      writeFileSync(join(reports, 'q1.csv'), 'n\n1\n');
      let server = await startServer(loadConfig({ dataDir, scheduler: false }, env), { logger: new CapturingLogger(), connectors: { [CSV]: CSV_MANIFEST }, listen: false });
      try {
        await server.deps.db.sources.create({ name: 'reports', connector: CSV, config: { path: reports } });
        await server.deps.sync.trigger({ trigger: 'test' });
        await server.deps.sync.idle();
        expect(server.deps.tables.get('q1')?.rows).toBe(1);
      } finally {
        await server.close();
      }

      const elsewhere = join(dataDir, 'files', 'elsewhere');
      const logger = new CapturingLogger();
      server = await startServer(loadConfig({ dataDir, scheduler: false }, { ...env, AGNES_SOURCE_ROOTS: elsewhere }), { logger, connectors: { [CSV]: CSV_MANIFEST }, listen: false });
      try {
        const warning = logger.lines.find((l) => l.includes('source reports reads outside AGNES_SOURCE_ROOTS'));
        expect(warning).toBeDefined();
        expect(warning).toContain(`is outside the folders sources may read (AGNES_SOURCE_ROOTS: ${realpathSync(dataDir)}/files/elsewhere)`);
        const job = await server.deps.sync.trigger({ trigger: 'test' });
        await server.deps.sync.idle();
        expect(job.status).toBe('failed');
        expect(job.sources[0]).toMatchObject({ name: 'reports', status: 'failed', reason: expect.stringContaining('outside the folders sources may read (AGNES_SOURCE_ROOTS') });
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describeApi('grants name a registered or published table', {}, (api) => {
  it('refuses a grant to a table that is neither registered nor published with 404 "table not registered"', async () => {
    const group = await api().call('POST', '/api/admin/groups', { token: api().adminToken, body: { name: 'finance' } });
    const res = await api().request('POST', '/api/admin/grants', { token: api().adminToken, body: { group_id: group.id, resource_type: 'table', resource_id: 'nosuchtable' } });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^table not registered: nosuchtable /) });
    expect(await api().call('GET', `/api/admin/grants?group_id=${group.id}`, { token: api().adminToken })).toEqual([]);
    // Published tables are granted as before, in any case (ids compare case-insensitively).
    expect((await api().request('POST', '/api/admin/grants', { token: api().adminToken, body: { group_id: group.id, resource_id: 'Orders' } })).status).toBe(201);
  });

  it('grants first and publishes later through the registry', async () => {
    const analyst = await api().user('later@example.com');
    const group = await api().call('POST', '/api/admin/groups', { token: api().adminToken, body: { name: 'events_team' } });
    await api().call('POST', `/api/admin/groups/${group.id}/members`, { token: api().adminToken, body: { email: 'later@example.com' } });
    expect(api().server.deps.tables.get('big_orders')).toBeUndefined();
    // A materialised query: registered now, published by the next sync.
    await api().call('POST', '/api/admin/register-table', { token: api().adminToken, body: { id: 'big_orders', source: 'shop', query: 'SELECT * FROM orders WHERE amount > 50' } });
    await api().call('POST', '/api/admin/grants', { token: api().adminToken, body: { group_id: group.id, resource_id: 'big_orders' } });
    expect(Object.keys((await api().call('GET', '/api/sync/manifest', { token: analyst.token })).tables)).toEqual([]);
    const job = await api().sync();
    expect(job.status).toBe('succeeded');
    expect(Object.keys((await api().call('GET', '/api/sync/manifest', { token: analyst.token })).tables)).toEqual(['big_orders']);
  });
});
