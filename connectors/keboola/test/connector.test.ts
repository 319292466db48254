import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Type, type Decimal, type RecordBatch, type Vector } from 'apache-arrow';
import {
  AuthError,
  Cap,
  ConfigError,
  createContext,
  FatalSourceError,
  isConnectorError,
  type Logger,
  loadManifest,
  type ReadOptions,
  resolveSecrets,
  TransientSourceError,
  validateConnectorConfig,
} from '@agnes/connector-kit';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import factory, { createKeboolaConnector, type KeboolaConfig } from '../src/index.js';
import { BIG_ID, FAKE_CREDENTIALS, type FakeProvider, type FakeStorageApi, startFakeStorageApi, TRICKY_CUSTOMER } from './fake-storage-api.js';

const TOKEN = 'kbc-secret-9d41e6b2c07a';

function capturingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

let fake: FakeStorageApi;
const logLines: string[] = [];
/** Messages of every error a test saw; the last test checks none holds a secret. */
const errorMessages: string[] = [];
const SECRETS = [TOKEN, FAKE_CREDENTIALS.SecretAccessKey, FAKE_CREDENTIALS.SessionToken, 'fake-sas-signature-6a7b8c', FAKE_CREDENTIALS.GcsToken];

function connector(token = TOKEN, config: Partial<KeboolaConfig> = {}, on: FakeStorageApi = fake) {
  return createKeboolaConnector(
    { url: on.url, ...config },
    on.context({ secrets: { KEBOOLA_STORAGE_TOKEN: token }, logger: capturingLogger(logLines) }),
  );
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  errorMessages.push((error as Error).message);
  return error as Error;
}

async function drain(iterable: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const b of iterable) batches.push(b);
  return batches;
}

async function readAll(table: string, options: Partial<ReadOptions> = {}, c = connector()): Promise<RecordBatch[]> {
  await c.discover();
  return drain(c.read(table, { batchSize: 10_000, ...options }));
}

/** The raw int64/timestamp values of a column (exact, as bigint). */
function bigints(v: Vector): (bigint | null)[] {
  const out: (bigint | null)[] = [];
  for (const d of v.data) {
    const values = d.values as BigInt64Array;
    for (let i = 0; i < d.length; i++) out.push(d.getValid(i) ? values[d.offset + i]! : null);
  }
  return out;
}

/** Decimal128 values as unscaled bigints. */
function decimals(v: Vector): (bigint | null)[] {
  const out: (bigint | null)[] = [];
  for (const d of v.data) {
    const words = d.values as Uint32Array;
    for (let i = 0; i < d.length; i++) {
      if (!d.getValid(i)) {
        out.push(null);
        continue;
      }
      let u = 0n;
      for (let w = 3; w >= 0; w--) u = (u << 32n) | BigInt(words[(d.offset + i) * 4 + w]!);
      out.push(BigInt.asIntN(128, u));
    }
  }
  return out;
}

beforeAll(async () => {
  fake = await startFakeStorageApi({ token: TOKEN, throttleFirstExport: false, failFirstSlice: false });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.counters.byRoute.clear();
  fake.counters.faults.length = 0;
  fake.counters.exports.length = 0;
});

