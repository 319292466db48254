import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import type { BqField } from '../src/index.js';

/*
 * A local fake of the BigQuery REST API (v2) and Google's OAuth token endpoint,
 * following the public wire format: datasets.list, tables.list, tables.get,
 * jobs.insert (dry runs), jobs.query and jobs.getQueryResults with maxResults and
 * pageToken, `{ f: [{ v }] }` rows, Google error bodies. It runs no SQL: it knows a
 * set of queries by their exact text and understands only the wrapper the connector
 * puts around them (`SELECT cols FROM (\n<sql>\n) WHERE key >= @agnes_cursor`).
 */

/** A known query: its result schema, its rows (REST `v` values, one per column) and what a dry run reports. */
export interface FakeQuery {
  schema: BqField[];
  rows: unknown[][];
  bytes: number;
}

/** A fake table: schema and upstream metadata. */
export interface FakeTable {
  schema: BqField[];
  type?: string;
  description?: string;
  primaryKey?: string[];
}

/** A one-shot fault: the next request to `route` gets `status` with a Google error body. */
export interface Fault {
  route: Route;
  status: number;
  reason?: string;
  retryAfter?: string;
}

/** Routes the fake counts and can fault. */
export type Route = 'token' | 'datasets.list' | 'tables.list' | 'tables.get' | 'jobs.insert' | 'jobs.query' | 'jobs.getQueryResults';

/** A running fake, with a service-account key file that points at it. */
export interface FakeBigQuery {
  /** Value for `api_base_url`. */
  apiBaseUrl: string;
  tokenUri: string;
  /** Path of the service-account JSON key file (the value of GOOGLE_APPLICATION_CREDENTIALS). */
  keyFile: string;
  /** The PEM private key written into the key file. */
  privateKeyPem: string;
  clientEmail: string;
  projectId: string;
  /** Dataset id → table id → table. */
  datasets: Map<string, Map<string, FakeTable>>;
  /** SQL text → query. */
  queries: Map<string, FakeQuery>;
  /** Every access token issued. */
  tokensIssued: string[];
  /** Requests per route (including faulted ones). */
  calls: Map<Route, number>;
  /** Bodies of jobs.insert / jobs.query requests. */
  jobRequests: { route: Route; body: Record<string, unknown> }[];
  faults: Fault[];
  /** Seconds the next tokens live. */
  tokenLifetimeS: number;
  /** getQueryResults answers `jobComplete: false` this many times per job before the rows. */
  pendingPolls: number;
  /** At most this many items per datasets.list / tables.list page. */
  listPageSize: number;
  /** Writes another key file, e.g. one signed with a key the fake does not know. */
  writeKeyFile(contents: Record<string, unknown>): string;
  close(): Promise<void>;
}

interface Job {
  schema: BqField[];
  rows: unknown[][];
  pollsLeft: number;
  int64Timestamps: boolean;
}

function googleError(res: ServerResponse, status: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { code: status, message, errors: [{ reason, message, domain: 'global' }], status: reason.toUpperCase() } }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Microseconds → the default REST spelling of a TIMESTAMP: floating seconds in E notation. */
function floatSeconds(micros: string): string {
  const neg = micros.startsWith('-');
  const digits = (neg ? micros.slice(1) : micros).padStart(7, '0');
  const intPart = digits.slice(0, -6).replace(/^0+(?=\d)/, '');
  const all = `${intPart}${digits.slice(-6)}`.replace(/0+$/, '') || '0';
  const exp = intPart.length - 1;
  return `${neg ? '-' : ''}${all[0]}${all.length > 1 ? `.${all.slice(1)}` : ''}E${exp}`;
}

function timestampsAsFloat(field: BqField, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  const repeated = (field.mode ?? '').toUpperCase() === 'REPEATED';
  const one = (x: unknown): unknown => {
    if (x === null) return x;
    if (field.type === 'TIMESTAMP') return floatSeconds(x as string);
    if (field.type === 'RECORD' || field.type === 'STRUCT') {
      const cells = (x as { f: { v: unknown }[] }).f;
      return { f: cells.map((c, i) => ({ v: timestampsAsFloat({ ...field.fields![i]!, mode: field.fields![i]!.mode ?? 'NULLABLE' }, c.v) })) };
    }
    return x;
  };
  return repeated ? (v as { v: unknown }[]).map((c) => ({ v: one(c.v) })) : one(v);
}

