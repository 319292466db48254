import { expect, it } from 'vitest';
import { signBody } from '../src/webhooks/signature.js';
import { describeApi, errorOf, SAMPLE_CONNECTOR } from './harness.js';

describeApi('sources, registry and sync', { config: { workerTimeoutMs: 12_000 } }, (api) => {
  it('validates a new source: name, installed connector, config against the manifest, cron', async () => {
    const token = api().adminToken;
    const bad = async (body: object, pattern: RegExp) => {
      const res = await api().request('POST', '/api/admin/sources', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(res)).message).toMatch(pattern);
    };
    await bad({ name: 'no-dashes', connector: SAMPLE_CONNECTOR }, /source name/);
    await bad({ name: 'x1', connector: '@acme/not-installed' }, /installed: .*test-sample-connector/);
    await bad({ name: 'x2', connector: SAMPLE_CONNECTOR, config: { rows: 'many' } }, /rows/);
    await bad({ name: 'x3', connector: SAMPLE_CONNECTOR, schedule: 'every day' }, /cron/);
    const connectors = await api().call('GET', '/api/admin/connectors', { token });
    const packages = connectors.map((c: { package: string }) => c.package);
    for (const name of ['csv', 'postgres', 'keboola', 'bigquery', 'jira']) expect(packages).toContain(`@agnes/connector-${name}`);
    const keboola = connectors.find((c: { package: string }) => c.package === '@agnes/connector-keboola');
    expect(keboola.auth_env_vars.map((v: { name: string }) => v.name)).toContain('KEBOOLA_STORAGE_TOKEN');
  });

  it("lists a source's tables through its connector, marking the registered ones", async () => {
    const tables = await api().call('GET', '/api/admin/discover-tables?source=shop', { token: api().adminToken });
    expect(tables.map((t: { name: string; registered: boolean }) => [t.name, t.registered])).toEqual([
      ['orders', true],
      ['customers', true],
      ['events', false],
    ]);
    expect(tables[0].columns[0]).toEqual({ name: 'id', type: 'BIGINT', nullable: false });
  });

  it('records a failed table with its reason, keeps its old data and publishes the rest', async () => {
    const before = await api().call('GET', '/api/sync/manifest', { token: api().adminToken });
    await api().call('PATCH', '/api/admin/sources/shop', { token: api().adminToken, body: { config: { behaviour: 'fail_customers', version: 2 } } });
    const job = await api().sync();
    expect(job.status).toBe('failed');
    expect(job.tables.find((t) => t.table === 'orders')?.status).toBe('ok');
    expect(job.tables.find((t) => t.table === 'customers')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/customers endpoint is gone/) });
    const after = await api().call('GET', '/api/sync/manifest', { token: api().adminToken });
    expect(after.tables.orders.hash).not.toBe(before.tables.orders.hash);
    expect(after.tables.customers.hash).toBe(before.tables.customers.hash);
    const history = await api().server.deps.db.sync.history({ tableId: 'customers', limit: 1 });
    expect(history[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/gone/) });
    await api().call('PATCH', '/api/admin/sources/shop', { token: api().adminToken, body: { config: {} } });
  });

  it('survives a connector process that crashes, and reports why', async () => {
    await api().call('POST', '/api/admin/sources', { token: api().adminToken, body: { name: 'crashy', connector: SAMPLE_CONNECTOR, config: { behaviour: 'crash', rows: 5000 } } });
    const job = await api().sync({ sources: ['crashy'] });
    expect(job.status).toBe('failed');
    expect(job.sources[0]).toMatchObject({ name: 'crashy', status: 'failed', reason: expect.stringMatching(/exit code 3/) });
    expect((await api().request('GET', '/api/health')).status).toBe(200);
    await api().call('DELETE', '/api/admin/sources/crashy', { token: api().adminToken, expect: 204 });
  });

  it('runs one sync at a time: a second trigger gets 409 with the running job, a hang is stopped by the timeout', async () => {
    await api().call('POST', '/api/admin/sources', { token: api().adminToken, body: { name: 'slow', connector: SAMPLE_CONNECTOR, config: { behaviour: 'hang' } } });
    const first = await api().call('POST', '/api/sync/trigger', { token: api().adminToken, body: { sources: ['slow'] } });
    const second = await api().request('POST', '/api/sync/trigger', { token: api().adminToken, body: {} });
    expect(second.status).toBe(409);
    const body = (await second.json()) as { error: { code: string; details: { job_id: string } } };
    expect(body.error).toMatchObject({ code: 'sync_running', details: { job_id: first.job_id } });
    const progress = await api().call('GET', `/api/sync/jobs/${first.job_id}`, { token: api().adminToken });
    expect(progress).toMatchObject({ status: 'running', phase: 'extract' });
    await api().server.deps.sync.idle();
    const done = await api().call('GET', `/api/sync/jobs/${first.job_id}`, { token: api().adminToken });
    expect(done.status).toBe('failed');
    expect(done.sources[0].reason).toMatch(/did not finish within 12 s/);
    await api().call('DELETE', '/api/admin/sources/slow', { token: api().adminToken, expect: 204 });
  });

  it('lets only admins trigger syncs and manage sources', async () => {
    const analyst = await api().user('not-admin@example.com');
    expect((await api().request('POST', '/api/sync/trigger', { token: analyst.token, body: {} })).status).toBe(403);
    expect((await api().request('GET', '/api/admin/sources', { token: analyst.token })).status).toBe(403);
    expect((await api().request('GET', '/api/admin/registry', { token: analyst.token })).status).toBe(403);
  });

  it('registers, updates and unregisters tables by their published name', async () => {
    const token = api().adminToken;
    const bad = await api().request('POST', '/api/admin/register-table', { token, body: { id: 'bad name', source: 'shop' } });
    expect(bad.status).toBe(400);
    const created = await api().call('POST', '/api/admin/register-table', { token, body: { name: 'big_orders', source: 'shop', query: 'SELECT * FROM orders WHERE amount > 100', description: 'Orders over 100' } });
    expect(created).toMatchObject({ id: 'big_orders', source: 'shop', strategy: 'replace' });
    // A connector that takes SQL (a `queries` config field) gets the registered query under the table id.
    const job = await api().sync({ sources: ['shop'] });
    expect(job.tables.map((t) => t.table).sort()).toEqual(['big_orders', 'customers', 'orders']);
    const materialised = await api().call('POST', '/api/query', { token, body: { sql: 'SELECT sql FROM big_orders' } });
    expect(materialised.rows).toEqual([['SELECT * FROM orders WHERE amount > 100']]);
    const updated = await api().call('PUT', '/api/admin/registry/big_orders', { token, body: { description: 'Large orders', schedule: '0 * * * *' } });
    expect(updated).toMatchObject({ description: 'Large orders', schedule: '0 * * * *' });
    expect((await api().request('DELETE', '/api/admin/registry/big_orders', { token })).status).toBe(204);
    expect((await api().request('DELETE', '/api/admin/registry/big_orders', { token })).status).toBe(404);
    // Unregistered is unpublished, and stays so after the next sync.
    expect((await api().call('GET', '/api/sync/manifest', { token })).tables.big_orders).toBeUndefined();
    await api().sync({ sources: ['shop'] });
    expect((await api().call('GET', '/api/admin/registry', { token })).tables.map((t: { id: string }) => t.id)).not.toContain('big_orders');
  });
});

