import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import { hostileQueries, LEGIT, MEMORY_READS } from '../../test/attack-corpus.js';
import { buildFixture, ordersBatch, SECRET_MARKER, tableConnector, testPolicy } from '../../test/fixtures.js';
import { rebuild } from '../rebuild/rebuild.js';
import { QueryEngine } from './engine.js';
import { QueryError } from './query-error.js';

let f: Awaited<ReturnType<typeof buildFixture>>;
let engine: QueryEngine;
const GRANTED = ['orders', 'customers', 'wh_sales'];
/** An analyst who may read crm tables and the warehouse, not hr.salaries. */
const analyst = (tables: string[]) => {
  const denied = tables.filter((t) => !GRANTED.includes(t.toLowerCase()));
  if (denied.length) throw new QueryError('forbidden', `table "${denied[0]}" does not exist or you have no access to it`);
};
/** The same analyst as the API runs them: the parse-tree check, then their sandbox. */
const analystInSandbox = { authorize: analyst, readable: (published: readonly string[]) => published.filter((t) => GRANTED.includes(t.toLowerCase())) };

beforeAll(async () => {
  f = await buildFixture();
  await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy, env: { KBC_TOKEN: 't' } });
  engine = new QueryEngine({ analyticsPath: f.target, extractsDir: f.extractsDir, remote: testPolicy, env: { KBC_TOKEN: 't' } });
});
afterAll(() => engine.close());

