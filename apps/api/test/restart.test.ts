import { stat } from 'node:fs/promises';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/server/config.js';
import { startServer } from '../src/server/start-server.js';
import { Scheduler } from '../src/schedule/scheduler.js';
import { ADMIN, CapturingLogger, SAMPLE_CONNECTOR } from './harness.js';

const SAMPLE = { [SAMPLE_CONNECTOR]: fileURLToPath(new URL('./fixtures/sample-connector/connector.yaml', import.meta.url)) };
const env = { AGNES_ADMIN_EMAIL: ADMIN.email, AGNES_ADMIN_PASSWORD: ADMIN.password };

async function login(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }) {
  const res = await app.request('/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('server start-up', () => {
  it('generates the JWT secret once (0600), and brings a moved data folder back whole', async () => {
    const root = await mkdtemp(join(tmpdir(), 'agnes-restart-'));
    try {
      const first = join(root, 'first');
      const logger = new CapturingLogger();
      let server = await startServer(loadConfig({ dataDir: first, scheduler: false }, env), { logger, connectors: SAMPLE, listen: false });
      expect(logger.lines.some((l) => l.includes('generated JWT_SECRET_KEY'))).toBe(true);
      expect((await stat(join(first, 'state', 'jwt-secret'))).mode & 0o777).toBe(0o600);
      let token = await login(server.app);
      await server.app.request('/api/admin/sources', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'shop', connector: SAMPLE_CONNECTOR }),
      });
      await server.deps.sync.trigger({ trigger: 'test' });
      await server.deps.sync.idle();
      const hash = server.deps.tables.get('orders')?.contentHash;
      await server.close();

      const moved = join(root, 'moved');
      await rename(first, moved);
      const again = new CapturingLogger();
      server = await startServer(loadConfig({ dataDir: moved, scheduler: false }, env), { logger: again, connectors: SAMPLE, listen: false });
      try {
        expect(again.lines.some((l) => l.includes('generated JWT_SECRET_KEY'))).toBe(false);
        // The old session still verifies: the persisted secret was reused.
        expect((await server.app.request('/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
        token = await login(server.app);
        const manifest = (await (await server.app.request('/api/sync/manifest', { headers: { authorization: `Bearer ${token}` } })).json()) as { tables: Record<string, { hash: string }> };
        expect(manifest.tables.orders?.hash).toBe(hash);
        const res = await server.app.request('/api/query', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/vnd.apache.arrow.stream' },
          body: JSON.stringify({ sql: 'SELECT id, big, customer FROM orders ORDER BY id LIMIT 3' }),
        });
        expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
        const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
        expect(table.numRows).toBe(3);
        expect(table.getChild('big')?.get(0)).toBe(9007199254740994n);
        expect(table.getChild('customer')?.get(2)).toBe('c3');
      } finally {
        await server.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('runs cron schedules, and sources without one once they are overdue', async () => {
    const root = await mkdtemp(join(tmpdir(), 'agnes-schedule-'));
    const server = await startServer(loadConfig({ dataDir: root, scheduler: false }, env), { logger: new CapturingLogger(), connectors: SAMPLE, listen: false });
    const { db, sync } = server.deps;
    const scheduler = new Scheduler({ db, sync, logger: new CapturingLogger(), clock: () => new Date(), defaultIntervalMs: 0, reloadMs: 100 });
    try {
      await db.sources.create({ name: 'shop', connector: SAMPLE_CONNECTOR, config: {}, schedule: '* * * * * *' });
      await scheduler.start();
      const deadline = Date.now() + 15_000;
      while (!(await db.sync.history({ limit: 1 })).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      await sync.idle();
      const runs = await db.sync.history({ limit: 10 });
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((r) => r.outcome === 'ok')).toBe(true);
      scheduler.stop();
      await sync.idle();
      // A source without a schedule is overdue once its last sync is older than the interval.
      await db.sources.update('shop', { schedule: null });
      const before = (await db.sync.history({ limit: 100 })).length;
      const overdue = new Scheduler({ db, sync, logger: new CapturingLogger(), clock: () => new Date(Date.now() + 3_600_000), defaultIntervalMs: 60_000, reloadMs: 100 });
      await overdue.start();
      await overdue.runOverdue();
      await sync.idle();
      overdue.stop();
      const after = (await db.sync.history({ limit: 100 })).length;
      expect(after).toBeGreaterThan(before);
      // A source that keeps failing waits its interval too, rather than being retried every tick.
      await db.sources.create({ name: 'crashy', connector: SAMPLE_CONNECTOR, config: { behaviour: 'crash', rows: 5000 } });
      let triggers = 0;
      const counting = { trigger: (request: Parameters<typeof sync.trigger>[0]) => (triggers++, sync.trigger(request)) } as unknown as typeof sync;
      const ticking = new Scheduler({ db, sync: counting, logger: new CapturingLogger(), clock: () => new Date(), defaultIntervalMs: 60_000, reloadMs: 100 });
      await ticking.runOverdue();
      await sync.idle();
      expect(triggers).toBe(1);
      await ticking.runOverdue();
      await sync.idle();
      expect(triggers).toBe(1);
    } finally {
      scheduler.stop();
      await server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('a start that fails half-way', () => {
  it('stops what it started and frees the database, so the next start works', async () => {
    const root = await mkdtemp(join(tmpdir(), 'agnes-failed-start-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const config = loadConfig({ dataDir: root, port, scheduler: true }, env);
      await expect(startServer(config, { logger: new CapturingLogger(), connectors: SAMPLE })).rejects.toThrow(/EADDRINUSE/);
      const server = await startServer({ ...config, port: 0 }, { logger: new CapturingLogger(), connectors: SAMPLE });
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      await server.close();
    } finally {
      blocker.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
