import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  tableFromArrays,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { Cap, type Connector, FatalSourceError, type ReadOptions, type TableInfo } from '@agnes/connector-kit';
import { batchOf } from '../test-fixtures.js';
import {
  checkAbort,
  checkBatchesMatchSchema,
  checkCapabilitiesTruthful,
  checkDiscover,
  checkIncremental,
  checkManifest,
  checkPipeline,
  checkPrimaryKeys,
  checkRemoteSafe,
  ContractViolation,
  futureCursor,
  isContractViolation,
} from './index.js';

const schema = new Schema([
  new Field('id', new Int64(), false),
  new Field('name', new Utf8(), true),
  new Field('updated', new TimestampMicrosecond('UTC'), false),
]);
const info: TableInfo = { name: 'items', schema, capabilities: Cap.READ, primaryKey: ['id'], incrementalKey: 'updated' };
const T0 = Date.UTC(2026, 0, 1);

interface Row {
  id: bigint;
  name: string | null;
  updated: number;
}

function rows(n: number, from = 0): Row[] {
  return Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), name: `n${from + i}`, updated: T0 + (from + i) * 1000 }));
}

function batch(s: readonly Row[]): RecordBatch {
  return batchOf(schema, { id: s.map((r) => r.id), name: s.map((r) => r.name), updated: s.map((r) => r.updated) });
}

/**
 * A well-behaved connector over a mutable row list; `cmp` is how it applies the
 * cursor (timestamps compared as epoch ms), so tests can break just that.
 */
function good(cmp: (updated: number, from: number) => boolean = (u, f) => u >= f) {
  const state = { rows: rows(5) };
  const connector: Connector = {
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: async () => [info],
    async *read(_t: string, o: ReadOptions) {
      const from = o.incrementalValue === undefined ? undefined : Date.parse(o.incrementalValue);
      const selected = state.rows.filter((r) => from === undefined || cmp(r.updated, from));
      for (let i = 0; i < selected.length; i += o.batchSize) {
        o.signal?.throwIfAborted();
        yield batch(selected.slice(i, i + o.batchSize));
      }
    },
  };
  return { connector, state, addRows: async (_t: string, n: number) => void state.rows.push(...rows(n, state.rows.length)) };
}

/** A DISCOVER | READ connector over one table whose read() is `read`. */
function reading(table: TableInfo, read: (o: ReadOptions) => AsyncGenerator<RecordBatch>): Connector {
  return { capabilities: Cap.DISCOVER | Cap.READ, discover: async () => [table], read: (_t, o) => read(o) };
}

async function violation(p: Promise<unknown>, check: string): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ContractViolation);
  expect(isContractViolation(e)).toBe(true);
  expect((e as ContractViolation).check).toBe(check);
  return (e as ContractViolation).message;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

function manifestFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'agnes-manifest-check-'));
  tempDirs.push(dir);
  const file = join(dir, 'connector.yaml');
  writeFileSync(file, text);
  return file;
}

describe('the plain contract checks', () => {
  it('accept a well-behaved connector', async () => {
    const g = good();
    await checkCapabilitiesTruthful(g.connector);
    expect((await checkDiscover(g.connector)).map((t) => t.name)).toEqual(['items']);
    await checkBatchesMatchSchema(g.connector);
    await checkPrimaryKeys(g.connector);
    await checkPipeline(g.connector);
    await checkIncremental(g.connector, { addRows: g.addRows });
    await checkRemoteSafe(g.connector);
    await checkAbort(g.connector);
    await checkManifest(g.connector, manifestFile('name: items\nversion: "0.1.0"\nentrypoint: ./dist/index.js\ncapabilities: [discover, read]\n'));
  });
});

