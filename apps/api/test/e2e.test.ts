import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { signBody } from '../src/webhooks/signature.js';
// The Jira connector's own fake REST server (one copy of the documented API shapes).
import { seededFakeJira } from '../../../connectors/jira/test/fake-jira.js';
import { describeApi, errorOf, sourceManifest } from './harness.js';

// Everything here goes over real HTTP to a listening server.
describeApi('end to end over HTTP', { listen: true, sample: false, config: { trustedProxies: ['127.0.0.1'] } }, (api) => {
  it('takes an analyst from nothing to a granted, downloaded and queried table', async () => {
    const admin = api().adminToken;
    // Admin: a source, a user, a group, a registration, a grant (before anything is published), a sync.
    await api().call('POST', '/api/admin/sources', { token: admin, body: { name: 'shop', connector: '@agnes/test-sample-connector', config: { rows: 2500 } } });
    const user = await api().call('POST', '/api/users', { token: admin, body: { email: 'ana@example.com', name: 'Ana', password: 'ana password 1' } });
    const group = await api().call('POST', '/api/admin/groups', { token: admin, body: { name: 'finance' } });
    await api().call('POST', `/api/admin/groups/${group.id}/members`, { token: admin, body: { user_id: user.id } });
    await api().call('POST', '/api/admin/register-table', { token: admin, body: { id: 'orders', source: 'shop', description: 'All orders', primary_key: ['id'] } });
    await api().call('POST', '/api/admin/grants', { token: admin, body: { group_id: group.id, resource_type: 'table', resource_id: 'orders' } });
    const job = await api().sync();
    expect(job.status).toBe('succeeded');
    // Only orders is registered, so only orders was extracted and published.
    expect(job.tables.map((t) => t.table)).toEqual(['orders']);

    const session = await api().login('ana@example.com', 'ana password 1');
    const manifest = await api().call('GET', '/api/sync/manifest', { token: session });
    expect(Object.keys(manifest.tables)).toEqual(['orders']);
    expect(manifest.tables.orders).toMatchObject({ rows: 2500, description: 'All orders' });

    const download = await fetch(`${api().server.url}/api/data/orders/download`, { headers: { authorization: `Bearer ${session}` } });
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(`sha256-${createHash('sha256').update(bytes).digest('hex')}`).toBe(manifest.tables.orders.hash);
    const etag = download.headers.get('etag') ?? '';
    expect((await fetch(`${api().server.url}/api/data/orders/download`, { headers: { authorization: `Bearer ${session}`, 'if-none-match': etag } })).status).toBe(304);
    const resumed = await fetch(`${api().server.url}/api/data/orders/download`, { headers: { authorization: `Bearer ${session}`, range: `bytes=1000-`, 'if-range': etag } });
    expect(resumed.status).toBe(206);
    expect(Buffer.concat([bytes.subarray(0, 1000), Buffer.from(await resumed.arrayBuffer())]).equals(bytes)).toBe(true);

    const allowed = await api().call('POST', '/api/query', { token: session, body: { sql: 'SELECT count(*) AS n, max(id) AS top FROM orders' } });
    expect(allowed.rows).toEqual([['2500', '2500']]);
    const forbidden = await api().request('POST', '/api/query', { token: session, body: { sql: 'SELECT * FROM customers' } });
    expect(forbidden.status).toBe(403);

    const pat = await api().call('POST', '/auth/tokens', { token: session, body: { name: 'laptop', expires_in_days: 30 } });
    expect((await api().call('GET', '/auth/me', { token: pat.token })).auth).toBe('pat');
    await api().call('DELETE', `/auth/tokens/${pat.id}`, { token: session, expect: 204 });
    expect((await api().request('GET', '/api/sync/manifest', { token: pat.token })).status).toBe(401);

    await api().call('POST', `/api/users/${user.id}/deactivate`, { token: admin });
    const refused = await api().request('GET', '/api/sync/manifest', { token: session });
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toMatch(/deactivated/);
  });

  it('believes X-Forwarded-For from a trusted proxy and audits a PAT used from a new address', async () => {
    const analyst = await api().user('roamer@example.com');
    const pat = await api().call('POST', '/auth/tokens', { token: analyst.token, body: { name: 'roaming', expires_in_days: 1 } });
    const from = (ip: string) => api().request('GET', '/auth/me', { token: pat.token, headers: { 'x-forwarded-for': `${ip}, 127.0.0.1` } });
    expect((await from('198.51.100.7')).status).toBe(200);
    expect((await from('198.51.100.7')).status).toBe(200);
    expect((await from('203.0.113.9')).status).toBe(200);
    const token = await api().call('GET', `/auth/tokens/${pat.id}`, { token: analyst.token });
    expect(token.last_used_ip).toBe('203.0.113.9');
    const audit = await api().server.deps.db.audit.listRecent({ action: 'token.first_use_new_ip' });
    expect(audit.map((a) => a.details)).toEqual([{ previous_ip: '198.51.100.7', ip: '203.0.113.9' }]);
  });
});

