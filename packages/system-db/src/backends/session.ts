import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** Which database holds the system schema. */
export type BackendKind = 'duckdb' | 'postgres';

/** The drizzle handle repositories query with; the same pg-core API on both backends. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** A row of a raw statement, with PostgreSQL-like JSON values. */
export type RawRow = Record<string, unknown>;

/**
 * A way to talk to the database: the shared handle, or the handle of one open
 * transaction. Repositories are built on a session and never know which one it is.
 */
export interface Session {
  readonly kind: BackendKind;
  readonly db: Db;
  /** Runs one raw statement without parameters (migrations, locks). */
  exec(statement: string): Promise<RawRow[]>;
  /**
   * Runs `fn` inside one transaction: committed when it resolves, rolled back when it
   * throws. Inside a transaction this simply calls `fn` with the same session (flat, no
   * savepoints).
   */
  withTransaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
}

/** Releases a lock taken with {@link Backend.tryLock}. */
export type ReleaseLock = () => Promise<void>;

/** An open backend: a session that can be closed. */
export interface Backend extends Session {
  /**
   * Takes the named lock if nobody holds it, without waiting: a PostgreSQL session
   * advisory lock (so it holds across replicas), or a lock inside this process for
   * DuckDB (one process owns the file). Undefined when it is held.
   */
  tryLock(name: string): Promise<ReleaseLock | undefined>;
  close(): Promise<void>;
}
