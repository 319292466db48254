import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Cap, type Connector } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract } from '../index.js';
import { extractDir } from '../test-fixtures.js';

/** Little-endian 128-bit two's complement words of a bigint, as Arrow stores decimals. */
function dec128(values: (bigint | null)[]): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v ?? 0n);
    for (let w = 0; w < 4; w++) {
      out[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return out;
}

function validity(values: unknown[]): Uint8Array {
  const bm = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) bm[i >> 3]! |= 1 << (i & 7);
  });
  return bm;
}

const N = 5000; // more than two DuckDB chunks, so offsets inside a batch are exercised
const big = 2n ** 53n + 1n;

function columns() {
  const ids = Array.from({ length: N }, (_, i) => (i % 7 === 3 ? null : big + BigInt(i)));
  const wide = Array.from({ length: N }, (_, i) => (i % 5 === 0 ? null : 12345678901234567890123456789n * BigInt(i % 2 ? 1 : -1) + BigInt(i)));
  const narrow = Array.from({ length: N }, (_, i) => (i % 9 === 0 ? null : BigInt(i * 101 - 250000)));
  const micros = Array.from({ length: N }, (_, i) => 1_767_225_600_000_000n + BigInt(i) * 1_000_001n);
  const nanos = Array.from({ length: N }, (_, i) => 1_767_225_600_000_000_123n + BigInt(i));
  const millisTz = Array.from({ length: N }, (_, i) => 1_767_225_600_000n + BigInt(i));
  const texts = Array.from({ length: N }, (_, i) => (i % 11 === 0 ? null : `žluťoučký kůň ${i} 🐎`));
  const schema = new Schema([
    new Field('id', new Int64(), true),
    new Field('u', new Uint64(), false),
    new Field('d38', new Decimal(10, 38, 128), true),
    new Field('d10', new Decimal(2, 10, 128), true),
    new Field('ts_us', new TimestampMicrosecond(), false),
    new Field('ts_ns', new TimestampNanosecond(), false),
    new Field('ts_ms_tz', new TimestampMillisecond('America/New_York'), false),
    new Field('day', new DateDay(), false),
    new Field('flag', new Bool(), true),
    new Field('txt', new Utf8(), true),
    new Field('bin', new Binary(), true),
    new Field('tags', new List(new Field('item', new Int32(), true)), true),
    new Field('obj', new Struct([new Field('a', new Utf8(), true), new Field('b', new Int64(), true)]), true),
    new Field('cat', new Dictionary(new Utf8(), new Int32()), true),
  ]);
  const bigints = (t: Int64 | Uint64 | TimestampMicrosecond | TimestampNanosecond | TimestampMillisecond, vs: (bigint | null)[]) =>
    makeData({ type: t, length: N, nullCount: vs.filter((v) => v === null).length, nullBitmap: validity(vs), data: BigInt64Array.from(vs, (v) => v ?? 0n) } as never);
  const cat = vectorFromArray(
    Array.from({ length: N }, (_, i) => (i % 13 === 0 ? null : ['red', 'green', 'blue'][i % 3]!)),
    new Dictionary(new Utf8(), new Int32()),
  );
  const children = [
    bigints(new Int64(), ids),
    bigints(new Uint64(), Array.from({ length: N }, (_, i) => 2n ** 63n + BigInt(i))),
    makeData({ type: new Decimal(10, 38, 128), length: N, nullCount: wide.filter((v) => v === null).length, nullBitmap: validity(wide), data: dec128(wide) }),
    makeData({ type: new Decimal(2, 10, 128), length: N, nullCount: narrow.filter((v) => v === null).length, nullBitmap: validity(narrow), data: dec128(narrow) }),
    bigints(new TimestampMicrosecond(), micros),
    bigints(new TimestampNanosecond(), nanos),
    bigints(new TimestampMillisecond('America/New_York'), millisTz),
    makeData({ type: new DateDay(), length: N, data: Int32Array.from({ length: N }, (_, i) => 20_000 + i - 40_000) }),
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 4 === 0 ? null : i % 3 === 0)), new Bool()).data[0]!,
    vectorFromArray(texts, new Utf8()).data[0]!,
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 6 === 0 ? null : Uint8Array.of(i & 255, 0, 255))), new Binary()).data[0]!,
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 10 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : i + k)))), schemaField(new List(new Field('item', new Int32(), true)))).data[0]!,
    vectorFromArray(Array.from({ length: N }, (_, i) => (i % 8 === 0 ? null : { a: `s${i}`, b: i % 3 === 0 ? null : BigInt(i) })), new Struct([new Field('a', new Utf8(), true), new Field('b', new Int64(), true)])).data[0]!,
    cat.data[0]!,
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: N, children }));
  return { schema, batch, ids, wide, narrow, micros, nanos, millisTz, texts };
}

