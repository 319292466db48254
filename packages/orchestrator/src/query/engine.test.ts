import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import { buildFixture, ordersBatch, tableConnector, testPolicy } from '../../test/fixtures.js';
import { rebuild } from '../rebuild/rebuild.js';
import { QueryEngine } from './engine.js';
import { QueryError } from './query-error.js';

let f: Awaited<ReturnType<typeof buildFixture>>;
let engine: QueryEngine;
/** An analyst who may read crm tables and the warehouse, not hr.salaries. */
const analyst = (tables: string[]) => {
  const denied = tables.filter((t) => !['orders', 'customers', 'wh_sales'].includes(t.toLowerCase()));
  if (denied.length) throw new QueryError('forbidden', `table "${denied[0]}" does not exist or you have no access to it`);
};

beforeAll(async () => {
  f = await buildFixture();
  await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy, env: { KBC_TOKEN: 't' } });
  engine = new QueryEngine({ analyticsPath: f.target, extractsDir: f.extractsDir, remote: testPolicy, env: { KBC_TOKEN: 't' } });
});
afterAll(() => engine.close());

/** Queries that must be refused, each with no side effect. */
const HOSTILE: string[] = [
  // Files and replacement scans.
  "SELECT * FROM read_csv('/etc/passwd')",
  "SELECT * FROM read_csv_auto('/etc/passwd')",
  "SELECT * FROM read_text('/etc/hostname')",
  "SELECT * FROM read_blob('/etc/hostname')",
  "SELECT * FROM read_parquet('/tmp/x.parquet')",
  "SELECT * FROM read_json('/etc/x.json')",
  "SELECT * FROM glob('/etc/*')",
  "SELECT * FROM '/etc/passwd'",
  "SELECT * FROM 'data/orders.parquet'",
  "SELECT * FROM parquet_metadata('/tmp/x.parquet')",
  "SELECT * FROM parquet_scan('/tmp/x.parquet')",
  "SELECT * FROM sniff_csv('/etc/passwd')",
  "SELECT content FROM read_text('/proc/self/environ')",
  // Statements that are not reads.
  "ATTACH '/tmp/evil.duckdb' AS evil",
  'DETACH whcat',
  "COPY orders TO '/tmp/out.csv'",
  "COPY (SELECT 1) TO '/tmp/out.parquet'",
  "EXPORT DATABASE '/tmp/dump'",
  'INSTALL httpfs',
  'LOAD httpfs',
  "PRAGMA database_list",
  "SET enable_external_access = true",
  "RESET lock_configuration",
  'CALL pragma_version()',
  'CREATE TABLE x AS SELECT 1',
  'CREATE VIEW v AS SELECT * FROM salaries',
  'DROP VIEW orders',
  "INSERT INTO orders VALUES (1, 'x', 1, 'y')",
  "UPDATE orders SET customer = 'x'",
  'DELETE FROM orders',
  'ALTER VIEW orders RENAME TO o2',
  'CHECKPOINT',
  'VACUUM',
  'BEGIN TRANSACTION',
  "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')",
  'CREATE MACRO m(x) AS x',
  'PIVOT orders ON customer USING count(*)',
  // Several statements, hidden or not.
  'SELECT 1; DROP VIEW orders',
  'SELECT 1;\n/* harmless */ DELETE FROM orders',
  "SELECT 1 -- comment\n; ATTACH '/tmp/x.db' AS x",
  'SELECT * FROM orders;;SELECT * FROM salaries',
  // Forbidden tables, however spelled or reached.
  'SELECT * FROM salaries',
  'SELECT * FROM "salaries"',
  'SELECT * FROM SALARIES',
  'SELECT * FROM "SaLaRiEs"',
  'SELECT * FROM main.salaries',
  'WITH s AS (SELECT * FROM salaries) SELECT * FROM s',
  'WITH salaries AS (SELECT * FROM salaries) SELECT * FROM salaries',
  'SELECT * FROM orders WHERE id IN (SELECT id FROM salaries)',
  'SELECT id FROM orders UNION SELECT id FROM salaries',
  'SELECT * FROM orders o, LATERAL (SELECT * FROM salaries s WHERE s.id = o.id)',
  'SELECT (SELECT max(salary) FROM salaries) AS m',
  'SELECT * FROM orders JOIN salaries USING (id)',
  'SELECT * FROM (SELECT * FROM (SELECT * FROM salaries))',
  'SELECT EXISTS (SELECT 1 FROM salaries)',
  // Catalog introspection and settings.
  'SELECT * FROM duckdb_tables()',
  'SELECT * FROM duckdb_views()',
  'SELECT * FROM duckdb_settings()',
  'SELECT * FROM duckdb_secrets()',
  'SELECT * FROM duckdb_extensions()',
  'SELECT * FROM information_schema.tables',
  'SELECT * FROM information_schema.columns',
  'SELECT * FROM pg_catalog.pg_tables',
  "SELECT getenv('HOME')",
  "SELECT current_setting('allowed_directories')",
  "SELECT * FROM query('SELECT * FROM salaries')",
  "SELECT * FROM query_table('salaries')",
  "SELECT * FROM pragma_table_info('salaries')",
  'SELECT * FROM sqlite_master',
  // Internals and attached catalogs addressed directly.
  'SELECT * FROM _agnes_tables',
  'SELECT * FROM _agnes_remote_attach',
  'SELECT * FROM _meta',
  'SELECT * FROM crm._meta',
  'SELECT * FROM whcat.main.sales',
  'SELECT * FROM whcat.sales',
  'SELECT * FROM "whcat"."main"."sales"',
  'SELECT * FROM server.main.salaries',
  // Unknown tables get the same message as forbidden ones.
  'SELECT * FROM does_not_exist',
  // Oversized input.
  `SELECT 1 ${'+ 1 '.repeat(40_000)}`,
  `SELECT ${'('.repeat(3000)}1${')'.repeat(3000)}`,
];

