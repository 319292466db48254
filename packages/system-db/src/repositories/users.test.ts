import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import { ADMIN_GROUP_ID, EVERYONE_GROUP_ID } from './admins.js';

describeBackends('users repository', (backend) => {
  it('creates a user with a lower-cased email and puts it in Everyone', async () => {
    const db = await backend.open();
    const user = await db.users.create({ email: '  Ada@Example.COM ', name: 'Ada', passwordHash: '$argon2id$x' });
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada', active: true, deactivatedAt: null });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(user).not.toHaveProperty('passwordHash');
    expect((await db.groups.groupsOf(user.id)).map((g) => g.id)).toEqual([EVERYONE_GROUP_ID]);
    expect(await db.users.get(user.id)).toEqual(user);
    expect(await db.users.getByEmail('ADA@example.com')).toEqual(user);
    expect(await db.users.getByEmail('nobody@example.com')).toBeUndefined();
  });

  it('refuses a second user whose email differs only in letter case', async () => {
    const db = await backend.open();
    await db.users.create({ email: 'ada@example.com' });
    await expect(db.users.create({ email: 'ADA@Example.com' })).rejects.toMatchObject({ code: 'conflict' });
    const other = await db.users.create({ email: 'bob@example.com' });
    await expect(db.users.update(other.id, { email: 'Ada@EXAMPLE.com' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await db.users.count()).toBe(2);
  });

  it('refuses an email without an @', async () => {
    const db = await backend.open();
    await expect(db.users.create({ email: 'not-an-email' })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('lists and searches users by email or name, case-insensitively', async () => {
    const db = await backend.open();
    await db.users.create({ email: 'carol@example.com', name: 'Carol Smith' });
    await db.users.create({ email: 'ada@example.com', name: 'Ada Lovelace' });
    const bob = await db.users.create({ email: 'bob@other.org', name: 'Bob 100%' });
    await db.users.deactivate(bob.id);
    expect((await db.users.list()).map((u) => u.email)).toEqual(['ada@example.com', 'bob@other.org', 'carol@example.com']);
    expect((await db.users.list({ search: 'LOVE' })).map((u) => u.email)).toEqual(['ada@example.com']);
    expect((await db.users.list({ search: 'example' })).map((u) => u.email)).toEqual(['ada@example.com', 'carol@example.com']);
    expect((await db.users.list({ search: '100%' })).map((u) => u.email)).toEqual(['bob@other.org']);
    expect((await db.users.list({ search: '%' })).map((u) => u.email)).toEqual(['bob@other.org']);
    expect((await db.users.list({ active: true })).map((u) => u.email)).toEqual(['ada@example.com', 'carol@example.com']);
    expect((await db.users.list({ limit: 1, offset: 1 })).map((u) => u.email)).toEqual(['bob@other.org']);
  });

  it('stores and replaces the password hash apart from the user record', async () => {
    const db = await backend.open();
    const user = await db.users.create({ email: 'ada@example.com' });
    expect(await db.users.getPasswordHash(user.id)).toBeNull();
    await db.users.setPasswordHash(user.id, '$argon2id$v=19$abc');
    expect(await db.users.getPasswordHash(user.id)).toBe('$argon2id$v=19$abc');
    await expect(db.users.setPasswordHash('missing', 'x')).rejects.toMatchObject({ code: 'not_found' });
    await expect(db.users.getPasswordHash('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('deactivates with who and when, and activates again', async () => {
    const db = await backend.open();
    const admin = await db.users.create({ email: 'admin@example.com' });
    const user = await db.users.create({ email: 'ada@example.com' });
    const off = await db.users.deactivate(user.id, { by: admin.id });
    expect(off).toMatchObject({ active: false, deactivatedBy: admin.id });
    expect(off.deactivatedAt).toBeInstanceOf(Date);
    const on = await db.users.activate(user.id);
    expect(on).toMatchObject({ active: true, deactivatedAt: null, deactivatedBy: null });
    await expect(db.users.deactivate('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to deactivate, demote or delete the last active admin', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await db.groups.addMember(ADMIN_GROUP_ID, ada.id);
    await expect(db.users.deactivate(ada.id)).rejects.toMatchObject({ code: 'last_admin', name: 'SystemDbError' });
    await expect(db.groups.removeMember(ADMIN_GROUP_ID, ada.id)).rejects.toMatchObject({ code: 'last_admin' });
    await expect(db.users.remove(ada.id)).rejects.toMatchObject({ code: 'last_admin' });
    expect(await db.users.get(ada.id)).toMatchObject({ active: true });
    expect(await db.users.isAdmin(ada.id)).toBe(true);
  });

  it('lets one of two admins go, then protects the other', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const bob = await db.users.create({ email: 'bob@example.com' });
    await db.groups.addMember(ADMIN_GROUP_ID, ada.id);
    await db.groups.addMember(ADMIN_GROUP_ID, bob.id);
    expect(await db.users.countActiveAdmins()).toBe(2);
    await db.users.deactivate(bob.id);
    expect(await db.users.countActiveAdmins()).toBe(1);
    await expect(db.groups.removeMember(ADMIN_GROUP_ID, ada.id)).rejects.toMatchObject({ code: 'last_admin' });
    // A deactivated admin is no safety net: demoting it is fine, the active one stays protected.
    expect(await db.groups.removeMember(ADMIN_GROUP_ID, bob.id)).toBe(true);
    await expect(db.users.deactivate(ada.id)).rejects.toMatchObject({ code: 'last_admin' });
  });

  it('lets only one of many concurrent uses of a reset token succeed', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await db.users.setToken(ada.id, 'reset', { hash: 'race-hash', expiresAt: new Date(Date.now() + 60_000) });
    const uses = await Promise.all(Array.from({ length: 8 }, () => db.users.consumeToken('reset', 'race-hash')));
    expect(uses.filter((u) => u !== undefined)).toHaveLength(1);
  });

  it('lets two admins race to demote each other and keeps one', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const bob = await db.users.create({ email: 'bob@example.com' });
    await db.groups.addMember(ADMIN_GROUP_ID, ada.id);
    await db.groups.addMember(ADMIN_GROUP_ID, bob.id);
    const results = await Promise.allSettled([db.users.deactivate(ada.id), db.users.deactivate(bob.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['last_admin']);
    expect(await db.users.countActiveAdmins()).toBe(1);
  });

  it('deletes a user with its memberships, tokens and subscriptions', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const group = await db.groups.create({ name: 'Finance' });
    await db.groups.addMember(group.id, ada.id);
    await db.tokens.create({ userId: ada.id, name: 'laptop', tokenHash: 'a'.repeat(64) });
    await db.subscriptions.set(ada.id, 'orders', true);
    await db.users.remove(ada.id);
    expect(await db.users.get(ada.id)).toBeUndefined();
    expect(await db.groups.members(group.id)).toEqual([]);
    expect(await db.tokens.listByUser(ada.id)).toEqual([]);
    expect(await db.subscriptions.listByUser(ada.id)).toEqual([]);
    // The email is free again.
    await expect(db.users.create({ email: 'ada@example.com' })).resolves.toMatchObject({ email: 'ada@example.com' });
  });

  it('consumes a setup, reset or magic-link token once, only before it expires', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const inAnHour = new Date(Date.now() + 3_600_000);
    await db.users.setToken(ada.id, 'reset', { hash: 'reset-hash', expiresAt: inAnHour });
    await db.users.setToken(ada.id, 'magic_link', { hash: 'magic-hash', expiresAt: inAnHour });
    // Each flow only consumes its own kind of token.
    expect(await db.users.consumeToken('magic_link', 'reset-hash')).toBeUndefined();
    expect(await db.users.consumeToken('setup', 'reset-hash')).toBeUndefined();
    expect(await db.users.consumeToken('reset', 'reset-hash')).toMatchObject({ id: ada.id });
    expect(await db.users.consumeToken('reset', 'reset-hash')).toBeUndefined();
    // Expired: refused at a later `now`, even though it is still stored.
    expect(await db.users.consumeToken('magic_link', 'magic-hash', { now: new Date(inAnHour.getTime() + 1) })).toBeUndefined();
    expect(await db.users.consumeToken('magic_link', 'magic-hash')).toMatchObject({ id: ada.id });
  });

  it('does not hand a single-use token to a deactivated user', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await db.users.setToken(ada.id, 'setup', { hash: 'setup-hash', expiresAt: new Date(Date.now() + 60_000) });
    await db.users.deactivate(ada.id);
    expect(await db.users.consumeToken('setup', 'setup-hash')).toBeUndefined();
    await expect(db.users.setToken('missing', 'setup', { hash: 'h', expiresAt: new Date() })).rejects.toMatchObject({ code: 'not_found' });
  });
});
