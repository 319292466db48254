import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Cap, type Connector, type TableInfo } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract, readExtractContents } from './index.js';
import { batchOf, extractDir, Schema } from './test-fixtures.js';

const schema = new Schema([
  new Field('id', new Int64(), false),
  new Field('at', new TimestampMicrosecond('UTC'), false),
  new Field('v', new Utf8(), true),
]);

interface Event {
  id: number;
  at: string;
  v: string;
}

function webhookConnector(tables: string[] = ['events']): Connector & { streamedBatches: number } {
  const info = (name: string): TableInfo => ({
    name,
    schema,
    capabilities: Cap.STREAM | Cap.READ,
    primaryKey: ['id'],
    partitionKey: 'at',
  });
  const c = {
    streamedBatches: 0,
    capabilities: Cap.DISCOVER | Cap.READ | Cap.STREAM,
    discover: async () => tables.map(info),
    async *read() {
      // Backfill: two months of history.
      yield batchOf(schema, {
        id: [100n, 101n],
        at: [Date.UTC(2026, 8, 30), Date.UTC(2026, 9, 1)],
        v: ['old-a', 'old-b'],
      });
    },
    async *stream(_table: string, { events }: { events: AsyncIterable<unknown> }) {
      for await (const raw of events) {
        const e = raw as Event;
        c.streamedBatches++;
        yield batchOf(schema, { id: [BigInt(e.id)], at: [Date.parse(e.at)], v: [e.v] });
      }
    },
  };
  return c;
}

async function* events(n: number, month = '2026-11', startId = 0): AsyncGenerator<Event> {
  for (let i = 0; i < n; i++) yield { id: startId + i, at: `${month}-0${1 + (i % 9)}T10:00:00Z`, v: `e${startId + i}` };
}

describe('ConnectorRuntime.runStream', () => {
  it('leaves the batch cursor and its key where the last batch run put them', async () => {
    const dir = extractDir();
    const rt = new ConnectorRuntime(dir);
    const connector = webhookConnector();
    await rt.run(connector, { tables: { events: { incrementalKey: 'at' } } });
    const before = (await readExtractContents(dir)).state.find((s) => s.tableName === 'events');
    expect(before).toMatchObject({ incrementalKey: 'at', cursorValue: expect.stringContaining('2026-10-01') });
    await rt.runStream(connector, 'events', { events: events(5) });
    const after = (await readExtractContents(dir)).state.find((s) => s.tableName === 'events');
    expect(after).toMatchObject({ incrementalKey: 'at', cursorValue: before?.cursorValue });
    expect(Object.keys(after?.parts ?? {}).sort()).toEqual(['2026-09', '2026-10', '2026-11']);
  });

  it('batches many small events into few partition writes and commits _meta each time', async () => {
    const dir = extractDir('hooks');
    const rt = new ConnectorRuntime(dir);
    const stats = await rt.runStream(webhookConnector(), 'events', { events: events(1000), flushRows: 250 });
    expect(stats).toMatchObject({ rows: 1000, flushes: 4, partitions: ['2026-11'] });
    const reader = await openExtract(dir);
    const [meta] = await reader.meta();
    expect(meta).toMatchObject({ tableName: 'events', rows: 1000, dataPath: 'data/events/*.parquet', queryMode: 'local' });
    const partHash = `sha256-${createHash('sha256').update(readFileSync(join(dir, 'data/events/2026-11.parquet'))).digest('hex')}`;
    const expected = `sha256-${createHash('sha256').update(`2026-11:${partHash}`).digest('hex')}`;
    expect(meta!.contentHash).toBe(expected);
    expect(await reader.query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events')).toEqual([{ n: 1000n, d: 1000n }]);
    reader.close();
  });

  it('flushes on the interval when events trickle in', async () => {
    const dir = extractDir('trickle');
    async function* slow(): AsyncGenerator<Event> {
      for (let i = 0; i < 3; i++) {
        yield { id: i, at: '2026-11-02T00:00:00Z', v: 'x' };
        await new Promise((r) => setTimeout(r, 120));
      }
    }
    const stats = await new ConnectorRuntime(dir).runStream(webhookConnector(), 'events', {
      events: slow(),
      flushRows: 1000,
      flushIntervalMs: 50,
    });
    expect(stats.flushes).toBe(3);
  });

  it('keeps backfill and stream rows in monthly partitions, latest row of a key wins', async () => {
    const dir = extractDir('mixed');
    const rt = new ConnectorRuntime(dir);
    const connector = webhookConnector();
    await rt.run(connector);
    expect(readdirSync(join(dir, 'data/events')).sort()).toEqual(['2026-09.parquet', '2026-10.parquet']);
    async function* update(): AsyncGenerator<Event> {
      yield { id: 101, at: '2026-10-01T00:00:00Z', v: 'updated-b' };
      yield { id: 7, at: '2026-11-05T00:00:00Z', v: 'new' };
    }
    await rt.runStream(connector, 'events', { events: update() });
    const reader = await openExtract(dir);
    expect(await reader.query('SELECT id, v FROM events ORDER BY id')).toEqual([
      { id: 7n, v: 'new' },
      { id: 100n, v: 'old-a' },
      { id: 101n, v: 'updated-b' },
    ]);
    expect((await reader.meta())[0]?.rows).toBe(3);
    reader.close();
  });

  it('serialises concurrent writers to one extract through the folder lock', async () => {
    const dir = extractDir('concurrent');
    const connector = webhookConnector(['events', 'other']);
    const writers = [
      new ConnectorRuntime(dir).runStream(connector, 'events', { events: events(300, '2026-11', 0), flushRows: 20 }),
      new ConnectorRuntime(dir).runStream(connector, 'events', { events: events(300, '2026-11', 1000), flushRows: 20 }),
      new ConnectorRuntime(dir).runStream(connector, 'other', { events: events(300, '2026-10', 0), flushRows: 20 }),
    ];
    await Promise.all(writers);
    const reader = await openExtract(dir);
    expect(await reader.query('SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM other) AS o')).toEqual([
      { e: 600n, o: 300n },
    ]);
    expect((await reader.meta()).map((m) => [m.tableName, m.rows])).toEqual([
      ['events', 600],
      ['other', 300],
    ]);
    reader.close();
  });
});

describe('cross-process stream writers', () => {
  it('never lose each other\'s commits when separate processes write one extract', async () => {
    const dir = extractDir('multiproc');
    const run = promisify(execFile);
    const child = fileURLToPath(new URL('./stream.fixture.ts', import.meta.url));
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const args = (table: string, start: number) => ['--conditions=@agnes/source', '--import', 'tsx', child, dir, table, String(start), '200'];
    await Promise.all([
      run(process.execPath, args('hooks', 0), { cwd }),
      run(process.execPath, args('hooks', 1000), { cwd }),
      run(process.execPath, args('other', 0), { cwd }),
    ]);
    const reader = await openExtract(dir);
    expect(await reader.query('SELECT (SELECT count(*) FROM hooks) AS h, (SELECT count(DISTINCT writer) FROM hooks) AS w, (SELECT count(*) FROM other) AS o')).toEqual([
      { h: 400n, w: 2n, o: 200n },
    ]);
    reader.close();
  }, 120_000);
});
