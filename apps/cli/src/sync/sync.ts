import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ApiClient, unwrap } from '../api/client.js';
import { openLocalDb } from '../database/local-db.js';
import { rebuildViews, viewsSignature, type RebuildResult, type ViewSpec } from '../database/rebuild.js';
import { CliError, isCliError } from '../errors/cli-error.js';
import { readState, tableRelPath, type SyncState, type TableState, type Workspace, writeState } from '../workspace/workspace.js';
import { lockWorkspace } from '../workspace/lock.js';
import { downloadVerified, forgetPartial, partialPaths } from './download.js';
import { type Manifest, type PlannedTable, planSync, type SyncPlan } from './plan.js';
import type { SyncProgress } from './progress.js';

/** Options of {@link runSync}. */
export interface SyncOptions {
  readonly api: ApiClient;
  readonly server: string;
  readonly workspace: Workspace;
  /** Only these tables (case-insensitive); others are neither fetched nor removed. */
  readonly only?: readonly string[];
  readonly dryRun?: boolean;
  /** Parallel downloads. Default 4. */
  readonly jobs?: number;
  readonly progress: SyncProgress;
  readonly warn: (line: string) => void;
  readonly retryBaseMs?: number;
}

/** One table in the report. */
export interface TableOutcome {
  readonly table: string;
  readonly status: 'new' | 'updated' | 'unchanged' | 'remote' | 'removed' | 'failed';
  readonly rows: number | null;
  readonly bytes: number;
  /** Files fetched (parts of a partitioned table count one each). */
  readonly files: number;
  readonly error?: string;
}

/** What a sync did (or, with dry-run, would do). */
export interface SyncReport {
  readonly dry_run: boolean;
  readonly tables: TableOutcome[];
  readonly summary: Record<'new' | 'updated' | 'unchanged' | 'remote' | 'removed' | 'failed', number>;
  readonly downloaded_bytes: number;
  readonly database_rebuilt: boolean;
  readonly warnings: string[];
  readonly views?: RebuildResult;
}

/** Runs `task` over `items` with at most `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

function summarize(tables: readonly TableOutcome[]): SyncReport['summary'] {
  const summary = { new: 0, updated: 0, unchanged: 0, remote: 0, removed: 0, failed: 0 };
  for (const t of tables) summary[t.status] += 1;
  return summary;
}

function specsOf(state: SyncState): ViewSpec[] {
  return Object.entries(state.tables).map(([name, t]) => ({
    name,
    kind: t.query_mode,
    ...(t.query_mode === 'local' ? { path: t.parts ? `server/parquet/${name}/*.parquet` : tableRelPath(name) } : {}),
    source: t.source,
    description: t.description,
  }));
}

/** The plan without touching anything. */
export async function fetchPlan(options: Pick<SyncOptions, 'api' | 'server' | 'workspace' | 'only'>): Promise<{ plan: SyncPlan; manifest: Manifest; state: SyncState }> {
  const manifest = (await unwrap(options.server, options.api.GET('/api/sync/manifest'))) as Manifest;
  const state = await readState(options.workspace);
  let only: Set<string> | undefined;
  if (options.only && options.only.length > 0) {
    only = new Set(options.only.map((t) => t.toLowerCase()));
    const known = new Set(Object.keys(manifest.tables).map((t) => t.toLowerCase()));
    const missing = [...only].filter((t) => !known.has(t));
    if (missing.length > 0) {
      throw new CliError('not_found', `no table ${missing.join(', ')} in your manifest`, { hint: 'see the tables you can sync with `da status`, or ask an admin for a grant' });
    }
  }
  const plan = planSync(manifest, state, (rel) => existsSync(join(options.workspace.root, rel)), only);
  return { plan, manifest, state };
}

/**
 * `da sync`: fetch the manifest, download changed files (verified, resumable, in
 * parallel), move them into place per table, update state.json, and rebuild the
 * views only when something changed. A failed table keeps its previous copy.
 */
export async function runSync(options: SyncOptions): Promise<SyncReport> {
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    options.warn(line);
  };
  if (options.dryRun) {
    const { plan } = await fetchPlan(options);
    const tables = plan.tables.map((t) => ({
      table: t.table,
      status: t.action === 'invalid' ? ('failed' as const) : t.action,
      rows: t.entry?.rows ?? null,
      bytes: t.downloads.reduce((s, d) => s + (d.size ?? 0), 0),
      files: t.downloads.length,
      ...(t.reason ? { error: t.reason } : {}),
    }));
    return { dry_run: true, tables, summary: summarize(tables), downloaded_bytes: 0, database_rebuilt: false, warnings };
  }
  // Locked before reading state.json, so the state compared is the one this sync replaces.
  const unlock = await lockWorkspace(options.workspace.stateDir);
  try {
    const { plan, state } = await fetchPlan(options);
    return await applyPlan(options, plan, state, warn, warnings);
  } finally {
    await unlock();
  }
}

/** Partial downloads of files no longer planned (e.g. a table since removed) are dropped. */
async function dropStalePartials(tmpDir: string, plan: SyncPlan): Promise<void> {
  const keep = new Set(plan.tables.flatMap((t) => t.downloads.flatMap((d) => Object.values(partialPaths(tmpDir, d)))));
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  for (const name of names) if (!keep.has(join(tmpDir, name))) await rm(join(tmpDir, name), { force: true });
}

