import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime, readExtractContents } from '@agnes/connector-runtime';
import { batch, buildFixture, ordersBatch, tableConnector, testPolicy } from '../../test/fixtures.js';
import { Field, Int64, Schema } from 'apache-arrow';
import { rebuild } from './rebuild.js';

async function query(target: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(target, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('rebuild', () => {
  it('publishes one view per table with the content hash from _meta, remote tables included', async () => {
    const f = await buildFixture();
    const result = await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy, env: { KBC_TOKEN: 'unused' } });
    expect(result.problems).toEqual([]);
    expect(result.tables.map((t) => `${t.source}.${t.table}:${t.queryMode}`)).toEqual([
      'crm.customers:local',
      'crm.orders:local',
      'hr.salaries:local',
      'wh.wh_sales:remote',
    ]);
    const crmMeta = (await readExtractContents(join(f.extractsDir, 'crm'))).meta;
    const orders = result.tables.find((t) => t.table === 'orders')!;
    expect(orders.contentHash).toBe(crmMeta.find((m) => m.tableName === 'orders')!.contentHash);
    expect(orders).toMatchObject({ rows: 5, schema: { fields: expect.arrayContaining([{ name: 'amount', type: 'DECIMAL(18,2)', nullable: true }]) } });
    const instance = await DuckDBInstance.create(f.target, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    await conn.run(`ATTACH '${f.warehouse}' AS whcat (READ_ONLY)`);
    const rows = (await conn.runAndReadAll('SELECT (SELECT sum(id) FROM orders)::VARCHAR AS s, (SELECT sum(total) FROM wh_sales)::VARCHAR AS w')).getRowObjectsJson();
    expect(rows).toEqual([{ s: String(5n * 9_007_199_254_740_993n + 10n), w: '60' }]);
    conn.closeSync();
    instance.closeSync();
  });

  it('reports and skips bad folders, corrupt extracts, missing data and refused remote rows while the rest builds', async () => {
    const f = await buildFixture();
    cpSync(join(f.extractsDir, 'hr'), join(f.extractsDir, 'bad-name'), { recursive: true });
    mkdirSync(join(f.extractsDir, 'corrupt'));
    writeFileSync(join(f.extractsDir, 'corrupt', 'extract.duckdb'), 'this is not a database');
    mkdirSync(join(f.extractsDir, 'not_a_source'));
    writeFileSync(join(f.extractsDir, 'stray.txt'), 'x');
    // A _meta row whose data file is gone.
    const broken = join(f.extractsDir, 'broken');
    cpSync(join(f.extractsDir, 'hr'), broken, { recursive: true });
    const meta = await readExtractContents(broken);
    const { rmSync } = await import('node:fs');
    rmSync(join(broken, meta.meta[0]!.dataPath!));
    // A remote row naming the server's JWT secret, and one with an extension that is not allowed.
    await new ConnectorRuntime(join(f.extractsDir, 'evil')).run({
      capabilities: Cap.DISCOVER | Cap.REMOTE,
      discover: async () => [{ name: 'evil_t', schema: new Schema([]), capabilities: Cap.REMOTE, remote: { alias: 'evil', schema: 'main', table: 't' } }],
      remote: () => ({ extension: 'duckdb_file', url: f.warehouse, tokenEnv: 'JWT_SECRET_KEY', alias: 'evil' }),
    });
    await new ConnectorRuntime(join(f.extractsDir, 'exotic')).run({
      capabilities: Cap.DISCOVER | Cap.REMOTE,
      discover: async () => [{ name: 'exotic_t', schema: new Schema([]), capabilities: Cap.REMOTE, remote: { alias: 'pg', schema: 'public', table: 't' } }],
      remote: () => ({ extension: 'postgres_scanner', url: 'host=localhost', tokenEnv: 'KBC_TOKEN', alias: 'pg' }),
    });
    // An allowlisted extension that is not available on this machine (keboola cannot be installed here).
    await new ConnectorRuntime(join(f.extractsDir, 'kbc')).run({
      capabilities: Cap.DISCOVER | Cap.REMOTE,
      discover: async () => [{ name: 'kbc_t', schema: new Schema([]), capabilities: Cap.REMOTE, remote: { alias: 'kbc', schema: 'in.c-crm', table: 't' } }],
      remote: () => ({ extension: 'keboola', url: 'https://connection.keboola.com', tokenEnv: 'KBC_TOKEN', alias: 'kbc' }),
    });
    const result = await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy });
    expect(result.tables.map((t) => t.table).sort()).toEqual(['customers', 'orders', 'salaries', 'wh_sales']);
    const reasons = result.problems.map((p) => `${p.source}${p.table ? `.${p.table}` : ''}: ${p.reason}`).join('\n');
    expect(reasons).toMatch(/^bad-name: source name "bad-name" is invalid/m);
    expect(reasons).toMatch(/^corrupt: cannot open extract.duckdb/m);
    expect(reasons).toMatch(/^broken.salaries: data file data\/salaries\.[a-z0-9]+\.parquet is missing/m);
    expect(reasons).toMatch(/^evil: _remote_attach row refused: token variable "JWT_SECRET_KEY" is not on the allowlist/m);
    expect(reasons).toMatch(/^evil.evil_t: remote table whose catalog is not attached/m);
    expect(reasons).toMatch(/^exotic: _remote_attach row refused: extension "postgres_scanner" is not on the allowlist/m);
    expect(reasons).toMatch(/^kbc: cannot attach remote catalog kbc \(keboola\)/m);
    expect(reasons).toMatch(/^kbc.kbc_t: remote table whose catalog is not attached/m);
    expect(reasons).not.toMatch(/not_a_source|stray/);
  });

  it('keeps a table with its first owner across rebuilds and still publishes the other source’s tables', async () => {
    const f = await buildFixture();
    const schema = new Schema([new Field('id', new Int64(), false)]);
    const shared = (n: bigint) => ({ info: { name: 'shared', schema, capabilities: Cap.READ }, batch: batch(schema, { id: [n] }) });
    const own = { info: { name: 'only_m', schema, capabilities: Cap.READ }, batch: batch(schema, { id: [7n] }) };
    await new ConnectorRuntime(join(f.extractsDir, 'm_second')).run(tableConnector([shared(2n), own]));
    await new ConnectorRuntime(join(f.extractsDir, 'z_first')).run(tableConnector([shared(1n)]));
    let r = await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy });
    expect(r.tables.find((t) => t.table === 'shared')?.source).toBe('m_second');
    expect(r.tables.map((t) => t.table)).toContain('only_m');
    // A source sorting earlier appears later with the same table: the owner keeps it.
    await new ConnectorRuntime(join(f.extractsDir, 'a_newcomer')).run(tableConnector([shared(3n)]));
    r = await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy });
    expect(r.tables.find((t) => t.table === 'shared')?.source).toBe('m_second');
    expect(r.problems).toContainEqual({ source: 'a_newcomer', table: 'shared', reason: 'table name shared is already published by source m_second' });
    expect(await query(f.target, 'SELECT id::INTEGER AS id FROM shared')).toEqual([{ id: 2 }]);
  });

  it('serialises concurrent rebuilds and never leaves a half-written file', async () => {
    const f = await buildFixture();
    const results = await Promise.all([1, 2, 3].map(() => rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy })));
    for (const r of results) expect(r.tables).toHaveLength(4);
    expect(await query(f.target, 'SELECT count(*)::INTEGER AS n FROM _agnes_tables')).toEqual([{ n: 4 }]);
  });

  it('leaves the previous analytics file valid when a rebuild is killed with SIGKILL', async () => {
    const f = await buildFixture();
    await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy });
    // Many sources make the rebuild long enough to be killed in the middle.
    for (let s = 0; s < 30; s++) await new ConnectorRuntime(join(f.extractsDir, `more_${s}`)).run(tableConnector([{ info: { name: `t_${s}`, schema: ordersBatch().schema, capabilities: Cap.READ }, batch: ordersBatch() }]));
    const child = fileURLToPath(new URL('../../test/rebuild.fixture.ts', import.meta.url));
    for (const delay of [20, 80, 200]) {
      const p = spawn(process.execPath, ['--conditions=@agnes/source', '--import', 'tsx', child, f.extractsDir, f.target], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: 'ignore',
      });
      await new Promise((r) => setTimeout(r, delay));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('exit', r));
      const rows = await query(f.target, 'SELECT count(*)::INTEGER AS n FROM _agnes_tables');
      expect(rows[0]!.n === 4 || rows[0]!.n === 34).toBe(true);
      expect(await query(f.target, 'SELECT count(*)::INTEGER AS n FROM orders')).toEqual([{ n: 5 }]);
    }
  }, 120_000);

  it('removes the temp files of a rebuild killed with SIGKILL at the next rebuild, keeping the analytics file whole', async () => {
    const f = await buildFixture();
    await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy });
    for (let s = 0; s < 30; s++) await new ConnectorRuntime(join(f.extractsDir, `more_${s}`)).run(tableConnector([{ info: { name: `t_${s}`, schema: ordersBatch().schema, capabilities: Cap.READ }, batch: ordersBatch() }]));
    const child = fileURLToPath(new URL('../../test/rebuild.fixture.ts', import.meta.url));
    const leftovers = () => readdirSync(dirname(f.target)).filter((n) => n.startsWith(`${basename(f.target)}.tmp-`)).sort();
    // Kill the looping child while a temp file and its WAL exist; the child may publish
    // between the look and the kill, so try again until the kill leaves them behind.
    let left: string[] = [];
    for (let attempt = 0; attempt < 5 && !left.some((n) => n.endsWith('.wal')); attempt++) {
      const p = spawn(process.execPath, ['--conditions=@agnes/source', '--import', 'tsx', child, f.extractsDir, f.target], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: 'ignore',
      });
      const exited = new Promise((r) => p.on('exit', r));
      while (p.exitCode === null && !leftovers().some((n) => n.endsWith('.wal'))) await new Promise((r) => setTimeout(r, 5));
      p.kill('SIGKILL');
      await exited;
      left = leftovers();
    }
    expect(left.some((n) => n.endsWith('.wal'))).toBe(true);
    expect(left.some((n) => /\.tmp-\d+-[0-9a-f]+$/.test(n))).toBe(true);
    const rows = await query(f.target, 'SELECT count(*)::INTEGER AS n FROM _agnes_tables');
    expect(rows[0]!.n === 4 || rows[0]!.n === 34).toBe(true);

    // The killed child's lock goes stale; the next rebuild takes it and clears the leftovers.
    const r = await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy });
    expect(r.tables).toHaveLength(34);
    expect(leftovers()).toEqual([]);
    expect(await query(f.target, 'SELECT count(*)::INTEGER AS n FROM _agnes_tables')).toEqual([{ n: 34 }]);
    expect(await query(f.target, 'SELECT count(*)::INTEGER AS n FROM t_29')).toEqual([{ n: 5 }]);
  }, 120_000);
});
