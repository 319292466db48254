import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cap, createContext, type Logger, type TableInfo } from '@agnes/connector-kit';
import factory, { createPostgresConnector } from '../src/index.js';
import { createFixture, type Fixture, testContext, testDatabaseUrl } from './pg-fixture.js';

const url = testDatabaseUrl();

describe.skipIf(!url)('discover against PostgreSQL', () => {
  let fx: Fixture;
  const warnings: string[] = [];
  let tables: TableInfo[];

  beforeAll(async () => {
    fx = await createFixture(
      url!,
      `CREATE VIEW $S.recent AS SELECT id, label, updated_at FROM $S.everything;
       CREATE TABLE $S."Odd-Name" (k int PRIMARY KEY, modified_at timestamp);
       CREATE TABLE $S.no_key (updated_at timestamptz);
       CREATE TABLE $S."${'x'.repeat(60)}" (a int);`,
    );
    const logger: Logger = { ...createContext().logger, warn: (msg: string) => void warnings.push(msg) };
    const ctx = createContext({ secrets: { AGNES_PG_URL: url! }, logger });
    tables = await factory({ schemas: [fx.schema] }, ctx).discover!();
  });
  afterAll(async () => fx?.drop());

  const table = (suffix: string) => tables.find((t) => t.name === `${fx.schema}_${suffix}`)!;

  it('maps every column type exactly, with nullability from NOT NULL', () => {
    const t = table('everything');
    const types = Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toEqual({
      id: 'Int64',
      i2: 'Int16',
      i4: 'Int32',
      i8: 'Int64',
      f4: 'Float32',
      f8: 'Float64',
      n38: 'Decimal[38e+10]',
      n12: 'Decimal[12e+2]',
      nfree: 'Utf8',
      nwide: 'Utf8',
      flag: 'Bool',
      label: 'Utf8',
      code: 'Utf8',
      initial: 'Utf8',
      born: 'Date32<DAY>',
      seen: 'Timestamp<MICROSECOND>',
      updated_at: 'Timestamp<MICROSECOND, UTC>',
      uid: 'Utf8',
      doc: 'Utf8',
      raw: 'Utf8',
      blob: 'Binary',
      tags: 'List<Utf8>',
      scores: 'List<Int64>',
      amounts: 'List<Decimal[10e+2]>',
      spot: 'Utf8',
      span: 'Utf8',
    });
    // apache-arrow prints Decimal as [precision e+scale]; check the fields themselves too.
    const n38 = t.schema.fields.find((f) => f.name === 'n38')!.type as unknown as { precision: number; scale: number; bitWidth: number };
    expect([n38.precision, n38.scale, n38.bitWidth]).toEqual([38, 10, 128]);
    const notNull = t.schema.fields.filter((f) => !f.nullable).map((f) => f.name);
    expect(notNull).toEqual(['id', 'i4', 'updated_at']);
  });

  it('reports primary keys, a suggested incremental key and the table comment', () => {
    const t = table('everything');
    expect(t.primaryKey).toEqual(['id']);
    expect(t.incrementalKey).toBe('updated_at');
    expect(t.description).toBe('every supported type');
    expect(t.capabilities).toBe(Cap.READ);
    expect(table('odd_name').incrementalKey).toBe('modified_at');
  });

  it('suggests no incremental key without a primary key, and lists views', () => {
    expect(table('no_key').primaryKey).toBeUndefined();
    expect(table('no_key').incrementalKey).toBeUndefined();
    const view = table('recent');
    expect(view.schema.fields.map((f) => f.name)).toEqual(['id', 'label', 'updated_at']);
    expect(view.primaryKey).toBeUndefined();
  });

  it('sanitises names and skips, with a warning, those still invalid', () => {
    expect(tables.map((t) => t.name).sort()).toEqual(
      ['everything', 'no_key', 'odd_name', 'recent'].map((s) => `${fx.schema}_${s}`).sort(),
    );
    expect(warnings.some((w) => w.includes('x'.repeat(60)))).toBe(true);
  });

  it('narrows to config.tables and names the public schema\'s tables without a prefix', async () => {
    const only = await createPostgresConnector({ schemas: [fx.schema], tables: [`${fx.schema}.everything`, 'recent'] }, testContext(url!)).discover();
    expect(only.map((t) => t.name).sort()).toEqual([`${fx.schema}_everything`, `${fx.schema}_recent`]);
    const pub = await createPostgresConnector({}, testContext(url!)).discover();
    expect(pub.every((t) => !t.name.startsWith('public_'))).toBe(true);
  });
});
