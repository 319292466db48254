import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import { ADMIN_GROUP_ID, EVERYONE_GROUP_ID } from './admins.js';

describeBackends('groups repository', (backend) => {
  it('starts with the system groups Admin and Everyone', async () => {
    const db = await backend.open();
    const groups = await db.groups.list();
    expect(groups.map((g) => [g.id, g.name, g.isSystem])).toEqual([
      [ADMIN_GROUP_ID, 'Admin', true],
      [EVERYONE_GROUP_ID, 'Everyone', true],
    ]);
    expect(await db.groups.getByName('Admin')).toMatchObject({ id: ADMIN_GROUP_ID });
  });

  it('creates, renames and lists groups, refusing a taken name', async () => {
    const db = await backend.open();
    const finance = await db.groups.create({ name: ' Finance ', description: 'Money people' });
    expect(finance).toMatchObject({ name: 'Finance', description: 'Money people', isSystem: false });
    await expect(db.groups.create({ name: 'Finance' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(db.groups.create({ name: '  ' })).rejects.toMatchObject({ code: 'invalid' });
    const sales = await db.groups.create({ name: 'Sales' });
    await expect(db.groups.update(sales.id, { name: 'Finance' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await db.groups.update(sales.id, { name: 'Revenue', description: null })).toMatchObject({ name: 'Revenue', description: null });
    expect((await db.groups.list()).map((g) => g.name)).toEqual(['Admin', 'Everyone', 'Finance', 'Revenue']);
    await expect(db.groups.update('missing', { name: 'X' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps system groups: no rename, no delete', async () => {
    const db = await backend.open();
    await expect(db.groups.update(ADMIN_GROUP_ID, { name: 'Admins' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.groups.remove(EVERYONE_GROUP_ID)).rejects.toMatchObject({ code: 'invalid' });
    expect(await db.groups.update(ADMIN_GROUP_ID, { description: 'Ops' })).toMatchObject({ name: 'Admin', description: 'Ops' });
    await expect(db.groups.remove('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('adds and removes members, idempotently', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const bob = await db.users.create({ email: 'bob@example.com' });
    const finance = await db.groups.create({ name: 'Finance' });
    expect(await db.groups.addMember(finance.id, bob.id, { source: 'sync' })).toBe(true);
    expect(await db.groups.addMember(finance.id, ada.id)).toBe(true);
    expect(await db.groups.addMember(finance.id, ada.id)).toBe(false);
    const members = await db.groups.members(finance.id);
    expect(members.map((m) => [m.user.email, m.source])).toEqual([
      ['ada@example.com', 'admin'],
      ['bob@example.com', 'sync'],
    ]);
    expect(members[0]?.addedAt).toBeInstanceOf(Date);
    expect((await db.groups.groupsOf(ada.id)).map((g) => g.name)).toEqual(['Everyone', 'Finance']);
    expect(await db.groups.removeMember(finance.id, ada.id)).toBe(true);
    expect(await db.groups.removeMember(finance.id, ada.id)).toBe(false);
    expect((await db.groups.groupsOf(ada.id)).map((g) => g.name)).toEqual(['Everyone']);
  });

  it('refuses members of unknown groups or unknown users, and leaving Everyone', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await expect(db.groups.addMember('missing', ada.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(db.groups.addMember(ADMIN_GROUP_ID, 'missing')).rejects.toMatchObject({ code: 'not_found' });
    await expect(db.groups.addMember(ADMIN_GROUP_ID, ada.id, { source: 'ldap' as 'sync' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.groups.removeMember(EVERYONE_GROUP_ID, ada.id)).rejects.toMatchObject({ code: 'invalid' });
  });

  it('deletes a group with its memberships and grants', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const finance = await db.groups.create({ name: 'Finance' });
    await db.groups.addMember(finance.id, ada.id);
    await db.grants.grant({ groupId: finance.id, resourceId: 'orders' });
    await db.groups.remove(finance.id);
    expect(await db.groups.get(finance.id)).toBeUndefined();
    expect((await db.groups.groupsOf(ada.id)).map((g) => g.name)).toEqual(['Everyone']);
    expect(await db.grants.listByResource('orders')).toEqual([]);
    // The name is free again.
    await expect(db.groups.create({ name: 'Finance' })).resolves.toMatchObject({ name: 'Finance' });
  });
});
