import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type DaHome, runDa, SAMPLE_MANIFEST, startTestServer, tempHome, type TestServer } from './helpers.js';

describe('da admin, status, explore, diagnose and connector against a real server', () => {
  let api: TestServer;
  let admin: DaHome;
  let analyst: DaHome;
  const as = (home: DaHome) => async (args: string[], input?: string) => runDa(args, { env: home.env, cwd: home.workspace, ...(input === undefined ? {} : { input }) });
  const ok = async (home: DaHome, args: string[], input?: string) => {
    const res = await as(home)([...args, '--json'], input);
    expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
    return JSON.parse(res.stdout);
  };

  beforeAll(async () => {
    api = await startTestServer();
    admin = await tempHome();
    analyst = await tempHome();
    const login = await as(admin)(['login', '--server', api.url, '--email', ADMIN.email], `${ADMIN.password}\n`);
    expect(login.code, login.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await api?.close();
  });

  it('administers users, groups and grants; the analyst then syncs what was granted', async () => {
    const created = await ok(admin, ['admin', 'user', 'add', 'bo@example.com', '--name', 'Bo'], 'first-password\n');
    expect(created).toMatchObject({ email: 'bo@example.com', role: 'analyst' });
    await ok(admin, ['admin', 'group', 'create', 'finance', '--description', 'Money people']);
    expect((await ok(admin, ['admin', 'group', 'add-member', 'finance', 'bo@example.com'])).added).toBe(true);
    await ok(admin, ['admin', 'grant', 'finance', 'customers']);
    const groups = await ok(admin, ['admin', 'group', 'list']);
    expect(groups.map((g: { name: string }) => g.name)).toContain('finance');
    await ok(admin, ['admin', 'user', 'set-password', 'bo@example.com'], 'second-password\n');
    const login = await as(analyst)(['login', '--server', api.url, '--email', 'bo@example.com'], 'second-password\n');
    expect(login.code, login.stderr).toBe(0);
    const report = await ok(analyst, ['sync']);
    expect(report.tables.map((t: { table: string }) => t.table)).toEqual(['customers']);
    const forbidden = await as(analyst)(['admin', 'user', 'list']);
    expect(forbidden.code).toBe(3);
    await ok(admin, ['admin', 'revoke', 'finance', 'customers']);
    expect((await as(admin)(['admin', 'revoke', 'finance', 'customers'])).code).toBe(4);
    await ok(admin, ['admin', 'user', 'set-role', 'bo@example.com', 'admin']);
    expect((await ok(admin, ['admin', 'user', 'list'])).find((u: { email: string }) => u.email === 'bo@example.com').role).toBe('admin');
    await ok(admin, ['admin', 'user', 'set-role', 'bo@example.com', 'analyst']);
    await ok(admin, ['admin', 'user', 'deactivate', 'bo@example.com']);
    expect((await as(analyst)(['auth', 'whoami'])).code).toBe(3);
    await ok(admin, ['admin', 'user', 'activate', 'bo@example.com']);
    await ok(admin, ['admin', 'group', 'remove-member', 'finance', 'bo@example.com']);
    expect((await as(admin)(['admin', 'user', 'set-role', 'nobody@example.com', 'admin'])).code).toBe(4);
  });

  it("shows the server's refusal of a grant to a table that is neither registered nor published", async () => {
    await api.call('POST', '/api/admin/groups', { token: api.adminToken, body: { name: 'auditors' } });
    const refused = await as(admin)(['admin', 'grant', 'auditors', 'nosuchtable']);
    expect([refused.code, refused.stdout]).toEqual([4, '']);
    expect(refused.stderr).toMatch(/table not registered: nosuchtable/);
  });

  it('discovers, registers, lists and removes tables, and runs a server sync to the end', async () => {
    const found = await ok(admin, ['admin', 'table', 'discover', '--source', 'shop']);
    expect(found.map((t: { name: string }) => t.name)).toEqual(['orders', 'customers', 'events']);
    await ok(admin, ['admin', 'table', 'register', 'events', '--source', 'shop', '--description', 'Webhook events']);
    expect((await ok(admin, ['admin', 'table', 'list'])).map((t: { id: string }) => t.id).sort()).toEqual(['customers', 'events', 'orders']);
    await ok(admin, ['admin', 'table', 'remove', 'events']);
    const job = await ok(admin, ['admin', 'sync', '--wait', '--poll-ms', '100']);
    expect(job.status).toBe('succeeded');
    expect((await ok(admin, ['connector', 'discover', 'shop'])).length).toBe(3);
    const connectors = await ok(admin, ['connector', 'list']);
    expect(connectors.map((c: { package: string }) => c.package)).toContain('@agnes/test-sample-connector');
  });

  it('shows status and explores a table with its profile, also offline from the cache', async () => {
    await ok(admin, ['sync']);
    const status = await ok(admin, ['status']);
    expect(status.local.tables.map((t: { name: string }) => t.name).sort()).toEqual(['customers', 'orders']);
    expect(status.remote).toMatchObject({ outdated: [], new: [], removed: [] });
    const local = await ok(admin, ['status', '--local']);
    expect(local.remote).toBeUndefined();
    const explored = await ok(admin, ['explore', 'orders']);
    expect(explored.schema.map((c: { name: string }) => c.name)).toEqual(['id', 'customer', 'amount', 'big']);
    expect(explored.profile.rows).toBe(100);
    expect(explored.sample.rows).toHaveLength(5);
    expect(existsSync(join(admin.workspace, '.da', 'profiles', 'orders.json'))).toBe(true);
    const offline = await runDa(['explore', 'orders', '--json'], { env: { ...admin.env, DA_SERVER: 'http://127.0.0.1:9' }, cwd: admin.workspace });
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ profile_cached: true, profile: { rows: 100 } });
    expect((await as(admin)(['explore', 'no_such_table'])).code).toBe(4);
  });

  it('diagnoses a healthy set-up, and says what to fix when the server is unreachable', async () => {
    const healthy = await as(admin)(['diagnose']);
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toMatch(/Overall: healthy/);
    const broken = await runDa(['diagnose', '--json'], { env: { ...admin.env, DA_SERVER: 'http://127.0.0.1:9' }, cwd: admin.workspace });
    expect(broken.code).toBe(6);
    const report = JSON.parse(broken.stdout);
    expect(report.overall).toBe('unhealthy');
    expect(report.checks.find((c: { name: string }) => c.name === 'server')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/DA_SERVER|server URL/) });
  });

  it('runs the connector contract suite against a connector folder and scaffolds a new connector', async () => {
    const folder = join(SAMPLE_MANIFEST, '..');
    const res = await as(admin)(['connector', 'test', folder, '--config', '{"rows": 50}', '--json']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(8);
    const out = await mkdtemp(join(tmpdir(), 'da-scaffold-'));
    const created = await ok(admin, ['connector', 'new', 'my_source', '--caps', 'discover,read', '--out', join(out, 'my_source')]);
    expect(created.files).toContain('connector.yaml');
    expect(await readFile(join(out, 'my_source', 'connector.yaml'), 'utf8')).toMatch(/name: my_source/);
    expect((await as(admin)(['connector', 'new', 'Bad Name', '--out', join(out, 'bad')])).code).toBe(2);
    await rm(out, { recursive: true, force: true });
  });
});
