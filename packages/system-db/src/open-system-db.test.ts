import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../test/describe-backends.js';
import { isSystemDbError } from './errors/system-db-error.js';
import type { LogFields, Logger } from './logging/logger.js';
import { CURRENT_SCHEMA_VERSION } from './migrations/migrate.js';
import { openSystemDb } from './open-system-db.js';
import { ADMIN_GROUP_ID } from './repositories/admins.js';
import { hashToken } from './repositories/tokens.js';

describeBackends('system database', (backend) => {
  it('keeps named locks of different PostgreSQL schemas apart', async () => {
    if (backend.kind !== 'postgres') return;
    const options = backend.options();
    const admin = await backend.raw();
    const other = `${options.schema}_other`;
    await admin.exec(`CREATE SCHEMA IF NOT EXISTS ${other}`);
    try {
      const here = await backend.open();
      const there = await openSystemDb({ ...options, schema: other });
      try {
        const a = await here.tryLock('sync');
        const b = await there.tryLock('sync');
        expect([typeof a, typeof b]).toEqual(['function', 'function']);
        await a?.();
        await b?.();
      } finally {
        await there.close();
      }
    } finally {
      await admin.exec(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    }
  });

  it('lets one holder take a named lock until it releases it, also across handles', async () => {
    const first = await backend.open();
    const second = await backend.open();
    const release = await first.tryLock('sync');
    expect(release).toBeTypeOf('function');
    expect(await second.tryLock('sync')).toBeUndefined();
    expect(await first.tryLock('sync')).toBeUndefined();
    const other = await second.tryLock('another');
    expect(other).toBeTypeOf('function');
    await release?.();
    await release?.();
    const again = await second.tryLock('sync');
    expect(again).toBeTypeOf('function');
    await again?.();
    await other?.();
  });

  it('takes 200 concurrent inserts and updates without a lock error', async () => {
    const db = await backend.open();
    const seeded = await Promise.all(Array.from({ length: 20 }, (_, i) => db.users.create({ email: `seed${i}@example.com` })));
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i += 1) {
      const user = seeded[i % seeded.length];
      if (!user) throw new Error('unreachable');
      switch (i % 5) {
        case 0:
          work.push(db.users.create({ email: `user${i}@example.com`, name: `User ${i}` }));
          break;
        case 1:
          work.push(db.users.setPasswordHash(user.id, `hash-${i}`));
          break;
        case 2:
          work.push(db.audit.append({ actor: user.id, action: 'load.test', details: { i } }));
          break;
        case 3:
          work.push(db.sync.recordRun({ tableId: `t${i % 7}`, startedAt: new Date(), outcome: 'ok', rows: i }));
          break;
        default:
          work.push(db.tokens.create({ userId: user.id, name: `token ${i}`, tokenHash: hashToken(`token-${i}`) }));
      }
    }
    const results = await Promise.allSettled(work);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
    expect(failures).toEqual([]);
    expect(await db.users.count()).toBe(20 + 40);
    expect(await db.audit.listRecent({ action: 'load.test', limit: 1000 })).toHaveLength(40);
    expect(await db.sync.history({ limit: 1000 })).toHaveLength(40);
    expect((await db.sync.listStates()).map((s) => s.tableId)).toHaveLength(7);
    expect((await db.tokens.listAll()).length).toBe(40);
  });

  it('commits a transaction’s writes together', async () => {
    const db = await backend.open();
    const ada = await db.withTransaction(async (tx) => {
      const user = await tx.users.create({ email: 'ada@example.com' });
      await tx.groups.addMember(ADMIN_GROUP_ID, user.id);
      await tx.audit.append({ actor: user.id, action: 'user.create' });
      return user;
    });
    expect(await db.users.isAdmin(ada.id)).toBe(true);
    expect(await db.audit.listRecent()).toHaveLength(1);
  });

  it('rolls every write back when the transaction fails, and keeps writes made meanwhile outside it', async () => {
    const db = await backend.open();
    // Scheduled outside the transaction, so it runs in no transaction's context while the transaction is open.
    const outside = new Promise((resolve) => setTimeout(resolve, 10)).then(() => db.audit.append({ action: 'outside' }));
    await expect(
      db.withTransaction(async (tx) => {
        await tx.users.create({ email: 'ada@example.com' });
        await Promise.all([tx.audit.append({ action: 'inside 1' }), tx.audit.append({ action: 'inside 2' })]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.users.create({ email: 'ADA@example.com' });
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await outside;
    expect(await db.users.count()).toBe(0);
    expect((await db.audit.listRecent()).map((e) => e.action)).toEqual(['outside']);
  });

  it('refuses the outer repositories inside a transaction instead of hanging', async () => {
    const db = await backend.open();
    await expect(
      db.withTransaction(async () => {
        await db.users.create({ email: 'ada@example.com' });
      }),
    ).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('withTransaction') });
    await expect(db.withTransaction(() => db.withTransaction(async () => 1))).rejects.toMatchObject({ code: 'invalid' });
    // The database is still usable afterwards.
    await expect(db.users.create({ email: 'ada@example.com' })).resolves.toMatchObject({ email: 'ada@example.com' });
  });

  it('reports failures as SystemDbError without leaking query parameters', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const secretHash = hashToken('super-secret');
    await db.tokens.create({ userId: ada.id, name: 'one', tokenHash: secretHash });
    const error = await db.tokens.create({ userId: ada.id, name: 'two', tokenHash: secretHash }).catch((e: unknown) => e);
    expect(isSystemDbError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'conflict' });
    expect((error as Error).message).not.toContain('Failed query');
    expect((error as Error).cause).toBeDefined();
  });

  it('answers with backend errors once closed', async () => {
    const db = await backend.open();
    await db.close();
    await expect(db.users.list()).rejects.toMatchObject({ code: 'backend' });
    await db.close();
  });

  it('logs the migrations it applies through the given logger', async () => {
    const lines: [string, LogFields | undefined][] = [];
    const logger: Logger = { debug() {}, info: (m, f) => void lines.push([m, f]), warn() {}, error() {} };
    const db = await backend.open({ logger });
    expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(lines.map(([, f]) => f?.version)).toEqual(Array.from({ length: CURRENT_SCHEMA_VERSION }, (_, i) => i + 1));
  });
});

