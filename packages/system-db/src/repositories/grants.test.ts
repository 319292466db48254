import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import { EVERYONE_GROUP_ID } from './admins.js';

describeBackends('grants repository', (backend) => {
  it('grants idempotently and keeps the first grant', async () => {
    const db = await backend.open();
    const finance = await db.groups.create({ name: 'Finance' });
    const first = await db.grants.grant({ groupId: finance.id, resourceId: 'orders', grantedBy: 'ada' });
    expect(first).toMatchObject({ groupId: finance.id, resourceType: 'table', resourceId: 'orders', grantedBy: 'ada' });
    expect(first.grantedAt).toBeInstanceOf(Date);
    const again = await db.grants.grant({ groupId: finance.id, resourceId: 'orders', grantedBy: 'bob' });
    expect(again).toEqual(first);
    expect(await db.grants.listByGroup(finance.id)).toEqual([first]);
  });

  it('refuses a grant to an unknown group or without a resource', async () => {
    const db = await backend.open();
    await expect(db.grants.grant({ groupId: 'missing', resourceId: 'orders' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(db.grants.grant({ groupId: EVERYONE_GROUP_ID, resourceId: '' })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('lists by table and revokes', async () => {
    const db = await backend.open();
    const finance = await db.groups.create({ name: 'Finance' });
    await db.grants.grant({ groupId: finance.id, resourceId: 'orders' });
    await db.grants.grant({ groupId: EVERYONE_GROUP_ID, resourceId: 'orders' });
    await db.grants.grant({ groupId: finance.id, resourceId: 'invoices' });
    await db.grants.grant({ groupId: finance.id, resourceType: 'source', resourceId: 'orders' });
    expect((await db.grants.listByResource('orders')).map((g) => g.groupId).sort()).toEqual([EVERYONE_GROUP_ID, finance.id].sort());
    expect((await db.grants.listByResource('orders', 'source')).map((g) => g.groupId)).toEqual([finance.id]);
    expect(await db.grants.revoke({ groupId: finance.id, resourceId: 'orders' })).toBe(true);
    expect(await db.grants.revoke({ groupId: finance.id, resourceId: 'orders' })).toBe(false);
    expect((await db.grants.listByResource('orders')).map((g) => g.groupId)).toEqual([EVERYONE_GROUP_ID]);
    expect((await db.grants.listByGroup(finance.id)).map((g) => [g.resourceType, g.resourceId])).toEqual([
      ['source', 'orders'],
      ['table', 'invoices'],
    ]);
  });

  it('lists every grant that reaches a user through its groups', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const bob = await db.users.create({ email: 'bob@example.com' });
    const finance = await db.groups.create({ name: 'Finance' });
    await db.groups.addMember(finance.id, ada.id);
    await db.grants.grant({ groupId: finance.id, resourceId: 'invoices' });
    await db.grants.grant({ groupId: EVERYONE_GROUP_ID, resourceId: 'calendar' });
    expect((await db.grants.listForUser(ada.id)).map((g) => g.resourceId)).toEqual(['calendar', 'invoices']);
    expect((await db.grants.listForUser(bob.id)).map((g) => g.resourceId)).toEqual(['calendar']);
  });
});
