import type { DuckDBConnection } from '@duckdb/node-api';
import { MANAGED_TABLE } from './local-db.js';
import { quoteIdent, quoteLiteral } from '@agnes/connector-kit';

/** A table the views should show. */
export interface ViewSpec {
  readonly name: string;
  readonly kind: 'local' | 'remote';
  /** Parquet path or glob relative to the workspace root (local tables). */
  readonly path?: string;
  readonly source: string;
  readonly description: string | null;
}

/** What a rebuild did. */
export interface RebuildResult {
  readonly views: string[];
  readonly remote: string[];
  /** Server tables hidden by an analyst's table or view of the same name. */
  readonly shadowed: string[];
  /** Tables whose parquet could not be read; they get no view. */
  readonly broken: { name: string; reason: string }[];
}

/** A stable signature of a set of view specs, to skip rebuilding when nothing changed. */
export function viewsSignature(specs: readonly ViewSpec[]): string {
  return JSON.stringify([...specs].sort((a, b) => a.name.localeCompare(b.name)).map((s) => [s.name, s.kind, s.path ?? null]));
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/**
 * Replaces the CLI's views in analytics.duckdb in one transaction. Only objects
 * listed in `_da_views` are dropped, so the analyst's own tables and views survive; a
 * server table whose name the analyst already uses is skipped (theirs wins). Each
 * parquet is probed first: one broken file costs only its own view.
 */
export async function rebuildViews(connection: DuckDBConnection, specs: readonly ViewSpec[]): Promise<RebuildResult> {
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${MANAGED_TABLE} (name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, path VARCHAR, source VARCHAR, description VARCHAR, updated_at TIMESTAMP)`,
  );
  const managed = new Set((await rows(connection, `SELECT name FROM ${MANAGED_TABLE}`)).map((r) => String(r.name).toLowerCase()));
  const objects = await rows(connection, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()`);
  const theirs = new Set(objects.map((r) => String(r.table_name).toLowerCase()).filter((n) => !managed.has(n) && n !== MANAGED_TABLE));
  const result: RebuildResult = { views: [], remote: [], shadowed: [], broken: [] };
  const keep: ViewSpec[] = [];
  for (const spec of specs) {
    if (theirs.has(spec.name.toLowerCase())) {
      result.shadowed.push(spec.name);
      continue;
    }
    if (spec.kind === 'local') {
      try {
        await connection.run(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(spec.path ?? '')})`);
      } catch (error) {
        result.broken.push({ name: spec.name, reason: (error as Error).message.split('\n')[0] ?? 'unreadable' });
        continue;
      }
    }
    keep.push(spec);
  }
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const name of managed) await connection.run(`DROP VIEW IF EXISTS ${quoteIdent(name)}`);
    await connection.run(`DELETE FROM ${MANAGED_TABLE}`);
    for (const spec of keep) {
      if (spec.kind === 'local') {
        await connection.run(`CREATE VIEW ${quoteIdent(spec.name)} AS SELECT * FROM read_parquet(${quoteLiteral(spec.path ?? '')})`);
        result.views.push(spec.name);
      } else {
        result.remote.push(spec.name);
      }
      await connection.run(
        `INSERT INTO ${MANAGED_TABLE} VALUES (${quoteLiteral(spec.name)}, ${quoteLiteral(spec.kind)}, ${spec.path ? quoteLiteral(spec.path) : 'NULL'}, ${quoteLiteral(spec.source)}, ${spec.description === null ? 'NULL' : quoteLiteral(spec.description)}, now()::TIMESTAMP)`,
      );
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return result;
}
