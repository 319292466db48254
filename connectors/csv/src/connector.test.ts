import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type Logger } from '@agnes/connector-kit';
import { createCsvConnector } from './connector.js';
import factory from './index.js';

let dir: string;
const notes: string[] = [];
const logger: Logger = { debug: () => {}, info: (m) => notes.push(m), warn: (m) => notes.push(m), error: (m) => notes.push(m) };

async function all(iter: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of iter) out.push(b);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agnes-csv-'));
  writeFileSync(join(dir, 'people.csv'), 'id,name,born\n1,Ana,1990-01-02\n2,Bořek,\n3,"Chloé, Jr.",2001-12-31\n');
  writeFileSync(join(dir, 'events.ndjson'), '{"id":1,"kind":"a"}\n{"id":2,"kind":"b"}\n');
  writeFileSync(join(dir, 'rows.json'), '[{"x":1.5,"ok":true},{"x":null,"ok":false}]');
  writeFileSync(join(dir, 'topology.json'), '{\n  "type": "Topology",\n  "objects": {}\n}');
  writeFileSync(join(dir, 'numbers.json'), '[1, 2, 3]');
  writeFileSync(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'deep.csv'), 'a\n1\n');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT * FROM (VALUES
      (9007199254740993::BIGINT, 12345678901234567890.123456::DECIMAL(38,6), TIMESTAMPTZ '2026-01-01 12:00:00.123456+00', 'ü😀', NULL::INTEGER),
      (-9007199254740993::BIGINT, -0.000001::DECIMAL(38,6), NULL, NULL, 7)
    ) t(big, dec, ts, txt, maybe)) TO '${join(dir, 'exact.parquet')}' (FORMAT parquet)`);
  await db.run(`COPY (SELECT i AS id, i % 7 AS bucket, 'row ' || i AS label FROM range(25000) r(i)) TO '${join(dir, 'big.parquet')}' (FORMAT parquet)`);
});

describe('csv connector', () => {
  it('discovers tabular files as tables and skips the rest with a note', async () => {
    const c = createCsvConnector({ path: dir }, { logger });
    const tables = await c.discover!();
    expect(tables.map((t) => t.name)).toEqual(['big', 'events', 'exact', 'people', 'rows']);
    expect(notes.join('\n')).toMatch(/skipped logo.png: not a tabular file type/);
    expect(notes.join('\n')).toMatch(/skipped topology.json: a single JSON document/);
    expect(notes.join('\n')).toMatch(/skipped numbers.json: a JSON array whose items are not objects/);
    const people = tables.find((t) => t.name === 'people')!;
    expect(people.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['id:Int64', 'name:Utf8', 'born:Date32<DAY>']);
    const recursive = await createCsvConnector({ path: dir, recursive: true }).discover!();
    expect(recursive.map((t) => t.name)).toContain('deep');
  });

  it('reads exact values: int64 beyond 2^53, decimals, zoned timestamps, unicode, nulls', async () => {
    const c = createCsvConnector({ path: dir });
    const [batch] = await all(c.read!('exact', { batchSize: 100 }));
    const rows = batch!.toArray().map((r) => r.toJSON());
    expect(rows[0]!.big).toBe(9007199254740993n);
    expect(rows[1]!.big).toBe(-9007199254740993n);
    expect(String(batch!.getChild('dec')!.type)).toBe('Decimal[38e+6]');
    expect(rows[0]!.txt).toBe('ü😀');
    expect(rows[1]!.txt).toBeNull();
    expect(rows[0]!.maybe).toBeNull();
    expect(rows[1]!.maybe).toBe(7);
    const ts = batch!.getChild('ts')!;
    expect(String(ts.type)).toBe('Timestamp<MICROSECOND, UTC>');
    expect(ts.data[0]!.values[0]).toBe(1_767_268_800_123_456n);
    expect(ts.isValid(1)).toBe(false);
    const dec = batch!.getChild('dec')!.data[0]!.values as Uint32Array;
    const unscaled = (i: number) => BigInt.asIntN(128, [3, 2, 1, 0].reduce((acc, w) => (acc << 32n) | BigInt(dec[i * 4 + w]!), 0n));
    expect(unscaled(0)).toBe(12345678901234567890123456n);
    expect(unscaled(1)).toBe(-1n);
  });

  it('reads CSV with dates, quoted fields and nulls', async () => {
    const [b] = await all(createCsvConnector({ path: dir }).read!('people', { batchSize: 10 }));
    expect(b!.toArray().map((r) => r.toJSON())).toEqual([
      { id: 1n, name: 'Ana', born: Date.UTC(1990, 0, 2) },
      { id: 2n, name: 'Bořek', born: null },
      { id: 3n, name: 'Chloé, Jr.', born: Date.UTC(2001, 11, 31) },
    ]);
  });

  it('streams in batches of about batchSize, with projection', async () => {
    const batches = await all(createCsvConnector({ path: dir }).read!('big', { batchSize: 10_000, columns: ['label', 'id'] }));
    expect(batches.map((b) => b.numRows).reduce((a, b) => a + b, 0)).toBe(25_000);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['id', 'label']);
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

  it('refuses a missing folder with a message naming the field', () => {
    expect(() => createCsvConnector({ path: join(dir, 'nope') })).toThrow(ConfigError);
    expect(() => createCsvConnector({ path: join(dir, 'nope') })).toThrow(/config.path ".*nope" is not a folder/);
    expect(() => factory({}, { secrets: {}, logger, fetch: fetch as never })).toThrow(/config.path is required/);
  });
});
