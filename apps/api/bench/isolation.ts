/*
 * `pnpm --filter @agnes/api bench:isolation`: the built server (dist/bin.js) in its own
 * process on loopback. Measures `GET /api/health` and `POST /auth/token` latency (p50/p99)
 * with no load (the baseline), then while 8 clients keep heavy queries running (each
 * retrying on 429 as a client should); then the peak resident memory of the server and of
 * its query workers under two memory bombs. Prints a table with the goal beside each figure.
 * Build first (`pnpm build`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_ADMIN, startApi } from './start-api.js';

const root = mkdtempSync(join(tmpdir(), 'agnes-isolation-bench-'));
const MEMORY_LIMIT = 2 * 2 ** 30;
const HEAVY = 'SELECT count(*) FROM range(100000) a, range(100000) b WHERE a.range + b.range = -1';
const BOMBS = ['SELECT len(list(x)) FROM range(500000000) t(x)', "SELECT repeat('x', 1000000) || x AS s FROM range(600) t(x)"];
const rows: string[][] = [['case', 'figure', 'baseline (no load)', 'goal']];


const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};
const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

/** Sequential requests for `ms`, timing each. */
async function latencies(ms: number, call: () => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    const res = await call();
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`status ${res.status}`);
    out.push(performance.now() - t);
  }
  return out;
}

const { child, url } = await startApi(join(root, 'data'), { QUERY_MEMORY_LIMIT: String(MEMORY_LIMIT), QUERY_TIMEOUT_SECONDS: '20' });
try {
  const json = (body: unknown, token?: string) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const signIn = () => fetch(`${url}/auth/token`, json(BENCH_ADMIN));
  const token = ((await (await signIn()).json()) as { access_token: string }).access_token;
  const health = () => fetch(`${url}/api/health`);
  // Warm: the workers have started, one query has run.
  for (let i = 0; i < 50 && (await fetch(`${url}/api/query`, json({ sql: 'SELECT 1' }, token))).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));

  const baseHealth = await latencies(3_000, health);
  const baseToken = await latencies(3_000, signIn);

  let stop = false;
  let heavyRun = 0;
  let refused = 0;
  const clients = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const res = await fetch(`${url}/api/query`, json({ sql: HEAVY }, token));
      await res.arrayBuffer();
      if (res.status === 429) {
        refused += 1;
        await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      } else heavyRun += 1;
    }
  });
  await new Promise((r) => setTimeout(r, 1_000));
  const loadHealth = await latencies(8_000, health);
  const loadToken = await latencies(8_000, signIn);
  stop = true;
  for (const pid of childrenOf(child.pid!)) process.kill(pid, 'SIGKILL');
  await Promise.all(clients);

  rows.push(['GET /api/health p50, 8 heavy clients', `${percentile(loadHealth, 50).toFixed(1)} ms`, `${percentile(baseHealth, 50).toFixed(1)} ms`, '']);
  rows.push(['GET /api/health p99, 8 heavy clients', `${percentile(loadHealth, 99).toFixed(1)} ms`, `${percentile(baseHealth, 99).toFixed(1)} ms`, '< 200 ms']);
  rows.push(['POST /auth/token p50, 8 heavy clients', `${percentile(loadToken, 50).toFixed(1)} ms`, `${percentile(baseToken, 50).toFixed(1)} ms`, '']);
  rows.push(['POST /auth/token p99, 8 heavy clients', `${percentile(loadToken, 99).toFixed(1)} ms`, `${percentile(baseToken, 99).toFixed(1)} ms`, '< 200 ms']);
  rows.push(['heavy queries answered / refused (429)', `${heavyRun} / ${refused}`, '', '']);

  // Memory bombs: sample the workers' resident memory while each runs.
  const before = rssOf(child.pid!, 'VmRSS');
  let workersPeak = 0;
  const sampler = setInterval(() => {
    const total = childrenOf(child.pid!).reduce((sum, pid) => sum + rssOf(pid, 'VmRSS'), 0);
    workersPeak = Math.max(workersPeak, total);
  }, 50);
  const outcomes: string[] = [];
  for (const sql of BOMBS) {
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${url}/api/query`, json({ sql }, token));
      const body = (await res.json()) as { truncated?: boolean; row_count?: number };
      if (res.status === 429) {
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      outcomes.push(res.status === 200 ? `200 truncated=${body.truncated} rows=${body.row_count}` : String(res.status));
      break;
    }
  }
  clearInterval(sampler);
  rows.push(['memory bombs answered', outcomes.join(', '), '', '400 or 200 truncated, never 500']);
  rows.push(['server peak RSS (VmHWM)', mb(rssOf(child.pid!, 'VmHWM')), mb(before), `< ${mb(MEMORY_LIMIT + 300 * 2 ** 20)} (limit + 300 MB)`]);
  rows.push(['query workers peak RSS, together', mb(workersPeak), '', `< ${mb(MEMORY_LIMIT + 2 * 256 * 2 ** 20)} (limit + headroom)`]);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(root, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  '));