describe('discover', () => {
  it('maps bucket tables to sanitised names, remote refs, keys and exact Arrow types', async () => {
    const tables = await connector().discover();
    expect(tables.map((t) => t.name)).toEqual(['in_c_crm_orders', 'out_c_reports_daily_summary']);
    const [orders, summary] = tables;
    expect(orders!.remote).toEqual({ alias: 'kbc', schema: 'in.c-crm', table: 'orders' });
    expect(summary!.remote).toEqual({ alias: 'kbc', schema: 'out.c-reports', table: 'Daily-Summary' });
    expect(orders!.primaryKey).toEqual(['id']);
    expect(orders!.incrementalKey).toBeUndefined();
    expect(orders!.capabilities).toBe(Cap.READ | Cap.REMOTE);
    const types = (t: typeof orders) => Object.fromEntries(t!.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types(orders)).toEqual({ id: 'Int64', customer: 'Utf8', amount: 'Decimal[18e+2]', created: 'Timestamp<MICROSECOND, UTC>' });
    const amount = orders!.schema.fields[2]!.type as Decimal;
    expect([amount.precision, amount.scale, amount.bitWidth]).toEqual([18, 2, 128]);
    expect(types(summary)).toEqual({ day: 'Date32<DAY>', visits: 'Int64', ratio: 'Float64', active: 'Bool', note: 'Utf8', huge: 'Utf8' });
  });

  it('keeps only the configured buckets and rejects unknown ones', async () => {
    const ctx = fake.context({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN } });
    const only = createKeboolaConnector({ url: fake.url, buckets: ['out.c-reports'] }, ctx);
    expect((await only.discover()).map((t) => t.name)).toEqual(['out_c_reports_daily_summary']);
    const bad = createKeboolaConnector({ url: fake.url, buckets: ['in.c-nope'] }, ctx);
    await expect(bad.discover()).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('read', () => {
  it('returns exact values: int64 > 2^53, decimals, timestamps, a quoted value with a newline', async () => {
    const batches = await readAll('in_c_crm_orders');
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(5);
    const col = (name: string) => batches.flatMap((b) => [...b.getChild(name)!.toArray()]);
    const vec = (name: string) => batches.map((b) => b.getChild(name)!);
    expect(vec('id').flatMap(bigints)).toEqual([1n, BigInt(BIG_ID), 3n, 4n, 5n]);
    expect(col('customer')).toEqual(['Alice', TRICKY_CUSTOMER, '', 'Ünïcødé ✓', 'Eve']);
    expect(vec('amount').flatMap(decimals)).toEqual([1050n, 123456789012345678n, -5n, null, 0n]);
    expect(vec('created').flatMap(bigints)).toEqual([
      1705314600123456n,
      BigInt(Date.UTC(2024, 1, 29, 23, 59, 59)) * 1000n,
      null,
      BigInt(Date.UTC(2024, 2, 1, 1) - 2 * 3600_000) * 1000n,
      -1n,
    ]);
  });

  it('converts dates, floats, booleans and empty texts (null except for strings)', async () => {
    const batches = await readAll('out_c_reports_daily_summary');
    const b = batches[0]!;
    expect(b.getChild('day')!.type.typeId).toBe(Type.Date);
    expect([...(b.getChild('day')!.data[0]!.values as Int32Array)]).toEqual([19723, 19724, 19725]);
    expect(bigints(b.getChild('visits')!)).toEqual([100n, null, -7n]);
    expect([...b.getChild('ratio')!.toArray()].slice(0, 1)).toEqual([0.25]);
    expect(b.getChild('ratio')!.get(1)).toBeNull();
    expect(b.getChild('ratio')!.get(2)).toBe(0.001);
    expect([0, 1, 2].map((i) => b.getChild('active')!.get(i))).toEqual([true, false, true]);
    expect([0, 1, 2].map((i) => b.getChild('note')!.get(i))).toEqual(['first', '', 'x,y']);
    expect(b.getChild('huge')!.get(0)).toBe('12345678901234567890123456789012345678.12');
  });

  it('honours batchSize across slices and projects columns in the asked order', async () => {
    const batches = await readAll('in_c_crm_orders', { batchSize: 2, columns: ['customer', 'id'] });
    expect(batches.map((b) => b.numRows)).toEqual([2, 2, 1]);
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['customer', 'id']);
    expect(batches[0]!.getChild('customer')!.get(1)).toBe(TRICKY_CUSTOMER);
    expect(fake.counters.exports.at(-1)).toEqual({ tableId: 'in.c-crm.orders', columns: ['customer', 'id'], changedSince: null });
  });

  it('retries a 429 and a 503 on a slice, waiting as long as their Retry-After asks', async () => {
    fake.armFaults();
    const lines: string[] = [];
    const c = createKeboolaConnector({ url: fake.url }, fake.context({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN }, logger: capturingLogger(lines) }));
    const batches = await readAll('in_c_crm_orders', {}, c);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(5);
    expect(fake.counters.faults).toEqual(['429 export-async', '503 slice']);
    expect(fake.counters.byRoute.get('POST export-async')).toBe(2);
    expect(fake.counters.byRoute.get('GET slice')).toBe(3 + 1);
    expect(fake.counters.byRoute.get('GET job')).toBe(2);
    const waits = lines.filter((l) => l.includes('retrying')).map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { waitMs: number }).waitMs);
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(1000);
  });

  it('retries any 5xx (a 500 included) on the Storage API and file storage, honouring Retry-After', async () => {
    const lines: string[] = [];
    const c = createKeboolaConnector({ url: fake.url }, fake.context({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN }, logger: capturingLogger(lines) }));
    fake.faultNext('GET buckets', 500, 1);
    fake.faultNext('GET file', 502, 1);
    fake.faultNext('GET manifest', 500, 1);
    const batches = await readAll('in_c_crm_orders', {}, c);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(5);
    expect(fake.counters.faults).toEqual(['500 GET buckets', '502 GET file', '500 GET manifest']);
    const waits = lines.filter((l) => l.includes('retrying')).map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { waitMs: number }).waitMs);
    expect(waits).toHaveLength(3);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(1000);
  });

  it('retries a request that does not answer within timeout_seconds', async () => {
    const lines: string[] = [];
    const c = createKeboolaConnector(
      { url: fake.url, timeout_seconds: 0.2 },
      fake.context({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN }, logger: capturingLogger(lines) }),
    );
    fake.delayNext('GET job', 1500);
    fake.delayNext('GET slice', 1500);
    const batches = await readAll('in_c_crm_orders', {}, c);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(5);
    const timeouts = lines.filter((l) => l.includes('retrying') && l.includes('did not answer within 0.2 s'));
    expect(timeouts.map((l) => /GET \/v2\/storage\/jobs\/|s3:\/\/kbc-sapi-files\/exp-15\//.exec(l)?.[0])).toEqual([
      'GET /v2/storage/jobs/',
      's3://kbc-sapi-files/exp-15/',
    ]);
  });

  it('gives up on a slice whose body stalls with a transient error (the runtime retries the table)', async () => {
    const c = connector(TOKEN, { timeout_seconds: 0.2 });
    await c.discover();
    fake.stallNextSlice(1500);
    const error = await failure(drain(c.read('in_c_crm_orders', { batchSize: 10_000 })));
    expect(error).toBeInstanceOf(TransientSourceError);
    expect(error.message).toMatch(/sent nothing for 0.2 s/);
  });

  it('fails the table with the job message when the export job ends in error', async () => {
    const c = connector();
    await c.discover();
    fake.failNextJob('Snowflake export timed out');
    const error = await failure(drain(c.read('in_c_crm_orders', { batchSize: 10_000 })));
    expect(error).toBeInstanceOf(FatalSourceError);
    expect(error.message).toMatch(/export of in\.c-crm\.orders failed \(job \d+\): Snowflake export timed out/);
  });

  it('fails the table, not the run, when file storage refuses the credentials', async () => {
    const c = connector();
    await c.discover();
    fake.expireNextSlice();
    const error = await failure(drain(c.read('in_c_crm_orders', { batchSize: 10_000 })));
    expect(error).toBeInstanceOf(FatalSourceError);
    expect(error.message).toMatch(/file storage refused the download/);
  });

  it.each<FakeProvider>(['azure', 'gcp'])('reads slices from %s file storage with its credentials', async (provider) => {
    const other = await startFakeStorageApi({ token: TOKEN, throttleFirstExport: false, failFirstSlice: false, provider });
    try {
      const batches = await readAll('in_c_crm_orders', {}, connector(TOKEN, {}, other));
      expect(batches.flatMap((b) => [...b.getChild('customer')!.toArray()])).toEqual(['Alice', TRICKY_CUSTOMER, '', 'Ünïcødé ✓', 'Eve']);
      expect(other.counters.faults).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('stops when the signal aborts', async () => {
    const c = connector();
    await c.discover();
    const controller = new AbortController();
    let batches = 0;
    await expect(async () => {
      for await (const _ of c.read('in_c_crm_orders', { batchSize: 1, signal: controller.signal })) {
        batches++;
        controller.abort();
      }
    }).rejects.toThrow();
    expect(batches).toBe(1);
  });
});

describe('incremental', () => {
  it('declares the configured key and reads only rows imported since the cursor', async () => {
    const local = await startFakeStorageApi({ token: TOKEN, throttleFirstExport: false, failFirstSlice: false });
    try {
      const c = connector(TOKEN, { incremental_keys: { in_c_crm_orders: 'created' } }, local);
      const tables = await c.discover();
      expect(tables.find((t) => t.name === 'in_c_crm_orders')?.incrementalKey).toBe('created');
      expect(tables.find((t) => t.name === 'out_c_reports_daily_summary')?.incrementalKey).toBeUndefined();
      const rows = async (incrementalValue: string) =>
        (await drain(c.read('in_c_crm_orders', { batchSize: 100, incrementalKey: 'created', incrementalValue }))).reduce((n, b) => n + b.numRows, 0);
      // The cursor becomes a whole Unix second, rounded down: 2024-02-29T23:59:59Z.
      expect(await rows('2024-02-29T23:59:59.999999Z')).toBe(5);
      expect(local.counters.exports.at(-1)?.changedSince).toBe('1709251199');
      expect(await rows('2099-01-01T00:00:00.000000Z')).toBe(0);
      local.addRows('in_c_crm_orders', 2);
      expect(await rows(new Date(Date.now() - 60_000).toISOString())).toBe(2);
    } finally {
      await local.close();
    }
  });

  it('refuses keys that cannot drive changedSince, naming each problem at once', async () => {
    const c = connector(TOKEN, { incremental_keys: { in_c_crm_orders: 'customer', out_c_reports_daily_summary: 'nope', ghost: 'x' } });
    const error = await failure(c.discover());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('incremental_keys.in_c_crm_orders: column customer is Utf8');
    expect(error.message).toContain('incremental_keys.out_c_reports_daily_summary: out.c-reports.Daily-Summary has no column nope');
    expect(error.message).toContain('incremental_keys.ghost: no such table');
    const plain = connector();
    await plain.discover();
    await expect(drain(plain.read('in_c_crm_orders', { batchSize: 10, incrementalKey: 'id', incrementalValue: '3' }))).rejects.toThrow(/DATE or TIMESTAMP/);
  });
});

describe('auth', () => {
  it('a wrong token is an AuthError naming KEBOOLA_STORAGE_TOKEN, never the token', async () => {
    const wrong = 'wrong-token-55aa11ee';
    const error = await failure(connector(wrong).discover());
    expect(error).toBeInstanceOf(AuthError);
    expect(isConnectorError(error) && error.code).toBe('auth');
    const message = (error as Error).message;
    expect(message).toContain('KEBOOLA_STORAGE_TOKEN');
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(TOKEN);
    expect(fake.counters.tokensSeen).toContain(wrong);
  });

  it('a missing token is an AuthError naming the variable', async () => {
    const c = createKeboolaConnector({ url: fake.url }, createContext({ secrets: {} }));
    expect((await failure(c.discover())).message).toMatch(/KEBOOLA_STORAGE_TOKEN is not set/);
  });

  it('rejects a config without url', () => {
    expect(() => createKeboolaConnector({} as never, createContext())).toThrow(ConfigError);
  });
});

describe('manifest', () => {
  it('takes its config from connector.yaml and its token only from the variable the manifest names', async () => {
    const manifest = await loadManifest(fileURLToPath(new URL('../connector.yaml', import.meta.url)));
    const config = validateConnectorConfig(manifest, { url: fake.url, incremental_keys: { in_c_crm_orders: 'created' } });
    expect(config.timeout_seconds).toBe(60);
    const secrets = resolveSecrets(manifest, { KEBOOLA_STORAGE_TOKEN: TOKEN, OTHER_SECRET: 'not-for-keboola' });
    expect(secrets).toEqual({ KEBOOLA_STORAGE_TOKEN: TOKEN });
    const c = await factory(config as unknown as KeboolaConfig, fake.context({ secrets }));
    expect((await c.discover!()).map((t) => t.incrementalKey)).toEqual(['created', undefined]);
    expect(() => resolveSecrets(manifest, {})).toThrow(/KEBOOLA_STORAGE_TOKEN/);
  });
});

describe('remote', () => {
  it('names the extension, URL and token variable, never the token', async () => {
    const c = await factory({ url: `${fake.url}/` }, createContext({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN } }));
    const info = c.remote!();
    expect(info).toEqual({ extension: 'keboola', url: fake.url, tokenEnv: 'KEBOOLA_STORAGE_TOKEN', alias: 'kbc' });
    expect(JSON.stringify(info)).not.toContain(TOKEN);
  });
});

