import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors/cli-error.js';

/** The layout of a workspace folder. */
export interface Workspace {
  readonly root: string;
  /** server/parquet: what `da sync` downloads. */
  readonly parquetDir: string;
  /** user/duckdb/analytics.duckdb: views over the parquet plus the analyst's own tables. */
  readonly database: string;
  /** .da: state.json, profiles, temp downloads. */
  readonly stateDir: string;
  readonly stateFile: string;
  readonly tmpDir: string;
  readonly profilesDir: string;
}

/** The paths of the workspace at `root`. */
export function workspaceAt(root: string): Workspace {
  const stateDir = join(root, '.da');
  return {
    root,
    parquetDir: join(root, 'server', 'parquet'),
    database: join(root, 'user', 'duckdb', 'analytics.duckdb'),
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    tmpDir: join(stateDir, 'tmp'),
    profilesDir: join(stateDir, 'profiles'),
  };
}

/** Path of a table's parquet relative to the workspace root, as the views name it. */
export function tableRelPath(table: string, part?: string): string {
  return part === undefined ? `server/parquet/${table}.parquet` : `server/parquet/${table}/${part}.parquet`;
}

/** What the last sync left, per table. */
export interface TableState {
  readonly hash: string | null;
  readonly rows: number | null;
  readonly size_bytes: number | null;
  readonly query_mode: 'local' | 'remote';
  readonly source: string;
  readonly description: string | null;
  /** Partitioned tables: part → hash. */
  readonly parts?: Readonly<Record<string, string>>;
  readonly synced_at: string;
}

/** .da/state.json */
export interface SyncState {
  readonly version: 1;
  readonly server: string | null;
  readonly last_sync: string | null;
  readonly tables: Readonly<Record<string, TableState>>;
  /** Signature of the views last written into analytics.duckdb. */
  readonly views: string | null;
}

/** An empty state for a fresh workspace. */
export const EMPTY_STATE: SyncState = { version: 1, server: null, last_sync: null, tables: {}, views: null };

/** Reads state.json; an absent file is an empty state. */
export async function readState(ws: Workspace): Promise<SyncState> {
  let text: string;
  try {
    text = await readFile(ws.stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as SyncState;
    return { ...EMPTY_STATE, ...parsed, tables: parsed.tables ?? {} };
  } catch (error) {
    throw new CliError('failure', `${ws.stateFile} is damaged`, { hint: 'delete it; the next `da sync` checks every table again', cause: error });
  }
}

/** Writes state.json atomically. */
export async function writeState(ws: Workspace, state: SyncState): Promise<void> {
  await mkdir(ws.stateDir, { recursive: true });
  const temp = `${ws.stateFile}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, ws.stateFile);
}
