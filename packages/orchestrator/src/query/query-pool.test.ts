import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, SECRET_MARKER } from '../../test/fixtures.js';
import { rebuild } from '../rebuild/rebuild.js';
import { QueryError } from './query-error.js';
import { QueryPool } from './query-pool.js';

let f: Awaited<ReturnType<typeof buildFixture>>;
let pool: QueryPool;
/** Runs until its time limit whatever the machine's speed: a cross join of ten billion rows. */
const ENDLESS = 'SELECT count(*) FROM range(100000) a, range(100000) b WHERE a.range + b.range = -1';

beforeAll(async () => {
  f = await buildFixture();
  await rebuild({ extractsDir: f.extractsDir, target: f.target });
  pool = new QueryPool({ analyticsPath: f.target, extractsDir: f.extractsDir, workers: 2, maxPerOwner: 1, memoryBytes: 512 * 1024 * 1024 });
});
afterAll(() => pool.close());

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as QueryError);

describe('query pool', () => {
  it('answers in a worker process with exact values, and refuses views outside the caller’s reach', async () => {
    const r = await pool.query('SELECT id, amount FROM orders ORDER BY id LIMIT 1', { readable: ['orders'] });
    expect(r).toMatchObject({ columns: [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'DECIMAL(18,2)' }], values: [['9007199254740993', '123456789012345.67']], tables: ['orders'], truncated: false });
    expect(pool.pids.length).toBeGreaterThan(0);
    expect(pool.pids).not.toContain(process.pid);
    const e = await failure(pool.query('SELECT * FROM salaries', { readable: ['orders'] }));
    expect(e).toMatchObject({ code: 'forbidden', message: 'table "salaries" does not exist or you have no access to it' });
    expect(JSON.stringify(e)).not.toContain(SECRET_MARKER);
  });

  it('truncates at the row cap and at the byte cap instead of failing', async () => {
    expect(await pool.query('SELECT * FROM range(100)', { limitRows: 10 })).toMatchObject({ truncated: true, values: expect.any(Array) });
    expect((await pool.query('SELECT * FROM range(100)', { limitRows: 10 })).values).toHaveLength(10);
    // 100,000 rows of 1 kB: 100 MB of JSON, cut at 8 MB.
    const big = await pool.query("SELECT repeat('x', 1000) || i AS s FROM range(100000) t(i)", { limitBytes: 8 * 1024 * 1024 });
    expect(big.truncated).toBe(true);
    expect(big.values.length).toBeGreaterThan(7_000);
    expect(JSON.stringify(big.values).length).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('refuses a query past the per-owner cap and past the global cap at once, with a time to retry', async () => {
    const first = pool.query(ENDLESS, { owner: 'ana', timeoutMs: 3_000 });
    const second = failure(pool.query('SELECT 1', { owner: 'ana' }));
    expect(await second).toMatchObject({ code: 'busy', retryAfterMs: 1_000, message: expect.stringMatching(/already have 1 queries running/) });
    const other = pool.query(ENDLESS, { owner: 'bo', timeoutMs: 3_000 });
    const third = await failure(pool.query('SELECT 1', { owner: 'cy' }));
    expect(third).toMatchObject({ code: 'busy', message: expect.stringMatching(/as many queries as it allows/) });
    expect(await failure(first)).toMatchObject({ code: 'timeout' });
    expect(await failure(other)).toMatchObject({ code: 'timeout' });
    // Free again.
    expect((await pool.query('SELECT 1 AS one', { owner: 'cy' })).values).toEqual([[1]]);
  });

  it('removes a worker’s folder of sandboxes and spill files however the worker ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agnes-pool-'));
    const own = new QueryPool({ analyticsPath: f.target, extractsDir: f.extractsDir, workers: 1, sandboxDir: dir });
    expect((await own.query('SELECT count(*) AS n FROM orders', { readable: ['orders'] })).values).toEqual([['5']]);
    expect(readdirSync(dir)).toHaveLength(1);
    const [pid] = own.pids;
    process.kill(pid!, 'SIGKILL');
    for (let i = 0; i < 500 && existsSync(join(dir, readdirSync(dir)[0] ?? 'gone')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(readdirSync(dir)).toEqual([]);
    expect((await own.query('SELECT 1 AS one', { readable: ['orders'] })).values).toEqual([[1]]);
    await own.close();
  });

  it('survives a worker that dies mid-query: that query fails, the next one runs', async () => {
    const running = failure(pool.query(ENDLESS, { timeoutMs: 20_000 }));
    // Wait until the query is in its worker, then kill every worker.
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of pool.pids) process.kill(pid, 'SIGKILL');
    expect(await running).toMatchObject({ code: 'failed', message: expect.stringMatching(/restarts by itself/) });
    expect((await pool.query('SELECT count(*) AS n FROM orders')).values).toEqual([['5']]);
  });

  it('replaces a worker whose database DuckDB invalidated', async () => {
    const before = pool.pids;
    await expect(pool.query('SELECT reservoir_quantile(x, []) FROM (VALUES (1.5)) v(x)', { readable: ['orders'] })).rejects.toMatchObject({ code: 'failed' });
    for (let i = 0; i < 3; i++) expect((await pool.query('SELECT count(*) AS n FROM orders', { readable: ['orders'] })).values).toEqual([['5']]);
    expect(pool.pids.filter((p) => !before.includes(p)).length).toBeGreaterThan(0);
  });

  it('stops a query that needs more memory than its share, and keeps serving', async () => {
    const e = await failure(pool.query('SELECT len(list(x)) FROM range(200000000) t(x)', { timeoutMs: 60_000 }));
    expect(e).toBeInstanceOf(QueryError);
    expect(e).toMatchObject({ code: 'too_large' });
    expect((await pool.query('SELECT 1 AS one')).values).toEqual([[1]]);
  });
});