describe('with the real runtime', () => {
  it('extracts every table and leaks no secret into any file, log line or error message', async () => {
    fake.armFaults();
    const root = await mkdtemp(join(tmpdir(), 'agnes-keboola-'));
    const dir = join(root, 'kbc_source');
    const lines: string[] = [];
    try {
      const logger = capturingLogger(lines);
      const c = createKeboolaConnector({ url: fake.url }, fake.context({ secrets: { KEBOOLA_STORAGE_TOKEN: TOKEN }, logger }));
      const stats = await new ConnectorRuntime(dir, { logger }).run(c);
      expect(stats.errors).toEqual([]);
      expect(stats.tablesExtracted).toBe(2);
      expect(stats.totalRows).toBe(8);
      expect(fake.counters.faults).toEqual(['429 export-async', '503 slice']);
      expect(lines.some((l) => l.includes('retrying'))).toBe(true);

      const files: string[] = [];
      const walk = async (d: string) => {
        for (const e of await readdir(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) await walk(p);
          else files.push(p);
        }
      };
      await walk(dir);
      expect(files.some((f) => f.endsWith('.duckdb'))).toBe(true);
      for (const f of files) {
        const bytes = await readFile(f);
        for (const secret of SECRETS) {
          expect(bytes.includes(Buffer.from(secret)), f).toBe(false);
          expect(bytes.includes(Buffer.from(secret, 'utf16le')), f).toBe(false);
        }
      }
      // The remote attach row names the variable (proof the grep reads the catalog).
      expect((await readFile(join(dir, 'extract.duckdb'))).includes(Buffer.from('KEBOOLA_STORAGE_TOKEN'))).toBe(true);
      expect(lines.length).toBeGreaterThan(0);
      expect(errorMessages.length).toBeGreaterThanOrEqual(6);
      for (const text of [...lines, ...logLines, ...errorMessages]) {
        for (const secret of SECRETS) expect(text).not.toContain(secret);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
