/*
 * `pnpm --filter @agnes/cli bench`: the real `da` binary (dist/bin.js when built, else the
 * source through tsx) against the API started in this process on loopback, over 1,000
 * granted tables plus one large table. Prints a table:
 *   - first full sync of the 1,000 tables, and a no-op sync (target ≤ 0.5 s)
 *   - `da sync --table big` throughput vs `curl` of the same URL from the same server
 *   - `da query "SELECT 1"` start-up time vs `node -e ''`
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig, startServer } from '@agnes/api';
import { writeExtracts } from './extracts.js';

const CLI = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(CLI, 'dist', 'bin.js');
const TSX = pathToFileURL(join(CLI, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const built = existsSync(DIST);
const daArgs = built ? [DIST] : ['--conditions=@agnes/source', '--import', TSX, join(CLI, 'src', 'bin.ts')];
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 10_000_000);

const root = mkdtempSync(join(tmpdir(), 'da-bench-'));
const dataDir = join(root, 'data');
const rows: string[][] = [['case', 'median', 'min', 'note']];
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs a process to the end and resolves to its wall time in ms. Async: the server under test lives in this process. */
function exec(file: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

const da = (args: string[], env: Record<string, string>, cwd: string) => exec(process.execPath, [...daArgs, ...args], { cwd, env: { ...env, CI: 'true' } });

async function timed(name: string, runs: number, fn: () => Promise<number>, note = ''): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i += 1) ms.push(await fn());
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? 0;
  rows.push([name, `${(median / 1000).toFixed(3)} s`, `${((ms[0] ?? 0) / 1000).toFixed(3)} s`, note]);
  return ms;
}

try {
  const tables = await writeExtracts(join(dataDir, 'extracts'), 25, 40, BIG_ROWS);
  const config = loadConfig({ dataDir, port: 0, scheduler: false }, { AGNES_ADMIN_EMAIL: 'bench@example.com', AGNES_ADMIN_PASSWORD: 'bench password' });
  const server = await startServer(config, { logger: quiet, listen: true });
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, any>;
  };
  try {
    const admin = (await call('POST', '/auth/token', undefined, { email: 'bench@example.com', password: 'bench password' })).access_token as string;
    await call('POST', '/api/users', admin, { email: 'analyst@example.com', password: 'analyst password' });
    const group = await call('POST', '/api/admin/groups', admin, { name: 'many' });
    await call('POST', `/api/admin/groups/${group.id}/members`, admin, { email: 'analyst@example.com' });
    for (const table of tables.filter((t) => t !== 'big')) await call('POST', '/api/admin/grants', admin, { group_id: group.id, resource_id: table });
    const analyst = (await call('POST', '/auth/token', undefined, { email: 'analyst@example.com', password: 'analyst password' })).access_token as string;
    const manifest = await call('GET', '/api/sync/manifest', analyst);
    const granted = Object.keys(manifest.tables).length;

    const ws = join(root, 'ws');
    mkdirSync(ws);
    const env = { HOME: root, DA_CONFIG_DIR: join(root, 'cfg'), DA_SERVER: server.url, DA_TOKEN: analyst };
    await timed(`full sync, ${granted} small tables`, 1, () => da(['sync', '--jobs', '8'], env, ws));
    // The same 1,000 files with one curl, 8 transfers at a time: the floor of the server.
    const curlConfig = join(root, 'curl.cfg');
    const curlDir = join(root, 'curl-small');
    mkdirSync(curlDir);
    writeFileSync(curlConfig, Object.keys(manifest.tables).map((t) => `url = "${server.url}/api/data/${t}/download"\noutput = "${join(curlDir, `${t}.parquet`)}"\n`).join(''));
    await timed(`curl -Z --parallel-max 8 of the same ${granted} files`, 1, () => exec('curl', ['-sf', '-Z', '--parallel-max', '8', '-H', `Authorization: Bearer ${analyst}`, '-K', curlConfig]));
    await timed(`no-op sync, ${granted} tables (target ≤ 0.5 s)`, 5, () => da(['sync'], env, ws));
    await timed('da query "SELECT 1" start-up', 5, () => da(['query', 'SELECT 1'], env, ws));
    await timed("node -e '' (process start floor)", 5, () => exec(process.execPath, ['-e', '']));

    await call('POST', '/api/admin/grants', admin, { group_id: group.id, resource_id: 'big' });
    const big = (await call('GET', '/api/sync/manifest', analyst)).tables.big as { size_bytes: number };
    const mb = big.size_bytes / 1e6;
    const bigWs = join(root, 'big');
    const curlOut = join(root, 'curl.parquet');
    const daRuns: number[] = [];
    const curlRuns: number[] = [];
    // Alternate, so machine noise hits both alike.
    for (let i = 0; i < 3; i += 1) {
      rmSync(bigWs, { recursive: true, force: true });
      mkdirSync(bigWs);
      daRuns.push(await da(['sync', '--table', 'big'], env, bigWs));
      curlRuns.push(await exec('curl', ['-sf', '-o', curlOut, '-H', `Authorization: Bearer ${analyst}`, `${server.url}/api/data/big/download`]));
      if (statSync(curlOut).size !== big.size_bytes) throw new Error('curl got a different size');
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 1;
    rows.push([`da sync --table big (${mb.toFixed(1)} MB)`, `${(med(daRuns) / 1000).toFixed(3)} s`, `${(Math.min(...daRuns) / 1000).toFixed(3)} s`, `${(mb / (med(daRuns) / 1000)).toFixed(0)} MB/s incl. start, hash, views`]);
    rows.push([`curl of the same file`, `${(med(curlRuns) / 1000).toFixed(3)} s`, `${(Math.min(...curlRuns) / 1000).toFixed(3)} s`, `${(mb / (med(curlRuns) / 1000)).toFixed(0)} MB/s`]);
  } finally {
    await server.close();
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  console.log(`da benchmarks (${built ? 'dist/bin.js' : 'source via tsx: run `pnpm --filter @agnes/cli build` for release figures'})`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
} finally {
  rmSync(root, { recursive: true, force: true });
}