describe('query engine: hostile corpus', () => {
  for (const [mode, options] of [
    ['the parse-tree guard alone', { authorize: analyst }],
    ['the guard and the sandbox', analystInSandbox],
  ] as const) {
    it(`refuses every hostile query with a clear error and no side effect (${mode})`, async () => {
      const hostile = [...hostileQueries(f.extractsDir), ...MEMORY_READS];
      const before = readdirSync('/tmp').length;
      const accepted: string[] = [];
      for (const sql of hostile) {
        const error = await engine.query(sql, options).then(
          (r) => r,
          (e: unknown) => e,
        );
        if (!(error instanceof QueryError) || !['refused', 'forbidden', 'invalid'].includes(error.code)) {
          accepted.push(`${sql.slice(0, 100)} → ${error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error).slice(0, 200)}`);
          continue;
        }
        expect(error.message).not.toMatch(/Did you mean|Candidate bindings|salaries".*\bsalary\b/);
        expect(error.message).not.toContain(SECRET_MARKER);
      }
      expect(accepted).toEqual([]);
      expect(hostile.length).toBeGreaterThanOrEqual(120);
      for (const p of ['/tmp/out.csv', '/tmp/out.parquet', '/tmp/dump', '/tmp/evil.duckdb']) expect(existsSync(p)).toBe(false);
      expect(readdirSync('/tmp').length).toBeLessThanOrEqual(before + 5);
      // The data is untouched.
      expect((await engine.query('SELECT count(*) AS n FROM orders')).rows).toEqual([{ n: '5' }]);
    });
  }

  it('refuses the CTE scope escape: a CTE in an inner scope does not admit an outer reference (finding 1)', async () => {
    const glob = `${f.extractsDir}/*/data/*.parquet`;
    const escape = `SELECT * FROM '${glob}' WHERE EXISTS (WITH "${glob}" AS (SELECT 1) SELECT 1)`;
    await expect(engine.query(escape, { authorize: analyst })).rejects.toMatchObject({ code: 'forbidden', message: `table ${JSON.stringify(glob)} does not exist or you have no access to it` });
    for (const x of ['duckdb_views', 'sqlite_master', 'pg_settings', '_agnes_tables', 'salaries']) {
      await expect(engine.query(`SELECT * FROM (WITH "${x}" AS (SELECT 1) SELECT 1) AS _s, ${x}`, { authorize: analyst }), x).rejects.toMatchObject({
        code: 'forbidden',
        message: `table "${x}" does not exist or you have no access to it`,
      });
    }
    // The same CTE in scope still shadows as SQL says.
    expect((await engine.query('WITH salaries AS (SELECT 7 AS x) SELECT x FROM salaries', { authorize: analyst })).rows).toEqual([{ x: 7 }]);
  });

  it('refuses exported and forged aggregate states, which read the server memory past every wall (found in review)', async () => {
    for (const sql of MEMORY_READS) {
      await expect(engine.query(sql, analystInSandbox), sql).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/EXPORT_STATE is not allowed|function (finalize|combine|cast_to_type|replace_type)\(\) is not allowed/) });
    }
    await expect(engine.query('SELECT first(id) EXPORT_STATE FROM orders', analystInSandbox)).rejects.toMatchObject({ code: 'refused', message: 'first(…) EXPORT_STATE is not allowed' });
  });

  it('refuses a NUL character, after which DuckDB would read another query', async () => {
    const e = await engine.query('SELECT * FROM orders LIMIT 1\0; SELECT * FROM salaries', analystInSandbox).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QueryError);
    expect(e).toMatchObject({ code: 'invalid', message: 'the query contains a NUL character; remove it' });
  });

  it('takes a database DuckDB invalidated out of service, so one query cannot break it for everyone (found in review)', async () => {
    const poison = 'SELECT reservoir_quantile(x, []) FROM (VALUES (1.5)) v(x)';
    for (const options of [analystInSandbox, { authorize: analyst }]) {
      await expect(engine.query(poison, options)).rejects.toMatchObject({ code: 'failed', fatal: true, message: expect.stringMatching(/internal error/) });
      expect((await engine.query('SELECT count(*) AS n FROM orders', options)).rows).toEqual([{ n: '5' }]);
    }
  });

  it('refuses other control characters with their position, and keeps tabs and line breaks', async () => {
    await expect(engine.query('SELECT 1\x1b[2J', analystInSandbox)).rejects.toMatchObject({ code: 'invalid', message: 'the query contains the control character U+001B at position 9; remove it' });
    expect((await engine.query('SELECT\t1 AS one\r\n', analystInSandbox)).rows).toEqual([{ one: 1 }]);
  });

  it('refuses catalog macros that expand after the check (finding 2)', async () => {
    for (const sql of [
      'SELECT pg_get_viewdef(x) AS d FROM range(0, 100000) t(x) WHERE d IS NOT NULL',
      'SELECT pg_get_constraintdef(1)',
      'SELECT col_description(1, 1)',
      'SELECT obj_description(1)',
      'SELECT format_type(1, 1)',
    ]) {
      await expect(engine.query(sql, { authorize: analyst }), sql).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/^function \w+\(\) is not allowed$/) });
    }
  });

  it('gives unknown and forbidden tables the same message', async () => {
    const a = await engine.query('SELECT * FROM salaries', { authorize: analyst }).catch((e: Error) => e.message);
    const b = await engine.query('SELECT * FROM salarie', { authorize: analyst }).catch((e: Error) => e.message);
    expect(a).toBe('table "salaries" does not exist or you have no access to it');
    expect(b).toBe('table "salarie" does not exist or you have no access to it');
  });
});