describe('checkCapabilitiesTruthful', () => {
  it('rejects a capability declared without its method', async () => {
    const { connector } = good();
    expect(await violation(checkCapabilitiesTruthful({ ...connector, capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE }), 'capabilities')).toMatch(
      /Cap.REMOTE is declared but remote\(\) is missing; implement it or drop the flag/,
    );
  });

  it('rejects a method present without its capability', async () => {
    const { connector } = good();
    const extra: Connector = { ...connector, stream: async function* () {} };
    expect(await violation(checkCapabilitiesTruthful(extra), 'capabilities')).toMatch(/stream\(\) exists but Cap.STREAM is not declared/);
  });

  it('rejects a declared read() that throws', async () => {
    const broken = reading(info, async function* () {
      throw new FatalSourceError('table gone');
    });
    expect(await violation(checkCapabilitiesTruthful(broken), 'capabilities')).toMatch(/read\('items'\) threw FatalSourceError: table gone/);
  });

  it('rejects unknown capability bits and an asynchronous remote()', async () => {
    const { connector } = good();
    expect(await violation(checkCapabilitiesTruthful({ ...connector, capabilities: Cap.DISCOVER | Cap.READ | 64 }), 'capabilities')).toMatch(/unknown bits \(64\)/);
    const remote = { capabilities: Cap.REMOTE, remote: () => Promise.resolve({ extension: 'x', url: 'x', tokenEnv: 'X' }) } as unknown as Connector;
    expect(await violation(checkCapabilitiesTruthful(remote), 'capabilities')).toMatch(/remote\(\) returned a Promise/);
  });
});

describe('checkDiscover', () => {
  const discovering = (...tables: TableInfo[]): Connector => ({ ...good().connector, discover: async () => tables });

  it('rejects invalid table names', async () => {
    for (const name of ['1bad', 'a-b', '_meta']) {
      expect(await violation(checkDiscover(discovering({ ...info, name })), 'discover')).toContain(`table name "${name}" is invalid`);
    }
  });

  it('rejects names that differ only in case', async () => {
    expect(await violation(checkDiscover(discovering({ ...info, name: 'T' }, { ...info, name: 't' })), 'discover')).toMatch(
      /"T" and "t" collide: names are compared case-insensitively/,
    );
  });

  it('rejects keys that are not columns, and an incremental key without a primary key', async () => {
    expect(await violation(checkDiscover(discovering({ ...info, primaryKey: ['nope'] })), 'discover')).toMatch(
      /primaryKey column "nope" is not in its schema \(columns: id, name, updated\)/,
    );
    expect(await violation(checkDiscover(discovering({ ...info, incrementalKey: 'when' })), 'discover')).toMatch(/incrementalKey column "when"/);
    expect(await violation(checkDiscover(discovering({ ...info, primaryKey: undefined })), 'discover')).toMatch(/incrementalKey "updated" needs a primaryKey/);
  });

  it('rejects table capabilities the connector lacks, a schema that is not an Arrow Schema or has no column, and an empty primaryKey', async () => {
    expect(await violation(checkDiscover(discovering({ ...info, capabilities: Cap.READ | Cap.STREAM })), 'discover')).toMatch(
      /capabilities \[read, stream\] are not a subset of the connector's \[discover, read\]; drop \[stream\]/,
    );
    const plain = { ...info, schema: { id: 'int64' } as unknown as Schema };
    expect(await violation(checkDiscover(discovering(plain)), 'discover')).toMatch(/schema must be an apache-arrow Schema/);
    const empty = { ...info, schema: new Schema([]), primaryKey: undefined, incrementalKey: undefined };
    expect(await violation(checkDiscover(discovering(empty)), 'discover')).toMatch(/needs at least one column/);
    expect(await violation(checkDiscover(discovering({ ...info, primaryKey: [] })), 'discover')).toMatch(/primaryKey must be a non-empty array/);
  });

  it('accepts a remote table with an empty schema', async () => {
    const remote: Connector = {
      capabilities: Cap.DISCOVER | Cap.REMOTE,
      discover: async () => [{ name: 'orders', schema: new Schema([]), capabilities: Cap.REMOTE }],
      remote: () => ({ extension: 'keboola', url: 'https://connection.keboola.com', tokenEnv: 'KBC_TOKEN' }),
    };
    await checkDiscover(remote);
  });
});

