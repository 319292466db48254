import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { drizzle } from 'drizzle-orm/pg-proxy';
import { SystemDbError } from '../errors/system-db-error.js';
import type { Logger } from '../logging/logger.js';
import { SerialQueue } from './serial-queue.js';
import type { Backend, RawRow, Session } from './session.js';

/**
 * One DuckDB file open in this process: one instance, one connection, one queue. Every
 * `openSystemDb` of the same path shares it (DuckDB locks the file per process anyway),
 * and it closes when the last user closes.
 */
interface Core {
  readonly key: string;
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly queue: SerialQueue;
  /** Set while a transaction of this core runs in the current async context. */
  readonly inTransaction: AsyncLocalStorage<{ open: boolean }>;
  refs: number;
  closed: boolean;
  /** Names held with tryLock by any handle of this core. */
  readonly locks: Set<string>;
}

const cores = new Map<string, Promise<Core>>();
/** Files whose last handle is closing; a new open waits so two instances never hold one file. */
const closing = new Map<string, Promise<void>>();

type Method = 'all' | 'execute';

/**
 * drizzle's pg-proxy sends `$n` placeholders, which DuckDB binds as they are. DuckDB
 * cannot bind a JS Date ("Cannot create values of type ANY"), so instants go as ISO
 * strings; DuckDB casts them to the column's type.
 */
function toDuckValue(value: unknown): DuckDBValue {
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  return value as DuckDBValue;
}

/**
 * Arrays for `all` (drizzle maps by position) and objects otherwise; JSON text values
 * (timestamptz as `2026-01-02 03:04:05.6+00`, BIGINT as strings) are what drizzle's
 * PostgreSQL mappers expect.
 */
async function runQuery(connection: DuckDBConnection, sql: string, params: readonly unknown[], method: Method) {
  const result = await connection.runAndReadAll(sql, params.map(toDuckValue));
  return { rows: method === 'all' ? result.getRowsJson() : result.getRowObjectsJson() };
}

async function runRaw(connection: DuckDBConnection, statement: string): Promise<RawRow[]> {
  const result = await connection.runAndReadAll(statement);
  return result.getRowObjectsJson();
}

/**
 * DuckDB lets one process at a time open a file for writing; its refusal reads
 * `Could not set lock on file "…": Conflicting lock is held in /usr/bin/node (PID 123) …`.
 */
function openError(path: string, error: unknown): SystemDbError {
  const message = error instanceof Error ? error.message : String(error);
  if (!/Could not set lock on file/i.test(message)) return new SystemDbError('backend', `cannot open the system database at ${path}`, { cause: error });
  const pid = /\(PID (\d+)\)/.exec(message)?.[1];
  const holderPid = pid === undefined ? undefined : Number(pid);
  return new SystemDbError('locked', `the system database at ${path} is open in another process${holderPid === undefined ? '' : ` (PID ${holderPid})`}`, { cause: error, holderPid });
}

async function acquireCore(path: string): Promise<Core> {
  const key = path === ':memory:' ? `:memory:${Math.random()}` : resolve(path);
  await closing.get(key);
  const existing = cores.get(key);
  if (existing) {
    const core = await existing;
    core.refs += 1;
    return core;
  }
  const created = (async (): Promise<Core> => {
    if (path !== ':memory:') await mkdir(dirname(key), { recursive: true });
    // Offline machines: a missing extension should fail at once, not after a download attempt.
    const instance = await DuckDBInstance.create(path === ':memory:' ? ':memory:' : key, {
      autoinstall_known_extensions: 'false',
    });
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    return { key, instance, connection, queue: new SerialQueue(), inTransaction: new AsyncLocalStorage(), refs: 1, closed: false, locks: new Set<string>() };
  })();
  cores.set(key, created);
  try {
    return await created;
  } catch (error) {
    cores.delete(key);
    throw openError(path, error);
  }
}

function assertOpen(core: Core): void {
  if (core.closed) throw new SystemDbError('backend', 'the system database is closed');
}

/**
 * The shared handle waits for the queue, which an open transaction holds: using it from
 * inside that transaction would wait forever, so it fails at once instead.
 */
function assertNotInsideTransaction(core: Core): void {
  if (core.inTransaction.getStore()?.open) {
    throw new SystemDbError('invalid', 'the shared system database handle was used inside a transaction; use the transaction handle');
  }
}

function transactionSession(core: Core, logger: Logger): Session['withTransaction'] {
  return (fn) =>
    core.queue.run(async () => {
      assertOpen(core);
      // Statements of one transaction also run one at a time, so a Promise.all inside
      // `fn` is safe and ROLLBACK never overtakes a statement still running.
      const txQueue = new SerialQueue();
      const scope = { open: true };
      const direct = <T>(task: () => Promise<T>): Promise<T> =>
        txQueue.run(() => {
          if (!scope.open) throw new SystemDbError('invalid', 'a transaction handle was used after its transaction ended');
          return task();
        });
      const db = drizzle((sql, params, method) => direct(() => runQuery(core.connection, sql, params, method)));
      const tx: Session = {
        kind: 'duckdb',
        db,
        exec: (statement) => direct(() => runRaw(core.connection, statement)),
        withTransaction: (inner) => inner(tx),
      };
      await core.connection.run('BEGIN TRANSACTION');
      try {
        const result = await core.inTransaction.run(scope, () => fn(tx));
        await txQueue.idle();
        await core.connection.run('COMMIT');
        return result;
      } catch (error) {
        await txQueue.idle();
        try {
          await core.connection.run('ROLLBACK');
        } catch (rollbackError) {
          // A failed COMMIT already ended the transaction; the first error is the one to report.
          logger.debug('rollback after a failed transaction did not run', { error: String(rollbackError) });
        }
        throw error;
      } finally {
        scope.open = false;
      }
    });
}

/**
 * Opens (or joins) the process-wide DuckDB backend for `path`. Every statement goes
 * through one queue on one connection, so concurrent callers never meet a write-lock
 * error; transactions hold the queue from BEGIN to COMMIT.
 */
export async function openDuckDbBackend(path: string, logger: Logger): Promise<Backend> {
  const core = await acquireCore(path);
  let released = false;
  const assertHeld = () => {
    if (released) throw new SystemDbError('backend', 'the system database is closed');
  };
  const queued = <T>(task: () => Promise<T>): Promise<T> => {
    assertHeld();
    assertNotInsideTransaction(core);
    return core.queue.run(() => {
      assertOpen(core);
      return task();
    });
  };
  const db = drizzle((sql, params, method) => queued(() => runQuery(core.connection, sql, params, method)));
  return {
    kind: 'duckdb',
    db,
    exec: (statement) => queued(() => runRaw(core.connection, statement)),
    withTransaction: (fn) => {
      assertHeld();
      assertNotInsideTransaction(core);
      return transactionSession(core, logger)(fn);
    },
    tryLock: async (name) => {
      assertHeld();
      if (core.locks.has(name)) return undefined;
      core.locks.add(name);
      let free = false;
      return async () => {
        if (free) return;
        free = true;
        core.locks.delete(name);
      };
    },
    close: async () => {
      if (released) return;
      released = true;
      core.refs -= 1;
      if (core.refs > 0) return;
      cores.delete(core.key);
      const closed = core.queue.run(async () => {
        core.closed = true;
        core.connection.closeSync();
        core.instance.closeSync();
      });
      closing.set(core.key, closed.catch(() => undefined));
      try {
        await closed;
      } finally {
        closing.delete(core.key);
      }
    },
  };
}