function schemaField<T>(t: T): T {
  return t;
}

describe('exact types', () => {
  it.each([
    ['on the calling thread', 8 * 1024 * 1024],
    ['through the worker thread', 1],
  ])('round-trips every supported Arrow type through parquet unchanged, across sliced batches (%s)', async (_, readAheadBytes) => {
    const { schema, batch, ids, wide, narrow, micros, nanos, millisTz, texts } = columns();
    const connector: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [{ name: 'all_types', schema, capabilities: Cap.READ }],
      async *read() {
        // Sliced batches start at offsets that are not multiples of 8 (bitmaps) or of the chunk size.
        yield batch.slice(0, 1237);
        yield batch.slice(1237, 3001);
        yield batch.slice(3001, N);
      },
    };
    const dir = extractDir('types');
    const stats = await new ConnectorRuntime(dir, { writer: { readAheadBytes } }).run(connector);
    expect(stats.errors).toEqual([]);
    const reader = await openExtract(dir);
    const meta = (await reader.meta())[0]!;
    expect(meta.schemaJson?.fields.map((f) => `${f.name} ${f.type}`)).toEqual([
      'id BIGINT',
      'u UBIGINT',
      'd38 DECIMAL(38,10)',
      'd10 DECIMAL(10,2)',
      'ts_us TIMESTAMP',
      'ts_ns TIMESTAMP_NS',
      'ts_ms_tz TIMESTAMP WITH TIME ZONE',
      'day DATE',
      'flag BOOLEAN',
      'txt VARCHAR',
      'bin BLOB',
      'tags INTEGER[]',
      'obj STRUCT("a" VARCHAR, "b" BIGINT)',
      'cat VARCHAR',
    ]);
    const rows = await reader.query(`
      SELECT id::VARCHAR AS id, u::VARCHAR AS u, d38::VARCHAR AS d38, d10::VARCHAR AS d10,
             epoch_us(ts_us)::VARCHAR AS ts_us, epoch_ns(ts_ns)::VARCHAR AS ts_ns, epoch_ms(ts_ms_tz)::VARCHAR AS ts_ms_tz,
             day::VARCHAR AS day, flag, txt, hex(bin) AS bin, tags::VARCHAR AS tags, obj::VARCHAR AS obj, cat
      FROM all_types`);
    expect(rows).toHaveLength(N);
    const scaled = (v: bigint | null, scale: number) => {
      if (v === null) return null;
      const neg = v < 0n;
      const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
      return `${neg ? '-' : ''}${s.slice(0, -scale)}.${s.slice(-scale)}`;
    };
    for (const i of [0, 1, 2, 3, 7, 8, 1236, 1237, 1238, 2047, 2048, 3000, 3001, 4999]) {
      const r = rows[i]!;
      expect(r.id).toBe(ids[i] === null ? null : String(ids[i]));
      expect(r.u).toBe(String(2n ** 63n + BigInt(i)));
      expect(r.d38).toBe(scaled(wide[i]!, 10));
      expect(r.d10).toBe(scaled(narrow[i]!, 2));
      expect(r.ts_us).toBe(String(micros[i]));
      expect(r.ts_ns).toBe(String(nanos[i]));
      expect(r.ts_ms_tz).toBe(String(millisTz[i]));
      expect(r.flag).toBe(i % 4 === 0 ? null : i % 3 === 0);
      expect(r.txt).toBe(texts[i]);
      expect(r.bin).toBe(i % 6 === 0 ? null : `${(i & 255).toString(16).padStart(2, '0').toUpperCase()}00FF`);
      expect(r.cat).toBe(i % 13 === 0 ? null : ['red', 'green', 'blue'][i % 3]);
      expect(r.tags).toBe(i % 10 === 0 ? null : `[${Array.from({ length: i % 4 }, (_, k) => (k === 1 ? 'NULL' : String(i + k))).join(', ')}]`);
      expect(r.obj).toBe(i % 8 === 0 ? null : `{'a': s${i}, 'b': ${i % 3 === 0 ? 'NULL' : i}}`);
    }
    const [days] = await reader.query(`SELECT min(day)::VARCHAR AS lo, max(day)::VARCHAR AS hi FROM all_types`);
    const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
    expect(days).toEqual({ lo: iso(-20_000), hi: iso(-20_000 + N - 1) });
    reader.close();
  });
});
