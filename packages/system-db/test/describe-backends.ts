import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { openDuckDbBackend } from '../src/backends/duckdb.js';
import { openPostgresBackend } from '../src/backends/postgres.js';
import type { Backend, BackendKind } from '../src/backends/session.js';
import { silentLogger } from '../src/logging/logger.js';
import { type OpenSystemDbOptions, openSystemDb, type SystemDb } from '../src/open-system-db.js';

/** What a suite gets from {@link describeBackends}; one fresh, empty database per test. */
export interface BackendContext {
  readonly kind: BackendKind;
  /** Opens (and migrates) the current test's database; closed after the test. */
  open(extra?: Partial<OpenSystemDbOptions>): Promise<SystemDb>;
  /** The options that open the current test's database. */
  options(extra?: Partial<OpenSystemDbOptions>): OpenSystemDbOptions;
  /** A raw backend on the current test's database, for checks below the repositories. */
  raw(): Promise<Backend>;
}

const DATABASE_URL = process.env.AGNES_TEST_DATABASE_URL;
let noticeShown = false;

function duckdbSuite(name: string, fn: (ctx: BackendContext) => void): void {
  describe(`${name} [duckdb]`, () => {
    let dir = '';
    let path = '';
    let opened: { close(): Promise<void> }[] = [];
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'agnes-system-db-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
      path = join(dir, `${randomBytes(6).toString('hex')}`, 'state', 'system.duckdb');
    });
    afterEach(async () => {
      const closing = opened.reverse();
      opened = [];
      for (const db of closing) await db.close();
    });
    const ctx: BackendContext = {
      kind: 'duckdb',
      options: (extra = {}) => ({ path, ...extra }),
      async open(extra) {
        const db = await openSystemDb(ctx.options(extra));
        opened.push(db);
        return db;
      },
      async raw() {
        const backend = await openDuckDbBackend(path, silentLogger);
        opened.push(backend);
        return backend;
      },
    };
    fn(ctx);
  });
}

function postgresSuite(name: string, url: string, fn: (ctx: BackendContext) => void): void {
  describe(`${name} [postgres]`, () => {
    const schema = `agnes_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    let opened: { close(): Promise<void> }[] = [];
    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    beforeEach(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`CREATE SCHEMA ${schema}`);
    });
    afterEach(async () => {
      const closing = opened.reverse();
      opened = [];
      for (const db of closing) await db.close();
    });
    const ctx: BackendContext = {
      kind: 'postgres',
      options: (extra = {}) => ({ url, schema, ...extra }),
      async open(extra) {
        const db = await openSystemDb(ctx.options(extra));
        opened.push(db);
        return db;
      },
      async raw() {
        const backend = await openPostgresBackend({ url, schema }, silentLogger);
        opened.push(backend);
        return backend;
      },
    };
    fn(ctx);
  });
}

/**
 * Runs a suite against every backend: DuckDB (a temp file under the OS temp dir) and
 * PostgreSQL from `AGNES_TEST_DATABASE_URL` in a schema of its own, dropped afterwards.
 * Without the URL the PostgreSQL half is skipped with one notice, or fails when `CI=true`.
 */
export function describeBackends(name: string, fn: (ctx: BackendContext) => void): void {
  duckdbSuite(name, fn);
  if (DATABASE_URL) {
    postgresSuite(name, DATABASE_URL, fn);
  } else if (process.env.CI === 'true') {
    describe(`${name} [postgres]`, () => {
      it('needs AGNES_TEST_DATABASE_URL', () => {
        throw new Error('CI=true but AGNES_TEST_DATABASE_URL is not set; every system-db test must also run on PostgreSQL');
      });
    });
  } else {
    if (!noticeShown) {
      noticeShown = true;
      console.info('system-db: AGNES_TEST_DATABASE_URL is not set, skipping the PostgreSQL half of the tests');
    }
    const unavailable = () => Promise.reject(new Error('PostgreSQL tests are skipped'));
    describe.skip(`${name} [postgres]`, () =>
      fn({ kind: 'postgres', open: unavailable, raw: unavailable, options: () => ({}) }),
    );
  }
}
