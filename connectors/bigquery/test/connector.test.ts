import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { type ConnectorError, isConnectorError, loadManifest, type Logger, type ReadOptions, validateConnectorConfig } from '@agnes/connector-kit';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import { createBigQueryConnector, DEFAULT_MAX_BYTES } from '../src/index.js';
import { startFakeBigQuery } from './fake-bigquery.js';
import { BIG_ID, ORDERS_SQL, seed, T0 } from './fixtures.js';

const fake = await startFakeBigQuery();
afterAll(() => fake.close());

/** Log lines the connector and runtime wrote, as text. */
const lines: string[] = [];
const logger: Logger = {
  debug: (m, f) => void lines.push(`debug ${m} ${JSON.stringify(f ?? {})}`),
  info: (m, f) => void lines.push(`info ${m} ${JSON.stringify(f ?? {})}`),
  warn: (m, f) => void lines.push(`warn ${m} ${JSON.stringify(f ?? {})}`),
  error: (m, f) => void lines.push(`error ${m} ${JSON.stringify(f ?? {})}`),
};

const fastRetry = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

function connect(config: Record<string, unknown> = {}, keyFile: string | null = fake.keyFile) {
  return createBigQueryConnector(
    {
      project_id: fake.projectId,
      api_base_url: fake.apiBaseUrl,
      queries: { orders: { sql: ORDERS_SQL, primary_key: ['id'], incremental_key: 'updated_at' } },
      ...config,
    },
    { secrets: keyFile === null ? {} : { GOOGLE_APPLICATION_CREDENTIALS: keyFile }, logger },
    fastRetry,
  );
}

async function readAll(source: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of source) out.push(b);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (isConnectorError(error)) return error;
    throw error;
  }
  throw new Error('expected a connector error');
}

const read = (options: Partial<ReadOptions> = {}, config: Record<string, unknown> = {}) => readAll(connect(config).read('orders', { batchSize: 5, ...options }));

beforeEach(() => {
  fake.datasets.clear();
  fake.queries.clear();
  fake.faults.length = 0;
  fake.calls.clear();
  fake.jobRequests.length = 0;
  fake.pendingPolls = 1;
  fake.tokenLifetimeS = 3600;
  seed(fake);
});

describe('discover', () => {
  it('lists query tables with the exact Arrow types of their dry-run schema', async () => {
    const tables = await connect().discover();
    const orders = tables.find((t) => t.name === 'orders')!;
    expect(orders.primaryKey).toEqual(['id']);
    expect(orders.incrementalKey).toBe('updated_at');
    const types = Object.fromEntries(orders.schema.fields.map((f) => [f.name, `${String(f.type)}${f.nullable ? '' : ' not null'}`]));
    expect(types).toEqual({
      id: 'Int64 not null',
      amount: 'Decimal[38e+9]', // apache-arrow prints precision 38, scale 9 this way
      big: 'Utf8',
      ratio: 'Float64',
      paid: 'Bool',
      customer: 'Utf8',
      payload: 'Binary',
      order_date: 'Date32<DAY>',
      local_time: 'Timestamp<MICROSECOND>',
      updated_at: 'Timestamp<MICROSECOND, UTC> not null',
      at_time: 'Time64<MICROSECOND>',
      meta: 'Utf8',
      tags: 'List<Utf8> not null',
      address: 'Struct<{city:Utf8, zip:Int64}>',
    });
    expect(orders.schema.fields[1]!.type).toMatchObject({ precision: 38, scale: 9, bitWidth: 128 });
    expect(fake.jobRequests.every((r) => r.route === 'jobs.insert' && (r.body.configuration as { dryRun: boolean }).dryRun)).toBe(true);
  });

  it('lists every dataset table as a remote table, following pageToken, with upstream names only in remote', async () => {
    const tables = await connect().discover();
    const remote = tables.filter((t) => t.remote);
    expect(remote.map((t) => [t.name, t.remote])).toEqual([
      ['sales_customers_eu', { alias: 'bq', schema: 'sales', table: 'Customers-EU' }],
      ['sales_orders', { alias: 'bq', schema: 'sales', table: 'orders' }],
      ['staging_raw_events', { alias: 'bq', schema: 'staging', table: 'raw_events' }],
    ]);
    expect(remote.find((t) => t.name === 'sales_orders')!.primaryKey).toEqual(['id']);
    expect(String(remote.find((t) => t.name === 'staging_raw_events')!.schema.fields[0]!.type)).toBe('Utf8');
    // one item per page: two pages of datasets plus the final one are requested
    expect(fake.calls.get('datasets.list')).toBe(2);
  });

  it('narrows to config.datasets and refuses an unknown dataset naming it', async () => {
    const only = await connect({ datasets: ['staging'] }).discover();
    expect(only.filter((t) => t.remote).map((t) => t.name)).toEqual(['staging_raw_events']);
    const e = await failure(connect({ datasets: ['nope'] }).discover());
    expect(e.code).toBe('config');
    expect(e.message).toMatch(/nope.*visible: sales, staging/);
  });

  it('refuses a query whose primary key is not a result column', async () => {
    const e = await failure(connect({ queries: { orders: { sql: ORDERS_SQL, primary_key: ['order_id'] } } }).discover());
    expect(e.code).toBe('config');
    expect(e.message).toMatch(/config\.queries\.orders: primary_key column "order_id" is not in the result/);
  });

  it('reports invalid SQL as a ConfigError with BigQuery’s message', async () => {
    const e = await failure(connect({ queries: { bad: { sql: 'SELEC 1' } } }).discover());
    expect(e.code).toBe('config');
    expect(e.message).toMatch(/invalidQuery: Syntax error/);
  });
});