/** Legitimate analytical queries that must all run for the analyst. */
const LEGIT: string[] = [
  'SELECT * FROM orders',
  'SELECT count(*) AS n FROM orders',
  'SELECT customer, sum(amount) AS total FROM orders GROUP BY customer ORDER BY customer',
  'SELECT customer, count(*) FILTER (WHERE amount > 0) AS n FROM orders GROUP BY ALL',
  'SELECT id, amount, sum(amount) OVER (ORDER BY id) AS running FROM orders',
  'SELECT id, row_number() OVER (PARTITION BY customer ORDER BY id DESC) AS rn FROM orders',
  'SELECT * FROM orders QUALIFY row_number() OVER (PARTITION BY customer ORDER BY id) = 1',
  'WITH c AS (SELECT customer, count(*) AS n FROM orders GROUP BY customer) SELECT * FROM c WHERE n > 1',
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r',
  'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.id % 3 + 1',
  'SELECT o.id FROM orders o LEFT JOIN customers c USING (id)',
  'SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.name IS NOT NULL)',
  'SELECT id FROM orders UNION ALL SELECT id FROM customers',
  'SELECT id FROM orders EXCEPT SELECT id FROM customers',
  'SELECT * FROM orders PIVOT (count(*) FOR customer IN (\'c0\', \'c1\', \'c2\'))',
  'SELECT * FROM orders UNPIVOT (val FOR col IN (customer, created_at))',
  'SELECT * FROM range(10) r(i)',
  'SELECT * FROM generate_series(1, 5)',
  'SELECT unnest([1, 2, 3]) AS x',
  'SELECT * FROM unnest([1, 2, 3])',
  'SELECT * FROM (VALUES (1, \'a\'), (2, \'b\')) v(id, created_at)',
  'SELECT 1 AS update_count, 2 AS created_at, 3 AS "select"',
  'SELECT created_at, strptime(created_at, \'%Y-%m-%d\') AS d FROM orders',
  "SELECT date_trunc('month', strptime(created_at, '%Y-%m-%d')) AS m, count(*) FROM orders GROUP BY 1",
  'SELECT list(id ORDER BY id) AS ids FROM orders',
  "SELECT string_agg(customer, ',') FROM orders",
  'SELECT customer, max(amount) - min(amount) AS spread FROM orders GROUP BY customer HAVING count(*) > 1',
  'SELECT CASE WHEN amount > 1 THEN \'big\' ELSE \'small\' END AS size FROM orders',
  'SELECT id::VARCHAR AS id_text, amount::DOUBLE AS approx FROM orders',
  'SELECT * FROM orders ORDER BY id DESC LIMIT 2 OFFSET 1',
  'SELECT DISTINCT customer FROM orders',
  'SELECT * FROM wh_sales',
  'SELECT s.total, o.id FROM wh_sales s CROSS JOIN (SELECT id FROM orders LIMIT 1) o',
  'SELECT [x * 2 FOR x IN [1, 2, 3]] AS doubled',
  'SELECT list_transform([1, 2], x -> x + 1) AS l',
  'SELECT {\'a\': 1, \'b\': 2} AS s',
  'SELECT approx_count_distinct(customer) FROM orders',
  'SELECT median(amount), quantile_cont(amount, 0.9) FROM orders',
  '  select  count(*)  from  ORDERS  ',
  'SELECT COUNT(*) FROM "Orders"',
];

