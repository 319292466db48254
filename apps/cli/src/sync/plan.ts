import type { SyncState, TableState } from '../workspace/workspace.js';
import { tableRelPath } from '../workspace/workspace.js';

/** One table of GET /api/sync/manifest. */
export interface ManifestTable {
  readonly hash: string | null;
  readonly updated: string | null;
  readonly size_bytes: number | null;
  readonly rows: number | null;
  readonly query_mode: 'local' | 'remote';
  readonly source_type: string | null;
  readonly source: string;
  readonly description: string | null;
  readonly schema: readonly { name: string; type: string; nullable: boolean }[];
  readonly parts?: readonly { name: string; hash: string; size_bytes: number }[] | undefined;
}

/** The manifest body. */
export interface Manifest {
  readonly tables: Readonly<Record<string, ManifestTable>>;
  readonly server_time: string;
}

/** One file to fetch. */
export interface PlannedDownload {
  readonly table: string;
  readonly part: string | undefined;
  readonly hash: string;
  readonly size: number | null;
  /** Relative to the workspace root. */
  readonly target: string;
}

/** What happens to a table. */
export type TableAction = 'new' | 'updated' | 'unchanged' | 'remote' | 'removed' | 'invalid';

/** One table of the plan. */
export interface PlannedTable {
  readonly table: string;
  readonly action: TableAction;
  readonly downloads: readonly PlannedDownload[];
  /** Parts to delete (no longer on the server). */
  readonly dropParts: readonly string[];
  readonly entry: ManifestTable | undefined;
  readonly reason?: string;
}

/** The plan of a sync. */
export interface SyncPlan {
  readonly tables: readonly PlannedTable[];
  readonly downloadBytes: number;
}

const TABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const PART_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/;

/** Why a name from the server cannot be a local file name; undefined when it can. */
export function unsafeName(table: string, parts: readonly string[] = []): string | undefined {
  if (!TABLE_NAME.test(table)) return `the table name ${JSON.stringify(table)} is not a valid identifier`;
  const bad = parts.find((p) => !PART_NAME.test(p) || p.includes('..'));
  return bad === undefined ? undefined : `the part name ${JSON.stringify(bad)} is not a safe file name`;
}

/**
 * Compares the manifest with the local state: which tables are new, changed,
 * unchanged, remote or gone, and exactly which files to fetch. `exists` tells
 * whether a file named in the state is still on disk (a deleted file is fetched again).
 * With `only`, other tables are neither fetched nor removed.
 */
export function planSync(manifest: Manifest, state: SyncState, exists: (relPath: string) => boolean, only?: ReadonlySet<string>): SyncPlan {
  const tables: PlannedTable[] = [];
  const wanted = (name: string) => only === undefined || only.has(name.toLowerCase());
  for (const [table, entry] of Object.entries(manifest.tables)) {
    if (!wanted(table)) continue;
    const local: TableState | undefined = state.tables[table];
    const problem = unsafeName(table, (entry.parts ?? []).map((p) => p.name));
    if (problem) {
      tables.push({ table, action: 'invalid', downloads: [], dropParts: [], entry, reason: problem });
      continue;
    }
    if (entry.query_mode === 'remote') {
      tables.push({ table, action: 'remote', downloads: [], dropParts: local?.parts ? Object.keys(local.parts) : [], entry });
      continue;
    }
    const downloads: PlannedDownload[] = [];
    const dropParts: string[] = [];
    if (entry.parts) {
      const localParts = local?.parts ?? {};
      for (const part of entry.parts) {
        const target = tableRelPath(table, part.name);
        if (localParts[part.name] !== part.hash || !exists(target)) downloads.push({ table, part: part.name, hash: part.hash, size: part.size_bytes, target });
      }
      const current = new Set(entry.parts.map((p) => p.name));
      dropParts.push(...Object.keys(localParts).filter((p) => !current.has(p)));
    } else if (entry.hash) {
      const target = tableRelPath(table);
      if (local?.hash !== entry.hash || local.parts !== undefined || !exists(target)) downloads.push({ table, part: undefined, hash: entry.hash, size: entry.size_bytes, target });
    } else {
      tables.push({ table, action: 'invalid', downloads: [], dropParts: [], entry, reason: 'the manifest has no hash for this local table; ask an admin to re-sync it' });
      continue;
    }
    const changed = downloads.length > 0 || dropParts.length > 0 || (local !== undefined && local.hash !== entry.hash);
    const action: TableAction = local === undefined || local.query_mode === 'remote' ? 'new' : changed ? 'updated' : 'unchanged';
    tables.push({ table, action, downloads, dropParts, entry });
  }
  if (only === undefined) {
    for (const table of Object.keys(state.tables)) {
      if (!(table in manifest.tables)) tables.push({ table, action: 'removed', downloads: [], dropParts: [], entry: undefined });
    }
  }
  tables.sort((a, b) => a.table.localeCompare(b.table));
  const downloadBytes = tables.reduce((sum, t) => sum + t.downloads.reduce((s, d) => s + (d.size ?? 0), 0), 0);
  return { tables, downloadBytes };
}
