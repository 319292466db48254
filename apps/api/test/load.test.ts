import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeApi } from './harness.js';

/** Clients and syncs: bounded work, enough to overlap every phase of a sync with requests. */
const CLIENTS = 16;
const SYNCS = 4;

// Not timed: correctness under concurrency. Clients query and download while syncs replace the
// data underneath them; every answer must be complete, old or new, never an error. The work is
// bounded and the time limit far above it, so a slow machine makes it slower, never red;
// throughput is measured in `pnpm bench`.
describeApi('queries and downloads during syncs', { listen: true, sample: { rows: 3000 } }, (api) => {
  it(`serves ${CLIENTS} concurrent clients with zero errors while ${SYNCS} syncs rebuild the analytics file`, { timeout: 600_000 }, async () => {
    const admin = api().adminToken;
    const analyst = await api().user('busy@example.com');
    const group = await api().call('POST', '/api/admin/groups', { token: admin, body: { name: 'busy' } });
    await api().call('POST', `/api/admin/groups/${group.id}/members`, { token: admin, body: { user_id: analyst.id } });
    await api().call('POST', '/api/admin/grants', { token: admin, body: { group_id: group.id, resource_id: 'orders' } });

    const unit = (3000 * 3001 * 1.5) / 2; // sum(amount) of version 1
    const problems: string[] = [];
    const seenVersions = new Set<number>();
    let done = false;
    let requests = 0;
    let throttled = 0;
    const client = async (n: number) => {
      // One more round after the last sync, so the final version is always seen.
      for (let last = false; !last; ) {
        last = done;
        requests += 1;
        try {
          if (n % 2 === 0) {
            const res = await api().request('POST', '/api/query', { token: analyst.token, body: { sql: 'SELECT sum(amount) AS total, count(*) AS n FROM orders' } });
            // Past the per-user cap of concurrent queries: a well-behaved client waits and retries.
            if (res.status === 429 && res.headers.get('retry-after')) {
              throttled += 1;
              await new Promise((r) => setTimeout(r, 50));
              last = false;
              continue;
            }
            if (res.status !== 200) {
              problems.push(`query ${res.status} ${await res.text()}`);
              continue;
            }
            const body = (await res.json()) as { rows: [number, string][] };
            const [total, count] = body.rows[0] ?? [];
            const version = Number(total) / unit;
            if (count !== '3000' || !Number.isInteger(version)) problems.push(`query saw a mixed state: ${JSON.stringify(body.rows)}`);
            else seenVersions.add(version);
          } else {
            const res = await api().request('GET', '/api/data/orders/download', { token: analyst.token });
            if (res.status !== 200) {
              problems.push(`download ${res.status} ${await res.text()}`);
              continue;
            }
            const bytes = Buffer.from(await res.arrayBuffer());
            const hash = `"sha256-${createHash('sha256').update(bytes).digest('hex')}"`;
            if (hash !== res.headers.get('etag')) problems.push('a download did not match its ETag');
          }
        } catch (error) {
          problems.push(`request failed: ${(error as Error).message}`);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
    for (let version = 2; version <= SYNCS + 1; version += 1) {
      await api().call('PATCH', '/api/admin/sources/shop', { token: admin, body: { config: { rows: 3000, version } } });
      const job = await api().sync();
      if (job.status !== 'succeeded') problems.push(`sync ${version} ${job.status}: ${job.error}`);
    }
    done = true;
    await Promise.all(clients);
    expect(problems).toEqual([]);
    expect(requests).toBeGreaterThanOrEqual(CLIENTS * 2);
    expect(seenVersions.has(SYNCS + 1)).toBe(true);
    // Eight clients of one analyst against a cap of two: the cap was reached, and answered 429, not an error.
    expect(throttled).toBeGreaterThan(0);
  });
});