describe('remote', () => {
  it('names the bigquery extension, the project and the credentials variable, never a secret', () => {
    expect(connect().remote()).toEqual({ extension: 'bigquery', url: `project=${fake.projectId}`, tokenEnv: 'GOOGLE_APPLICATION_CREDENTIALS', alias: 'bq' });
  });
});

describe('read', () => {
  it('converts every type exactly', async () => {
    const batches = await read();
    const rows = batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));
    expect(rows).toHaveLength(12);
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    const r0 = byId.get(BIG_ID)!;
    expect(r0.id).toBe(BigInt(BIG_ID));
    expect(r0.big).toBe('123456789012345678901234567890123456789.12345678901234567890123456789012345678');
    expect(r0.ratio).toBe(0);
    expect(r0.paid).toBe(true);
    expect(r0.customer).toBe('customer 0 ✓ "quoted"');
    expect([...(r0.payload as Uint8Array)]).toEqual([0, 255, 0]);
    expect(r0.meta).toBe('{"n":0,"ok":true}');
    expect([...(r0.tags as Iterable<string>)]).toEqual(['tag0', 'common']);
    expect((r0.address as { toJSON(): unknown }).toJSON()).toEqual({ city: 'City 0', zip: null });
    // raw buffers: microseconds, decimals and days never pass through a float
    const b0 = batches[0]!;
    const col = (name: string) => b0.getChild(name)!.data[0]!;
    expect((col('updated_at').values as BigInt64Array)[0]).toBe(T0);
    expect((col('local_time').values as BigInt64Array)[0]).toBe(1_772_360_430_000_000n);
    expect((col('at_time').values as BigInt64Array)[0]).toBe(86_399_999_990n);
    const r1 = byId.get('1')!;
    expect((r1.order_date as number) / 86_400_000).toBe(-719_162); // 0001-01-01, outside Date.UTC's two-digit years
    const amount = col('amount').values as Uint32Array;
    const words = new BigInt64Array(amount.buffer, amount.byteOffset, 4);
    expect(BigInt.asUintN(64, words[2]!) | (words[3]! << 64n)).toBe(-12345678901234567890123456789123456789n);
    expect(Number.isNaN(byId.get('2')!.ratio)).toBe(true);
    expect(byId.get('3')!.ratio).toBe(-Infinity);
    const r4 = byId.get('4')!;
    expect(r4.amount).toBeNull();
    expect(r4.address).toBeNull();
    expect([...(r4.tags as Iterable<string>)]).toEqual([]);
  });

  it('reads floating-second timestamps exactly when the server ignores useInt64Timestamp', async () => {
    const { parseTimestamp } = await import('../src/read/values.js');
    expect(parseTimestamp('1.767225600000001E9')).toBe(T0 + 1n);
    expect(parseTimestamp(String(T0))).toBe(T0);
  });

  it('runs the query through jobs.query, polls getQueryResults and pages with pageToken in batches of batchSize', async () => {
    fake.pendingPolls = 2;
    const batches = await read({ batchSize: 5 });
    expect(batches.map((b) => b.numRows)).toEqual([5, 5, 2]);
    const query = fake.jobRequests.find((r) => r.route === 'jobs.query')!.body;
    expect(query).toMatchObject({ query: ORDERS_SQL, useLegacySql: false, maxResults: 5, formatOptions: { useInt64Timestamp: true } });
    expect(typeof query.requestId).toBe('string');
    // 2 polls while running + 2 further pages
    expect(fake.calls.get('jobs.getQueryResults')).toBe(5);
  });

  it('projects columns and filters by the cursor with a typed query parameter', async () => {
    const cursor = '2026-01-01T00:05:00.000005Z';
    const batches = await read({ columns: ['updated_at', 'id'], incrementalKey: 'updated_at', incrementalValue: cursor, batchSize: 100 });
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['updated_at', 'id']);
    const ids = batches.flatMap((b) => [...b.getChild('id')!].map(String));
    expect(ids).toEqual(['5', '6', '7', '8', '9', '10', '11']);
    const query = fake.jobRequests.find((r) => r.route === 'jobs.query')!.body;
    expect(query.query).toBe(`SELECT \`updated_at\`, \`id\` FROM (\n${ORDERS_SQL}\n) WHERE \`updated_at\` >= @agnes_cursor`);
    expect(query.queryParameters).toEqual([{ name: 'agnes_cursor', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: cursor } }]);
  });

  it('refuses a table that is not a materialised query', async () => {
    const e = await failure(readAll(connect().read('sales_orders', { batchSize: 5 })));
    expect(e.code).toBe('fatal');
    expect(e.message).toMatch(/not a materialised query/);
  });
});

