import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Logger } from '@agnes/connector-kit';
import { loadConfig, type ServerConfig } from '../src/server/config.js';
import { type RunningServer, startServer } from '../src/server/start-server.js';
import type { SyncJob } from '../src/sync/sync-service.js';

/** The test connector package, loadable without a build. */
export const SAMPLE_CONNECTOR = '@agnes/test-sample-connector';
const SAMPLE_MANIFEST = fileURLToPath(new URL('./fixtures/sample-connector/connector.yaml', import.meta.url));

export const ADMIN = { email: 'root@example.com', password: 'correct horse battery' };

const DATABASE_URL = process.env.AGNES_TEST_DATABASE_URL;

/** Log lines of the server under test, for assertions about what was (not) logged. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  debug(message: string, fields?: object) {
    this.lines.push(JSON.stringify({ message, ...fields, level: 'debug' }));
  }
  info(message: string, fields?: object) {
    this.lines.push(JSON.stringify({ message, ...fields, level: 'info' }));
  }
  warn(message: string, fields?: object) {
    this.lines.push(JSON.stringify({ message, ...fields, level: 'warn' }));
  }
  error(message: string, fields?: object) {
    this.lines.push(JSON.stringify({ message, ...fields, level: 'error' }));
  }
}

/** What a suite gets: a running API on one backend and request helpers. */
export interface Api {
  readonly kind: 'duckdb' | 'postgres';
  readonly server: RunningServer;
  readonly dataDir: string;
  readonly logger: CapturingLogger;
  /** The bootstrap admin's session token. */
  readonly adminToken: string;
  request(method: string, path: string, options?: { token?: string | undefined; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** `request` and the parsed JSON body, failing on an unexpected status. */
  call<T = any>(method: string, path: string, options?: { token?: string | undefined; body?: unknown; expect?: number }): Promise<T>;
  login(email: string, password: string): Promise<string>;
  /** Creates an analyst (or admin) with a password and returns its id and a session token. */
  user(email: string, options?: { role?: 'admin' | 'analyst' }): Promise<{ id: string; token: string }>;
  /** Triggers a sync and waits for it. */
  sync(body?: unknown): Promise<SyncJob>;
}

export interface ApiOptions {
  /** Listen on a real port (end-to-end tests). */
  readonly listen?: boolean;
  /** Add source `shop` with the sample connector and sync it once. */
  readonly sample?: Record<string, unknown> | false;
  readonly config?: Partial<ServerConfig>;
  /** More connectors by package name → manifest path. */
  readonly connectors?: Readonly<Record<string, string>>;
}

/**
 * A copy of a connector's manifest whose entrypoint is its TypeScript source, so tests
 * run connectors without building them first (vitest and the sync worker load .ts).
 */
export async function sourceManifest(packageDir: string): Promise<string> {
  const text = await readFile(join(packageDir, 'connector.yaml'), 'utf8');
  // Beside the original: the entrypoint must be relative to the manifest's folder.
  const path = join(packageDir, `.connector-test-${randomBytes(4).toString('hex')}.yaml`);
  await writeFile(path, text.replace(/^entrypoint:.*$/m, 'entrypoint: ./src/index.ts'));
  // Called while the test file loads, so this hook belongs to the whole file.
  afterAll(() => rmSync(path, { force: true }));
  return path;
}

async function open(kind: 'duckdb' | 'postgres', options: ApiOptions, schema: string | undefined): Promise<Api> {
  const dataDir = await mkdtemp(join(tmpdir(), 'agnes-api-'));
  const base = loadConfig({ dataDir, port: 0, scheduler: false }, { AGNES_ADMIN_EMAIL: ADMIN.email, AGNES_ADMIN_PASSWORD: ADMIN.password });
  const config: ServerConfig = {
    ...base,
    ...(kind === 'postgres' ? { databaseUrl: DATABASE_URL, databaseSchema: schema, jwtSecret: 'x'.repeat(40) } : {}),
    ...options.config,
  };
  const logger = new CapturingLogger();
  const server = await startServer(config, { logger, connectors: { [SAMPLE_CONNECTOR]: SAMPLE_MANIFEST, ...options.connectors }, listen: options.listen ?? false });
  const request: Api['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (options.listen) return fetch(`${server.url}${path}`, { method, headers, body });
    return server.app.request(path, { method, headers, body });
  };
  const call: Api['call'] = async (method, path, opts = {}) => {
    const res = await request(method, path, opts);
    const text = await res.text();
    const expected = opts.expect ?? (method === 'POST' ? [200, 201, 202] : [200]);
    if (!(Array.isArray(expected) ? expected : [expected]).includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const login = async (email: string, password: string) => (await call('POST', '/auth/token', { body: { email, password } })).access_token as string;
  const adminToken = config.adminEmail ? await login(ADMIN.email, ADMIN.password) : '';
  const api: Api = {
    kind,
    server,
    dataDir,
    logger,
    adminToken,
    request,
    call,
    login,
    async user(email, opts = {}) {
      const password = `pw-${randomBytes(6).toString('hex')}`;
      const created = await call('POST', '/api/users', { token: adminToken, body: { email, password, role: opts.role ?? 'analyst' } });
      return { id: created.id, token: await login(email, password) };
    },
    async sync(body) {
      const { job_id } = await call('POST', '/api/sync/trigger', { token: adminToken, body: body ?? {} });
      await server.deps.sync.idle();
      const job = server.deps.sync.job(job_id);
      if (!job) throw new Error('the sync job vanished');
      return job;
    },
  };
  if (options.sample !== false) {
    await call('POST', '/api/admin/sources', { token: adminToken, body: { name: 'shop', connector: SAMPLE_CONNECTOR, config: options.sample ?? {} } });
    const job = await api.sync();
    if (job.status !== 'succeeded') throw new Error(`the first sync failed: ${JSON.stringify(job)}`);
  }
  return api;
}

/**
 * Runs a suite against a fresh API on each system-database backend: embedded DuckDB in a
 * temp data dir, and PostgreSQL (AGNES_TEST_DATABASE_URL) in a schema of its own. Without
 * the URL the PostgreSQL half is skipped with a notice, or fails when CI=true.
 */
export function describeApi(name: string, options: ApiOptions, fn: (api: () => Api) => void): void {
  const suite = (kind: 'duckdb' | 'postgres') =>
    describe(`${name} [${kind}]`, () => {
      let api: Api | undefined;
      const schema = `agnes_api_${randomBytes(5).toString('hex')}`;
      let admin: pg.Pool | undefined;
      beforeAll(async () => {
        if (kind === 'postgres') {
          admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
          await admin.query(`CREATE SCHEMA ${schema}`);
        }
        api = await open(kind, options, schema);
      }, 120_000);
      afterAll(async () => {
        await api?.server.close();
        if (api) await rm(api.dataDir, { recursive: true, force: true });
        if (admin) {
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await admin.end();
        }
      });
      fn(() => {
        if (!api) throw new Error('the API did not start');
        return api;
      });
    });
  suite('duckdb');
  if (DATABASE_URL) suite('postgres');
  else if (process.env.CI === 'true') {
    describe(`${name} [postgres]`, () => {
      it('needs AGNES_TEST_DATABASE_URL', () => {
        throw new Error('CI=true but AGNES_TEST_DATABASE_URL is not set; the API suite must also run on PostgreSQL');
      });
    });
  } else {
    console.info(`${name}: AGNES_TEST_DATABASE_URL is not set, skipping the PostgreSQL half`);
  }
}

/** The `{ code, message }` of an error response. */
export async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return body.error;
}
