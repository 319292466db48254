import { AsyncLocalStorage } from 'node:async_hooks';
import { openDuckDbBackend } from './backends/duckdb.js';
import { openPostgresBackend } from './backends/postgres.js';
import type { Backend, BackendKind, ReleaseLock } from './backends/session.js';
import { toSystemDbError } from './errors/map-error.js';
import { SystemDbError } from './errors/system-db-error.js';
import { type Logger, silentLogger } from './logging/logger.js';
import { migrate } from './migrations/migrate.js';
import { buildRepositories, type Repositories } from './repositories/repositories.js';

/** Options of {@link openSystemDb}. */
export interface OpenSystemDbOptions {
  /** `postgres://…` (or `postgresql://…`): use PostgreSQL. Takes precedence over `path`. */
  readonly url?: string | undefined;
  /** The embedded DuckDB file, e.g. `<dataDir>/state/system.duckdb` (folders are created). */
  readonly path?: string | undefined;
  /** PostgreSQL only: the schema that holds the tables (sets `search_path`). */
  readonly schema?: string | undefined;
  /** PostgreSQL only: pool size; default 10. */
  readonly maxConnections?: number | undefined;
  /** Migration progress and backend warnings; silent by default. */
  readonly logger?: Logger | undefined;
  /**
   * Apply migrations only up to this version. For tests of upgrades; production leaves it
   * unset so the schema is always current.
   */
  readonly migrateTo?: number | undefined;
}

/** An open system database: every repository plus transactions and close. */
export interface SystemDb extends Repositories {
  readonly backend: BackendKind;
  /** The schema version after start-up migrations. */
  readonly schemaVersion: number;
  /**
   * Runs `fn` in one transaction with repositories bound to it: committed when `fn`
   * resolves, rolled back when it throws. Inside `fn` use only the repositories it gets;
   * calling this object's repositories there is refused with `invalid` (on DuckDB it
   * would wait for the transaction forever).
   */
  withTransaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Takes a named lock without waiting; undefined when another holder has it. On
   * PostgreSQL it is an advisory lock, so replicas sharing the database exclude each
   * other (one sync at a time across replicas); on DuckDB it is held in this process.
   */
  tryLock(name: string): Promise<ReleaseLock | undefined>;
  /** Closes the pool or releases the shared DuckDB connection. */
  close(): Promise<void>;
}

type AnyFunction = (...args: never[]) => Promise<unknown>;

/**
 * Wraps every method so that each error leaves as a SystemDbError, and, for the shared
 * handle, so that a call from inside a transaction callback fails fast.
 */
function guard<T extends object>(repository: T, insideTransaction: (() => boolean) | undefined, name: string): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(repository)) {
    const method = value as AnyFunction;
    wrapped[key] = async (...args: never[]) => {
      if (insideTransaction?.()) {
        throw new SystemDbError('invalid', `db.${name}.${key}() was called inside withTransaction; use the repositories passed to the callback`);
      }
      try {
        return await method(...args);
      } catch (error) {
        throw toSystemDbError(error);
      }
    };
  }
  return wrapped as T;
}

function guardAll(repositories: Repositories, insideTransaction?: () => boolean): Repositories {
  const entries = Object.entries(repositories).map(([name, repository]) => [name, guard(repository as object, insideTransaction, name)]);
  return Object.fromEntries(entries) as unknown as Repositories;
}

async function openBackend(options: OpenSystemDbOptions, logger: Logger): Promise<Backend> {
  if (options.url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.url)) {
      throw new SystemDbError('invalid', 'the system database URL must start with postgres:// or postgresql:// (or give a DuckDB path instead)');
    }
    return openPostgresBackend({ url: options.url, schema: options.schema, maxConnections: options.maxConnections }, logger);
  }
  if (options.path !== undefined && options.path.length > 0) return openDuckDbBackend(options.path, logger);
  throw new SystemDbError('invalid', 'openSystemDb needs a DuckDB path (e.g. data/state/system.duckdb) or a postgres:// URL');
}

/**
 * Opens the system database and brings its schema up to date: an older database is
 * upgraded in place, keeping its data. DuckDB by default (`path`); PostgreSQL when `url`
 * is a `postgres://` URL.
 *
 * @example
 * ```ts
 * const db = await openSystemDb({ path: join(dataDir, 'state', 'system.duckdb'), logger });
 * const admin = await db.users.create({ email: 'Ada@Example.com', passwordHash });
 * await db.groups.addMember(ADMIN_GROUP_ID, admin.id);
 * await db.close();
 * ```
 */
export async function openSystemDb(options: OpenSystemDbOptions): Promise<SystemDb> {
  const logger = options.logger ?? silentLogger;
  let backend: Backend;
  try {
    backend = await openBackend(options, logger);
  } catch (error) {
    throw toSystemDbError(error);
  }
  let schemaVersion: number;
  try {
    schemaVersion = (await migrate(backend, logger, options.migrateTo)).to;
  } catch (error) {
    await backend.close().catch(() => undefined);
    throw toSystemDbError(error);
  }

  const transactions = new AsyncLocalStorage<{ open: boolean }>();
  const insideTransaction = () => transactions.getStore()?.open === true;

  return {
    backend: backend.kind,
    schemaVersion,
    ...guardAll(buildRepositories(backend), insideTransaction),
    async withTransaction(fn) {
      if (insideTransaction()) throw new SystemDbError('invalid', 'withTransaction cannot be nested; use the repositories passed to the callback');
      try {
        return await backend.withTransaction((tx) => {
          const scope = { open: true };
          return transactions.run(scope, () => fn(guardAll(buildRepositories(tx)))).finally(() => {
            scope.open = false;
          });
        });
      } catch (error) {
        throw toSystemDbError(error);
      }
    },
    async tryLock(name) {
      try {
        return await backend.tryLock(name);
      } catch (error) {
        throw toSystemDbError(error);
      }
    },
    close: () => backend.close(),
  };
}