describe('cost guard', () => {
  it('refuses a query over max_bytes_per_materialize before running it, naming the bytes, the limit and the setting', async () => {
    const e = await failure(read({}, { max_bytes_per_materialize: 1_000_000 }));
    expect(e.code).toBe('config');
    expect(e.message).toContain('5000000 bytes');
    expect(e.message).toContain('limit of 1000000 bytes');
    expect(e.message).toContain('max_bytes_per_materialize');
    expect(fake.calls.get('jobs.query')).toBeUndefined();
  });

  it('defaults to 10 GiB and is disabled by 0', async () => {
    expect(DEFAULT_MAX_BYTES).toBe(10_737_418_240);
    fake.queries.get(ORDERS_SQL)!.bytes = DEFAULT_MAX_BYTES + 1;
    expect((await failure(read())).message).toMatch(/10737418241 bytes \(10\.0 GiB\), over the limit of 10737418240 bytes \(10\.0 GiB\)/);
    expect((await read({}, { max_bytes_per_materialize: 0 })).reduce((n, b) => n + b.numRows, 0)).toBe(12);
  });
});

describe('retries', () => {
  it('retries 503 with Retry-After, 403 rateLimitExceeded and 500 backendError, and a 503 from the token endpoint', async () => {
    fake.faults.push(
      { route: 'token', status: 503 },
      { route: 'jobs.insert', status: 403, reason: 'rateLimitExceeded' },
      { route: 'jobs.query', status: 503, retryAfter: '0' },
      { route: 'jobs.getQueryResults', status: 500, reason: 'backendError' },
      { route: 'jobs.getQueryResults', status: 429, reason: 'rateLimitExceeded' },
    );
    const batches = await read();
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(12);
    expect(fake.faults).toHaveLength(0);
    expect(fake.calls.get('jobs.query')).toBe(2);
    expect(lines.some((l) => l.includes('transient source error, retrying'))).toBe(true);
  });

  it('waits as long as Retry-After asks', async () => {
    fake.faults.push({ route: 'jobs.insert', status: 429, reason: 'rateLimitExceeded', retryAfter: '1' });
    const waits: number[] = [];
    const before = lines.length;
    await read();
    for (const l of lines.slice(before)) {
      const m = /"waitMs":(\d+)/.exec(l);
      if (m) waits.push(Number(m[1]));
    }
    expect(waits).toEqual([1000]);
  });

  it('gives up after the retries with a TransientSourceError for the runtime', async () => {
    for (let i = 0; i < 10; i++) fake.faults.push({ route: 'tables.get', status: 503 });
    const e = await failure(connect().discover());
    expect(e.code).toBe('transient');
  });
});

