import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type ConnectorContext, createContext, type CreateContextOptions } from '@agnes/connector-kit';
import { signAwsV4 } from '../src/file-storage.js';

/** A column of a fake table: name and Keboola metadata. */
export interface FakeColumn {
  name: string;
  basetype?: string;
  length?: string;
}

/** A fake Storage table: rows hold the CSV texts of each column, in column order. */
export interface FakeTable {
  bucket: { id: string; name: string; stage: string };
  name: string;
  primaryKey: string[];
  columns: FakeColumn[];
  rows: string[][];
  /** When each row was imported into Keboola (ms): what `changedSince` filters on. */
  importedAt: number[];
}

/** What the fake counts, to prove retries. */
export interface FakeCounters {
  /** Requests per route, e.g. `POST export-async`, `GET slice`. */
  byRoute: Map<string, number>;
  /** Responses with an injected fault, e.g. `429 export-async`, `503 slice`. */
  faults: string[];
  /** Every token header value received (to check what the connector sends). */
  tokensSeen: string[];
  /** Parameters of every export request. */
  exports: { tableId: string; columns: string[]; changedSince: string | null }[];
}

/** Which file storage backs the fake stack (decides slice URLs and credentials). */
export type FakeProvider = 'aws' | 'azure' | 'gcp';

/** Options of {@link startFakeStorageApi}. */
export interface FakeOptions {
  token: string;
  /** Answer the first export request with 429 and `Retry-After: 1`. Default true. */
  throttleFirstExport?: boolean;
  /** Answer the first slice download with 503. Default true. */
  failFirstSlice?: boolean;
  /** Rows per slice. Default 2. */
  rowsPerSlice?: number;
  /** Default aws. */
  provider?: FakeProvider;
}

/** Federation credentials the fake hands out; like the token, they must never leak. */
export const FAKE_CREDENTIALS = {
  AccessKeyId: 'ASIAFAKEKEY123',
  SecretAccessKey: 'fake-secret-access-key-0a1b2c',
  SessionToken: 'fake-session-token-3d4e5f',
  SAS: 'sv=2017-11-09&sr=c&sig=fake-sas-signature-6a7b8c',
  GcsToken: 'ya29.fake-gcs-token-9d0e1f',
} as const;
const S3_BUCKET = 'kbc-sapi-files';
const ABS_HOST = 'kbcfakeaccount.blob.core.windows.net';
const GCS_BUCKET = 'kbc-fake-files';

/** A running fake Storage API. */
export interface FakeStorageApi {
  url: string;
  tables: FakeTable[];
  counters: FakeCounters;
  /** Re-arms the one-shot faults (429 on the next export, 503 on the next slice). */
  armFaults(): void;
  /** Makes the next request to `route` (e.g. `GET job`, `GET slice`) answer only after `ms`. */
  delayNext(route: string, ms: number): void;
  /** Makes the next request to `route` answer `status` with `Retry-After: retryAfter` seconds. */
  faultNext(route: string, status: number, retryAfter: number): void;
  /** Makes the next export job end in `error` with this message. */
  failNextJob(message: string): void;
  /** Makes the next slice download send half its body, then nothing for `ms`, then the rest. */
  stallNextSlice(ms: number): void;
  /** Makes the next slice download answer 403, as file storage does for expired credentials. */
  expireNextSlice(): void;
  /** Adds `n` rows to a table (by published name), imported now, with key values after every existing one. */
  addRows(table: string, n: number): void;
  /**
   * A connector context whose `fetch` sends the requests meant for AWS S3, Azure Blob
   * Storage or Google Cloud Storage to this fake instead (same path and headers).
   */
  context(options?: CreateContextOptions): ConnectorContext;
  close(): Promise<void>;
}

/** 2^53 + 1: not representable as a JS number. */
export const BIG_ID = '9007199254740993';
/** A value with a quote, a comma and a newline inside. */
export const TRICKY_CUSTOMER = 'Acme "Rockets", Inc.\nsecond line';

