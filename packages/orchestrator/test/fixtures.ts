/* Real extract folders written by the connector runtime, for orchestrator tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Decimal, Field, Int64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { Cap, type Connector, type TableInfo } from '@agnes/connector-kit';
import { ConnectorRuntime } from '@agnes/connector-runtime';
import type { Attacher, RemotePolicy } from '../src/index.js';

export function batch(schema: Schema, cols: Record<string, unknown[]>): RecordBatch {
  const length = Object.values(cols)[0]?.length ?? 0;
  const children = schema.fields.map((f) => vectorFromArray(cols[f.name] ?? [], f.type as DataType).data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, children }));
}

export function tableConnector(tables: { info: TableInfo; batch: RecordBatch }[], extra: Partial<Connector> = {}): Connector {
  return {
    capabilities: Cap.DISCOVER | Cap.READ | (extra.remote ? Cap.REMOTE : 0),
    discover: async () => tables.map((t) => t.info),
    async *read(name) {
      yield tables.find((t) => t.info.name === name)!.batch;
    },
    ...extra,
  };
}

const orders = new Schema([
  new Field('id', new Int64(), false),
  new Field('customer', new Utf8(), true),
  new Field('amount', new Decimal(2, 18, 128), true),
  new Field('created_at', new Utf8(), true),
]);
const people = new Schema([new Field('id', new Int64(), false), new Field('name', new Utf8(), true), new Field('salary', new Int64(), true)]);

function dec(values: bigint[]): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) {
      out[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return out;
}

export function ordersBatch(n = 5): RecordBatch {
  const ids = Array.from({ length: n }, (_, i) => 9_007_199_254_740_993n + BigInt(i));
  const children = [
    vectorFromArray(ids, new Int64()).data[0]!,
    vectorFromArray(Array.from({ length: n }, (_, i) => `c${i % 3}`), new Utf8()).data[0]!,
    makeData({ type: new Decimal(2, 18, 128), length: n, data: dec(Array.from({ length: n }, (_, i) => 12345678901234567n + BigInt(i))) }),
    vectorFromArray(Array.from({ length: n }, (_, i) => `2026-01-0${(i % 9) + 1}`), new Utf8()).data[0]!,
  ];
  return new RecordBatch(orders, makeData({ type: new Struct(orders.fields), length: n, children }));
}

/** A test "extension": ATTACHes a DuckDB file read-only (the real ones cannot be installed here). */
export const duckdbFileAttacher: Attacher = (row) => [`ATTACH '${row.url.replaceAll("'", "''")}' AS "${row.alias}" (READ_ONLY)`];

export const testPolicy: RemotePolicy = {
  extensions: ['keboola', 'bigquery', 'duckdb_file'],
  attachers: { duckdb_file: duckdbFileAttacher },
};

/** In every name of `hr.salaries`, the table analysts are never granted: a result holding it leaked. */
export const SECRET_MARKER = 'SECRET-7f3a-';

/** `<root>/extracts/{crm,hr,wh}` written by the runtime; `wh` is remote over a DuckDB file. */
export async function buildFixture(): Promise<{ root: string; extractsDir: string; target: string; warehouse: string }> {
  const root = mkdtempSync(join(tmpdir(), 'agnes-orch-'));
  const extractsDir = join(root, 'extracts');
  await new ConnectorRuntime(join(extractsDir, 'crm')).run(
    tableConnector([
      { info: { name: 'orders', schema: orders, capabilities: Cap.READ, primaryKey: ['id'] }, batch: ordersBatch() },
      {
        info: { name: 'customers', schema: people, capabilities: Cap.READ },
        batch: batch(people, { id: [1n, 2n, 3n], name: ['Ana', 'Bo', 'Cy'], salary: [null, null, null] }),
      },
    ]),
  );
  await new ConnectorRuntime(join(extractsDir, 'hr')).run(
    tableConnector([
      { info: { name: 'salaries', schema: people, capabilities: Cap.READ }, batch: batch(people, { id: [1n, 2n], name: [SECRET_MARKER + 'Ana', SECRET_MARKER + 'Bo'], salary: [100n, 200n] }) },
    ]),
  );
  const warehouse = join(root, 'warehouse.duckdb');
  const wh = await (await DuckDBInstance.create(warehouse)).connect();
  await wh.run(`CREATE TABLE sales AS SELECT i AS id, i * 10 AS total FROM range(4) r(i)`);
  wh.closeSync();
  await new ConnectorRuntime(join(extractsDir, 'wh')).run({
    capabilities: Cap.DISCOVER | Cap.REMOTE,
    discover: async () => [{ name: 'wh_sales', schema: new Schema([]), capabilities: Cap.REMOTE, remote: { alias: 'whcat', schema: 'main', table: 'sales' } }],
    remote: () => ({ extension: 'duckdb_file', url: warehouse, tokenEnv: 'KBC_TOKEN', alias: 'whcat' }),
  });
  return { root, extractsDir, target: join(root, 'analytics', 'server.duckdb'), warehouse };
}
