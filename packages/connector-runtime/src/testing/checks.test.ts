import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Int64, Schema, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Cap, type Connector, type TableInfo } from '@agnes/connector-kit';
import { batchOf, memoryConnector } from '../test-fixtures.js';
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
} from './index.js';

const schema = new Schema([
  new Field('id', new Int64(), false),
  new Field('name', new Utf8(), true),
  new Field('updated', new TimestampMicrosecond('UTC'), false),
]);
const info: TableInfo = { name: 'items', schema, capabilities: Cap.READ, primaryKey: ['id'], incrementalKey: 'updated' };

function rows(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), name: `n${from + i}`, updated: Date.UTC(2026, 0, 1) + (from + i) * 1000 }));
}

/** A well-behaved connector over a mutable row list (timestamps compared as ms). */
function good() {
  const state = { rows: rows(5) };
  const connector: Connector = {
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: async () => [info],
    async *read(_t, o) {
      const from = o.incrementalValue ? Date.parse(o.incrementalValue) : -Infinity;
      const selected = state.rows.filter((r) => r.updated >= from);
      for (let i = 0; i < selected.length; i += o.batchSize) {
        o.signal?.throwIfAborted();
        const s = selected.slice(i, i + o.batchSize);
        yield batchOf(schema, { id: s.map((r) => r.id), name: s.map((r) => r.name), updated: s.map((r) => r.updated) });
      }
    },
  };
  return { connector, state, addRows: async (_t: string, n: number) => void state.rows.push(...rows(n, state.rows.length)) };
}

async function violation(p: Promise<unknown>): Promise<ContractViolation> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ContractViolation);
  return e as ContractViolation;
}

describe('contract checks accept a good connector', () => {
  it('passes every plain check', async () => {
    const g = good();
    await checkCapabilitiesTruthful(g.connector);
    await checkDiscover(g.connector);
    await checkBatchesMatchSchema(g.connector);
    await checkPrimaryKeys(g.connector);
    await checkPipeline(g.connector);
    await checkIncremental(g.connector, { addRows: g.addRows });
    await checkRemoteSafe(g.connector);
    await checkAbort(g.connector);
  });
});

describe('contract checks reject a connector with the matching defect', () => {
  it('capability declared without its method, and method without capability', async () => {
    const { connector } = good();
    expect((await violation(checkCapabilitiesTruthful({ ...connector, capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE }))).message).toMatch(
      /Cap.REMOTE is declared but remote\(\) is missing/,
    );
    const extra = { ...connector, stream: async function* () {} } as Connector;
    expect((await violation(checkCapabilitiesTruthful(extra))).message).toMatch(/stream\(\) exists but Cap.STREAM is not declared/);
  });

  it('invalid and duplicate table names', async () => {
    for (const name of ['1bad', 'a-b']) {
      const { connector } = memoryConnector([{ info: { ...info, name }, rows: [] }]);
      expect((await violation(checkDiscover(connector))).message).toContain(`table name "${name}" is invalid`);
    }
    const { connector } = memoryConnector([
      { info: { ...info, name: 'T' }, rows: [] },
      { info: { ...info, name: 't' }, rows: [] },
    ]);
    expect((await violation(checkDiscover(connector))).message).toMatch(/collide/);
  });

  it('key columns that are not in the schema', async () => {
    const { connector } = memoryConnector([{ info: { ...info, primaryKey: ['nope'] }, rows: [] }]);
    expect((await violation(checkDiscover(connector))).message).toMatch(/key column "nope" is not in its schema/);
  });

  it('a batch whose column type differs from the declared one', async () => {
    const wrong = new Schema([new Field('id', new Utf8(), false), schema.fields[1]!, schema.fields[2]!]);
    const connector: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [info],
      async *read() {
        yield batchOf(wrong, { id: ['1'], name: ['a'], updated: [0] });
      },
    };
    expect((await violation(checkBatchesMatchSchema(connector))).message).toMatch(/column "id" is Utf8, declared Int64/);
    // The same connector breaks the pipeline: the runtime refuses the table.
    expect((await violation(checkPipeline(connector))).message).toMatch(/runtime.run failed table items/);
  });

  it('nulls in a NOT NULL column', async () => {
    const connector: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [info],
      async *read() {
        yield batchOf(schema, { id: [1n], name: ['a'], updated: [null] });
      },
    };
    expect((await violation(checkBatchesMatchSchema(connector))).message).toMatch(/"updated" is declared NOT NULL but holds 1 null/);
  });

  it('duplicate primary keys', async () => {
    const { connector } = memoryConnector([{ info, rows: [...rows(3), ...rows(1)] }]);
    expect((await violation(checkPrimaryKeys(connector))).message).toMatch(/primary key \["0"\] occurs more than once/);
  });

  it('a read that is not repeatable makes the view differ from what read() yields', async () => {
    let call = 0;
    const connector: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [{ ...info, incrementalKey: undefined }],
      async *read() {
        call++;
        yield batchOf(schema, { id: [1n], name: [`call ${call}`], updated: [0] });
      },
    };
    expect((await violation(checkPipeline(connector))).message).toMatch(/view items differs from what read\(\) yields/);
  });

  it('remote() with the token in the URL or as tokenEnv', async () => {
    const base = { capabilities: Cap.REMOTE };
    const cases: [Connector, RegExp][] = [
      [{ ...base, remote: () => ({ extension: 'keboola', url: 'https://user:pw@x.com', tokenEnv: 'KBC_TOKEN' }) }, /carries credentials/],
      [{ ...base, remote: () => ({ extension: 'keboola', url: 'https://x.com/?token=abc', tokenEnv: 'KBC_TOKEN' }) }, /secret-looking parameter/],
      [{ ...base, remote: () => ({ extension: 'keboola', url: 'https://x.com', tokenEnv: 'my token' }) }, /is not an environment variable name/],
      [{ ...base, remote: () => ({ extension: 'kbc-ext', url: 'https://x.com', tokenEnv: 'KBC_TOKEN' }) }, /extension name "kbc-ext" is invalid/],
    ];
    for (const [c, re] of cases) expect((await violation(checkRemoteSafe(c))).message).toMatch(re);
  });

  it('a read that ignores the abort signal', async () => {
    const connector: Connector = {
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [info],
      async *read() {
        for (let i = 0; i < 10; i++) yield batchOf(schema, { id: [BigInt(i)], name: ['x'], updated: [0] });
      },
    };
    expect((await violation(checkAbort(connector))).message).toMatch(/kept yielding batches after the signal aborted/);
  });

  it('an incremental read that ignores incrementalValue', async () => {
    const g = good();
    const ignoring: Connector = { ...g.connector, read: (t, o) => g.connector.read!(t, { ...o, incrementalValue: undefined }) };
    expect((await violation(checkIncremental(ignoring, { addRows: g.addRows }))).message).toMatch(/far future yielded 5 row/);
  });

  it('a manifest that disagrees with the connector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agnes-manifest-check-'));
    const file = join(dir, 'connector.yaml');
    writeFileSync(file, 'name: items\nversion: "0.1.0"\nentrypoint: ./dist/index.js\ncapabilities: [discover, read, stream]\n');
    expect((await violation(checkManifest(good().connector, file))).message).toMatch(
      /declares capabilities \[discover, read, stream\] but the connector has \[discover, read\]/,
    );
    writeFileSync(file, 'name: items\nversion: "0.1.0"\nentrypoint: ./dist/index.js\ncapabilities: [discover, read]\n');
    await checkManifest(good().connector, file);
  });
});
