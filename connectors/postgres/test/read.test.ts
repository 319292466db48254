import type { RecordBatch, Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, FatalSourceError, isConnectorError, RecordError, TransientSourceError } from '@agnes/connector-kit';
import { createPostgresConnector } from '../src/index.js';
import { createFixture, type Fixture, testContext, testDatabaseUrl } from './pg-fixture.js';

const url = testDatabaseUrl();

async function readAll(iter: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of iter) out.push(b);
  return out;
}

/** The raw buffer value of row `i` (bigint for 64-bit types). */
function raw(batch: RecordBatch, column: string, i: number): unknown {
  const data = batch.getChild(column)!.data[0]!;
  return (data.values as ArrayLike<unknown>)[i];
}

/** The unscaled 128-bit value of a decimal cell. */
function unscaled(batch: RecordBatch, column: string, i: number): bigint | null {
  const v = batch.getChild(column)!;
  if (!v.isValid(i)) return null;
  const words = new BigInt64Array((v.data[0]!.values as Uint32Array).buffer, (v.data[0]!.values as Uint32Array).byteOffset, v.length * 2);
  return BigInt.asUintN(64, words[i * 2]!) + (words[i * 2 + 1]! << 64n);
}

function list(batch: RecordBatch, column: string, i: number): unknown[] | null {
  const v = batch.getChild(column)!.get(i) as Vector | null;
  return v === null ? null : [...v];
}

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

/** The fixture's columns that are not arrays: a table of only these is read through binary COPY. */
const SCALAR_COLUMNS = ['id', 'i2', 'i4', 'i8', 'f4', 'f8', 'n38', 'n12', 'nfree', 'nwide', 'flag', 'label', 'code', 'initial', 'born', 'seen', 'updated_at', 'uid', 'doc', 'raw', 'blob', 'spot', 'span'];

/** Every cell of a batch as comparable JSON (bigints and bytes as text). */
function cells(batch: RecordBatch): unknown[][] {
  return batch.schema.fields.map((f) =>
    Array.from({ length: batch.numRows }, (_, i) => {
      const v = batch.getChild(f.name)!;
      if (!v.isValid(i)) return null;
      const value = v.get(i) as unknown;
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
      if (value instanceof Uint32Array) return [...value].join(',');
      return value;
    }),
  );
}

