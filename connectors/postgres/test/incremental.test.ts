import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRuntime, openExtract } from '@agnes/connector-runtime';
import { createPostgresConnector } from '../src/index.js';
import { createFixture, type Fixture, testContext, testDatabaseUrl } from './pg-fixture.js';

const url = testDatabaseUrl();

describe.skipIf(!url)('incremental runs through the runtime', () => {
  let fx: Fixture;
  let root: string;
  let dir: string;

  beforeAll(async () => {
    fx = await createFixture(url!);
    root = mkdtempSync(join(tmpdir(), 'agnes-pg-incremental-'));
    dir = join(root, 'pgsource'); // the folder name is the source name (a pg_ prefix is reserved)
  });
  afterAll(async () => {
    await fx?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function view(table: string): Promise<Record<string, unknown>[]> {
    const reader = await openExtract(dir);
    try {
      return await reader.query(`SELECT id::VARCHAR AS id, label, n38::VARCHAR AS n38 FROM "${table}" ORDER BY id`);
    } finally {
      reader.close();
    }
  }

  it('picks up inserts and updates at or after the cursor, without duplicates', async () => {
    const table = `${fx.schema}_everything`;
    const connector = createPostgresConnector({ schemas: [fx.schema], tables: ['everything'] }, testContext(url!));
    const runtime = new ConnectorRuntime(dir);
    const run = () => runtime.run(connector, { tables: { [table]: { strategy: 'upsert' } } });

    let stats = await run();
    expect(stats.errors).toEqual([]);
    let rows = await view(table);
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(rows[0]!.n38).toBe('9999999999999999999999999999.9999999999');

    // Row 3 holds the greatest cursor (2024-06-01): an update that keeps it there must
    // still arrive (ties are read again with ≥), as must one moving row 2 forward.
    await fx.client.query(`UPDATE "${fx.schema}".everything SET label = 'tie' WHERE id = 3`);
    await fx.client.query(`UPDATE "${fx.schema}".everything SET label = 'moved', updated_at = now() WHERE id = 2`);
    await fx.client.query(`UPDATE "${fx.schema}".everything SET label = 'stale' WHERE id = 1`);
    await fx.addRows(2);
    let read = 0;
    stats = await runtime.run(connector, {
      tables: { [table]: { strategy: 'upsert' } },
      onProgress: (e) => {
        if (e.phase === 'read') read = e.rows;
      },
    });
    expect(stats.errors).toEqual([]);
    expect(read).toBe(4); // rows 3 (tie), 2 (moved), 4 and 5, not row 1
    rows = await view(table);
    expect(rows.map((r) => [r.id, r.label])).toEqual([
      ['1', 'héllo wörld 🚀 日本'],
      ['2', 'moved'],
      ['3', 'tie'],
      ['4', 'added 4'],
      ['5', 'added 5'],
    ]);
  });
});