describe('query engine: hostile corpus', () => {
  it(`refuses all ${HOSTILE.length} hostile queries with a clear error and no side effect`, async () => {
    const before = readdirSync('/tmp').length;
    const accepted: string[] = [];
    for (const sql of HOSTILE) {
      const error = await engine.query(sql, { authorize: analyst }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(error instanceof QueryError) || !['refused', 'forbidden', 'invalid'].includes(error.code)) {
        accepted.push(`${sql.slice(0, 80)} → ${error instanceof Error ? `${error.name}: ${error.message}` : 'ran'}`);
        continue;
      }
      expect(error.message).not.toMatch(/Did you mean|Candidate bindings|salaries".*\bsalary\b/);
    }
    expect(accepted).toEqual([]);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(60);
    for (const p of ['/tmp/out.csv', '/tmp/out.parquet', '/tmp/dump', '/tmp/evil.duckdb']) expect(existsSync(p)).toBe(false);
    expect(readdirSync('/tmp').length).toBeLessThanOrEqual(before + 5);
    // The data is untouched.
    expect((await engine.query('SELECT count(*) AS n FROM orders')).rows).toEqual([{ n: '5' }]);
  });

  it('gives unknown and forbidden tables the same message', async () => {
    const a = await engine.query('SELECT * FROM salaries', { authorize: analyst }).catch((e: Error) => e.message);
    const b = await engine.query('SELECT * FROM salarie', { authorize: analyst }).catch((e: Error) => e.message);
    expect(a).toBe('table "salaries" does not exist or you have no access to it');
    expect(b).toBe('table "salarie" does not exist or you have no access to it');
  });
});

describe('query engine: legitimate corpus', () => {
  it(`runs all ${LEGIT.length} legitimate analytical queries`, async () => {
    const failed: string[] = [];
    for (const sql of LEGIT) {
      try {
        await engine.query(sql, { authorize: analyst });
      } catch (error) {
        failed.push(`${sql} → ${(error as Error).message}`);
      }
    }
    expect(failed).toEqual([]);
    expect(LEGIT.length).toBeGreaterThanOrEqual(30);
  });

  it('returns exact int64 and decimal values and the column types', async () => {
    const r = await engine.query('SELECT id, amount FROM orders ORDER BY id LIMIT 1');
    expect(r.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(18,2)' },
    ]);
    expect(r.rows).toEqual([{ id: '9007199254740993', amount: '123456789012345.67' }]);
    expect(r.tables).toEqual(['orders']);
  });

  it('streams results chunk by chunk with the same exact values and limits', async () => {
    const chunks = [];
    for await (const c of engine.stream('SELECT i, i::DECIMAL(20,2) + 0.25 AS d FROM range(5000) r(i)', { maxRows: 10_000 })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    const rows = chunks.flatMap((c) => c.rows);
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual({ i: '4999', d: '4999.25' });
    const tooMany = async () => {
      for await (const _ of engine.stream('SELECT * FROM range(5000)', { maxRows: 100 }));
    };
    await expect(tooMany()).rejects.toMatchObject({ code: 'too_many_rows' });
    const refusedStream = async () => {
      for await (const _ of engine.stream('SELECT * FROM salaries', { authorize: analyst }));
    };
    await expect(refusedStream()).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('hides DuckDB hints that would name other tables', async () => {
    const message = await engine.query('SELECT nope FROM orders').catch((e: Error) => e.message);
    expect(message).toMatch(/nope/);
    expect(message).not.toMatch(/Candidate|Did you mean/);
  });
});

describe('query engine: limits and swaps', () => {
  it('refuses a result over the row limit with a clear error', async () => {
    const e = await engine.query('SELECT * FROM range(100)', { maxRows: 10 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QueryError);
    expect((e as QueryError).code).toBe('too_many_rows');
    expect((await engine.query('SELECT * FROM range(10)', { maxRows: 10 })).rows).toHaveLength(10);
  });

  it('stops a query that runs past its time limit', async () => {
    const e = await engine
      .query('SELECT count(*) FROM range(1000000000) a, range(1000) b WHERE a.range * b.range = -1', { timeoutMs: 200 })
      .catch((x: unknown) => x);
    expect((e as QueryError).code).toBe('timeout');
  });

  it('moves to the new analytics file after a rebuild while queries on the old one finish', async () => {
    const g = await buildFixture();
    await rebuild({ extractsDir: g.extractsDir, target: g.target, remote: testPolicy });
    const e = new QueryEngine({ analyticsPath: g.target, extractsDir: g.extractsDir, remote: testPolicy });
    expect((await e.query('SELECT count(*) AS n FROM orders')).rows).toEqual([{ n: '5' }]);
    const slow = e.query('SELECT count(*) AS n FROM orders, range(3000000)');
    await new ConnectorRuntime(join(g.extractsDir, 'crm')).run(
      tableConnector([{ info: { name: 'orders', schema: ordersBatch().schema, capabilities: Cap.READ }, batch: ordersBatch(9) }]),
      { tables: ['orders'] },
    );
    await rebuild({ extractsDir: g.extractsDir, target: g.target, remote: testPolicy });
    expect((await slow).rows).toEqual([{ n: '15000000' }]);
    expect((await e.query('SELECT count(*) AS n FROM orders')).rows).toEqual([{ n: '9' }]);
    e.close();
  });
});
