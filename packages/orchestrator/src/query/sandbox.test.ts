import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileQueries, LEGIT } from '../../test/attack-corpus.js';
import { buildFixture, SECRET_MARKER, testPolicy } from '../../test/fixtures.js';
import { readPublishedViews, rebuild } from '../rebuild/rebuild.js';
import { Sandbox } from './sandbox.js';

/*
 * The second wall on its own: queries go straight to the sandbox's connection, with no
 * parse-tree guard in front, as if the guard had a bug that admitted everything.
 */

const GRANTED = ['orders', 'customers', 'wh_sales'];
let f: Awaited<ReturnType<typeof buildFixture>>;
let sandbox: Sandbox;

beforeAll(async () => {
  f = await buildFixture();
  await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy, env: { KBC_TOKEN: 't' } });
  const analytics = await DuckDBInstance.create(f.target, { access_mode: 'READ_ONLY' });
  const published = await readPublishedViews(await analytics.connect());
  analytics.closeSync();
  const views = GRANTED.map((n) => ({ name: published.names.get(n)!, from: published.targets.get(n)! }));
  sandbox = await Sandbox.open({ views, attach: [...published.attach.values()], remote: testPolicy, env: { KBC_TOKEN: 't' } });
});
afterAll(() => sandbox?.close());

/**
 * Runs `sql` with nothing in front, on a connection of its own as the engine does (a
 * `BEGIN` in the corpus must not leave the next query in an aborted transaction);
 * returns the result as text, or undefined when DuckDB refused it.
 */
async function raw(sql: string): Promise<string | undefined> {
  const conn = await sandbox.instance.connect();
  // As the engine's time limit does (the corpus has `sleep_ms(60000)`).
  const timer = setTimeout(() => conn.interrupt(), 2_000);
  try {
    const r = await conn.runAndReadAll(sql);
    return JSON.stringify({ columns: r.columnNames(), rows: r.getRowsJson() });
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    conn.closeSync();
  }
}

describe('query sandbox without the parse-tree guard', () => {
  it('holds only the caller’s views, and its catalog says nothing of the others', async () => {
    expect(JSON.parse((await raw('SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1'))!).rows).toEqual([['customers'], ['orders'], ['wh_sales']]);
    // The one table is the remote catalog's that `wh_sales` reads: remote catalogs are the grain there.
    expect(JSON.parse((await raw('SELECT database_name, table_name FROM duckdb_tables()'))!).rows).toEqual([['whcat', 'sales']]);
    expect(JSON.parse((await raw('SELECT count(*) FROM orders'))!).rows).toEqual([['5']]);
    expect(JSON.parse((await raw('SELECT count(*) FROM wh_sales'))!).rows).toEqual([['4']]);
  });

  it('gives no query of the attack corpus any data of a table the caller may not read', async () => {
    const hostile = hostileQueries(f.extractsDir);
    const leaked: string[] = [];
    for (const sql of [...hostile, ...LEGIT]) {
      const out = await raw(sql);
      if (out && (out.includes(SECRET_MARKER) || out.includes(join(f.extractsDir, 'hr')) || out.includes('"salaries"'))) leaked.push(`${sql.slice(0, 100)} → ${out.slice(0, 200)}`);
    }
    expect(leaked).toEqual([]);
    expect(hostile.length).toBeGreaterThanOrEqual(120);
  });

  it('cannot read another table’s files, whatever the path', async () => {
    const hr = join(f.extractsDir, 'hr', 'data');
    const file = join(hr, readdirSync(hr).find((n) => n.endsWith('.parquet'))!);
    for (const sql of [
      `SELECT * FROM '${file}'`,
      `SELECT * FROM read_parquet('${file}')`,
      `SELECT * FROM read_parquet('${f.extractsDir}/*/data/*.parquet')`,
      `SELECT * FROM '${f.extractsDir}/crm/data/../../hr/data/*.parquet'`,
      `SELECT * FROM glob('${f.extractsDir}/**')`,
      `SELECT * FROM read_blob('${file}')`,
      `SELECT * FROM parquet_metadata('${file}')`,
      `ATTACH '${join(f.extractsDir, 'hr', 'extract.duckdb')}' AS hr (READ_ONLY)`,
      `ATTACH '${f.target}' AS everything (READ_ONLY)`,
      "SELECT * FROM read_text('/etc/hostname')",
    ]) {
      expect(await raw(sql), sql).toBeUndefined();
    }
    // The caller's own file stays readable, so the refusals above are the wall, not a broken sandbox.
    const crm = join(f.extractsDir, 'crm', 'data');
    const own = join(crm, readdirSync(crm).find((n) => n.startsWith('orders.') && n.endsWith('.parquet'))!);
    expect(JSON.parse((await raw(`SELECT count(*) FROM '${own}'`))!).rows).toEqual([['5']]);
  });

  it('cannot write: statements that would change the sandbox or the disk fail and leave it as it was', async () => {
    const before = readdirSync(tmpdir()).length;
    for (const sql of [
      'CREATE TABLE x AS SELECT 1',
      'CREATE VIEW salaries AS SELECT 1',
      'DROP VIEW orders',
      'CREATE OR REPLACE VIEW orders AS SELECT 1 AS id',
      "COPY (SELECT * FROM orders) TO '/tmp/agnes-sandbox-out.csv'",
      "EXPORT DATABASE '/tmp/agnes-sandbox-dump'",
      'SET enable_external_access = true',
      "SET allowed_directories = ['/']",
      'RESET lock_configuration',
      'CREATE MACRO m(x) AS x',
    ]) {
      expect(await raw(sql), sql).toBeUndefined();
    }
    expect(existsSync('/tmp/agnes-sandbox-out.csv')).toBe(false);
    expect(existsSync('/tmp/agnes-sandbox-dump')).toBe(false);
    expect(readdirSync(tmpdir()).length).toBeLessThanOrEqual(before);
    expect(JSON.parse((await raw('SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1'))!).rows).toEqual([['customers'], ['orders'], ['wh_sales']]);
  });
});