/** Days since the epoch of `YYYY-MM-DD`, for cursor comparisons. */
function dayNumber(s: string): number {
  return Date.parse(`${s.slice(0, 10)}T00:00:00Z`) / 86_400_000;
}

/** -1/0/1 comparing a stored `v` with a cursor parameter of the column's type. */
function compare(type: string, stored: string, cursor: string): number {
  const cmp = (a: bigint | number | string, b: bigint | number | string) => (a < b ? -1 : a > b ? 1 : 0);
  switch (type) {
    case 'INT64':
    case 'INTEGER':
      return cmp(BigInt(stored), BigInt(cursor));
    case 'TIMESTAMP': {
      const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]00:00)?$/.exec(cursor);
      if (!m) throw new Error(`bad TIMESTAMP parameter ${cursor}`);
      const micros = BigInt(dayNumber(m[1]!) * 86_400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1_000_000n + BigInt((m[5] ?? '').padEnd(6, '0'));
      return cmp(BigInt(stored), micros);
    }
    default:
      return cmp(stored, cursor);
  }
}

const WRAPPER = /^SELECT (.+?) FROM \(\n([\s\S]*)\n\)(?: WHERE `([^`]+)` >= @agnes_cursor)?$/;

/** The result of a query text, or an error message BigQuery would give. */
function evaluate(
  queries: Map<string, FakeQuery>,
  sql: string,
  params: { name?: string; parameterType?: { type?: string }; parameterValue?: { value?: string } }[] | undefined,
): { schema: BqField[]; rows: unknown[][]; bytes: number } | string {
  const direct = queries.get(sql);
  if (direct) return direct;
  const m = WRAPPER.exec(sql);
  const inner = m ? queries.get(m[2]!) ?? queries.get(`${m[2]!};`) : undefined;
  if (!m || !inner) return 'Syntax error: Unexpected identifier at [1:1]';
  let rows = inner.rows;
  if (m[3]) {
    const col = inner.schema.findIndex((f) => f.name === m[3]);
    const param = params?.find((p) => p.name === 'agnes_cursor');
    if (col < 0) return `Unrecognized name: ${m[3]} at [3:9]`;
    if (!param?.parameterValue?.value) return 'Query parameter agnes_cursor not found at [3:20]';
    if (param.parameterType?.type !== inner.schema[col]!.type) return `No matching signature for operator >= for argument types: ${inner.schema[col]!.type}, ${param.parameterType?.type}`;
    rows = rows.filter((r) => r[col] !== null && compare(inner.schema[col]!.type, r[col] as string, param.parameterValue!.value!) >= 0);
  }
  if (m[1] === '*') return { schema: inner.schema, rows, bytes: inner.bytes };
  const names = m[1]!.split(', ').map((c) => c.replace(/^`|`$/g, ''));
  const idx = names.map((n) => inner.schema.findIndex((f) => f.name === n));
  if (idx.some((i) => i < 0)) return `Unrecognized name: ${names[idx.findIndex((i) => i < 0)]} at [1:8]`;
  // Projection scans fewer columns: report proportionally fewer bytes.
  return { schema: idx.map((i) => inner.schema[i]!), rows: rows.map((r) => idx.map((i) => r[i])), bytes: Math.ceil((inner.bytes * idx.length) / inner.schema.length) };
}

/**
 * Starts the fake on 127.0.0.1 (port 0) and writes a service-account key file for a
 * fresh RSA key whose token_uri is the fake's token endpoint. The fake verifies every
 * assertion with the public half of that key.
 */
export async function startFakeBigQuery(projectId = 'agnes-test-project'): Promise<FakeBigQuery> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const clientEmail = `agnes-reader@${projectId}.iam.gserviceaccount.com`;
  const dir = mkdtempSync(join(tmpdir(), 'agnes-bq-key-'));
  const jobs = new Map<string, Job>();
  let keyFiles = 0;

  const fake: FakeBigQuery = {
    apiBaseUrl: '',
    tokenUri: '',
    keyFile: '',
    privateKeyPem,
    clientEmail,
    projectId,
    datasets: new Map(),
    queries: new Map(),
    tokensIssued: [],
    calls: new Map(),
    jobRequests: [],
    faults: [],
    tokenLifetimeS: 3600,
    pendingPolls: 1,
    listPageSize: 1,
    writeKeyFile(contents) {
      const path = join(dir, `key-${++keyFiles}.json`);
      writeFileSync(path, JSON.stringify(contents));
      return path;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const count = (route: Route): boolean => {
    fake.calls.set(route, (fake.calls.get(route) ?? 0) + 1);
    return true;
  };

  /** Answers with the first armed fault of `route`, if any. */
  const faulted = (route: Route, res: ServerResponse): boolean => {
    const i = fake.faults.findIndex((f) => f.route === route);
    if (i < 0) return false;
    const [f] = fake.faults.splice(i, 1);
    googleError(res, f!.status, f!.reason ?? 'backendError', 'injected fault', f!.retryAfter ? { 'retry-after': f!.retryAfter } : {});
    return true;
  };

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unsupported_grant_type' }));
      return;
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey as KeyObject, {
        issuer: clientEmail,
        audience: fake.tokenUri,
        algorithms: ['RS256'],
      });
      if (payload.scope !== 'https://www.googleapis.com/auth/bigquery' || protectedHeader.typ !== 'JWT') throw new Error('bad claims');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
      return;
    }
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    fake.tokensIssued.push(accessToken);
    json(res, { access_token: accessToken, expires_in: fake.tokenLifetimeS, token_type: 'Bearer' });
  }

  function page<T>(items: T[], url: URL): { items: T[]; nextPageToken?: string } {
    const size = Math.min(Number(url.searchParams.get('maxResults') ?? 1000), fake.listPageSize);
    const start = Number(url.searchParams.get('pageToken') ?? 0);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { items: items.slice(start, start + size), ...(next ? { nextPageToken: next } : {}) };
  }

  function rowsPage(job: Job, jobId: string, maxResults: number, pageToken: string | null): Record<string, unknown> {
    const start = Number(pageToken ?? 0);
    const size = Math.max(1, maxResults);
    const slice = job.rows.slice(start, start + size);
    const next = start + size < job.rows.length ? String(start + size) : undefined;
    return {
      kind: 'bigquery#getQueryResultsResponse',
      jobReference: { projectId, jobId, location: 'EU' },
      jobComplete: true,
      schema: { fields: job.schema },
      totalRows: String(job.rows.length),
      rows: slice.map((r) => ({ f: r.map((v, c) => ({ v: job.int64Timestamps ? v : timestampsAsFloat(job.schema[c]!, v) })) })),
      ...(next ? { pageToken: next } : {}),
    };
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const [, p, kind, d, sub, t] = parts; // projects/{p}/{datasets|jobs|queries}/{id}/tables/{t}
    let route: Route;
    if (kind === 'datasets' && d === undefined) route = 'datasets.list';
    else if (kind === 'datasets' && sub === 'tables' && t === undefined) route = 'tables.list';
    else if (kind === 'datasets' && sub === 'tables') route = 'tables.get';
    else if (kind === 'jobs') route = 'jobs.insert';
    else if (kind === 'queries' && d === undefined) route = 'jobs.query';
    else route = 'jobs.getQueryResults';
    count(route);
    if (!fake.tokensIssued.includes(bearer)) return googleError(res, 401, 'unauthorized', 'Request had invalid authentication credentials.');
    if (faulted(route, res)) return;
    if (p !== projectId) return googleError(res, 404, 'notFound', `Not found: Project ${p}`);

    switch (route) {
      case 'datasets.list': {
        const ids = [...fake.datasets.keys()];
        const { items, nextPageToken } = page(ids, url);
        return json(res, { kind: 'bigquery#datasetList', datasets: items.map((id) => ({ id: `${projectId}:${id}`, datasetReference: { projectId, datasetId: id }, location: 'EU' })), ...(nextPageToken ? { nextPageToken } : {}) });
      }
      case 'tables.list': {
        const tables = fake.datasets.get(d!);
        if (!tables) return googleError(res, 404, 'notFound', `Not found: Dataset ${projectId}:${d}`);
        const { items, nextPageToken } = page([...tables.entries()], url);
        return json(res, {
          kind: 'bigquery#tableList',
          tables: items.map(([id, tb]) => ({ id: `${projectId}:${d}.${id}`, tableReference: { projectId, datasetId: d, tableId: id }, type: tb.type ?? 'TABLE' })),
          totalItems: tables.size,
          ...(nextPageToken ? { nextPageToken } : {}),
        });
      }
      case 'tables.get': {
        const tb = fake.datasets.get(d!)?.get(decodeURIComponent(t!));
        if (!tb) return googleError(res, 404, 'notFound', `Not found: Table ${projectId}:${d}.${t}`);
        return json(res, {
          kind: 'bigquery#table',
          tableReference: { projectId, datasetId: d, tableId: decodeURIComponent(t!) },
          type: tb.type ?? 'TABLE',
          schema: { fields: tb.schema },
          ...(tb.description ? { description: tb.description } : {}),
          ...(tb.primaryKey ? { tableConstraints: { primaryKey: { columns: tb.primaryKey } } } : {}),
        });
      }
      case 'jobs.insert': {
        const body = JSON.parse(await readBody(req)) as { configuration?: { dryRun?: boolean; query?: { query?: string; useLegacySql?: boolean; queryParameters?: [] } } };
        fake.jobRequests.push({ route, body: body as Record<string, unknown> });
        const q = body.configuration?.query;
        if (!body.configuration?.dryRun || !q?.query) return googleError(res, 400, 'invalid', 'the fake runs only dry-run query jobs');
        if (q.useLegacySql !== false) return googleError(res, 400, 'invalidQuery', 'Legacy SQL is not what this fake speaks');
        const result = evaluate(fake.queries, q.query, q.queryParameters);
        if (typeof result === 'string') return googleError(res, 400, 'invalidQuery', result);
        return json(res, {
          kind: 'bigquery#job',
          status: { state: 'DONE' },
          configuration: body.configuration,
          statistics: { totalBytesProcessed: String(result.bytes), query: { totalBytesProcessed: String(result.bytes), schema: { fields: result.schema }, statementType: 'SELECT' } },
        });
      }
      case 'jobs.query': {
        const body = JSON.parse(await readBody(req)) as { query?: string; maxResults?: number; useLegacySql?: boolean; queryParameters?: []; formatOptions?: { useInt64Timestamp?: boolean } };
        fake.jobRequests.push({ route, body: body as Record<string, unknown> });
        if (body.useLegacySql !== false) return googleError(res, 400, 'invalidQuery', 'Legacy SQL is not what this fake speaks');
        const result = evaluate(fake.queries, body.query ?? '', body.queryParameters);
        if (typeof result === 'string') return googleError(res, 400, 'invalidQuery', result);
        const jobId = `job_${randomBytes(8).toString('hex')}`;
        const job: Job = { schema: result.schema, rows: result.rows, pollsLeft: fake.pendingPolls, int64Timestamps: body.formatOptions?.useInt64Timestamp === true };
        jobs.set(jobId, job);
        if (job.pollsLeft > 0) return json(res, { kind: 'bigquery#queryResponse', jobReference: { projectId, jobId, location: 'EU' }, jobComplete: false });
        return json(res, { ...rowsPage(job, jobId, body.maxResults ?? 1000, null), kind: 'bigquery#queryResponse' });
      }
      case 'jobs.getQueryResults': {
        const job = jobs.get(d!);
        if (!job) return googleError(res, 404, 'notFound', `Not found: Job ${projectId}:EU.${d}`);
        if (url.searchParams.get('formatOptions.useInt64Timestamp') !== 'true') job.int64Timestamps = false;
        if (job.pollsLeft > 0) {
          job.pollsLeft--;
          return json(res, { kind: 'bigquery#getQueryResultsResponse', jobReference: { projectId, jobId: d, location: 'EU' }, jobComplete: false });
        }
        return json(res, rowsPage(job, d!, Number(url.searchParams.get('maxResults') ?? 1000), url.searchParams.get('pageToken')));
      }
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handle = async () => {
      if (req.method === 'POST' && url.pathname === '/token') {
        count('token');
        if (faulted('token', res)) return;
        return token(req, res);
      }
      if (url.pathname.startsWith('/bigquery/v2/projects/')) {
        return api(req, res, url, url.pathname.slice('/bigquery/v2/'.length).split('/'));
      }
      googleError(res, 404, 'notFound', `no route ${req.method} ${url.pathname}`);
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) googleError(res, 500, 'internalError', String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.apiBaseUrl = `${base}/bigquery/v2`;
  fake.tokenUri = `${base}/token`;
  fake.keyFile = fake.writeKeyFile({
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKeyPem,
    client_email: clientEmail,
    client_id: '123456789012345678901',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: fake.tokenUri,
  });
  return fake;
}