/** The default tables: `in.c-crm.orders` and `out.c-reports.daily-summary`. */
export function defaultTables(): FakeTable[] {
  return [
    {
      bucket: { id: 'in.c-crm', name: 'c-crm', stage: 'in' },
      name: 'orders',
      primaryKey: ['id'],
      columns: [
        { name: 'id', basetype: 'INTEGER' },
        { name: 'customer', basetype: 'STRING' },
        { name: 'amount', basetype: 'NUMERIC', length: '18,2' },
        { name: 'created', basetype: 'TIMESTAMP' },
      ],
      rows: [
        ['1', 'Alice', '10.50', '2024-01-15 10:30:00.123456'],
        [BIG_ID, TRICKY_CUSTOMER, '1234567890123456.78', '2024-02-29T23:59:59Z'],
        ['3', '', '-0.05', ''],
        ['4', 'Ünïcødé ✓', '', '2024-03-01T01:00:00+02:00'],
        ['5', 'Eve', '0', '1969-12-31 23:59:59.999999'],
      ],
      importedAt: Array(5).fill(Date.UTC(2024, 2, 2)),
    },
    {
      bucket: { id: 'out.c-reports', name: 'c-reports', stage: 'out' },
      name: 'Daily-Summary',
      primaryKey: ['day'],
      columns: [
        { name: 'day', basetype: 'DATE' },
        { name: 'visits', basetype: 'INTEGER' },
        { name: 'ratio', basetype: 'FLOAT' },
        { name: 'active', basetype: 'BOOLEAN' },
        { name: 'note' },
        { name: 'huge', basetype: 'NUMERIC', length: '40,2' },
      ],
      rows: [
        ['2024-01-01', '100', '0.25', 'true', 'first', '12345678901234567890123456789012345678.12'],
        ['2024-01-02', '', '', 'false', '', ''],
        ['2024-01-03', '-7', '1e-3', '1', 'x,y', '1'],
      ],
      importedAt: Array(3).fill(Date.UTC(2024, 0, 4)),
    },
  ];
}

/** One CSV line, every value quoted as Keboola exports them. */
function csvLine(values: string[]): string {
  return values.map((v) => `"${v.replace(/"/g, '""')}"`).join(',') + '\n';
}

function tableId(t: FakeTable): string {
  return `${t.bucket.id}.${t.name}`;
}

