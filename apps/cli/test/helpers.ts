import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig, type RunningServer, startServer } from '@agnes/api';
import type { Logger } from '@agnes/connector-kit';

export const CLI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(CLI_ROOT, 'src', 'bin.ts');
// `--import tsx` resolves from the cwd; the workspace is a temp folder, so name the loader's file.
const TSX = pathToFileURL(join(CLI_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** The API's own test connector: three tables, configurable rows and data version. */
export const SAMPLE_CONNECTOR = '@agnes/test-sample-connector';
export const SAMPLE_MANIFEST = fileURLToPath(new URL('../../api/test/fixtures/sample-connector/connector.yaml', import.meta.url));
export const ADMIN = { email: 'root@example.com', password: 'correct horse battery' };

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A real API server on a random port, with request helpers. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly adminToken: string;
  call<T = any>(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<T>;
  /** Creates a user with a password; returns its id, password and a session token. */
  user(email: string, role?: 'admin' | 'analyst'): Promise<{ id: string; password: string; token: string }>;
  /** Runs a server sync to the end and fails unless it succeeds. */
  sync(body?: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Starts the API with source `shop` on the sample connector, synced once. */
export async function startTestServer(sample: Record<string, unknown> = {}, options: { env?: Record<string, string>; clock?: () => Date } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'da-e2e-api-'));
  const config = loadConfig({ dataDir, port: 0, scheduler: false }, { AGNES_ADMIN_EMAIL: ADMIN.email, AGNES_ADMIN_PASSWORD: ADMIN.password, ...options.env });
  const server = await startServer(config, { logger: quiet, connectors: { [SAMPLE_CONNECTOR]: SAMPLE_MANIFEST }, listen: true, ...(options.clock ? { clock: options.clock } : {}) });
  const call: TestServer['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const login = async (email: string, password: string) => (await call('POST', '/auth/token', { body: { email, password } })).access_token as string;
  const adminToken = await login(ADMIN.email, ADMIN.password);
  const api: TestServer = {
    server,
    url: server.url,
    dataDir,
    adminToken,
    call,
    async user(email, role = 'analyst') {
      const password = `pw-${Math.random().toString(36).slice(2)}`;
      const created = await call('POST', '/api/users', { token: adminToken, body: { email, password, role } });
      return { id: created.id, password, token: await login(email, password) };
    },
    async sync(body) {
      const { job_id } = await call('POST', '/api/sync/trigger', { token: adminToken, body: body ?? {} });
      await server.deps.sync.idle();
      const job = await call('GET', `/api/sync/jobs/${job_id}`, { token: adminToken });
      if (job.status !== 'succeeded') throw new Error(`sync failed: ${JSON.stringify(job)}`);
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await call('POST', '/api/admin/sources', { token: adminToken, body: { name: 'shop', connector: SAMPLE_CONNECTOR, config: sample } });
  await api.sync();
  return api;
}

/** A temp HOME, config dir and workspace for one `da` user. */
export interface DaHome {
  readonly home: string;
  readonly configDir: string;
  readonly workspace: string;
  readonly env: Record<string, string>;
}

export async function tempHome(extra: Record<string, string> = {}): Promise<DaHome> {
  const home = await mkdtemp(join(tmpdir(), 'da-e2e-home-'));
  const configDir = join(home, 'config', 'da');
  const workspace = join(home, 'work');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(workspace, { recursive: true });
  return { home, configDir, workspace, env: { HOME: home, DA_CONFIG_DIR: configDir, DA_RETRY_BASE_MS: '20', ...extra } };
}

/** The outcome of one `da` run. */
export interface DaResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the real `da` binary from source; the caller may kill it. */
export function spawnDa(args: readonly string[], options: { env: Record<string, string>; cwd: string }): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env, CI: 'true' };
  for (const key of ['DA_TOKEN', 'DA_SERVER', 'DA_LOCAL_DIR', 'XDG_CONFIG_HOME']) if (!(key in options.env)) delete env[key];
  return spawn(process.execPath, ['--conditions=@agnes/source', '--import', TSX, BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs `da` to the end with optional stdin. */
export function runDa(args: readonly string[], options: { env: Record<string, string>; cwd: string; input?: string }): Promise<DaResult> {
  return new Promise((resolve, reject) => {
    const child = spawnDa(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(options.input ?? '');
  });
}

/** How the test proxy treats parquet downloads. */
export type ProxyMode = 'pass' | 'stall-half' | 'corrupt' | 'fail-once-503';

/** A proxy in front of the API that can break downloads the way networks do, and logs them. */
export interface TestProxy {
  readonly url: string;
  mode: ProxyMode;
  readonly downloads: { path: string; range: string | undefined; ifRange: string | undefined; status: number }[];
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<TestProxy> {
  const { createServer } = await import('node:http');
  let failedOnce = false;
  const proxy: TestProxy = {
    url: '',
    mode: 'pass',
    downloads: [],
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      const isDownload = (req.url ?? '').includes('/download');
      if (isDownload && proxy.mode === 'fail-once-503' && !failedOnce) {
        failedOnce = true;
        proxy.downloads.push({ path: req.url ?? '', range: headers.range, ifRange: headers['if-range'], status: 503 });
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"try again"}}');
        return;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const upstream = await fetch(`${target}${req.url}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
      let data = Buffer.from(await upstream.arrayBuffer());
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding', 'keep-alive'].includes(k)) out[k] = v;
      });
      if (isDownload) proxy.downloads.push({ path: req.url ?? '', range: headers.range, ifRange: headers['if-range'], status: upstream.status });
      if (isDownload && upstream.status === 200 && proxy.mode === 'corrupt') {
        data = Buffer.from(data);
        const i = Math.floor(data.length / 2);
        data[i] = (data[i] ?? 0) ^ 0xff;
      }
      out['content-length'] = String(data.length);
      res.writeHead(upstream.status, out);
      if (isDownload && upstream.status === 200 && proxy.mode === 'stall-half') {
        // Half the bytes, then silence: the client waits until it is killed.
        res.write(data.subarray(0, Math.floor(data.length / 2)));
        return;
      }
      res.end(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
