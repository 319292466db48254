import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, FatalSourceError, type Logger } from '@agnes/connector-kit';
import { createCsvConnector } from './connector.js';

let dir: string;
const notes: string[] = [];
const logger: Logger = { debug: () => {}, info: (m) => notes.push(m), warn: (m) => notes.push(m), error: (m) => notes.push(m) };

async function all(iter: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of iter) out.push(b);
  return out;
}

const rowsOf = (batches: RecordBatch[]) => batches.flatMap((b) => b.toArray().map((r) => r.toJSON()));

async function copyToParquet(sql: string, file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`COPY (${sql}) TO '${file}' (FORMAT parquet)`);
  db.closeSync();
  instance.closeSync();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agnes-csv-'));
  writeFileSync(join(dir, 'people.csv'), 'id,name,born\n1,Ana,1990-01-02\n2,Bořek,\n3,"Chloé, Jr.",2001-12-31\n');
  writeFileSync(join(dir, 'scores.tsv'), 'who\tscore\nana\t1.5\nbob\t2\n');
  writeFileSync(join(dir, 'events.ndjson'), '{"id":1,"kind":"a"}\n{"id":2,"kind":"b"}\n');
  writeFileSync(join(dir, 'lines.json'), '{"id":1}\n{"id":2}\n{"id":3}\n');
  writeFileSync(join(dir, 'rows.json'), '[{"x":1.5,"ok":true},{"x":null,"ok":false}]');
  writeFileSync(join(dir, 'topology.json'), '{\n  "type": "Topology",\n  "objects": {}\n}');
  writeFileSync(join(dir, 'feature.json'), '{"type":"FeatureCollection","features":[]}');
  writeFileSync(join(dir, 'numbers.json'), '[1, 2, 3]');
  writeFileSync(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(dir, 'notes.txt'), 'not a table');
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'deep.csv'), 'a\n1\n');
  await copyToParquet(
    `SELECT * FROM (VALUES
      (9007199254740993::BIGINT, 12345678901234567890.123456::DECIMAL(38,6), 123.45::DECIMAL(9,2), TIMESTAMPTZ '2026-01-01 12:00:00.123456+00',
       TIMESTAMP '1969-12-31 23:59:59.999999', DATE '1900-03-01', 'ü😀', NULL::INTEGER, true, UUID '00000000-0000-0000-0000-000000000001'),
      (-9007199254740993::BIGINT, -0.000001::DECIMAL(38,6), -0.01::DECIMAL(9,2), NULL, NULL, NULL, NULL, 7, NULL, NULL)
    ) t(big, dec, small_dec, ts, naive, day, txt, maybe, flag, id)`,
    join(dir, 'exact.parquet'),
  );
  await copyToParquet(
    `SELECT * FROM (VALUES
      ([1, NULL, 3]::BIGINT[], {'city': 'Brno', 'at': DATE '2026-05-01', 'score': 1.25::DECIMAL(5,2)}, [{'k': 'a'}, NULL], [TIME '10:00:00']),
      (NULL, NULL, [], NULL),
      ([], {'city': NULL, 'at': NULL, 'score': NULL}, [{'k': NULL}], [])
    ) t(nums, place, tags, times)`,
    join(dir, 'shapes.parquet'),
  );
  await copyToParquet(
    `SELECT i AS id, i % 7 AS bucket, 'row ' || i AS label FROM range(25000) r(i)`,
    join(dir, 'big.parquet'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('discover', () => {
  it('lists tabular files as tables and skips the rest with a note', async () => {
    notes.length = 0;
    const tables = await createCsvConnector({ path: dir }, { logger }).discover!();
    expect(tables.map((t) => t.name)).toEqual(['big', 'events', 'exact', 'lines', 'people', 'rows', 'scores', 'shapes']);
    const log = notes.join('\n');
    expect(log).toMatch(/skipped logo\.png: not a tabular file type \(\.png\)/);
    expect(log).toMatch(/skipped notes\.txt: not a tabular file type/);
    expect(log).toMatch(/skipped topology\.json: a single JSON document/);
    expect(log).toMatch(/skipped feature\.json: a single JSON document/);
    expect(log).toMatch(/skipped numbers\.json: a JSON array that is empty or does not hold objects/);
    for (const t of tables) {
      expect(t.incrementalKey).toBeUndefined();
      expect(t.primaryKey).toBeUndefined();
    }
  });

  it('infers schemas with DuckDB and maps them to exact Arrow types', async () => {
    const tables = await createCsvConnector({ path: dir }).discover!();
    const types = (name: string) =>
      tables.find((t) => t.name === name)!.schema.fields.map((f) => `${f.name}:${String(f.type)}`);
    expect(types('people')).toEqual(['id:Int64', 'name:Utf8', 'born:Date32<DAY>']);
    expect(types('scores')).toEqual(['who:Utf8', 'score:Float64']);
    expect(types('exact')).toEqual([
      'big:Int64',
      'dec:Decimal[38e+6]',
      'small_dec:Decimal[9e+2]',
      'ts:Timestamp<MICROSECOND, UTC>',
      'naive:Timestamp<MICROSECOND>',
      'day:Date32<DAY>',
      'txt:Utf8',
      'maybe:Int32',
      'flag:Bool',
      'id:Utf8',
    ]);
    expect(types('shapes')).toEqual([
      'nums:List<Int64>',
      'place:Struct<{city:Utf8, at:Date32<DAY>, score:Decimal[5e+2]}>',
      'tags:List<Struct<{k:Utf8}>>',
      'times:Utf8',
    ]);
  });

  it('looks into sub-folders only when recursive', async () => {
    const flat = await createCsvConnector({ path: dir }).discover!();
    expect(flat.map((t) => t.name)).not.toContain('deep');
    const deep = await createCsvConnector({ path: dir, recursive: true }).discover!();
    expect(deep.find((t) => t.name === 'deep')?.description).toBe(`${join('nested', 'deep.csv')} (csv)`);
  });

  it('declares configured primary keys and refuses keys that name no column', async () => {
    const tables = await createCsvConnector({ path: dir, primaryKeys: { people: ['id'] } }).discover!();
    expect(tables.find((t) => t.name === 'people')!.primaryKey).toEqual(['id']);
    await expect(createCsvConnector({ path: dir, primaryKeys: { people: ['pk'] } }).discover!()).rejects.toThrow(
      /config\.primaryKeys\.people names "pk", not a column of people; columns: id, name, born/,
    );
  });
});

describe('read', () => {
  it('returns exact values: int64 beyond 2^53, decimals, timestamps, dates, unicode, nulls', async () => {
    const [batch, ...rest] = await all(createCsvConnector({ path: dir }).read!('exact', { batchSize: 100 }));
    expect(rest).toHaveLength(0);
    const rows = batch!.toArray().map((r) => r.toJSON());
    expect(rows[0]!.big).toBe(9007199254740993n);
    expect(rows[1]!.big).toBe(-9007199254740993n);
    expect(rows[0]!.txt).toBe('ü😀');
    expect(rows[1]!.txt).toBeNull();
    expect(rows[0]!.maybe).toBeNull();
    expect(rows[1]!.maybe).toBe(7);
    expect(rows[0]!.flag).toBe(true);
    expect(rows[1]!.flag).toBeNull();
    expect(rows[0]!.id).toBe('00000000-0000-0000-0000-000000000001');
    const ts = batch!.getChild('ts')!;
    expect(ts.data[0]!.values[0]).toBe(1_767_268_800_123_456n);
    expect(ts.isValid(1)).toBe(false);
    expect(batch!.getChild('naive')!.data[0]!.values[0]).toBe(-1n);
    expect(batch!.getChild('day')!.data[0]!.values[0]).toBe(-25_508);
    const unscaled = (column: string, i: number) => {
      const words = batch!.getChild(column)!.data[0]!.values as Uint32Array;
      return BigInt.asIntN(128, [3, 2, 1, 0].reduce((acc, w) => (acc << 32n) | BigInt(words[i * 4 + w]!), 0n));
    };
    expect(unscaled('dec', 0)).toBe(12345678901234567890123456n);
    expect(unscaled('dec', 1)).toBe(-1n);
    expect(unscaled('small_dec', 0)).toBe(12345n);
    expect(unscaled('small_dec', 1)).toBe(-1n);
  });

  it('reads CSV with dates, quoted fields and nulls, and TSV', async () => {
    const c = createCsvConnector({ path: dir });
    expect(rowsOf(await all(c.read!('people', { batchSize: 10 })))).toEqual([
      { id: 1n, name: 'Ana', born: Date.UTC(1990, 0, 2) },
      { id: 2n, name: 'Bořek', born: null },
      { id: 3n, name: 'Chloé, Jr.', born: Date.UTC(2001, 11, 31) },
    ]);
    expect(rowsOf(await all(c.read!('scores', { batchSize: 10 })))).toEqual([
      { who: 'ana', score: 1.5 },
      { who: 'bob', score: 2 },
    ]);
  });

  it('reads JSON arrays and NDJSON', async () => {
    const c = createCsvConnector({ path: dir });
    expect(rowsOf(await all(c.read!('rows', { batchSize: 10 })))).toEqual([
      { x: 1.5, ok: true },
      { x: null, ok: false },
    ]);
    expect(rowsOf(await all(c.read!('events', { batchSize: 10 })))).toEqual([
      { id: 1n, kind: 'a' },
      { id: 2n, kind: 'b' },
    ]);
    expect(rowsOf(await all(c.read!('lines', { batchSize: 10 }))).map((r) => r.id)).toEqual([1n, 2n, 3n]);
  });

  it('carries lists and structs as Arrow lists and structs, and other nested types as text', async () => {
    const [batch] = await all(createCsvConnector({ path: dir }).read!('shapes', { batchSize: 10 }));
    const nums = batch!.getChild('nums')!;
    expect([...nums.get(0)!]).toEqual([1n, null, 3n]);
    expect(nums.get(1)).toBeNull();
    expect([...nums.get(2)!]).toEqual([]);
    const place = batch!.getChild('place')!;
    expect(place.get(0)!.toJSON()).toEqual({ city: 'Brno', at: Date.UTC(2026, 4, 1), score: expect.anything() });
    const score = place.getChildAt(2)!.data[0]!.values as Uint32Array;
    expect(score[0]).toBe(125);
    expect(place.get(1)).toBeNull();
    expect(place.get(2)!.toJSON()).toEqual({ city: null, at: null, score: null });
    const tags = batch!.getChild('tags')!;
    expect([...tags.get(0)!].map((s) => s?.toJSON() ?? null)).toEqual([{ k: 'a' }, null]);
    expect([...tags.get(1)!]).toEqual([]);
    expect(batch!.getChild('times')!.get(0)).toBe("['10:00:00']");
  });

  it('streams in batches of about batchSize, with projection in schema order', async () => {
    const batches = await all(createCsvConnector({ path: dir }).read!('big', { batchSize: 10_000, columns: ['label', 'id'] }));
    expect(batches.map((b) => b.numRows).reduce((a, b) => a + b, 0)).toBe(25_000);
    expect(batches.length).toBe(3);
    expect(batches[0]!.numRows).toBeGreaterThanOrEqual(10_000);
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['id', 'label']);
    const ids = batches.flatMap((b) => [...b.getChild('id')!]);
    expect(ids[24_999]).toBe(24_999n);
    expect(batches[2]!.getChild('label')!.get(batches[2]!.numRows - 1)).toBe('row 24999');
  });

  it('refuses a projection naming an unknown column', async () => {
    const read = all(createCsvConnector({ path: dir }).read!('big', { batchSize: 10, columns: ['id', 'nope'] }));
    await expect(read).rejects.toThrow(ConfigError);
    await expect(all(createCsvConnector({ path: dir }).read!('big', { batchSize: 10, columns: ['nope'] }))).rejects.toThrow(
      /table big has no column "nope"; columns: id, bucket, label/,
    );
  });

  it('refuses an unknown table, naming the tables there are', async () => {
    await expect(all(createCsvConnector({ path: dir }).read!('nope', { batchSize: 10 }))).rejects.toThrow(/no table nope in .*; tables: big, events/);
  });

  it('stops reading when the signal aborts', async () => {
    const ctrl = new AbortController();
    let n = 0;
    for await (const _ of createCsvConnector({ path: dir }).read!('big', { batchSize: 2048, signal: ctrl.signal })) {
      n++;
      ctrl.abort();
    }
    expect(n).toBe(1);
  });

  it('stops reading when the host context aborts', async () => {
    const ctrl = new AbortController();
    let n = 0;
    for await (const _ of createCsvConnector({ path: dir }, { signal: ctrl.signal }).read!('big', { batchSize: 2048 })) {
      n++;
      ctrl.abort();
    }
    expect(n).toBe(1);
  });

  it('serves interleaved reads of two tables from one connector', async () => {
    const c = createCsvConnector({ path: dir });
    const a = c.read!('big', { batchSize: 2048 })[Symbol.asyncIterator]();
    const b = c.read!('big', { batchSize: 2048, columns: ['label'] })[Symbol.asyncIterator]();
    let rowsA = 0;
    let rowsB = 0;
    for (let doneA = false, doneB = false; !doneA || !doneB; ) {
      if (!doneA) {
        const r = await a.next();
        if (r.done) doneA = true;
        else rowsA += r.value.numRows;
      }
      if (!doneB) {
        const r = await b.next();
        if (r.done) doneB = true;
        else rowsB += r.value.numRows;
      }
    }
    expect([rowsA, rowsB]).toEqual([25_000, 25_000]);
  });

  it('fails the table, not silently, when a file changed type since discover', async () => {
    const local = mkdtempSync(join(tmpdir(), 'agnes-csv-change-'));
    try {
      writeFileSync(join(local, 'm.csv'), 'n\n1\n2\n');
      const c = createCsvConnector({ path: local });
      await c.discover!();
      writeFileSync(join(local, 'm.csv'), 'n\nx\ny\n');
      const read = all(c.read!('m', { batchSize: 10 }));
      await expect(read).rejects.toThrow(FatalSourceError);
      await expect(all(c.read!('m', { batchSize: 10 }))).rejects.toThrow(/m\.csv changed since discover \(n is VARCHAR, was BIGINT\)/);
      rmSync(join(local, 'm.csv'));
      await expect(all(c.read!('m', { batchSize: 10 }))).rejects.toThrow(/cannot read m\.csv as csv/);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});

describe('file access of the host', () => {
  it('refuses a folder outside the allowed roots and skips files whose symlinks lead out, also at read time', async () => {
    const local = mkdtempSync(join(tmpdir(), 'agnes-csv-access-'));
    try {
      const root = join(local, 'files');
      const secret = join(local, 'secret');
      mkdirSync(root);
      mkdirSync(secret);
      writeFileSync(join(root, 'ok.csv'), 'n\n1\n');
      writeFileSync(join(secret, 'passwd.csv'), 'user\nroot\n');
      symlinkSync(join(secret, 'passwd.csv'), join(root, 'leak.csv'));
      const fileAccess = { roots: [root], denied: [], setting: 'AGNES_SOURCE_ROOTS' };
      expect(() => createCsvConnector({ path: secret }, { fileAccess })).toThrow(ConfigError);
      expect(() => createCsvConnector({ path: secret }, { fileAccess })).toThrow(/config\.path .*secret is outside the folders sources may read \(AGNES_SOURCE_ROOTS: /);
      // Without a host restriction the connector reads where it is pointed.
      expect((await createCsvConnector({ path: root }).discover!()).map((t) => t.name).sort()).toEqual(['leak', 'ok']);

      const seen: string[] = [];
      const c = createCsvConnector({ path: root }, { fileAccess, logger: { ...logger, warn: (m) => seen.push(m) } });
      expect((await c.discover!()).map((t) => t.name)).toEqual(['ok']);
      expect(seen.join('\n')).toMatch(/skipped leak\.csv: .*passwd\.csv.* is outside the folders sources may read/);

      rmSync(join(root, 'ok.csv'));
      symlinkSync(join(secret, 'passwd.csv'), join(root, 'ok.csv'));
      await expect(all(c.read!('ok', { batchSize: 10 }))).rejects.toThrow(/ok\.csv: .* is outside the folders sources may read \(AGNES_SOURCE_ROOTS/);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});
