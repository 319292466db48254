import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';

describeBackends('subscriptions repository', (backend) => {
  it('keeps one sync choice per user and table', async () => {
    const db = await backend.open();
    await db.subscriptions.set('u1', 'orders', true);
    await db.subscriptions.set('u1', 'carts', true);
    const changed = await db.subscriptions.set('u1', 'orders', false);
    expect(changed).toMatchObject({ userId: 'u1', tableId: 'orders', subscribed: false });
    await db.subscriptions.set('u2', 'orders', true);
    expect((await db.subscriptions.listByUser('u1')).map((s) => [s.tableId, s.subscribed])).toEqual([
      ['carts', true],
      ['orders', false],
    ]);
  });
});