describeApi('Jira webhook intake', { config: { webhookSecret: 'webhook-secret', webhookSource: 'shop' } }, (api) => {
  const fetchRaw = (raw: string, signature?: string) =>
    api().server.app.request('/api/jira/webhook', { method: 'POST', headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature': signature }) }, body: raw });

  it('refuses unsigned, wrongly signed and replayed events', async () => {
    const event = { id: 1, webhookEvent: 'jira:issue_created', timestamp: Date.now() };
    const raw = JSON.stringify(event);
    expect((await fetchRaw(raw)).status).toBe(401);
    expect((await fetchRaw(raw, signBody('wrong-secret', raw))).status).toBe(401);
    expect((await fetchRaw(`${raw} `, signBody('webhook-secret', raw))).status).toBe(401);
    const old = JSON.stringify({ ...event, timestamp: Date.now() - 3_600_000 });
    const replay = await fetchRaw(old, signBody('webhook-secret', old));
    expect(replay.status).toBe(400);
    expect((await errorOf(replay)).message).toMatch(/replay window/);
  });

  it('writes accepted events into monthly partitions that the manifest, downloads and queries see', async () => {
    const now = Date.now();
    for (let i = 0; i < 20; i += 1) {
      const raw = JSON.stringify({ id: `e${i}`, webhookEvent: i % 2 ? 'jira:issue_updated' : 'comment_created', timestamp: now - i });
      expect((await fetchRaw(raw, signBody('webhook-secret', raw))).status).toBe(202);
    }
    await api().server.deps.webhooks?.settle();
    const manifest = await api().call('GET', '/api/sync/manifest', { token: api().adminToken });
    const month = new Date(now).toISOString().slice(0, 7);
    expect(manifest.tables.events.parts).toEqual([{ name: month, hash: expect.stringMatching(/^sha256-/), size_bytes: expect.any(Number) }]);
    const part = await api().request('GET', `/api/data/events/download?part=${month}`, { token: api().adminToken });
    expect(part.status).toBe(200);
    expect(part.headers.get('etag')).toBe(`"${manifest.tables.events.parts[0].hash}"`);
    expect((await api().request('GET', '/api/data/events/download', { token: api().adminToken })).status).toBe(400);
    const counted = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: "SELECT count(*) AS n, count(*) FILTER (kind = 'comment_created') AS comments FROM events" } });
    expect(counted.rows).toEqual([['20', '10']]);
  });

  it('keeps accepted events when handing them over fails, and writes them on the next try', async () => {
    const { db, webhooks } = api().server.deps;
    const shop = await db.sources.get('shop');
    // A config the connector refuses: loading it fails until it is fixed.
    await db.sources.update('shop', { config: { rows: 'not a number' } });
    const raw = JSON.stringify({ id: 'kept-1', webhookEvent: 'jira:issue_created', timestamp: Date.now() });
    expect((await fetchRaw(raw, signBody('webhook-secret', raw))).status).toBe(202);
    await webhooks?.flush();
    expect(api().logger.lines.some((l) => l.includes('webhook flush failed'))).toBe(true);
    await db.sources.update('shop', { config: shop?.config ?? {} });
    await webhooks?.settle();
    const found = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: "SELECT count(*) FROM events WHERE id = 'kept-1'" } });
    expect(found.rows).toEqual([['1']]);
  });
});

describeApi('webhooks without a receiving source', { sample: false, config: { webhookSecret: 'webhook-secret', webhookSource: 'nowhere' } }, (api) => {
  it('answers 503 (so the sender retries) instead of accepting events it cannot keep', async () => {
    const raw = JSON.stringify({ id: 1, webhookEvent: 'jira:issue_created', timestamp: Date.now() });
    const res = await api().server.app.request('/api/jira/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': signBody('webhook-secret', raw) }, body: raw });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
  });
});
