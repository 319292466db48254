import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Field, Float64, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { AuthError, Cap, ConfigError, type Connector, TransientSourceError } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract } from './index.js';
import { batchOf, extractDir, memoryConnector, Schema } from './test-fixtures.js';

const people = new Schema([
  new Field('id', new Int64(), false),
  new Field('name', new Utf8(), true),
  new Field('score', new Float64(), true),
]);

function peopleRows(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), name: `p${from + i}`, score: (from + i) / 2 }));
}

describe('ConnectorRuntime.run', () => {
  it('writes the extract exactly as the contract says', async () => {
    const dir = extractDir('crm');
    const { connector } = memoryConnector([
      { info: { name: 'people', schema: people, capabilities: Cap.READ, primaryKey: ['id'], description: "folks' \"quoted\" ; --" }, rows: peopleRows(2500) },
    ]);
    const stats = await new ConnectorRuntime(dir).run(connector);
    expect(stats).toMatchObject({ tablesExtracted: 1, tablesFailed: 0, totalRows: 2500, errors: [] });

    const reader = await openExtract(dir);
    try {
      const cols = await reader.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '_meta' AND table_catalog = 'extract' ORDER BY ordinal_position`,
      );
      expect(cols.map((c) => `${c.column_name}:${c.data_type}:${c.is_nullable}`)).toEqual([
        'table_name:VARCHAR:NO',
        'description:VARCHAR:YES',
        'rows:BIGINT:YES',
        'size_bytes:BIGINT:YES',
        'extracted_at:TIMESTAMP:YES',
        'query_mode:VARCHAR:NO',
        'schema_json:VARCHAR:YES',
        'content_hash:VARCHAR:YES',
        'data_path:VARCHAR:YES',
      ]);
      const [meta] = await reader.meta();
      expect(meta).toMatchObject({ tableName: 'people', description: "folks' \"quoted\" ; --", rows: 2500, queryMode: 'local' });
      expect(meta!.dataPath).toMatch(/^data\/people\.[a-z0-9]+\.parquet$/);
      expect(meta!.schemaJson).toEqual({
        fields: [
          { name: 'id', type: 'BIGINT', nullable: false },
          { name: 'name', type: 'VARCHAR', nullable: true },
          { name: 'score', type: 'DOUBLE', nullable: true },
        ],
      });
      const bytes = readFileSync(join(dir, meta!.dataPath!));
      expect(meta!.contentHash).toBe(`sha256-${createHash('sha256').update(bytes).digest('hex')}`);
      expect(meta!.sizeBytes).toBe(bytes.length);
      const [view] = await reader.query('SELECT count(*) AS n, sum(id) AS s FROM people');
      expect(view).toEqual({ n: 2500n, s: 3123750n });
      const codecs = await reader.query(
        `SELECT DISTINCT compression FROM parquet_metadata('${join(dir, meta!.dataPath!)}')`,
      );
      expect(codecs.map((c) => c.compression)).toEqual(['ZSTD']);
      const viewSql = await reader.query(`SELECT sql FROM duckdb_views() WHERE view_name = 'people'`);
      expect(String(viewSql[0]?.sql)).toContain(`'${meta!.dataPath}'`);
    } finally {
      reader.close();
    }
  });

  it('keeps views working after the extracts folder is moved', async () => {
    const dir = extractDir('moved');
    const { connector } = memoryConnector([{ info: { name: 'people', schema: people, capabilities: Cap.READ }, rows: peopleRows(10) }]);
    await new ConnectorRuntime(dir).run(connector);
    const elsewhere = join(dirname(dirname(dir)), 'copied', 'moved');
    mkdirSync(dirname(elsewhere), { recursive: true });
    cpSync(dir, elsewhere, { recursive: true });
    rmSync(dir, { recursive: true });
    const reader = await openExtract(elsewhere);
    expect(await reader.query('SELECT count(*) AS n FROM people')).toEqual([{ n: 10n }]);
    reader.close();
  });

  it('refuses invalid source and table names before writing anything', async () => {
    const bad = extractDir('my-source');
    expect(() => new ConnectorRuntime(bad)).toThrow(/source name "my-source" is invalid/);
    const dir = extractDir('ok');
    for (const name of ['1abc', 'a b', '_meta', 'x'.repeat(65)]) {
      const { connector } = memoryConnector([{ info: { name, schema: people, capabilities: Cap.READ }, rows: [] }]);
      await expect(new ConnectorRuntime(dir).run(connector)).rejects.toThrow(ConfigError);
      await expect(new ConnectorRuntime(dir).run(connector)).rejects.toThrow(new RegExp(`table name ${JSON.stringify(name).slice(0, 10)}`));
      expect(existsSync(dir)).toBe(false);
    }
    const { connector } = memoryConnector([
      { info: { name: 'Orders', schema: people, capabilities: Cap.READ }, rows: [] },
      { info: { name: 'orders', schema: people, capabilities: Cap.READ }, rows: [] },
    ]);
    await expect(new ConnectorRuntime(dir).run(connector)).rejects.toThrow(/collide/);
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps a failing table’s previous data and still commits the others', async () => {
    const dir = extractDir('iso');
    const a = { info: { name: 'a', schema: people, capabilities: Cap.READ }, rows: peopleRows(5), failWith: [] as Error[] };
    const b = { info: { name: 'b', schema: people, capabilities: Cap.READ }, rows: peopleRows(7) };
    const { connector } = memoryConnector([a, b]);
    const rt = new ConnectorRuntime(dir, { retries: 0 });
    await rt.run(connector);
    a.rows = peopleRows(50);
    a.failWith = [new Error('source exploded')];
    b.rows = peopleRows(70);
    const stats = await rt.run(connector);
    expect(stats.tablesFailed).toBe(1);
    expect(stats.errors).toEqual([{ table: 'a', code: 'fatal', message: 'source exploded' }]);
    const reader = await openExtract(dir);
    expect(await reader.query('SELECT (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM b) AS b')).toEqual([{ a: 5n, b: 70n }]);
    reader.close();
  });

  it('stops the run at the first refused credentials and keeps every table’s previous data', async () => {
    const dir = extractDir('auth');
    const a = { info: { name: 'a', schema: people, capabilities: Cap.READ }, rows: peopleRows(2), failWith: [] as Error[] };
    const b = { info: { name: 'b', schema: people, capabilities: Cap.READ }, rows: peopleRows(3) };
    const { connector, reads } = memoryConnector([a, b]);
    const rt = new ConnectorRuntime(dir);
    await rt.run(connector);
    a.failWith = [new AuthError('the API refused the token in MY_TOKEN')];
    const stats = await rt.run(connector);
    expect(stats.errors).toEqual([
      { table: 'a', code: 'auth', message: 'the API refused the token in MY_TOKEN' },
      { table: 'b', code: 'auth', message: 'not attempted: the API refused the token in MY_TOKEN' },
    ]);
    expect(reads.map((r) => r.table)).toEqual(['a', 'b', 'a']);
    const reader = await openExtract(dir);
    expect((await reader.meta()).map((m) => m.rows)).toEqual([2, 3]);
    reader.close();
  });

  it('retries a table after a transient source error', async () => {
    const dir = extractDir('retry');
    const t = {
      info: { name: 't', schema: people, capabilities: Cap.READ },
      rows: peopleRows(3),
      failWith: [new TransientSourceError('429', { retryAfterMs: 1 })],
    };
    const { connector, reads } = memoryConnector([t]);
    const stats = await new ConnectorRuntime(dir, { retries: 2 }).run(connector);
    expect(stats.tablesExtracted).toBe(1);
    expect(reads.length).toBe(2);
  });

  it('fails a table whose batches do not match its declared schema, naming the column', async () => {
    const dir = extractDir('mismatch');
    const other = new Schema([new Field('id', new Utf8(), false)]);
    const connector: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [{ name: 't', schema: people, capabilities: Cap.READ }],
      async *read() {
        yield batchOf(other, { id: ['x'] });
      },
    };
    const stats = await new ConnectorRuntime(dir).run(connector);
    expect(stats.errors[0]?.message).toMatch(/column 1 is id:VARCHAR, declared id:BIGINT/);
  });

  it('reports schema changes and refuses them under freeze', async () => {
    const dir = extractDir('evo');
    const t = { info: { name: 't', schema: people, capabilities: Cap.READ }, rows: peopleRows(3) };
    const { connector } = memoryConnector([t]);
    const rt = new ConnectorRuntime(dir);
    await rt.run(connector);
    const changed = new Schema([
      new Field('id', new Int64(), true),
      new Field('name', new Int64(), true),
      new Field('added', new Utf8(), true),
    ]);
    t.info = { ...t.info, schema: changed };
    t.rows = [{ id: 1n, name: 5n, added: 'x' }] as unknown as typeof t.rows;
    const frozen = await rt.run(connector, { tables: { t: { schemaPolicy: 'freeze' } } });
    expect(frozen.errors[0]).toMatchObject({ table: 't', code: 'schema' });
    let reader = await openExtract(dir);
    expect(await reader.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 3n }]);
    reader.close();
    const evolved = await rt.run(connector);
    expect(evolved.schemaChanges).toEqual([
      { table: 't', kind: 'nullability_changed', column: 'id', from: false, to: true },
      { table: 't', kind: 'type_changed', column: 'name', from: 'VARCHAR', to: 'BIGINT' },
      { table: 't', kind: 'added', column: 'added', type: 'VARCHAR' },
      { table: 't', kind: 'removed', column: 'score', type: 'DOUBLE' },
    ]);
    reader = await openExtract(dir);
    expect(await reader.query('SELECT * FROM t')).toEqual([{ id: 1n, name: 5n, added: 'x' }]);
    reader.close();
  });

  it('reads incrementally with ≥ and dedupes by primary key (upsert and append)', async () => {
    const schema = new Schema([
      new Field('id', new Int64(), false),
      new Field('v', new Utf8(), true),
      new Field('updated', new Int64(), false),
    ]);
    for (const strategy of ['upsert', 'append'] as const) {
      const dir = extractDir(`inc_${strategy}`);
      const t = {
        info: { name: 't', schema, capabilities: Cap.READ, primaryKey: ['id'], incrementalKey: 'updated' },
        rows: [
          { id: 1n, v: 'a', updated: 10n },
          { id: 2n, v: 'b', updated: 20n },
        ],
      };
      const { connector, reads } = memoryConnector([t]);
      const rt = new ConnectorRuntime(dir);
      await rt.run(connector, { tables: { t: { strategy } } });
      expect(reads[0]?.options.incrementalValue).toBeUndefined();
      // A row sharing the last cursor value arrives late, one row changes, one is new.
      t.rows = [
        { id: 1n, v: 'a', updated: 10n },
        { id: 2n, v: 'b', updated: 20n },
        { id: 3n, v: 'late', updated: 20n },
        { id: 1n, v: 'a2', updated: 30n },
      ].filter((r, i, all) => all.findLastIndex((x) => x.id === r.id) === i);
      const stats = await rt.run(connector, { tables: { t: { strategy } } });
      expect(reads[1]?.options).toMatchObject({ incrementalKey: 'updated', incrementalValue: '20' });
      expect(stats.totalRows).toBe(strategy === 'upsert' ? 3 : 3);
      const reader = await openExtract(dir);
      const rows = await reader.query('SELECT id, v FROM t ORDER BY id');
      expect(rows).toEqual(
        strategy === 'upsert'
          ? [{ id: 1n, v: 'a2' }, { id: 2n, v: 'b' }, { id: 3n, v: 'late' }]
          : [{ id: 1n, v: 'a' }, { id: 2n, v: 'b' }, { id: 3n, v: 'late' }],
      );
      // A future cursor returns nothing new and changes nothing.
      await rt.run(connector, { tables: { t: { strategy } } });
      expect(reads[2]?.options.incrementalValue).toBe('30');
      expect((await reader.meta())[0]?.rows).toBe(3);
      reader.close();
    }
  });

  it('refuses incremental reads without a primary key', async () => {
    const dir = extractDir('nopk');
    const { connector } = memoryConnector([
      { info: { name: 't', schema: people, capabilities: Cap.READ, incrementalKey: 'id' }, rows: [] },
    ]);
    await expect(new ConnectorRuntime(dir).run(connector)).rejects.toThrow(/incremental reads need a primary key/);
  });

  it('deletes unreferenced generations only after the next commit', async () => {
    const dir = extractDir('gc');
    const { connector } = memoryConnector([{ info: { name: 't', schema: people, capabilities: Cap.READ }, rows: peopleRows(2) }]);
    const rt = new ConnectorRuntime(dir);
    const files = () => readdirSync(join(dir, 'data')).sort();
    await rt.run(connector);
    const first = files();
    await rt.run(connector);
    expect(files()).toHaveLength(2);
    expect(files()).toContain(first[0]);
    await rt.run(connector);
    expect(files()).toHaveLength(2);
    expect(files()).not.toContain(first[0]);
  });

  it('records remote tables and attach info without secrets, and refuses leaky attach info', async () => {
    const dir = extractDir('wh');
    const base = {
      capabilities: Cap.DISCOVER | Cap.REMOTE,
      discover: async () => [
        { name: 'orders', schema: new Schema([]), capabilities: Cap.REMOTE, remote: { alias: 'kbc', schema: 'in.c-crm', table: 'orders' } },
      ],
    };
    await new ConnectorRuntime(dir).run({ ...base, remote: () => ({ extension: 'keboola', url: 'https://connection.keboola.com', tokenEnv: 'KBC_TOKEN', alias: 'kbc' }) });
    const reader = await openExtract(dir);
    expect(await reader.meta()).toMatchObject([{ tableName: 'orders', queryMode: 'remote', rows: null, dataPath: null, contentHash: null }]);
    expect(await reader.query('SELECT * FROM _remote_attach')).toEqual([
      { alias: 'kbc', extension: 'keboola', url: 'https://connection.keboola.com', token_env: 'KBC_TOKEN' },
    ]);
    expect(await reader.query('SELECT * FROM _remote_tables')).toEqual([
      { table_name: 'orders', alias: 'kbc', remote_schema: 'in.c-crm', remote_table: 'orders' },
    ]);
    reader.close();
    await expect(
      new ConnectorRuntime(dir).run({ ...base, remote: () => ({ extension: 'keboola', url: 'https://u:secret@x.com', tokenEnv: 'KBC_TOKEN' }) }),
    ).rejects.toThrow(/url carries credentials/);
    await expect(
      new ConnectorRuntime(dir).run({ ...base, remote: () => ({ extension: 'keboola', url: 'https://x.com', tokenEnv: 'abc-123-token' }) }),
    ).rejects.toThrow(/is not an environment variable name/);
  });

  it('reports progress and stops on cancellation', async () => {
    const dir = extractDir('cancel');
    const ctrl = new AbortController();
    const events: string[] = [];
    const { connector } = memoryConnector([
      { info: { name: 'a', schema: people, capabilities: Cap.READ }, rows: peopleRows(3000), batchRows: 500 },
      { info: { name: 'b', schema: people, capabilities: Cap.READ }, rows: peopleRows(10) },
    ]);
    const stats = await new ConnectorRuntime(dir).run(connector, {
      signal: ctrl.signal,
      onProgress: (e) => {
        events.push(`${e.table}:${e.phase}`);
        if (e.phase === 'read' && e.rows >= 1000) ctrl.abort();
      },
    });
    expect(events.slice(0, 2)).toEqual(['a:start', 'a:read']);
    expect(stats.errors.map((e) => `${e.table}:${e.code}`)).toEqual(['a:cancelled', 'b:cancelled']);
  });

  it('writes a large table through the worker thread with the same result', async () => {
    const dir = extractDir('big');
    const rows = peopleRows(60_000);
    const { connector } = memoryConnector([{ info: { name: 't', schema: people, capabilities: Cap.READ }, rows, batchRows: 5000 }]);
    await new ConnectorRuntime(dir, { writer: { readAheadBytes: 64 * 1024 } }).run(connector);
    const reader = await openExtract(dir);
    expect(await reader.query('SELECT count(*) AS n, sum(id) AS s, max(name) AS m FROM t')).toEqual([
      { n: 60_000n, s: 1_799_970_000n, m: 'p9999' },
    ]);
    reader.close();
  });
});

describe('timestamps', () => {
  it('stores µs timestamps with a zone as UTC instants', async () => {
    const dir = extractDir('ts');
    const schema = new Schema([new Field('at', new TimestampMicrosecond('Europe/Prague'), true)]);
    const { connector } = memoryConnector([
      { info: { name: 't', schema, capabilities: Cap.READ }, rows: [{ at: Date.UTC(2026, 0, 1, 12) }, { at: null }] },
    ]);
    await new ConnectorRuntime(dir).run(connector);
    const reader = await openExtract(dir);
    expect(await reader.query(`SELECT "at"::VARCHAR AS "at", typeof("at") AS t FROM t ORDER BY "at" NULLS LAST`)).toEqual([
      { at: '2026-01-01 12:00:00+00', t: 'TIMESTAMP WITH TIME ZONE' },
      { at: null, t: 'TIMESTAMP WITH TIME ZONE' },
    ]);
    reader.close();
  });
});

describe('run lock', () => {
  it('refuses a second concurrent run of the same source with a clear error', async () => {
    const dir = extractDir('busy');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [{ name: 't', schema: people, capabilities: Cap.READ }],
      async *read() {
        await gate;
        yield batchOf(people, { id: [1n], name: ['a'], score: [1] });
      },
    };
    const rt = new ConnectorRuntime(dir, { runLockWaitMs: 300 });
    const first = rt.run(slow);
    await new Promise((r) => setTimeout(r, 200));
    await expect(rt.run(slow)).rejects.toThrow(/another run of this source is in progress/);
    release();
    expect((await first).tablesExtracted).toBe(1);
  });
});
