import { SystemDbError } from '../errors/system-db-error.js';
import type { Logger } from '../logging/logger.js';
import type { BackendKind, Session } from '../backends/session.js';
import { duckdbMigrations } from './duckdb.js';
import type { Migration } from './migration.js';
import { postgresMigrations } from './postgres.js';

/** The same DDL on both backends: the table that records applied migrations. */
const CREATE_SCHEMA_VERSION = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)`;

/** The migrations of a backend, in version order. */
export function migrationsFor(kind: BackendKind): readonly Migration[] {
  return kind === 'duckdb' ? duckdbMigrations : postgresMigrations;
}

/** The schema version this code writes: the last migration's version. */
export const CURRENT_SCHEMA_VERSION: number = duckdbMigrations.at(-1)?.version ?? 0;

/** What {@link migrate} did. */
export interface MigrateResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly Migration[];
}

/**
 * Applies every pending migration (up to `target`, default all) in one transaction and
 * records each in `schema_version`. On PostgreSQL an advisory lock makes replicas that
 * start together take turns; the second one finds nothing left to do. A database newer
 * than this code is refused rather than written to.
 */
export async function migrate(session: Session, logger: Logger, target?: number): Promise<MigrateResult> {
  const migrations = migrationsFor(session.kind).filter((m) => target === undefined || m.version <= target);
  return session.withTransaction(async (tx) => {
    if (tx.kind === 'postgres') await tx.exec(`SELECT pg_advisory_xact_lock(hashtext('agnes-system-db:' || current_schema()))`);
    await tx.exec(CREATE_SCHEMA_VERSION);
    const rows = await tx.exec('SELECT max(version) AS version FROM schema_version');
    const from = Number(rows[0]?.version ?? 0);
    if (from > CURRENT_SCHEMA_VERSION) {
      throw new SystemDbError(
        'backend',
        `the system database is at schema version ${from}, newer than this code knows (${CURRENT_SCHEMA_VERSION}); upgrade Agnes before opening it`,
      );
    }
    const pending = migrations.filter((m) => m.version > from);
    for (const migration of pending) {
      logger.info('applying system database migration', { version: migration.version, name: migration.name });
      for (const statement of migration.statements) await tx.exec(statement);
      await tx.exec(
        `INSERT INTO schema_version (version, name) VALUES (${migration.version}, '${migration.name.replaceAll("'", "''")}')`,
      );
    }
    return { from, to: pending.at(-1)?.version ?? from, applied: pending };
  });
}