describe('query engine: legitimate corpus', () => {
  it(`runs all ${LEGIT.length} legitimate analytical queries, in the sandbox with the same results`, async () => {
    const failed: string[] = [];
    for (const sql of LEGIT) {
      try {
        const plain = await engine.query(sql, { authorize: analyst });
        const sandboxed = await engine.query(sql, analystInSandbox);
        // Sampling and random() differ run to run; everything else must match exactly.
        const sorted = (values: unknown[][]) => values.map((v) => JSON.stringify(v)).sort();
        if (!/SAMPLE|random\(\)|uuid\(\)|now\(\)/.test(sql)) expect(sorted(sandboxed.values), sql).toEqual(sorted(plain.values));
      } catch (error) {
        failed.push(`${sql} → ${(error as Error).message}`);
      }
    }
    expect(failed).toEqual([]);
    expect(LEGIT.length).toBeGreaterThanOrEqual(60);
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

  it('answers a syntax error as invalid input, not as a failure of the server', async () => {
    await expect(engine.query('WITH a AS (SELECT 1) WITH b AS (SELECT 1) SELECT 1')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^syntax error: .*"WITH"/i) });
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

describe('query engine: sandboxes', () => {
  const reach = (tables: string[]) => ({ readable: (published: readonly string[]) => published.filter((t) => tables.includes(t)) });

  it('builds one sandbox per readable set, shared by concurrent queries, and removes them on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agnes-sandboxes-'));
    const e = new QueryEngine({ analyticsPath: f.target, extractsDir: f.extractsDir, remote: testPolicy, env: { KBC_TOKEN: 't' }, sandboxDir: dir });
    const counts = await Promise.all(Array.from({ length: 4 }, () => e.query('SELECT count(*) AS n FROM orders', reach(['orders']))));
    expect(counts.map((r) => r.rows)).toEqual(Array.from({ length: 4 }, () => [{ n: '5' }]));
    expect(readdirSync(dir)).toHaveLength(1);
    await e.query('SELECT count(*) AS n FROM customers', reach(['customers']));
    expect(readdirSync(dir)).toHaveLength(2);
    // A caller who may read every view needs no sandbox.
    await e.query('SELECT count(*) AS n FROM salaries', reach(['orders', 'customers', 'salaries', 'wh_sales']));
    expect(readdirSync(dir)).toHaveLength(2);
    await expect(e.query('SELECT count(*) FROM customers', reach(['orders']))).rejects.toMatchObject({ code: 'forbidden' });
    e.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps at most eight idle sandboxes, closing the least recently used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agnes-sandboxes-'));
    const e = new QueryEngine({ analyticsPath: f.target, extractsDir: f.extractsDir, sandboxDir: dir });
    // Eleven different reaches: every subset of {orders, customers, salaries} with orders, and more.
    const sets = [['orders'], ['customers'], ['salaries'], ['orders', 'customers'], ['orders', 'salaries'], ['customers', 'salaries'], ['orders', 'wh_sales'], ['customers', 'wh_sales'], ['salaries', 'wh_sales'], ['wh_sales'], []];
    for (const tables of sets) {
      const r = await e.query('SELECT 1 AS one', reach(tables));
      expect(r.rows).toEqual([{ one: 1 }]);
      expect(readdirSync(dir).length).toBeLessThanOrEqual(8);
    }
    // An evicted reach is rebuilt on its next query.
    expect((await e.query('SELECT count(*) AS n FROM orders', reach(['orders']))).rows).toEqual([{ n: '5' }]);
    e.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rebuilds sandboxes for a new analytics generation and closes the old ones', async () => {
    const g = await buildFixture();
    await rebuild({ extractsDir: g.extractsDir, target: g.target });
    const dir = mkdtempSync(join(tmpdir(), 'agnes-sandboxes-'));
    const e = new QueryEngine({ analyticsPath: g.target, extractsDir: g.extractsDir, sandboxDir: dir });
    expect((await e.query('SELECT count(*) AS n FROM orders', reach(['orders']))).rows).toEqual([{ n: '5' }]);
    const first = readdirSync(dir);
    await new ConnectorRuntime(join(g.extractsDir, 'crm')).run(
      tableConnector([{ info: { name: 'orders', schema: ordersBatch().schema, capabilities: Cap.READ }, batch: ordersBatch(9) }]),
      { tables: ['orders'] },
    );
    await rebuild({ extractsDir: g.extractsDir, target: g.target });
    expect((await e.query('SELECT count(*) AS n FROM orders', reach(['orders']))).rows).toEqual([{ n: '9' }]);
    const second = readdirSync(dir);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    e.close();
  });
});
