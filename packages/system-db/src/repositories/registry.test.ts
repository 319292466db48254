import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import { EVERYONE_GROUP_ID } from './admins.js';

describeBackends('registry repository', (backend) => {
  it('registers a table with defaults and reads it back', async () => {
    const db = await backend.open();
    const table = await db.registry.register({ id: 'orders', source: 'shop', sourceTable: 'public.orders', registeredBy: 'ada' });
    expect(table).toMatchObject({
      id: 'orders',
      source: 'shop',
      sourceTable: 'public.orders',
      query: null,
      strategy: 'replace',
      queryMode: 'local',
      primaryKey: [],
      config: null,
      registeredBy: 'ada',
      updatedAt: null,
    });
    expect(table.registeredAt).toBeInstanceOf(Date);
    expect(await db.registry.get('orders')).toEqual(table);
    expect(await db.registry.get('missing')).toBeUndefined();
  });

  it('keeps primary keys, config and queries as given', async () => {
    const db = await backend.open();
    const table = await db.registry.register({
      id: 'events',
      source: 'warehouse',
      query: 'SELECT * FROM events WHERE day > current_date - 30',
      strategy: 'upsert',
      queryMode: 'remote',
      primaryKey: ['tenant', 'event_id'],
      config: { partitionBy: 'day', nested: { a: [1, 2] } },
      schedule: '*/15 * * * *',
      description: 'Product events',
    });
    expect(table).toMatchObject({
      strategy: 'upsert',
      queryMode: 'remote',
      primaryKey: ['tenant', 'event_id'],
      config: { partitionBy: 'day', nested: { a: [1, 2] } },
      query: 'SELECT * FROM events WHERE day > current_date - 30',
    });
  });

  it('refuses duplicates, unknown strategies and upsert without a primary key', async () => {
    const db = await backend.open();
    await db.registry.register({ id: 'orders', source: 'shop' });
    await expect(db.registry.register({ id: 'orders', source: 'other' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(db.registry.register({ id: 'x', source: 'shop', strategy: 'merge' as 'upsert' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.registry.register({ id: 'x', source: 'shop', queryMode: 'cloud' as 'remote' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.registry.register({ id: 'x', source: 'shop', strategy: 'upsert' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.registry.update('orders', { strategy: 'upsert' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.registry.update('missing', { description: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('updates only what it is given', async () => {
    const db = await backend.open();
    await db.registry.register({ id: 'orders', source: 'shop', description: 'Orders', primaryKey: ['id'] });
    const updated = await db.registry.update('orders', { strategy: 'upsert', schedule: '0 3 * * *' });
    expect(updated).toMatchObject({ strategy: 'upsert', schedule: '0 3 * * *', description: 'Orders', primaryKey: ['id'] });
    expect(updated.updatedAt).toBeInstanceOf(Date);
    expect(await db.registry.update('orders', { primaryKey: ['id', 'line'] })).toMatchObject({ primaryKey: ['id', 'line'] });
  });

  it('lists tables by id, optionally of one source', async () => {
    const db = await backend.open();
    await db.registry.register({ id: 'orders', source: 'shop' });
    await db.registry.register({ id: 'customers', source: 'crm' });
    await db.registry.register({ id: 'carts', source: 'shop' });
    expect((await db.registry.list()).map((t) => t.id)).toEqual(['carts', 'customers', 'orders']);
    expect((await db.registry.list({ source: 'shop' })).map((t) => t.id)).toEqual(['carts', 'orders']);
  });

  it('removes a table with its state, history, profile, subscriptions and grants', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await db.registry.register({ id: 'orders', source: 'shop' });
    await db.registry.register({ id: 'carts', source: 'shop' });
    for (const tableId of ['orders', 'carts']) {
      await db.sync.recordRun({ tableId, startedAt: new Date(), outcome: 'ok', rows: 3 });
      await db.profiles.put(tableId, { columns: 2 });
      await db.subscriptions.set(ada.id, tableId, true);
      await db.grants.grant({ groupId: EVERYONE_GROUP_ID, resourceId: tableId });
    }
    await db.registry.remove('orders');
    expect(await db.registry.get('orders')).toBeUndefined();
    expect(await db.sync.getState('orders')).toBeUndefined();
    expect(await db.sync.history({ tableId: 'orders' })).toEqual([]);
    expect(await db.profiles.get('orders')).toBeUndefined();
    expect((await db.subscriptions.listByUser(ada.id)).map((s) => s.tableId)).toEqual(['carts']);
    expect((await db.grants.listByGroup(EVERYONE_GROUP_ID)).map((g) => g.resourceId)).toEqual(['carts']);
    expect(await db.sync.getState('carts')).toBeDefined();
    await expect(db.registry.remove('orders')).rejects.toMatchObject({ code: 'not_found' });
  });
});
