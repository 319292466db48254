import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { signBody } from '@agnes/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../src/sync/download.js';
import { type DaHome, runDa, startTestServer, tempHome, type TestServer } from './helpers.js';

describe('da sync of a partitioned table', () => {
  let api: TestServer;
  let home: DaHome;
  let now = new Date('2026-01-15T12:00:00Z');
  let next = 0;
  let pat = '';
  const da = (args: string[]) => runDa(args, { env: home.env, cwd: home.workspace });
  const part = (name: string) => join(home.workspace, 'server', 'parquet', 'events', `${name}.parquet`);
  const post = async (n: number) => {
    for (let i = 0; i < n; i += 1) {
      const raw = JSON.stringify({ id: `e${next++}`, webhookEvent: 'jira:issue_updated', timestamp: now.getTime() });
      const res = await fetch(`${api.url}/api/jira/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': signBody('webhook-secret', raw) }, body: raw });
      expect(res.status).toBe(202);
    }
    await api.server.deps.webhooks?.settle();
  };
  const sync = async () => {
    const res = await da(['sync', '--json']);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout);
  };
  const count = async () => JSON.parse((await da(['query', 'SELECT count(*) AS n FROM events', '--format', 'json'])).stdout).rows[0].n;

  beforeAll(async () => {
    api = await startTestServer({}, { env: { JIRA_WEBHOOK_SECRET: 'webhook-secret', JIRA_WEBHOOK_SOURCE: 'shop' }, clock: () => now });
    home = await tempHome();
    // The server clock jumps a month, past any session: a token that never expires.
    pat = (await api.call('POST', '/auth/tokens', { token: api.adminToken, body: { name: 'e2e', expires_in_days: null } })).token;
    const imported = await runDa(['auth', 'import-token', '--token', pat, '--server', api.url], { env: home.env, cwd: home.workspace });
    expect(imported.code, imported.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await api?.close();
  });

  it('downloads every part and shows them as one view', async () => {
    await post(5);
    now = new Date('2026-02-15T12:00:00Z');
    await post(4);
    const manifest = (await api.call('GET', '/api/sync/manifest', { token: pat })).tables.events;
    expect(manifest.parts.map((p: { name: string }) => p.name)).toEqual(['2026-01', '2026-02']);
    const report = await sync();
    expect(report.tables.find((t: { table: string }) => t.table === 'events')).toMatchObject({ status: 'new', files: 2 });
    for (const p of manifest.parts) expect(await hashFile(part(p.name))).toBe(p.hash);
    expect(await count()).toBe('9');
  });

  it('moves only the changed part', async () => {
    const january = await stat(part('2026-01'));
    await post(3);
    const report = await sync();
    expect(report.tables.find((t: { table: string }) => t.table === 'events')).toMatchObject({ status: 'updated', files: 1 });
    expect((await stat(part('2026-01'))).mtimeMs).toBe(january.mtimeMs);
    expect(await count()).toBe('12');
  });
});
