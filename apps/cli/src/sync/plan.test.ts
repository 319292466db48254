import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, type SyncState } from '../workspace/workspace.js';
import { type Manifest, type ManifestTable, planSync } from './plan.js';

const table = (hash: string | null, extra: Partial<ManifestTable> = {}): ManifestTable => ({
  hash,
  updated: null,
  size_bytes: 100,
  rows: 10,
  query_mode: 'local',
  source_type: 'sample',
  source: 'shop',
  description: null,
  schema: [],
  ...extra,
});
const manifest = (tables: Record<string, ManifestTable>): Manifest => ({ tables, server_time: '2026-01-01T00:00:00Z' });
const local = (hash: string | null, extra: object = {}) => ({ hash, rows: 10, size_bytes: 100, query_mode: 'local' as const, source: 'shop', description: null, synced_at: 'then', ...extra });
const all = () => true;

describe('planSync', () => {
  it('fetches new and changed tables, skips unchanged ones and removes the ones gone from the manifest', () => {
    const state: SyncState = { ...EMPTY_STATE, tables: { a: local('sha256-a'), b: local('sha256-b'), gone: local('sha256-g') } };
    const plan = planSync(manifest({ a: table('sha256-a'), b: table('sha256-b2'), c: table('sha256-c') }), state, all);
    expect(plan.tables.map((t) => [t.table, t.action, t.downloads.map((d) => d.target)])).toEqual([
      ['a', 'unchanged', []],
      ['b', 'updated', ['server/parquet/b.parquet']],
      ['c', 'new', ['server/parquet/c.parquet']],
      ['gone', 'removed', []],
    ]);
    expect(plan.downloadBytes).toBe(200);
  });

  it('fetches an unchanged table again when its file was deleted', () => {
    const state: SyncState = { ...EMPTY_STATE, tables: { a: local('sha256-a') } };
    const plan = planSync(manifest({ a: table('sha256-a') }), state, () => false);
    expect(plan.tables[0]).toMatchObject({ action: 'updated', downloads: [{ hash: 'sha256-a' }] });
  });

  it('moves only the changed parts of a partitioned table and drops parts the server no longer has', () => {
    const parts = [
      { name: '2026-10', hash: 'sha256-p10', size_bytes: 5 },
      { name: '2026-11', hash: 'sha256-p11b', size_bytes: 7 },
      { name: '2026-12', hash: 'sha256-p12', size_bytes: 9 },
    ];
    const state: SyncState = { ...EMPTY_STATE, tables: { ev: local('sha256-old', { parts: { '2026-09': 'sha256-p09', '2026-10': 'sha256-p10', '2026-11': 'sha256-p11' } }) } };
    const plan = planSync(manifest({ ev: table('sha256-new', { parts }) }), state, all);
    const [ev] = plan.tables;
    expect(ev?.action).toBe('updated');
    expect(ev?.downloads.map((d) => [d.part, d.target])).toEqual([
      ['2026-11', 'server/parquet/ev/2026-11.parquet'],
      ['2026-12', 'server/parquet/ev/2026-12.parquet'],
    ]);
    expect(ev?.dropParts).toEqual(['2026-09']);
  });

  it('lists remote tables as remote without downloading them', () => {
    const plan = planSync(manifest({ r: table(null, { query_mode: 'remote', size_bytes: null }) }), EMPTY_STATE, all);
    expect(plan.tables).toMatchObject([{ table: 'r', action: 'remote', downloads: [] }]);
  });

  it('with --table, touches only the named tables and removes nothing', () => {
    const state: SyncState = { ...EMPTY_STATE, tables: { gone: local('sha256-g') } };
    const plan = planSync(manifest({ a: table('sha256-a'), b: table('sha256-b') }), state, all, new Set(['b']));
    expect(plan.tables.map((t) => t.table)).toEqual(['b']);
  });

  it('refuses names from the server that are not safe file names', () => {
    const plan = planSync(manifest({ '../etc': table('sha256-x'), ok: table('sha256-y', { parts: [{ name: '../../x', hash: 'sha256-z', size_bytes: 1 }] }) }), EMPTY_STATE, all);
    expect(plan.tables.map((t) => [t.table, t.action])).toEqual([
      ['../etc', 'invalid'],
      ['ok', 'invalid'],
    ]);
    expect(plan.tables.every((t) => t.downloads.length === 0)).toBe(true);
  });
});