async function applyPlan(options: SyncOptions, plan: SyncPlan, state: SyncState, warn: (line: string) => void, warnings: string[]): Promise<SyncReport> {
  const ws = options.workspace;
  const outcomes: TableOutcome[] = [];
  const tablesState: Record<string, TableState> = { ...state.tables };
  let downloaded = 0;
  let changed = false;
  const now = new Date().toISOString();

  const syncTable = async (t: PlannedTable) => {
    const entry = t.entry;
    if (t.action === 'invalid' || !entry) {
      outcomes.push({ table: t.table, status: 'failed', rows: null, bytes: 0, files: 0, error: t.reason ?? 'invalid' });
      return;
    }
    const bytes = t.downloads.reduce((s, d) => s + (d.size ?? 0), 0);
    try {
      const verified: { from: string; to: string; d: (typeof t.downloads)[number] }[] = [];
      for (const d of t.downloads) {
        const key = d.part === undefined ? d.table : `${d.table}/${d.part}`;
        options.progress.start(key, key, d.size);
        try {
          const file = await downloadVerified(d, {
            api: options.api,
            server: options.server,
            tmpDir: ws.tmpDir,
            onBytes: (n) => options.progress.bytes(key, n),
            ...(options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs }),
          });
          verified.push({ from: file, to: join(ws.root, d.target), d });
          options.progress.finish(key, 'ok');
        } catch (error) {
          options.progress.finish(key, 'failed');
          throw error;
        }
      }
      // Every file of the table is verified: only now does the previous copy change.
      const local = state.tables[t.table];
      if (entry.parts && local !== undefined && !local.parts) await rm(join(ws.root, tableRelPath(t.table)), { force: true });
      if (!entry.parts && local?.parts) await rm(join(ws.parquetDir, t.table), { recursive: true, force: true });
      for (const v of verified) {
        await mkdir(dirname(v.to), { recursive: true });
        await rename(v.from, v.to);
        await forgetPartial(ws.tmpDir, v.d);
        downloaded += v.d.size ?? 0;
      }
      for (const part of t.dropParts) await rm(join(ws.root, tableRelPath(t.table, part)), { force: true });
      if (entry.query_mode === 'remote' && local?.query_mode === 'local') {
        await rm(join(ws.root, tableRelPath(t.table)), { force: true });
        await rm(join(ws.parquetDir, t.table), { recursive: true, force: true });
      }
      tablesState[t.table] = {
        hash: entry.hash,
        rows: entry.rows,
        size_bytes: entry.size_bytes,
        query_mode: entry.query_mode,
        source: entry.source,
        description: entry.description,
        ...(entry.parts ? { parts: Object.fromEntries(entry.parts.map((p) => [p.name, p.hash])) } : {}),
        synced_at: t.action === 'unchanged' ? (local?.synced_at ?? now) : now,
      };
      if (t.action !== 'unchanged') changed = true;
      outcomes.push({ table: t.table, status: t.action === 'remote' ? 'remote' : t.action, rows: entry.rows, bytes, files: verified.length });
    } catch (error) {
      const message = isCliError(error) ? error.message : (error as Error).message;
      outcomes.push({ table: t.table, status: 'failed', rows: entry.rows, bytes, files: 0, error: message });
    }
  };

  const active = plan.tables.filter((t) => t.action !== 'removed');
  const withDownloads = active.filter((t) => t.downloads.length > 0);
  const rest = active.filter((t) => t.downloads.length === 0);
  try {
    await pool(withDownloads, options.jobs ?? 4, syncTable);
  } finally {
    options.progress.stop();
  }
  for (const t of rest) await syncTable(t);

  for (const t of plan.tables.filter((p) => p.action === 'removed')) {
    await rm(join(ws.root, tableRelPath(t.table)), { force: true });
    await rm(join(ws.parquetDir, t.table), { recursive: true, force: true });
    delete tablesState[t.table];
    changed = true;
    outcomes.push({ table: t.table, status: 'removed', rows: null, bytes: 0, files: 0 });
  }

  if (!options.only || options.only.length === 0) await dropStalePartials(ws.tmpDir, plan);
  const next: SyncState = { ...state, version: 1, server: options.server, last_sync: now, tables: tablesState };
  const specs = specsOf(next);
  const signature = viewsSignature(specs);
  let views: RebuildResult | undefined;
  const rebuild = changed || signature !== state.views || !existsSync(ws.database);
  if (rebuild) {
    const db = await openLocalDb(ws, { create: true });
    try {
      views = await rebuildViews(db.connection, specs);
    } finally {
      db.close();
    }
    for (const name of views.shadowed) warn(`your own table or view ${name} has the name of a server table; yours is kept and wins (rename it to see the server's)`);
    for (const b of views.broken) {
      warn(`${b.name}: its parquet cannot be read (${b.reason}); it has no view until the next successful sync`);
      delete tablesState[b.name];
      const i = outcomes.findIndex((o) => o.table === b.name);
      if (i >= 0) outcomes[i] = { ...(outcomes[i] as TableOutcome), status: 'failed', error: `unreadable parquet: ${b.reason}` };
    }
  }
  await writeState(ws, { ...next, tables: tablesState, views: views && views.broken.length > 0 ? null : rebuild ? signature : state.views });
  outcomes.sort((a, b) => a.table.localeCompare(b.table));
  return {
    dry_run: false,
    tables: outcomes,
    summary: summarize(outcomes),
    downloaded_bytes: downloaded,
    database_rebuilt: rebuild,
    warnings,
    ...(views ? { views } : {}),
  };
}
