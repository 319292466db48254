import type { BqField } from '../src/index.js';
import type { FakeBigQuery } from './fake-bigquery.js';

/** The SQL of the `orders` query table. */
export const ORDERS_SQL = 'SELECT * FROM shop.orders_enriched';

/** Every BigQuery type the connector maps, in one result. */
export const ORDERS_SCHEMA: BqField[] = [
  { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
  { name: 'amount', type: 'NUMERIC', mode: 'NULLABLE' },
  { name: 'big', type: 'BIGNUMERIC' },
  { name: 'ratio', type: 'FLOAT' },
  { name: 'paid', type: 'BOOLEAN' },
  { name: 'customer', type: 'STRING' },
  { name: 'payload', type: 'BYTES' },
  { name: 'order_date', type: 'DATE' },
  { name: 'local_time', type: 'DATETIME' },
  { name: 'updated_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'at_time', type: 'TIME' },
  { name: 'meta', type: 'JSON' },
  { name: 'tags', type: 'STRING', mode: 'REPEATED' },
  {
    name: 'address',
    type: 'RECORD',
    fields: [
      { name: 'city', type: 'STRING' },
      { name: 'zip', type: 'INTEGER' },
    ],
  },
];

/** 2^53 + 1: not representable as a JS number. */
export const BIG_ID = '9007199254740993';
/** 2026-01-01T00:00:00Z in microseconds. */
export const T0 = 1_767_225_600_000_000n;

/** One `orders` row in the REST `v` spelling; `i` picks the values. */
export function orderRow(i: number): unknown[] {
  const id = i === 0 ? BIG_ID : String(i);
  const nulls = i % 5 === 4;
  return [
    id,
    nulls ? null : i === 1 ? '-12345678901234567890123456789.123456789' : `${i}.5`,
    nulls ? null : '123456789012345678901234567890123456789.12345678901234567890123456789012345678',
    nulls ? null : i === 2 ? 'NaN' : i === 3 ? '-Infinity' : String(i / 4),
    nulls ? null : i % 2 === 0 ? 'true' : 'false',
    nulls ? null : `customer ${i} ✓ "quoted"`,
    nulls ? null : Buffer.from([0, 255, i % 256]).toString('base64'),
    nulls ? null : i === 1 ? '0001-01-01' : '2026-03-0' + ((i % 9) + 1),
    nulls ? null : `2026-03-01T10:20:30.${String(i).padStart(6, '0')}`,
    String(T0 + BigInt(i) * 60_000_001n),
    nulls ? null : `23:59:59.${String(999_990 + (i % 10)).padStart(6, '0')}`,
    nulls ? null : JSON.stringify({ n: i, ok: true }),
    nulls ? [] : [{ v: `tag${i}` }, { v: 'common' }],
    nulls ? null : { f: [{ v: `City ${i}` }, { v: i % 3 === 0 ? null : String(10_000 + i) }] },
  ];
}

/** Datasets, tables and the `orders` query the tests start from. */
export function seed(fake: FakeBigQuery, rows = 12): void {
  fake.datasets.set(
    'sales',
    new Map([
      ['orders', { schema: ORDERS_SCHEMA, description: 'All orders', primaryKey: ['id'] }],
      ['Customers-EU', { schema: [{ name: 'id', type: 'INT64', mode: 'REQUIRED' }, { name: 'name', type: 'STRING' }], type: 'VIEW' }],
    ]),
  );
  fake.datasets.set('staging', new Map([['raw_events', { schema: [{ name: 'payload', type: 'JSON' }] }]]));
  fake.queries.set(ORDERS_SQL, { schema: ORDERS_SCHEMA, rows: Array.from({ length: rows }, (_, i) => orderRow(i)), bytes: 5_000_000 });
}
