import { CliError } from '../errors/cli-error.js';
import { openLocalDb } from '../database/local-db.js';
import type { Workspace } from '../workspace/workspace.js';
import type { QueryResult } from './result.js';

/**
 * Runs SQL against the workspace's analytics.duckdb, offline. Reads and writes are
 * allowed: the analyst's own tables live in this file. `limit` 0 means no limit.
 */
export async function runLocalQuery(ws: Workspace, sql: string, limit: number): Promise<QueryResult> {
  const db = await openLocalDb(ws);
  try {
    let reader;
    try {
      reader = limit > 0 ? await db.connection.runAndReadUntil(sql, limit + 1) : await db.connection.runAndReadAll(sql);
    } catch (error) {
      throw new CliError('failure', `the query failed: ${(error as Error).message}`, { hint: 'check the SQL; `da status --local` lists the tables you have' });
    }
    const all = reader.getRowsJson();
    const truncated = limit > 0 && all.length > limit;
    const rows = truncated ? all.slice(0, limit) : all;
    return { columns: reader.columnNames(), types: reader.columnTypes().map((t) => t.toString()), rows, row_count: rows.length, truncated };
  } finally {
    db.close();
  }
}