describe.skipIf(!url)('read against PostgreSQL', () => {
  let fx: Fixture;
  let name: string;
  const connector = () => createPostgresConnector({ schemas: [fx.schema] }, testContext(url!));

  beforeAll(async () => {
    fx = await createFixture(url!, `CREATE TABLE $S.bad (id int PRIMARY KEY, amount numeric(10,2));
      INSERT INTO $S.bad VALUES (1, 1.5), (42, 'NaN');
      CREATE TABLE $S.big AS SELECT g AS id, g::text AS label FROM generate_series(1, 200000) g;
      CREATE TABLE $S.scalars AS SELECT ${SCALAR_COLUMNS.join(', ')} FROM $S.everything;
      ALTER TABLE $S.scalars ADD PRIMARY KEY (id);
      CREATE TABLE $S.endless (id int PRIMARY KEY, at timestamptz);
      INSERT INTO $S.endless VALUES (1, now()), (7, 'infinity');`);
    name = `${fx.schema}_everything`;
  });
  afterAll(async () => fx?.drop());

  it('reads back every value exactly, beyond 2^53 and at numeric(38,10)', async () => {
    const c = connector();
    const [t] = (await c.discover()).filter((x) => x.name === name);
    const batches = await readAll(c.read(name, { batchSize: 100 }));
    expect(batches).toHaveLength(1);
    const b = batches[0]!;
    expect(b.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`)).toEqual(t!.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`));
    expect(b.numRows).toBe(3);
    expect([raw(b, 'id', 0), raw(b, 'id', 1), raw(b, 'id', 2)]).toEqual([1n, 2n, 3n]);
    expect([raw(b, 'i2', 0), raw(b, 'i2', 1)]).toEqual([32767, -32768]);
    expect([raw(b, 'i4', 0), raw(b, 'i4', 1)]).toEqual([2147483647, -2147483648]);
    expect([raw(b, 'i8', 0), raw(b, 'i8', 1)]).toEqual([9223372036854775807n, -9223372036854775808n]);
    expect(b.getChild('i8')!.isValid(2)).toBe(false);
    expect([raw(b, 'f4', 0), raw(b, 'f4', 1), raw(b, 'f8', 0), raw(b, 'f8', 1)]).toEqual([1.5, -0.25, 0.1, -1e300]);
    expect(unscaled(b, 'n38', 0)).toBe(99999999999999999999999999999999999999n);
    expect(unscaled(b, 'n38', 1)).toBe(-99999999999999999999999999999999999999n);
    expect(unscaled(b, 'n38', 2)).toBeNull();
    expect([unscaled(b, 'n12', 0), unscaled(b, 'n12', 1)]).toEqual([-123456789012n, 1n]);
    expect(b.getChild('nfree')!.get(0)).toBe('123456789012345678901234567890.123456789');
    expect(b.getChild('nfree')!.get(1)).toBe('-0.000000000000000000001');
    expect(b.getChild('nwide')!.get(1)).toBe('-9007199254740993.00001');
    expect([b.getChild('flag')!.get(0), b.getChild('flag')!.get(1), b.getChild('flag')!.get(2)]).toEqual([true, false, null]);
    expect(b.getChild('label')!.get(0)).toBe('héllo wörld 🚀 日本');
    expect(b.getChild('label')!.get(1)).toBe('');
    expect(b.getChild('initial')!.get(0)).toBe('x  ');
    expect(raw(b, 'born', 0)).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(raw(b, 'born', 1)).toBe(Date.UTC(1900, 0, 1) / 86_400_000);
    expect(raw(b, 'seen', 0)).toBe(micros('2024-01-01T12:34:56.789Z') + 12n);
    expect(raw(b, 'seen', 1)).toBe(0n);
    expect(raw(b, 'updated_at', 0)).toBe(micros('2024-01-01T04:30:00.500Z'));
    expect(raw(b, 'updated_at', 1)).toBe(micros('1970-01-01T07:59:59.999Z') + 999n);
    expect(b.getChild('uid')!.get(0)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(JSON.parse(b.getChild('doc')!.get(0) as string)).toEqual({ a: [1, 2.5, 'x'], b: null });
    expect(b.getChild('doc')!.get(1)).toBe('[]');
    expect(b.getChild('raw')!.get(0)).toBe('{"k": 1}');
    expect([...(b.getChild('blob')!.get(0) as Uint8Array)]).toEqual([0, 255, 16]);
    expect([...(b.getChild('blob')!.get(1) as Uint8Array)]).toEqual([]);
    expect(list(b, 'tags', 0)).toEqual(['a', 'b,c', null, 'q"x']);
    expect(list(b, 'tags', 1)).toEqual([]);
    expect(list(b, 'tags', 2)).toBeNull();
    expect(list(b, 'scores', 0)).toEqual([9007199254740993n, -1n]);
    expect(b.getChild('spot')!.get(0)).toBe('(1,2)');
    expect(b.getChild('span')!.get(0)).toBe('1 day 02:00:00');
  });

  it('selects only the projected columns, in schema order', async () => {
    const [b] = await readAll(connector().read(name, { batchSize: 10, columns: ['label', 'id'] }));
    expect(b!.schema.fields.map((f) => f.name)).toEqual(['id', 'label']);
    expect(b!.numRows).toBe(3);
  });

  it('reads scalar tables through binary COPY with exactly the values of the text path', async () => {
    // `everything` has array columns, so it is read through the cursor and text values;
    // `scalars` holds the same scalar columns and no arrays, so it goes through binary COPY.
    const text = await readAll(connector().read(name, { batchSize: 100, columns: SCALAR_COLUMNS }));
    const binary = await readAll(connector().read(`${fx.schema}_scalars`, { batchSize: 2 }));
    expect(binary.map((b) => b.numRows)).toEqual([2, 1]);
    const merged = binary.map(cells).reduce((a, b) => a.map((col, i) => [...col, ...(b[i] ?? [])]));
    expect(binary[0]!.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(text[0]!.schema.fields.map((f) => `${f.name}:${f.type}`));
    expect(merged).toEqual(cells(text[0]!));
  });

  it('fails an infinite timestamp with a RecordError naming the key', async () => {
    const err = await readAll(connector().read(`${fx.schema}_endless`, { batchSize: 10 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as Error).message).toMatch(/id=7.*infinity/);
  });

  it('fails a NaN in a decimal column with a RecordError naming table, column and key', async () => {
    const err = await readAll(connector().read(`${fx.schema}_bad`, { batchSize: 10, columns: ['amount'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as Error).message).toContain(`${fx.schema}_bad`);
    expect((err as Error).message).toContain('amount');
    expect((err as Error).message).toContain('id=42');
  });

  it('reads 200k rows in batches of at most batchSize', async () => {
    let batches = 0;
    let rows = 0;
    let largest = 0;
    for await (const b of connector().read(`${fx.schema}_big`, { batchSize: 7_000 })) {
      batches++;
      rows += b.numRows;
      largest = Math.max(largest, b.numRows);
    }
    expect(rows).toBe(200_000);
    expect(largest).toBeLessThanOrEqual(7_000);
    expect(batches).toBe(Math.ceil(200_000 / 7_000));
  });

  it('stops fetching after the signal aborts', async () => {
    const ctrl = new AbortController();
    let batches = 0;
    for await (const _ of connector().read(`${fx.schema}_big`, { batchSize: 1_000, signal: ctrl.signal })) {
      batches++;
      ctrl.abort();
    }
    expect(batches).toBe(1);
  });

  it('pushes the incremental predicate down (≥, ordered by the key)', async () => {
    const batches = await readAll(
      connector().read(name, { batchSize: 1, columns: ['id'], incrementalKey: 'updated_at', incrementalValue: '2024-01-01T04:30:00.500000Z' }),
    );
    expect(batches.map((b) => raw(b, 'id', 0))).toEqual([1n, 3n]);
  });

  it('fails a table that disappeared with a FatalSourceError', async () => {
    const c = connector();
    await c.discover();
    await fx.client.query(`CREATE TABLE "${fx.schema}".gone (id int)`);
    const c2 = connector();
    await c2.discover();
    await fx.client.query(`DROP TABLE "${fx.schema}".gone`);
    const err = await readAll(c2.read(`${fx.schema}_gone`, { batchSize: 10 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalSourceError);
    const unknown = await readAll(c.read('nope', { batchSize: 10 })).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(FatalSourceError);
  });

  it('maps refused credentials to an AuthError naming AGNES_PG_URL, never the URL', async () => {
    const bad = new URL(url!);
    bad.username = 'agnes_no_such_role';
    bad.password = 's3cret-pw';
    const err = await createPostgresConnector({}, testContext(bad.toString()))
      .discover()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('AGNES_PG_URL');
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  it('maps a refused connection to a TransientSourceError', async () => {
    const err = await createPostgresConnector({ url: 'postgres://postgres:pw@127.0.0.1:1/test' }, {})
      .discover()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientSourceError);
    expect(isConnectorError(err) && err.message.includes(':pw@')).toBe(false);
  });
});
