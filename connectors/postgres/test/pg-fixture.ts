import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createContext, type ConnectorContext } from '@agnes/connector-kit';

/**
 * True for the first caller of this vitest run. Test files run in separate worker
 * processes that share the parent (vitest), so a marker file keyed by its pid makes the
 * notice appear once per run rather than once per file.
 */
function firstInRun(): boolean {
  try {
    closeSync(openSync(join(tmpdir(), `agnes-pg-skip-notice-${process.ppid}`), 'wx'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The PostgreSQL to test against, from `AGNES_TEST_DATABASE_URL`. Missing in CI is a
 * failure; elsewhere the database tests are skipped with one notice per process.
 */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.AGNES_TEST_DATABASE_URL;
  if (url) return url;
  if (process.env.CI === 'true') {
    throw new Error('AGNES_TEST_DATABASE_URL is not set; CI must run the postgres connector tests against a real PostgreSQL');
  }
  if (firstInRun()) {
    console.warn('connector-postgres: AGNES_TEST_DATABASE_URL is not set, skipping the PostgreSQL tests (e.g. postgres://postgres@127.0.0.1:5432/test)');
  }
  return undefined;
}

/** A context whose secret AGNES_PG_URL points at the test database. */
export function testContext(url: string): ConnectorContext {
  return createContext({ secrets: { AGNES_PG_URL: url } });
}

/** The fixture table: every supported type, edge values included. */
export function fixtureDdl(schema: string): string {
  return `
CREATE TABLE "${schema}".everything (
  id bigint PRIMARY KEY,
  i2 smallint,
  i4 integer NOT NULL,
  i8 bigint,
  f4 real,
  f8 double precision,
  n38 numeric(38,10),
  n12 numeric(12,2),
  nfree numeric,
  nwide numeric(50,5),
  flag boolean,
  label text,
  code varchar(10),
  initial char(3),
  born date,
  seen timestamp,
  updated_at timestamptz NOT NULL,
  uid uuid,
  doc jsonb,
  raw json,
  blob bytea,
  tags text[],
  scores int8[],
  amounts numeric(10,2)[],
  spot point,
  span interval
);
COMMENT ON TABLE "${schema}".everything IS 'every supported type';
INSERT INTO "${schema}".everything VALUES
 (1, 32767, 2147483647, 9223372036854775807, 1.5, 0.1,
  '9999999999999999999999999999.9999999999', -1234567890.12,
  '123456789012345678901234567890.123456789', '1234567890123456789012345678901234567890123.45678',
  true, 'héllo wörld 🚀 日本', 'abc', 'x', '2024-02-29', '2024-01-01 12:34:56.789012',
  '2024-01-01 10:00:00.5+05:30', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"a": [1, 2.5, "x"], "b": null}', '{"k": 1}', '\\x00ff10',
  '{a,"b,c",NULL,"q\\"x"}', '{9007199254740993,-1}', '{1.10,NULL}', '(1,2)', '1 day 02:00:00'),
 (2, -32768, -2147483648, -9223372036854775808, -0.25, -1e300,
  '-9999999999999999999999999999.9999999999', '0.01',
  '-0.000000000000000000001', '-9007199254740993.00001',
  false, '', '', '', '1900-01-01', '1970-01-01 00:00:00',
  '1969-12-31 23:59:59.999999-08', NULL,
  '[]', '"s"', '\\x',
  '{}', '{}', '{}', NULL, NULL),
 (3, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  '2024-06-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);`;
}

/** A schema `pgconn_<random>` holding the fixture table; `drop()` removes it. */
export interface Fixture {
  schema: string;
  client: pg.Client;
  /** Adds rows with ids after the current maximum, `updated_at = now()`. */
  addRows(n: number): Promise<void>;
  drop(): Promise<void>;
}

/** Creates a fresh schema with the fixture table (and anything in `extraSql`, `$S` standing for the schema). */
export async function createFixture(url: string, extraSql = ''): Promise<Fixture> {
  const schema = `pgconn_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(fixtureDdl(schema));
  if (extraSql) await client.query(extraSql.replaceAll('$S', `"${schema}"`));
  return {
    schema,
    client,
    async addRows(n) {
      await client.query(
        `INSERT INTO "${schema}".everything (id, i4, label, updated_at)
         SELECT m + g, g, 'added ' || (m + g), now() FROM generate_series(1, $1::int) g, (SELECT max(id) AS m FROM "${schema}".everything) x`,
        [n],
      );
    },
    async drop() {
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}
