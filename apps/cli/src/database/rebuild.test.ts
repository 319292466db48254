import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspaceAt, type Workspace } from '../workspace/workspace.js';
import { type LocalDb, openLocalDb } from './local-db.js';
import { rebuildViews, type ViewSpec } from './rebuild.js';

describe('rebuildViews', () => {
  let ws: Workspace;
  let db: LocalDb;
  const rows = async (sql: string) => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
  const spec = (name: string, extra: Partial<ViewSpec> = {}): ViewSpec => ({ name, kind: 'local', path: `server/parquet/${name}.parquet`, source: 'shop', description: null, ...extra });

  beforeEach(async () => {
    ws = workspaceAt(await mkdtemp(join(tmpdir(), 'da-rebuild-')));
    await mkdir(ws.parquetDir, { recursive: true });
    db = await openLocalDb(ws, { create: true });
    for (const t of ['a', 'b']) await db.connection.run(`COPY (SELECT range AS id FROM range(3)) TO '${join(ws.parquetDir, `${t}.parquet`)}' (FORMAT parquet)`);
  });
  afterEach(async () => {
    db.close();
    await rm(ws.root, { recursive: true, force: true });
  });

  it('creates views with workspace-relative paths and lists remote tables without a view', async () => {
    const result = await rebuildViews(db.connection, [spec('a'), spec('r', { kind: 'remote', path: undefined })]);
    expect(result).toMatchObject({ views: ['a'], remote: ['r'], shadowed: [], broken: [] });
    expect(await rows('SELECT count(*)::INT AS n FROM a')).toEqual([{ n: 3 }]);
    expect(await rows('SELECT name, kind FROM _da_views ORDER BY name')).toEqual([
      { name: 'a', kind: 'local' },
      { name: 'r', kind: 'remote' },
    ]);
  });

  it("drops only its own views: the analyst's tables and views survive, and a same-named table of theirs wins", async () => {
    await rebuildViews(db.connection, [spec('a'), spec('b')]);
    await db.connection.run('CREATE TABLE mine AS SELECT 1 AS x');
    await db.connection.run('CREATE VIEW my_view AS SELECT count(*) AS n FROM a');
    await db.connection.run("CREATE TABLE c AS SELECT 'theirs' AS who");
    await writeFile(join(ws.parquetDir, 'c.parquet'), '');
    const result = await rebuildViews(db.connection, [spec('a'), spec('c')]);
    expect(result.shadowed).toEqual(['c']);
    expect(await rows('SELECT who FROM c')).toEqual([{ who: 'theirs' }]);
    expect(await rows('SELECT x FROM mine')).toEqual([{ x: 1 }]);
    expect(await rows('SELECT n FROM my_view')).toEqual([{ n: '3' }]);
    await expect(rows('SELECT * FROM b')).rejects.toThrow();
  });

  it('gives a broken parquet no view and still creates the others', async () => {
    await writeFile(join(ws.parquetDir, 'b.parquet'), 'not parquet at all');
    const result = await rebuildViews(db.connection, [spec('a'), spec('b')]);
    expect(result.views).toEqual(['a']);
    expect(result.broken.map((b) => b.name)).toEqual(['b']);
    expect(await rows('SELECT count(*)::INT AS n FROM a')).toEqual([{ n: 3 }]);
  });
});