describeApi('client address without a trusted proxy', { listen: true, sample: false }, (api) => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const analyst = await api().user('direct@example.com');
    const pat = await api().call('POST', '/auth/tokens', { token: analyst.token, body: { name: 'direct', expires_in_days: 1 } });
    await api().request('GET', '/auth/me', { token: pat.token, headers: { 'x-forwarded-for': '203.0.113.50' } });
    const token = await api().call('GET', `/auth/tokens/${pat.id}`, { token: analyst.token });
    expect(token.last_used_ip).toBe('127.0.0.1');
  });
});

const JIRA_TOKEN = 'ATATT3xFfGF0-e2e-token-5d2f';
const JIRA_DIR = fileURLToPath(new URL('../../../connectors/jira/', import.meta.url));
const JIRA_FIXTURES = new URL('../../../connectors/jira/test/fixtures/', import.meta.url);

describeApi(
  'Jira webhooks into the running API',
  {
    listen: true,
    sample: false,
    connectors: { '@agnes/connector-jira': await sourceManifest(JIRA_DIR) },
    config: { webhookSecret: 'jira-secret', webhookSource: 'jira', env: { JIRA_EMAIL: 'reader@example.com', JIRA_API_TOKEN: JIRA_TOKEN } },
  },
  (api) => {
    it('backfills from the Jira REST API through the sync trigger, without the token in any output', async () => {
      const jira = await seededFakeJira(JIRA_TOKEN);
      try {
        await api().call('POST', '/api/admin/sources', { token: api().adminToken, body: { name: 'jira', connector: '@agnes/connector-jira', config: { url: jira.url, jql: 'project = AG' } } });
        const job = await api().sync();
        expect(job.status, JSON.stringify(job)).toBe('succeeded');
        const issues = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: 'SELECT count(*) FROM issues' } });
        expect(issues.rows).toEqual([['10']]);
        const comments = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: 'SELECT count(*) FROM comments' } });
        expect(Number(comments.rows[0][0])).toBeGreaterThanOrEqual(6);
        expect(JSON.stringify(job)).not.toContain(JIRA_TOKEN);
        expect(api().logger.lines.join('\n')).not.toContain(JIRA_TOKEN);
        for (const file of await readdir(join(api().dataDir, 'extracts', 'jira'), { recursive: true })) {
          const path = join(api().dataDir, 'extracts', 'jira', String(file));
          if ((await stat(path)).isFile()) expect((await readFile(path)).includes(JIRA_TOKEN), String(file)).toBe(false);
        }
      } finally {
        await jira.close();
      }
    });

    it('turns signed issue and comment events into rows that /api/query returns', async () => {
      const now = Date.now();
      for (const name of ['issue_created', 'comment_created', 'issue_updated']) {
        const event = JSON.parse(await readFile(fileURLToPath(new URL(`${name}.json`, JIRA_FIXTURES)), 'utf8')) as Record<string, unknown>;
        const raw = JSON.stringify({ ...event, timestamp: now });
        const res = await fetch(`${api().server.url}/api/jira/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': signBody('jira-secret', raw) }, body: raw });
        expect(res.status, name).toBe(202);
      }
      await api().server.deps.webhooks?.settle();
      const issues = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: 'SELECT key, _deleted FROM issues ORDER BY key' } });
      expect(issues.rows.length).toBeGreaterThan(0);
      expect(issues.rows[0][1]).toBe(false);
      const comments = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: 'SELECT count(*) FROM comments' } });
      expect(Number(comments.rows[0][0])).toBeGreaterThan(0);
      const manifest = await api().call('GET', '/api/sync/manifest', { token: api().adminToken });
      expect(manifest.tables.issues.parts.length).toBeGreaterThan(0);
    });
  },
);
