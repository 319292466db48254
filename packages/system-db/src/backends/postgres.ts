import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { SystemDbError } from '../errors/system-db-error.js';
import type { Logger } from '../logging/logger.js';
import type { Backend, Session } from './session.js';

/** Connection options of the PostgreSQL backend. */
export interface PostgresBackendOptions {
  /** `postgres://user@host:port/database`. */
  readonly url: string;
  /** Schema to hold the system tables (`search_path`); default: the server's default. */
  readonly schema?: string | undefined;
  /** Pool size; default 10. */
  readonly maxConnections?: number | undefined;
}

const SCHEMA_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

/**
 * Opens a pooled PostgreSQL backend. Transactions take one client from the pool for
 * their whole life, so a transaction handle is a drizzle instance over that client.
 */
export async function openPostgresBackend(options: PostgresBackendOptions, logger: Logger): Promise<Backend> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new SystemDbError('invalid', `schema "${options.schema}" is not a plain identifier (letters, digits, _)`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (error) => logger.warn('idle PostgreSQL client failed', { error: error.message }));
  try {
    const probe = await pool.connect();
    probe.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new SystemDbError('backend', 'cannot connect to the PostgreSQL system database', { cause: error });
  }

  const withTransaction: Session['withTransaction'] = async (fn) => {
    const client = await pool.connect();
    let open = true;
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const db = drizzle({ client });
      const tx: Session = {
        kind: 'postgres',
        db,
        exec: async (statement) => {
          if (!open) throw new SystemDbError('invalid', 'a transaction handle was used after its transaction ended');
          return (await client.query(statement)).rows as Record<string, unknown>[];
        },
        withTransaction: (inner) => inner(tx),
      };
      try {
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
        throw error;
      }
    } finally {
      open = false;
      // A client whose ROLLBACK failed may be mid-transaction; drop it rather than reuse it.
      client.release(broken === undefined ? undefined : (broken as Error));
    }
  };

  return {
    kind: 'postgres',
    db: drizzle({ client: pool }),
    exec: async (statement) => (await pool.query(statement)).rows as Record<string, unknown>[],
    withTransaction,
    // A session advisory lock lives as long as its connection, so the client is kept
    // out of the pool until release; a crashed replica's lock goes with its connection.
    // Advisory locks are database-wide: the schema is part of the key, so deployments
    // sharing a database in different schemas do not exclude each other.
    tryLock: async (name) => {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ':' || $1, 0)) AS locked", [name]);
        if (rows[0]?.locked !== true) {
          client.release();
          return undefined;
        }
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        try {
          await client.query("SELECT pg_advisory_unlock(hashtextextended(current_schema() || ':' || $1, 0))", [name]);
          client.release();
        } catch (error) {
          client.release(error as Error);
        }
      };
    },
    close: async () => {
      if (pool.ended || pool.ending) return;
      await pool.end();
    },
  };
}