describe('checkBatchesMatchSchema', () => {
  it('rejects a batch whose column type differs from the declared one', async () => {
    const broken = reading(info, async function* () {
      // id as int32 where int64 is declared
      const t = tableFromArrays({ id: Int32Array.from([1]), name: ['a'], updated: [new Date(T0)] });
      yield t.batches[0]!;
    });
    expect(await violation(checkBatchesMatchSchema(broken), 'batches match schema')).toMatch(/column "id" is Int32, declared Int64/);
  });

  it('rejects nulls in a column declared not nullable', async () => {
    const broken = reading(info, async function* () {
      yield batchOf(schema, { id: [1n], name: ['a'], updated: [null] });
    });
    expect(await violation(checkBatchesMatchSchema(broken), 'batches match schema')).toMatch(/"updated" is declared not nullable but holds 1 null/);
  });

  it('rejects something that is not a RecordBatch', async () => {
    const broken = reading(info, async function* () {
      yield { id: 1 } as unknown as RecordBatch;
    });
    expect(await violation(checkBatchesMatchSchema(broken), 'batches match schema')).toMatch(/not an apache-arrow RecordBatch/);
  });

  it('accepts a dictionary-encoded column whose values have the declared type', async () => {
    const dictSchema = new Schema([new Field('id', new Int64(), false), new Field('name', new Dictionary(new Utf8(), new Int32()), true), schema.fields[2]!]);
    const encoded = reading(info, async function* () {
      const children = [
        vectorFromArray([1n, 2n], new Int64()).data[0]!,
        vectorFromArray(['a', 'a'], new Dictionary(new Utf8(), new Int32())).data[0]!,
        vectorFromArray([T0, T0], new TimestampMicrosecond('UTC')).data[0]!,
      ];
      yield new RecordBatch(dictSchema, makeData({ type: new Struct(dictSchema.fields), length: 2, children }));
    });
    await checkBatchesMatchSchema(encoded);
    await checkPipeline(encoded);
  });
});

describe('checkPrimaryKeys', () => {
  it('rejects duplicate primary keys', async () => {
    const broken = reading(info, async function* () {
      yield batch([...rows(3), ...rows(1)]);
    });
    expect(await violation(checkPrimaryKeys(broken), 'primary keys')).toMatch(/primary key \(id\) = \["0"\] occurs more than once/);
  });

  it('rejects a null primary key', async () => {
    const nullable = new Schema([new Field('id', new Int64(), true), schema.fields[1]!, schema.fields[2]!]);
    const broken = reading({ ...info, schema: nullable }, async function* () {
      yield batchOf(nullable, { id: [1n, null], name: ['a', 'b'], updated: [T0, T0] });
    });
    expect(await violation(checkPrimaryKeys(broken), 'primary keys')).toMatch(/a row has a null in its primary key \(id\)/);
  });

  it('reads at most sampleRows rows, stopping the connector early', async () => {
    let yielded = 0;
    let finished = false;
    const endless = reading({ ...info, incrementalKey: undefined }, async function* (o) {
      try {
        for (let i = 0; ; i++) {
          yielded++;
          yield batch(rows(o.batchSize, i * o.batchSize));
        }
      } finally {
        finished = true;
      }
    });
    await checkPrimaryKeys(endless, { sampleRows: 2_500 });
    expect(yielded).toBe(3);
    expect(finished).toBe(true);
  });
});

