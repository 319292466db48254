/*
 * `pnpm --filter @agnes/api bench`: the built server (dist/bin.js) in its own process on
 * loopback, measured with autocannon — health, the manifest of an analyst with 1,000 grants
 * over 2,000 tables, a small query — and download throughput (curl to /dev/null) against a
 * plain fs.createReadStream server on the same file. Prints a table. Build first (`pnpm build`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { startApi } from './start-api.js';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DuckDBInstance } from '@duckdb/node-api';
import { META_DDL, META_TABLE, quoteIdent, quoteLiteral } from '@agnes/connector-kit';
import { openSystemDb } from '@agnes/system-db';
import { writeSyntheticExtracts } from '../../../packages/orchestrator/test/synthetic-extracts.js';

const root = mkdtempSync(join(tmpdir(), 'agnes-api-bench-'));
const dataDir = join(root, 'data');
const extracts = join(dataDir, 'extracts');
const rows: string[][] = [['case', 'req/s', 'p50 ms', 'p99 ms', 'MB/s', 'errors']];

async function bigExtract(): Promise<string> {
  const dir = join(extracts, 'bigsrc');
  const rel = 'data/big.g1.parquet';
  mkdirSync(join(dir, 'data'), { recursive: true });
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT i AS id, md5(i::VARCHAR) AS h, random() AS r FROM range(3000000) t(i)) TO ${quoteLiteral(join(dir, rel))} (FORMAT parquet)`);
  const ex = await (await DuckDBInstance.create(join(dir, 'extract.duckdb'))).connect();
  await ex.run(META_DDL);
  await ex.run(`SET file_search_path = ${quoteLiteral(dir)}`);
  const size = statSync(join(dir, rel)).size;
  await ex.run(`INSERT INTO ${META_TABLE} VALUES ('big', NULL, 3000000, ${size}, now()::TIMESTAMP, 'local', NULL, 'sha256-${'1'.repeat(64)}', ${quoteLiteral(rel)})`);
  await ex.run(`CREATE VIEW ${quoteIdent('big')} AS SELECT * FROM read_parquet(${quoteLiteral(rel)})`);
  ex.closeSync();
  return join(dir, rel);
}


async function cannon(name: string, opts: autocannon.Options): Promise<void> {
  const r = await autocannon({ connections: 10, duration: 5, ...opts });
  const errors = r.errors + r.timeouts + r.non2xx;
  rows.push([name, r.requests.average.toFixed(0), String(r.latency.p50), String(r.latency.p99), '', String(errors)]);
}

/**
 * Downloads every URL in alternation (so noise hits all alike) with curl writing to
 * /dev/null, a client that costs little, and reports MB/s of each.
 */
async function throughput(cases: { name: string; url: string; headers: Record<string, string> }[], bytes: number): Promise<number[]> {
  const elapsed = cases.map(() => 0);
  const rounds = 10;
  for (let i = 0; i < rounds; i += 1) {
    for (const [k, c] of cases.entries()) {
      const args = ['-s', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', ...Object.entries(c.headers).flatMap(([n, v]) => ['-H', `${n}: ${v}`]), c.url];
      const out = await new Promise<string>((resolve, reject) => {
        const curl = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        curl.stdout.on('data', (d: Buffer) => (text += d.toString()));
        curl.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`curl exited ${code}`))));
      });
      const [got, secs] = out.split(' ').map(Number);
      if (got !== bytes) throw new Error(`${c.name}: got ${got} of ${bytes} bytes`);
      if (i > 0) elapsed[k] = (elapsed[k] ?? 0) + (secs ?? 0);
    }
  }
  return cases.map((c, k) => {
    const mbps = ((rounds - 1) * bytes) / 1e6 / (elapsed[k] ?? 1);
    rows.push([c.name, '', '', '', mbps.toFixed(0), '0']);
    return mbps;
  });
}

let api: ChildProcess | undefined;
try {
  await writeSyntheticExtracts(extracts, 50, 40);
  const bigFile = await bigExtract();
  // An analyst with 1,000 grants, seeded before the server opens the database.
  const db = await openSystemDb({ path: join(dataDir, 'state', 'system.duckdb') });
  const { hashPassword } = await import('../src/auth/passwords.js');
  const analyst = await db.users.create({ email: 'analyst@example.com', passwordHash: await hashPassword('analyst password') });
  const group = await db.groups.create({ name: 'many' });
  await db.groups.addMember(group.id, analyst.id);
  for (let s = 0; s < 25; s += 1) {
    for (let t = 0; t < 40; t += 1) await db.grants.grant({ groupId: group.id, resourceId: `src_${String(s).padStart(3, '0')}_t${t}` });
  }
  await db.grants.grant({ groupId: group.id, resourceId: 'big' });
  await db.close();

  const started = await startApi(dataDir);
  api = started.child;
  const login = await fetch(`${started.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'analyst@example.com', password: 'analyst password' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const auth = { authorization: `Bearer ${token}` };
  const manifest = (await (await fetch(`${started.url}/api/sync/manifest`, { headers: auth })).json()) as { tables: object };
  if (Object.keys(manifest.tables).length !== 1001) throw new Error(`the manifest lists ${Object.keys(manifest.tables).length} tables, not 1,001`);

  await cannon('GET /api/health', { url: `${started.url}/api/health` });
  await cannon('GET /api/sync/manifest (1,000 grants of 2,000 tables)', { url: `${started.url}/api/sync/manifest`, headers: auth });
  await cannon('POST /api/query (small)', {
    url: `${started.url}/api/query`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: 'SELECT count(*) AS n, max(v) AS m FROM src_000_t1' }),
  });

  const size = statSync(bigFile).size;
  // The plain server gets its own process too, as the API has, so neither shares a loop with the bench.
  const plainSource = `
    const { createServer } = require('node:http');
    const { createReadStream } = require('node:fs');
    const file = process.argv[1];
    const size = ${size};
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
    });
    server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));`;
  const plain = spawn(process.execPath, ['-e', plainSource, bigFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const plainPort = await new Promise<string>((resolve) => plain.stdout.on('data', (d: Buffer) => resolve(/port (\d+)/.exec(d.toString())?.[1] ?? '')));
  const plainUrl = `http://127.0.0.1:${plainPort}/`;
  const [apiMbps = 0, plainMbps = 1] = await throughput(
    [
      { name: `download big (${(size / 1e6).toFixed(0)} MB) via API`, url: `${started.url}/api/data/big/download`, headers: auth },
      { name: 'same file, plain fs.createReadStream server', url: plainUrl, headers: {} },
    ],
    size,
  );
  rows.push(['download ratio API / plain', '', '', '', (apiMbps / plainMbps).toFixed(2), '']);
  plain.kill();
} finally {
  api?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(root, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  '));