describe('auth', () => {
  it('fails fast with an AuthError naming the variable when it is unset', async () => {
    const e = await failure(connect({}, null).discover());
    expect(e.code).toBe('auth');
    expect(e.message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS is not set/);
  });

  it('fails fast when the key file is missing or not a key', async () => {
    const missing = await failure(connect({}, join(tmpdir(), 'no-such-key.json')).discover());
    expect(missing.code).toBe('auth');
    expect(missing.message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS names .*no-such-key\.json, which cannot be read \(ENOENT\)/);
    const notKey = await failure(connect({}, fake.writeKeyFile({ type: 'authorized_user' })).discover());
    expect(notKey.message).toMatch(/not a service-account key file/);
  });

  it('fails fast when the token endpoint refuses the assertion (a key it does not know)', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyFile = fake.writeKeyFile({ type: 'service_account', client_email: fake.clientEmail, private_key: other, token_uri: fake.tokenUri });
    const e = await failure(connect({}, keyFile).discover());
    expect(e.code).toBe('auth');
    expect(e.message).toMatch(/invalid_grant.*GOOGLE_APPLICATION_CREDENTIALS/);
    expect(fake.calls.get('token')).toBe(1);
    expect(e.message).not.toContain(other.split('\n')[1]!);
  });

  it('maps a 403 accessDenied to an AuthError naming the variable, without retrying', async () => {
    fake.faults.push({ route: 'datasets.list', status: 403, reason: 'accessDenied' });
    const e = await failure(connect({ queries: {} }).discover());
    expect(e.code).toBe('auth');
    expect(e.message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS/);
    expect(fake.calls.get('datasets.list')).toBe(1);
  });

  it('exchanges one token for many requests and a new one once it expires', async () => {
    const connector = connect();
    const issued = fake.tokensIssued.length;
    await connector.discover();
    await readAll(connector.read('orders', { batchSize: 5 }));
    expect(fake.tokensIssued.length - issued).toBe(1);
    fake.tokenLifetimeS = 30; // inside the renewal margin: every call needs a fresh one
    const short = connect({ remote_tables: false });
    await short.discover();
    await short.discover();
    expect(fake.tokensIssued.length - issued).toBe(3);
  });
});

describe('config', () => {
  it('accepts the config the host builds from connector.yaml, defaults included', async () => {
    const manifest = await loadManifest(fileURLToPath(new URL('../connector.yaml', import.meta.url)));
    const config = validateConnectorConfig(manifest, { project_id: fake.projectId, queries: { orders: { sql: ORDERS_SQL } } });
    expect(config).toMatchObject({ max_bytes_per_materialize: 10_737_418_240, batch_size: 10_000, remote_tables: true });
    const connector = createBigQueryConnector({ ...config, api_base_url: fake.apiBaseUrl }, { secrets: { GOOGLE_APPLICATION_CREDENTIALS: fake.keyFile } });
    expect((await connector.discover()).map((t) => t.name)).toContain('orders');
    expect(manifest.auth.env_vars.map((v) => v.name)).toEqual(['GOOGLE_APPLICATION_CREDENTIALS']);
  });

  it('reports every problem at once, each with its field', () => {
    let message = '';
    try {
      createBigQueryConnector({ project_id: 'X', batch_size: 0, queries: { _bad: { sql: '' } }, colour: 'red' });
    } catch (error) {
      expect(isConnectorError(error) && error.code).toBe('config');
      message = (error as Error).message;
    }
    expect(message).toMatch(/has 5 problems/);
    for (const field of ['config.colour', 'config.project_id', 'config.queries._bad:', 'config.queries._bad.sql', 'config.batch_size']) expect(message).toContain(field);
  });
});

describe('secrets', () => {
  it('never writes the private key or the access token into the extract, a log line or an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agnes-bq-secrets-'));
    const out = join(dir, 'bigquery');
    const errors: string[] = [];
    try {
      lines.length = 0;
      fake.faults.push({ route: 'jobs.query', status: 503 });
      const runtime = new ConnectorRuntime(out, { logger });
      const stats = await runtime.run(connect());
      expect(stats.errors).toEqual([]);
      expect(stats.tablesExtracted).toBeGreaterThan(0);
      // and the failing paths: a refused token, an expired one, a bad query
      fake.faults.push({ route: 'tables.get', status: 401, reason: 'unauthorized' });
      errors.push((await failure(connect().discover())).message);
      errors.push((await failure(connect({ queries: { bad: { sql: 'SELEC 1' } } }).discover())).message);
      const failed = await runtime.run(connect({ max_bytes_per_materialize: 1 }));
      errors.push(...failed.errors.map((e) => e.message));
      expect(failed.errors[0]?.message).toMatch(/max_bytes_per_materialize/);

      const files: string[] = [];
      const walk = (d: string): void => {
        for (const name of readdirSync(d)) {
          const p = join(d, name);
          if (statSync(p).isDirectory()) walk(p);
          else files.push(p);
        }
      };
      walk(out);
      expect(files.some((f) => f.endsWith('.parquet'))).toBe(true);
      const haystacks = [...files.map((f) => readFileSync(f).toString('latin1')), ...lines, ...errors];
      const keyBody = fake.privateKeyPem.split('\n').slice(1, -2).join('');
      const needles = [...fake.privateKeyPem.split('\n').slice(1, -2), keyBody, ...fake.tokensIssued];
      expect(fake.tokensIssued.length).toBeGreaterThan(0);
      for (const hay of haystacks) for (const needle of needles) expect(hay.includes(needle)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
