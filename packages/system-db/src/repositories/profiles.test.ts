import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';

describeBackends('profiles repository', (backend) => {
  it('stores, replaces and removes a table profile', async () => {
    const db = await backend.open();
    const first = await db.profiles.put('orders', { rows: 10, columns: { id: { nulls: 0 } } });
    expect(first).toMatchObject({ tableId: 'orders', profile: { rows: 10, columns: { id: { nulls: 0 } } } });
    await db.profiles.put('orders', { rows: 11 });
    await db.profiles.put('carts', { rows: 1 });
    expect(await db.profiles.get('orders')).toMatchObject({ profile: { rows: 11 } });
    expect((await db.profiles.list()).map((p) => p.tableId)).toEqual(['carts', 'orders']);
    expect(await db.profiles.remove('orders')).toBe(true);
    expect(await db.profiles.remove('orders')).toBe(false);
    expect(await db.profiles.get('orders')).toBeUndefined();
  });
});
