import { expect, it } from 'vitest';
import { ADMIN, describeApi, errorOf } from './harness.js';

/** Runs until stopped, whatever the machine's speed: ten billion rows of cross join. */
const HEAVY = 'SELECT count(*) FROM range(100000) a, range(100000) b WHERE a.range + b.range = -1';

// Issue 12, findings 1 and 2: heavy queries must not stall the rest of the server, and a
// query's memory and result are bounded. Correctness only: "still running" is the heavy
// queries' state when the other answers arrive, not a time measured.
describeApi(
  'query governance',
  { listen: true, config: { queryTimeoutMs: 600_000, queryWorkers: 2, queryMaxPerUser: 2, queryMemoryBytes: 2 ** 30, queryMaxBytes: 8 * 2 ** 20 } },
  (api) => {
    it('answers health, sign-in, the manifest and downloads while heavy queries fill every query worker', async () => {
      const admin = api().adminToken;
      const analyst = await api().user('heavy@example.com');
      const group = await api().call('POST', '/api/admin/groups', { token: admin, body: { name: 'heavy' } });
      await api().call('POST', `/api/admin/groups/${group.id}/members`, { token: admin, body: { user_id: analyst.id } });
      await api().call('POST', '/api/admin/grants', { token: admin, body: { group_id: group.id, resource_id: 'orders' } });

      const pool = api().server.deps.queries;
      await pool.warm();
      let heavyEnded = 0;
      const heavy = [0, 1].map(() =>
        api()
          .request('POST', '/api/query', { token: analyst.token, body: { sql: HEAVY } })
          .finally(() => (heavyEnded += 1)),
      );
      // Until both are in the pool (bounded by count: each turn waits for the server to answer something).
      for (let i = 0; i < 500 && pool.running < 2; i++) await api().request('GET', '/api/health');
      expect(pool.running).toBe(2);
      // Both workers busy: a third query, even another user's, is refused at once with 429 and Retry-After.
      const third = await api().request('POST', '/api/query', { token: admin, body: { sql: 'SELECT 1' } });
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await errorOf(third)).message).toMatch(/as many queries as it allows/);
      // The analyst's own third query: the per-user cap.
      const mine = await api().request('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT 1' } });
      expect(mine.status).toBe(429);

      // Everything else still answers, while both heavy queries run.
      expect((await api().request('GET', '/api/health')).status).toBe(200);
      const token = await api().request('POST', '/auth/token', { body: { email: ADMIN.email, password: ADMIN.password } });
      expect(token.status).toBe(200);
      expect((await api().request('GET', '/auth/me', { token: analyst.token })).status).toBe(200);
      expect((await api().request('GET', '/api/sync/manifest', { token: analyst.token })).status).toBe(200);
      const download = await api().request('GET', '/api/data/orders/download', { token: analyst.token });
      expect(download.status).toBe(200);
      expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(0);
      expect(heavyEnded).toBe(0);

      // Stop them: a worker that dies fails its query with a clear error; the pool restarts it.
      for (const pid of pool.pids) process.kill(pid, 'SIGKILL');
      for (const res of await Promise.all(heavy)) {
        expect(res.status).toBe(400);
        expect((await errorOf(res)).message).toMatch(/restarts by itself/);
      }
      expect((await api().call('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT count(*) AS n FROM orders' } })).rows).toEqual([['100']]);
    });

    it('stops a memory bomb with a 400 and cuts an oversized result instead of a 500', async () => {
      // 500 million values in one list: 4 GB, against 512 MiB for each of the two workers.
      const bomb = await api().request('POST', '/api/query', { token: api().adminToken, body: { sql: 'SELECT len(list(x)) FROM range(500000000) t(x)' } });
      expect(bomb.status).toBe(400);
      expect((await errorOf(bomb)).message).toMatch(/more memory than the server allows/);
      // 100 MB of 1 kB rows, against QUERY_MAX_BYTES of 8 MiB here.
      const big = await api().call('POST', '/api/query', { token: api().adminToken, body: { sql: "SELECT repeat('x', 1000) || x AS s FROM range(100000) t(x)" } });
      expect(big.truncated).toBe(true);
      expect(big.row_count).toBeGreaterThan(7_000);
      expect(JSON.stringify(big.rows).length).toBeLessThanOrEqual(8 * 2 ** 20);
    });
  },
);