describe('openSystemDb', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agnes-system-db-open-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('needs a path or a postgres:// URL', async () => {
    await expect(openSystemDb({})).rejects.toMatchObject({ code: 'invalid' });
    await expect(openSystemDb({ url: 'mysql://localhost/agnes' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(openSystemDb({ url: 'postgres://localhost/agnes', schema: 'x; DROP TABLE users' })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('reports an unreachable PostgreSQL as a backend error', async () => {
    await expect(openSystemDb({ url: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toMatchObject({ code: 'backend' });
  });

  it('creates the folders of a DuckDB path and shares one connection per file', async () => {
    const path = join(dir, 'data', 'state', 'system.duckdb');
    const first = await openSystemDb({ path });
    const second = await openSystemDb({ path });
    expect(first.backend).toBe('duckdb');
    await first.users.create({ email: 'ada@example.com' });
    expect(await second.users.getByEmail('ada@example.com')).toBeDefined();
    await first.close();
    await expect(first.users.count()).rejects.toMatchObject({ code: 'backend' });
    // The shared connection stays open for the other handle until it closes too.
    expect(await second.users.count()).toBe(1);
    await second.close();
    const reopened = await openSystemDb({ path });
    expect(await reopened.users.count()).toBe(1);
    await reopened.close();
  });

  it('says which process holds a DuckDB file that another process has open', async () => {
    const path = join(dir, 'held', 'system.duckdb');
    const holder = await openSystemDb({ path });
    await holder.close();
    // DuckDB's file lock is per process: the holder must be another process.
    const script = `import { DuckDBInstance } from '@duckdb/node-api'; await DuckDBInstance.create(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      await once(child.stdout, 'data');
      const error = await openSystemDb({ path }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'locked', holderPid: child.pid });
      expect((error as Error).message).toBe(`the system database at ${path} is open in another process (PID ${child.pid})`);
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    const reopened = await openSystemDb({ path });
    await reopened.close();
  });
});
