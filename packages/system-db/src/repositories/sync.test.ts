import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';

const t = (iso: string) => new Date(iso);

describeBackends('sync repository', (backend) => {
  it('records a good run as history and as the table’s state', async () => {
    const db = await backend.open();
    const run = await db.sync.recordRun({
      tableId: 'orders',
      startedAt: t('2026-11-22T10:00:00.000Z'),
      finishedAt: t('2026-11-22T10:00:05.250Z'),
      outcome: 'ok',
      rows: 12_000_000_000,
      state: { sizeBytes: 5_000_000_000, contentHash: 'sha256:abc', queryMode: 'local', schema: { fields: [{ name: 'id', type: 'BIGINT' }] } },
    });
    expect(run).toMatchObject({ tableId: 'orders', outcome: 'ok', rows: 12_000_000_000, reason: null });
    expect(typeof run.id).toBe('number');
    expect(run.finishedAt).toEqual(t('2026-11-22T10:00:05.250Z'));
    expect(await db.sync.getState('orders')).toEqual({
      tableId: 'orders',
      lastSyncAt: t('2026-11-22T10:00:05.250Z'),
      rows: 12_000_000_000,
      sizeBytes: 5_000_000_000,
      contentHash: 'sha256:abc',
      queryMode: 'local',
      schema: { fields: [{ name: 'id', type: 'BIGINT' }] },
    });
  });

  it('keeps the last good state when a later run fails', async () => {
    const db = await backend.open();
    await db.sync.recordRun({ tableId: 'orders', startedAt: t('2026-11-22T10:00:00Z'), outcome: 'ok', rows: 10, state: { contentHash: 'h1' } });
    await db.sync.recordRun({ tableId: 'orders', startedAt: t('2026-11-22T11:00:00Z'), outcome: 'failed', reason: 'connection refused' });
    expect(await db.sync.getState('orders')).toMatchObject({ rows: 10, contentHash: 'h1', lastSyncAt: t('2026-11-22T10:00:00Z') });
    await db.sync.recordRun({ tableId: 'orders', startedAt: t('2026-11-22T12:00:00Z'), outcome: 'ok', rows: 11, state: { contentHash: 'h2' } });
    expect(await db.sync.getState('orders')).toMatchObject({ rows: 11, contentHash: 'h2', lastSyncAt: t('2026-11-22T12:00:00Z') });
    expect((await db.sync.history({ tableId: 'orders' })).map((r) => [r.outcome, r.reason])).toEqual([
      ['ok', null],
      ['failed', 'connection refused'],
      ['ok', null],
    ]);
  });

  it('reports the latest run of each table and pages the history', async () => {
    const db = await backend.open();
    for (let hour = 0; hour < 5; hour += 1) {
      const startedAt = t(`2026-11-22T0${hour}:00:00Z`);
      await db.sync.recordRun({ tableId: 'orders', startedAt, outcome: hour === 4 ? 'skipped' : 'ok', reason: hour === 4 ? 'unchanged' : null });
      await db.sync.recordRun({ tableId: 'carts', startedAt, outcome: hour === 3 ? 'ok' : 'failed' });
    }
    const latest = await db.sync.latestRuns();
    expect(latest.map((r) => [r.tableId, r.outcome, r.startedAt.toISOString()])).toEqual([
      ['carts', 'failed', '2026-11-22T04:00:00.000Z'],
      ['orders', 'skipped', '2026-11-22T04:00:00.000Z'],
    ]);
    expect((await db.sync.history({ limit: 3 })).map((r) => r.startedAt.toISOString())).toEqual([
      '2026-11-22T04:00:00.000Z',
      '2026-11-22T04:00:00.000Z',
      '2026-11-22T03:00:00.000Z',
    ]);
    expect((await db.sync.listStates()).map((s) => [s.tableId, s.lastSyncAt.toISOString()])).toEqual([
      ['carts', '2026-11-22T03:00:00.000Z'],
      ['orders', '2026-11-22T03:00:00.000Z'],
    ]);
    await expect(db.sync.history({ limit: 0 })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('refuses an unknown outcome or a negative row count', async () => {
    const db = await backend.open();
    await expect(db.sync.recordRun({ tableId: 'orders', startedAt: new Date(), outcome: 'partial' as 'ok' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.sync.recordRun({ tableId: 'orders', startedAt: new Date(), outcome: 'ok', rows: -1 })).rejects.toMatchObject({ code: 'invalid' });
    expect(await db.sync.history()).toEqual([]);
  });
});
