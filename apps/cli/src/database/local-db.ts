import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CliError } from '../errors/cli-error.js';
import type { Workspace } from '../workspace/workspace.js';

/** The table that lists what the CLI manages in analytics.duckdb; everything else is the analyst's. */
export const MANAGED_TABLE = '_da_views';

/** An open analytics.duckdb. */
export interface LocalDb {
  readonly connection: DuckDBConnection;
  close(): void;
}

/**
 * Opens the workspace database. Views name their parquet relative to the workspace
 * root (so the folder can move), hence `file_search_path` is the root.
 */
export async function openLocalDb(ws: Workspace, options: { create?: boolean; readOnly?: boolean } = {}): Promise<LocalDb> {
  if (!existsSync(ws.database)) {
    if (!options.create) {
      throw new CliError('not_found', `there is no local database at ${ws.database}`, { hint: 'run `da sync` in this folder first (or pass --dir / set DA_LOCAL_DIR to your workspace)' });
    }
    await mkdir(dirname(ws.database), { recursive: true });
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(ws.database, {
      ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      file_search_path: ws.root,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/lock/i.test(message)) {
      throw new CliError('failure', `${ws.database} is in use by another process`, { hint: 'close the other DuckDB session (or wait for a running `da sync`) and try again', cause: error });
    }
    throw new CliError('failure', `cannot open ${ws.database}: ${message}`, { hint: 'if the file is damaged, move it away and run `da sync` (your own tables live in it: keep a copy)', cause: error });
  }
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