function columnMetadata(c: FakeColumn) {
  const entries: { key: string; value: string; provider: string; timestamp: string }[] = [];
  if (c.basetype) {
    entries.push({ key: 'KBC.datatype.type', value: c.basetype === 'STRING' ? 'VARCHAR' : c.basetype, provider: 'keboola.snowflake-transformation', timestamp: '2024-01-01T00:00:00+0100' });
    entries.push({ key: 'KBC.datatype.basetype', value: c.basetype, provider: 'keboola.snowflake-transformation', timestamp: '2024-01-01T00:00:00+0100' });
  }
  if (c.length) entries.push({ key: 'KBC.datatype.length', value: c.length, provider: 'keboola.snowflake-transformation', timestamp: '2024-01-01T00:00:00+0100' });
  entries.push({ key: 'KBC.datatype.nullable', value: '1', provider: 'keboola.snowflake-transformation', timestamp: '2024-01-01T00:00:00+0100' });
  return entries;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `changedSince` as the API reads it: a Unix timestamp, or a date text. */
function changedSinceMs(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (/^-?\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Starts a fake Keboola Storage API on 127.0.0.1 (port 0), following the public API
 * docs: buckets, bucket tables with columns and columnMetadata, `export-async` (form
 * fields `columns` comma separated, `changedSince` filtering by import time, `gzip`)
 * answering 202 with a job that is `processing` on the first poll and `success` on the
 * next, files described with `?federationToken=1` credentials, a pre-signed sliced
 * file manifest whose entries are `s3://` (or `azure://`, `gs://`) URLs, and gzipped
 * header-less CSV slices that the same server serves as that file storage, checking
 * the SigV4 signature (or SAS, or bearer token) like the real one. `/v2/*` answers 401
 * to a wrong token.
 */
export async function startFakeStorageApi(options: FakeOptions): Promise<FakeStorageApi> {
  const tables = defaultTables();
  const provider = options.provider ?? 'aws';
  const counters: FakeCounters = { byRoute: new Map(), faults: [], tokensSeen: [], exports: [] };
  let throttleExport = options.throttleFirstExport ?? true;
  let failSlice = options.failFirstSlice ?? true;
  let expireSlice = false;
  let stallMs = 0;
  let jobFailure: string | undefined;
  const delays = new Map<string, number>();
  const rowsPerSlice = options.rowsPerSlice ?? 2;
  const jobs = new Map<number, { polls: number; fileId: number; failure?: string }>();
  const files = new Map<number, { name: string; slices: Buffer[] }>();
  let nextId = 1000;
  let base = '';

  const faults = new Map<string, { status: number; retryAfter: number }>();
  /** Counts a request; true when an injected fault answered it. */
  const count = (route: string, res?: ServerResponse): boolean => {
    counters.byRoute.set(route, (counters.byRoute.get(route) ?? 0) + 1);
    const fault = faults.get(route);
    if (!fault || !res) return false;
    faults.delete(route);
    counters.faults.push(`${fault.status} ${route}`);
    json(res, fault.status, { error: 'Internal Server Error', code: 'internal', exceptionId: 'exception-fake' }, { 'retry-after': String(fault.retryAfter) });
    return true;
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  /** Waits when `route` is to be delayed; false when the client gave up meanwhile (nothing more may happen). */
  const delayed = async (route: string, res: ServerResponse): Promise<boolean> => {
    const ms = delays.get(route);
    if (ms === undefined) return true;
    delays.delete(route);
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    await new Promise((r) => setTimeout(r, ms));
    return !gone;
  };
  const sliceKey = (fileId: number, i: number) => `exp-15/${fileId}/${fileId}.csv.gz${String(i).padStart(4, '0')}_part_00`;
  const entryUrl = (fileId: number, i: number) =>
    provider === 'aws' ? `s3://${S3_BUCKET}/${sliceKey(fileId, i)}` : provider === 'azure' ? `azure://${ABS_HOST}/${sliceKey(fileId, i)}` : `gs://${GCS_BUCKET}/${sliceKey(fileId, i)}`;

  /** Checks file storage credentials as the real service would; true when they pass. */
  const storageAuthorised = (req: IncomingMessage, url: URL, host: string, path: string): boolean => {
    if (provider === 'aws') {
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
      if (!d || req.headers['x-amz-security-token'] !== FAKE_CREDENTIALS.SessionToken) return false;
      const expected = signAwsV4({
        method: 'GET',
        host,
        path,
        service: 's3',
        region: 'us-east-1',
        accessKeyId: FAKE_CREDENTIALS.AccessKeyId,
        secretAccessKey: FAKE_CREDENTIALS.SecretAccessKey,
        sessionToken: FAKE_CREDENTIALS.SessionToken,
        payloadHash: String(req.headers['x-amz-content-sha256'] ?? ''),
        date: new Date(`${d[1]}-${d[2]}-${d[3]}T${d[4]}:${d[5]}:${d[6]}Z`),
      });
      return req.headers.authorization === expected.authorization;
    }
    if (provider === 'azure') return url.searchParams.get('sig') === new URLSearchParams(FAKE_CREDENTIALS.SAS).get('sig');
    return req.headers.authorization === `Bearer ${FAKE_CREDENTIALS.GcsToken}`;
  };

  const serveSlice = async (req: IncomingMessage, res: ServerResponse, url: URL, host: string, key: string, signedPath: string) => {
    count('GET slice');
    if (!(await delayed('GET slice', res))) return;
    if (failSlice) {
      failSlice = false;
      counters.faults.push('503 slice');
      res.writeHead(503, { 'content-type': 'application/xml', 'retry-after': '1' });
      return res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    }
    if (expireSlice || !storageAuthorised(req, url, host, signedPath)) {
      expireSlice = false;
      counters.faults.push('403 slice');
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    }
    const m = /^exp-15\/(\d+)\/\d+\.csv\.gz(\d{4})_part_00$/.exec(key);
    const slice = m ? files.get(Number(m[1]))?.slices[Number(m[2])] : undefined;
    if (!slice) return json(res, 404, { error: 'NoSuchKey' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(slice.length) });
    if (stallMs > 0) {
      const ms = stallMs;
      stallMs = 0;
      const half = Math.floor(slice.length / 2);
      res.write(slice.subarray(0, half));
      await new Promise((r) => setTimeout(r, ms));
      if (!res.destroyed) res.end(slice.subarray(half));
      return;
    }
    return res.end(slice);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    const method = req.method ?? 'GET';

    // File storage. The manifest URL is pre-signed (served here directly); slices are
    // reached through context().fetch, which keeps their path under a provider prefix.
    let m = /^\/presigned\/manifest\/(\d+)\.json$/.exec(path);
    if (m && method === 'GET') {
      if (count('GET manifest', res)) return;
      if (url.searchParams.get('X-Amz-Signature') !== 'manifestsig') return json(res, 403, { error: 'AccessDenied' });
      const fileId = Number(m[1]);
      const file = files.get(fileId);
      if (!file) return json(res, 404, { error: 'NoSuchKey' });
      return json(res, 200, { entries: file.slices.map((_, i) => ({ url: entryUrl(fileId, i), mandatory: true })) });
    }
    m = /^\/_s3\/([^/]+)\/(.+)$/.exec(path);
    if (m && method === 'GET' && provider === 'aws') {
      const host = decodeURIComponent(m[1]!);
      return serveSlice(req, res, url, host, decodeURIComponent(m[2]!), `/${m[2]!}`);
    }
    m = /^\/_abs\/([^/]+)\/(.+)$/.exec(path);
    if (m && method === 'GET' && provider === 'azure') return serveSlice(req, res, url, m[1]!, decodeURIComponent(m[2]!), '');
    m = /^\/_gcs\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(path);
    if (m && method === 'GET' && provider === 'gcp' && url.searchParams.get('alt') === 'media') {
      return serveSlice(req, res, url, 'storage.googleapis.com', decodeURIComponent(m[2]!), '');
    }

    if (!path.startsWith('/v2/')) return json(res, 404, { error: 'not found' });
    const token = req.headers['x-storageapi-token'];
    counters.tokensSeen.push(String(token ?? ''));
    if (token !== options.token) {
      return json(res, 401, { error: 'Invalid access token', code: 'storage.tokenInvalid', status: 'error' });
    }

    if (path === '/v2/storage/buckets' && method === 'GET') {
      if (count('GET buckets', res)) return;
      const seen = new Map<string, FakeTable['bucket']>();
      for (const t of tables) seen.set(t.bucket.id, t.bucket);
      return json(
        res,
        200,
        [...seen.values()].map((b) => ({ id: b.id, name: b.name, displayName: b.name.replace(/^c-/, ''), stage: b.stage, description: '', backend: 'snowflake' })),
      );
    }
    m = /^\/v2\/storage\/buckets\/([^/]+)\/tables$/.exec(path);
    if (m && method === 'GET') {
      count('GET bucket tables');
      const bucketId = decodeURIComponent(m[1]!);
      const include = (url.searchParams.get('include') ?? '').split(',');
      return json(
        res,
        200,
        tables
          .filter((t) => t.bucket.id === bucketId)
          .map((t) => ({
            uri: `${base}/v2/storage/tables/${tableId(t)}`,
            id: tableId(t),
            name: t.name,
            displayName: t.name,
            primaryKey: t.primaryKey,
            rowsCount: t.rows.length,
            ...(include.includes('columns') ? { columns: t.columns.map((c) => c.name) } : {}),
            ...(include.includes('columnMetadata') ? { columnMetadata: Object.fromEntries(t.columns.map((c) => [c.name, columnMetadata(c)])) } : {}),
            bucket: { id: t.bucket.id, name: t.bucket.name, stage: t.bucket.stage },
          })),
      );
    }
    m = /^\/v2\/storage\/tables\/([^/]+)\/export-async$/.exec(path);
    if (m && method === 'POST') {
      count('POST export-async');
      const body = new URLSearchParams(await readBody(req));
      if (throttleExport) {
        throttleExport = false;
        counters.faults.push('429 export-async');
        return json(res, 429, { error: 'Too many requests', code: 'tooManyRequests' }, { 'retry-after': '1' });
      }
      const id = decodeURIComponent(m[1]!);
      const table = tables.find((t) => tableId(t) === id);
      if (!table) return json(res, 404, { error: `The table "${id}" was not found`, code: 'storage.tables.notFound' });
      const names = table.columns.map((c) => c.name);
      const wanted = (body.get('columns') ?? '').split(',').filter((c) => c !== '');
      const indexes = (wanted.length ? wanted : names).map((c) => names.indexOf(c));
      if (indexes.some((i) => i < 0)) return json(res, 400, { error: 'unknown column', code: 'storage.tables.columnNotFound' });
      const changedSince = body.get('changedSince');
      const since = changedSinceMs(changedSince);
      if (changedSince !== null && since === undefined) return json(res, 400, { error: 'Invalid changedSince', code: 'storage.validation' });
      counters.exports.push({ tableId: id, columns: wanted, changedSince });
      const rows = table.rows.filter((_, i) => since === undefined || table.importedAt[i]! >= since);
      const gzip = body.get('gzip') === '1' || body.get('gzip') === 'true';
      const slices: Buffer[] = [];
      for (let i = 0; i < Math.max(1, rows.length); i += rowsPerSlice) {
        const text = rows.slice(i, i + rowsPerSlice).map((r) => csvLine(indexes.map((x) => r[x]!))).join('');
        slices.push(gzip ? gzipSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8'));
      }
      const fileId = nextId++;
      files.set(fileId, { name: `${id}.csv${gzip ? '.gz' : ''}`, slices });
      const jobId = nextId++;
      jobs.set(jobId, { polls: 0, fileId, ...(jobFailure ? { failure: jobFailure } : {}) });
      jobFailure = undefined;
      return json(res, 202, { id: jobId, status: 'waiting', url: `${base}/v2/storage/jobs/${jobId}`, tableId: id, operationName: 'tableExport' });
    }
    m = /^\/v2\/storage\/jobs\/(\d+)$/.exec(path);
    if (m && method === 'GET') {
      count('GET job');
      if (!(await delayed('GET job', res))) return;
      const job = jobs.get(Number(m[1]));
      if (!job) return json(res, 404, { error: 'Job not found' });
      job.polls++;
      const done = job.polls > 1;
      if (done && job.failure) {
        return json(res, 200, {
          id: Number(m[1]),
          status: 'error',
          operationName: 'tableExport',
          results: null,
          error: { code: 'storage.tableExport', message: job.failure, exceptionId: 'exception-fake' },
        });
      }
      return json(res, 200, {
        id: Number(m[1]),
        status: done ? 'success' : 'processing',
        operationName: 'tableExport',
        results: done ? { file: { id: job.fileId } } : null,
        error: null,
      });
    }
    m = /^\/v2\/storage\/files\/(\d+)$/.exec(path);
    if (m && method === 'GET') {
      if (count('GET file', res)) return;
      const fileId = Number(m[1]);
      const file = files.get(fileId);
      if (!file) return json(res, 404, { error: 'File not found' });
      const federation = url.searchParams.get('federationToken') === '1';
      const key = `exp-15/${fileId}/${fileId}.csv.gz`;
      return json(res, 200, {
        id: fileId,
        name: file.name,
        url: `${base}/presigned/manifest/${fileId}.json?X-Amz-Credential=x&X-Amz-Signature=manifestsig`,
        provider,
        region: provider === 'aws' ? 'us-east-1' : provider === 'azure' ? 'northeurope' : 'europe-west3',
        isSliced: true,
        isGzipped: file.name.endsWith('.gz'),
        isEncrypted: true,
        sizeBytes: file.slices.reduce((n, s) => n + s.length, 0),
        ...(federation && provider === 'aws'
          ? {
              credentials: {
                AccessKeyId: FAKE_CREDENTIALS.AccessKeyId,
                SecretAccessKey: FAKE_CREDENTIALS.SecretAccessKey,
                SessionToken: FAKE_CREDENTIALS.SessionToken,
                Expiration: '2099-01-01T00:00:00+0000',
              },
              s3Path: { bucket: S3_BUCKET, key },
            }
          : {}),
        ...(federation && provider === 'azure'
          ? {
              absCredentials: { SASConnectionString: `BlobEndpoint=https://${ABS_HOST};SharedAccessSignature=${FAKE_CREDENTIALS.SAS}`, expiration: '2099-01-01T00:00:00+0000' },
              absPath: { container: 'exp-15', name: `${fileId}/${fileId}.csv.gz` },
            }
          : {}),
        ...(federation && provider === 'gcp'
          ? {
              gcsCredentials: { access_token: FAKE_CREDENTIALS.GcsToken, expires_in: 3600, token_type: 'Bearer', projectId: 'kbc-fake' },
              gcsPath: { bucket: GCS_BUCKET, key },
            }
          : {}),
      });
    }
    return json(res, 404, { error: `no route for ${method} ${path}` });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** The fake's URL for a request meant for a cloud file storage; other URLs unchanged. */
  const route = (input: string | URL): string => {
    const u = new URL(String(input));
    let m = /^(.+)\.s3\.[a-z0-9-]+\.amazonaws\.com$/.exec(u.hostname);
    if (u.protocol === 'https:' && m) return `${base}/_s3/${encodeURIComponent(u.hostname)}${u.pathname}${u.search}`;
    m = /^[a-z0-9]+\.blob\.core\.windows\.net$/.exec(u.hostname);
    if (u.protocol === 'https:' && m) return `${base}/_abs/${u.hostname}${u.pathname}${u.search}`;
    if (u.protocol === 'https:' && u.hostname === 'storage.googleapis.com') return `${base}/_gcs${u.pathname}${u.search}`;
    return String(input);
  };

  return {
    url: base,
    tables,
    counters,
    armFaults() {
      throttleExport = true;
      failSlice = true;
    },
    delayNext(r, ms) {
      delays.set(r, ms);
    },
    faultNext(route, status, retryAfter) {
      faults.set(route, { status, retryAfter });
    },
    failNextJob(message) {
      jobFailure = message;
    },
    stallNextSlice(ms) {
      stallMs = ms;
    },
    expireNextSlice() {
      expireSlice = true;
    },
    addRows(name, n) {
      const table = tables.find((t) => `${t.bucket.stage}_${t.bucket.name}_${t.name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_') === name);
      if (!table) throw new Error(`fake: no table ${name}`);
      for (let i = 0; i < n; i++) {
        const k = table.rows.length + 1;
        const day = new Date(Date.UTC(2025, 0, k)).toISOString().slice(0, 10);
        table.rows.push(
          table.columns[0]!.name === 'id'
            ? [String(1000 + k), `new customer ${k}`, `${k}.25`, `${day} 12:00:00`]
            : [day, String(k), '0.5', 'false', `added ${k}`, ''],
        );
        table.importedAt.push(Date.now());
      }
    },
    context(contextOptions = {}) {
      const ctx = createContext(contextOptions);
      return { ...ctx, fetch: (input, init, retry) => ctx.fetch(route(input), init, retry) };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
