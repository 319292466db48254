import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import * as schema from '../schema/index.js';
import { duckdbMigrations } from './duckdb.js';
import { CURRENT_SCHEMA_VERSION } from './migrate.js';
import { postgresMigrations } from './postgres.js';

/** The logical type of a column, whatever the dialect calls it. */
function logicalType(type: string): string {
  const t = type.toLowerCase();
  if (t === 'text' || t === 'varchar' || t === 'character varying') return 'text';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (t === 'bigserial' || t === 'bigint' || t === 'int8') return 'bigint';
  if (t === 'integer' || t === 'int4' || t === 'int') return 'integer';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  if (t === 'timestamp with time zone' || t === 'timestamptz') return 'timestamptz';
  return t;
}

const tables = Object.values(schema) as PgTable[];

describe('migrations', () => {
  it('list the same versions and names on both backends, in order', () => {
    const steps = (list: typeof duckdbMigrations) => list.map((m) => [m.version, m.name]);
    expect(steps(postgresMigrations)).toEqual(steps(duckdbMigrations));
    expect(duckdbMigrations.map((m) => m.version)).toEqual(duckdbMigrations.map((_, i) => i + 1));
    expect(CURRENT_SCHEMA_VERSION).toBe(duckdbMigrations.length);
  });

  it('never declare a foreign key, so both backends behave the same', () => {
    for (const migration of [...duckdbMigrations, ...postgresMigrations]) {
      for (const statement of migration.statements) expect(statement).not.toMatch(/REFERENCES|FOREIGN KEY/i);
    }
  });
});

describeBackends('migrations', (backend) => {
  it('bring a new database to the current version and seed the system groups', async () => {
    const db = await backend.open();
    expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    const raw = await backend.raw();
    const rows = await raw.exec('SELECT version, name FROM schema_version ORDER BY version');
    expect(rows.map((r) => [Number(r.version), r.name])).toEqual(duckdbMigrations.map((m) => [m.version, m.name]));
    expect((await db.groups.list()).map((g) => g.name)).toEqual(['Admin', 'Everyone']);
  });

  it('create exactly the tables and columns of the drizzle schema', async () => {
    await backend.open();
    const raw = await backend.raw();
    const where = backend.kind === 'postgres' ? 'table_schema = current_schema()' : `table_schema = 'main'`;
    const rows = await raw.exec(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE ${where} ORDER BY table_name, column_name`,
    );
    const actual = rows.map((r) => `${String(r.table_name)}.${String(r.column_name)} ${logicalType(String(r.data_type))}${r.is_nullable === 'NO' ? ' not null' : ''}`);
    const expected = tables
      .flatMap((table) => {
        const config = getTableConfig(table);
        return config.columns.map((c) => `${config.name}.${c.name} ${logicalType(c.getSQLType())}${c.notNull ? ' not null' : ''}`);
      })
      .sort();
    expect(actual.sort()).toEqual(expected);
  });

  it('upgrade a database made by an older version in place, keeping its data', async () => {
    const old = await backend.open({ migrateTo: 1 });
    expect(old.schemaVersion).toBe(1);
    const ada = await old.users.create({ email: 'ada@example.com', passwordHash: 'hash' });
    await old.groups.addMember('admin', ada.id);
    await old.audit.append({ actor: ada.id, action: 'user.create' });
    await expect(old.registry.list()).rejects.toMatchObject({ code: 'backend' });
    await old.close();

    const current = await backend.open();
    expect(current.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(await current.users.getByEmail('ada@example.com')).toEqual(ada);
    expect(await current.users.getPasswordHash(ada.id)).toBe('hash');
    expect(await current.users.isAdmin(ada.id)).toBe(true);
    expect((await current.audit.listRecent()).map((e) => e.action)).toEqual(['user.create']);
    await current.registry.register({ id: 'orders', source: 'shop' });
    await current.knowledge.insert({ title: 'works' });
    const raw = await backend.raw();
    expect((await raw.exec('SELECT version FROM schema_version ORDER BY version')).map((r) => Number(r.version))).toEqual(
      duckdbMigrations.map((m) => m.version),
    );
  });

  it('do nothing when the database is current', async () => {
    const first = await backend.open();
    await first.users.create({ email: 'ada@example.com' });
    await first.close();
    const again = await backend.open();
    expect(again.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(await again.users.count()).toBe(1);
    const raw = await backend.raw();
    expect(await raw.exec('SELECT count(*) AS n FROM schema_version')).toEqual([{ n: String(CURRENT_SCHEMA_VERSION) }]);
  });

  it('let two processes start at once: one migrates, the other finds it done', async () => {
    const [a, b] = await Promise.all([backend.open(), backend.open()]);
    expect(a.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(b.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect((await a.groups.list()).map((g) => g.name)).toEqual(['Admin', 'Everyone']);
  });

  it('refuse a database written by a newer version', async () => {
    const db = await backend.open();
    await db.close();
    const raw = await backend.raw();
    await raw.exec(`INSERT INTO schema_version (version, name) VALUES (${CURRENT_SCHEMA_VERSION + 1}, 'from the future')`);
    await raw.close();
    await expect(backend.open()).rejects.toMatchObject({ code: 'backend', message: expect.stringContaining('newer than this code') });
  });
});