describe('checkPipeline', () => {
  it('turns a table the runtime fails (batches that do not match the schema) into a violation', async () => {
    const wrong = new Schema([new Field('id', new Utf8(), false), schema.fields[1]!, schema.fields[2]!]);
    const broken = reading(info, async function* () {
      yield batchOf(wrong, { id: ['1'], name: ['a'], updated: [T0] });
    });
    expect(await violation(checkPipeline(broken), 'pipeline')).toMatch(/runtime.run failed table items \(\w+\):/);
  });

  it('turns a read that fails during the run into a violation', async () => {
    const broken = reading(info, async function* () {
      yield batch(rows(2));
      throw new FatalSourceError('export job expired');
    });
    expect(await violation(checkPipeline(broken), 'pipeline')).toMatch(/failed table items \(fatal\): export job expired/);
  });

  it('refuses a discover() the runtime refuses', async () => {
    const broken: Connector = { ...good().connector, discover: async () => [{ ...info, name: 'a-b' }] };
    expect(await violation(checkPipeline(broken), 'pipeline')).toMatch(/runtime.run refused the connector/);
  });

  it('compares every written type exactly, nested values included', async () => {
    const wide = new Schema([
      new Field('id', new Int64(), false),
      new Field('tags', new List(new Field('item', new Utf8(), true)), true),
      new Field('dims', new Struct([new Field('w', new Int32(), true), new Field('h', new Float64(), true)]), true),
      new Field('at', new TimeMicrosecond(), true),
      new Field('day', new DateDay(), true),
      new Field('price', new Decimal(2, 12, 128), true),
      new Field('raw', new Binary(), true),
      new Field('ok', new Bool(), true),
    ]);
    const source = reading({ name: 'wide', schema: wide, capabilities: Cap.READ, primaryKey: ['id'] }, async function* () {
      yield batchOf(wide, {
        id: [1n, 2n, 3n],
        tags: [['a', null], [], null],
        dims: [{ w: 1, h: 2.5 }, { w: null, h: -0.1 }, null],
        at: [45_296_123_456n, 0n, null],
        day: [Date.UTC(2026, 10, 22), Date.UTC(1969, 11, 31), null],
        price: [Uint32Array.from([1234, 0, 0, 0]), Uint32Array.from([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), null],
        raw: [Uint8Array.from([0, 255]), new Uint8Array(0), null],
        ok: [true, false, null],
      });
    });
    await checkBatchesMatchSchema(source);
    await checkPipeline(source);
  });

  it('accepts a source whose rows change between reads: the view must hold what the run read', async () => {
    let call = 0;
    const changing = reading({ ...info, incrementalKey: undefined }, async function* () {
      call++;
      yield batch(rows(call + 1).map((r) => ({ ...r, name: `call ${call}` })));
    });
    await checkPipeline(changing);
    expect(call).toBe(1);
  });
});

describe('checkIncremental', () => {
  it('rejects a read that ignores incrementalValue', async () => {
    const g = good();
    const ignoring: Connector = { ...g.connector, read: (t, o) => g.connector.read!(t, { ...o, incrementalValue: undefined }) };
    expect(await violation(checkIncremental(ignoring, { addRows: g.addRows }), 'incremental')).toMatch(
      /incrementalValue "9999-12-31T23:59:59.999999Z" \(later than any row\) yielded 5 row\(s\)/,
    );
  });

  it('rejects a read that applies the cursor with > instead of ≥ (rows sharing the last cursor are lost)', async () => {
    /** addRows whose new rows share the last existing cursor value, which "at or after" allows. */
    const atLastCursor = (g: ReturnType<typeof good>) => async (_t: string, n: number) => {
      const at = g.state.rows.at(-1)!.updated;
      g.state.rows.push(...rows(n, g.state.rows.length).map((r) => ({ ...r, updated: at })));
    };
    const strict = good((u, f) => u > f);
    expect(await violation(checkIncremental(strict.connector, { addRows: atLastCursor(strict) }), 'incremental')).toMatch(
      /after addRows\(3\) the view has 5 rows, expected 5 \+ 3 = 8/,
    );
    const inclusive = good();
    await checkIncremental(inclusive.connector, { addRows: atLastCursor(inclusive) });
  });

  it('reports addRows without an incremental table', async () => {
    const { connector } = good();
    const plain: Connector = { ...connector, discover: async () => [{ ...info, incrementalKey: undefined }] };
    expect(await violation(checkIncremental(plain, { addRows: async () => undefined }), 'incremental')).toMatch(/no readable table declares both/);
  });

  it('spells the future cursor like the runtime spells the column type', () => {
    expect(futureCursor(new Field('t', new TimestampMicrosecond('UTC')))).toBe('9999-12-31T23:59:59.999999Z');
    expect(futureCursor(new Field('t', new TimestampMicrosecond()))).toBe('9999-12-31T23:59:59.999999');
    expect(futureCursor(new Field('n', new Int64()))).toBe('9223372036854775807');
    expect(futureCursor(new Field('s', new Utf8()))).toBe('\uffff');
  });
});

describe('checkRemoteSafe', () => {
  const remote = (info: Record<string, unknown>): Connector => ({ capabilities: Cap.REMOTE, remote: () => info as never });

  it('rejects a token inside the URL, a token as tokenEnv, and a bad extension', async () => {
    const cases: [Connector, RegExp][] = [
      [remote({ extension: 'keboola', url: 'https://user:s3cret@x.example.com', tokenEnv: 'KBC_TOKEN' }), /url carries credentials/],
      [remote({ extension: 'keboola', url: 'https://x.example.com/?token=abc', tokenEnv: 'KBC_TOKEN' }), /secret-looking parameter/],
      [remote({ extension: 'keboola', url: 'https://x.example.com/?api_key=abc', tokenEnv: 'KBC_TOKEN' }), /secret-looking parameter/],
      [remote({ extension: 'keboola', url: 'https://x.example.com', tokenEnv: 'my token' }), /tokenEnv "my token" is not an environment variable name/],
      [remote({ extension: 'kbc-ext', url: 'https://x.example.com', tokenEnv: 'KBC_TOKEN' }), /extension name "kbc-ext" is invalid/],
      [remote({ extension: 'keboola', url: 'https://x.example.com', tokenEnv: 'KBC_TOKEN', alias: 'a b' }), /alias name "a b" is invalid/],
    ];
    for (const [c, re] of cases) expect(await violation(checkRemoteSafe(c), 'remote')).toMatch(re);
  });

  it('rejects a remote() that throws, and accepts safe attach info', async () => {
    const throwing: Connector = {
      capabilities: Cap.REMOTE,
      remote: () => {
        throw new Error('no url configured');
      },
    };
    expect(await violation(checkRemoteSafe(throwing), 'remote')).toMatch(/remote\(\) threw Error: no url configured/);
    await checkRemoteSafe(remote({ extension: 'keboola', url: 'https://connection.keboola.com', tokenEnv: 'KBC_TOKEN', alias: 'kbc' }));
  });
});

describe('checkAbort', () => {
  it('rejects a read that ignores the abort signal and keeps yielding 10 batches', async () => {
    let yielded = 0;
    const deaf = reading(info, async function* () {
      for (let i = 0; i < 10; i++) {
        yielded++;
        yield batch(rows(1, i));
      }
    });
    expect(await violation(checkAbort(deaf), 'abort')).toMatch(/yielded more than 2 batches after the signal aborted/);
    expect(yielded).toBe(4); // the first, then one past the limit of two
  });

  it('accepts a read that finishes the batch in hand and returns', async () => {
    const lagging = reading(info, async function* (o) {
      for (let i = 0; i < 10; i++) {
        yield batch(rows(1, i));
        // One batch was already fetched when the abort came.
        if (o.signal?.aborted && i > 0) return;
      }
    });
    await checkAbort(lagging);
  });

  it('rejects a read that fails before any abort', async () => {
    const broken = reading(info, async function* () {
      throw new Error('boom');
    });
    expect(await violation(checkAbort(broken), 'abort')).toMatch(/threw Error: boom before the signal aborted/);
  });
});

describe('checkManifest', () => {
  const base = 'version: "0.1.0"\nentrypoint: ./dist/index.js\n';

  it('rejects capabilities that differ from the connector', async () => {
    const file = manifestFile(`name: items\n${base}capabilities: [discover, read, stream]\n`);
    expect(await violation(checkManifest(good().connector, file), 'manifest')).toMatch(
      /declares capabilities \[discover, read, stream\] but the connector has \[discover, read\]; make them the same/,
    );
  });

  it('rejects an invalid source name and a missing file', async () => {
    const file = manifestFile(`name: my-source\n${base}capabilities: [discover, read]\n`);
    expect(await violation(checkManifest(good().connector, file), 'manifest')).toMatch(/source name "my-source" is invalid/);
    expect(await violation(checkManifest(good().connector, join(tmpdir(), 'no-such-dir', 'connector.yaml')), 'manifest')).toMatch(
      /cannot read connector manifest/,
    );
  });
});
