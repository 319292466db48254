import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import { hashToken } from './tokens.js';

const HOUR = 3_600_000;

describeBackends('tokens repository', (backend) => {
  it('stores only the hash and finds a valid token by it', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const raw = 'agnes_pat_9f8e7d6c5b4a';
    const token = await db.tokens.create({ userId: ada.id, name: 'laptop', tokenHash: hashToken(raw), expiresAt: new Date(Date.now() + HOUR) });
    expect(token).toMatchObject({ userId: ada.id, name: 'laptop', revokedAt: null, lastUsedAt: null });
    expect(JSON.stringify(token)).not.toContain(raw);
    const found = await db.tokens.findValidByHash(hashToken(raw));
    expect(found?.token).toEqual(token);
    expect(found?.user).toMatchObject({ id: ada.id, email: 'ada@example.com' });
    expect(await db.tokens.findValidByHash(hashToken('some other token'))).toBeUndefined();
  });

  it('refuses a raw token where a hash belongs, a blank name and an unknown user', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await expect(db.tokens.create({ userId: ada.id, name: 'x', tokenHash: 'agnes_pat_raw_value' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.tokens.create({ userId: ada.id, name: ' ', tokenHash: hashToken('t') })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.tokens.create({ userId: 'missing', name: 'x', tokenHash: hashToken('t') })).rejects.toMatchObject({ code: 'not_found' });
    await db.tokens.create({ userId: ada.id, name: 'one', tokenHash: hashToken('t') });
    await expect(db.tokens.create({ userId: ada.id, name: 'two', tokenHash: hashToken('t') })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('never returns a revoked token as valid', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const token = await db.tokens.create({ userId: ada.id, name: 'ci', tokenHash: hashToken('ci-token') });
    expect(await db.tokens.findValidByHash(hashToken('ci-token'))).toBeDefined();
    const revoked = await db.tokens.revoke(token.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await db.tokens.findValidByHash(hashToken('ci-token'))).toBeUndefined();
    // Revoking again keeps the first time.
    expect((await db.tokens.revoke(token.id, { now: new Date(Date.now() + HOUR) })).revokedAt).toEqual(revoked.revokedAt);
    await expect(db.tokens.revoke('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('never returns an expired token as valid', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const expiresAt = new Date(Date.now() + HOUR);
    await db.tokens.create({ userId: ada.id, name: 'soon', tokenHash: hashToken('soon'), expiresAt });
    await db.tokens.create({ userId: ada.id, name: 'past', tokenHash: hashToken('past'), expiresAt: new Date(Date.now() - 1000) });
    await db.tokens.create({ userId: ada.id, name: 'never', tokenHash: hashToken('never'), expiresAt: null });
    expect(await db.tokens.findValidByHash(hashToken('past'))).toBeUndefined();
    expect(await db.tokens.findValidByHash(hashToken('soon'))).toBeDefined();
    expect(await db.tokens.findValidByHash(hashToken('soon'), { now: new Date(expiresAt.getTime() - 1) })).toBeDefined();
    expect(await db.tokens.findValidByHash(hashToken('soon'), { now: expiresAt })).toBeUndefined();
    expect(await db.tokens.findValidByHash(hashToken('never'), { now: new Date(Date.now() + 100 * 365 * 24 * HOUR) })).toBeDefined();
  });

  it('does not return the token of a deactivated user as valid', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    await db.tokens.create({ userId: ada.id, name: 'laptop', tokenHash: hashToken('laptop') });
    await db.users.deactivate(ada.id);
    expect(await db.tokens.findValidByHash(hashToken('laptop'))).toBeUndefined();
    await db.users.activate(ada.id);
    expect(await db.tokens.findValidByHash(hashToken('laptop'))).toBeDefined();
  });

  it('lists a user’s tokens newest first, and all tokens for admins', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const bob = await db.users.create({ email: 'bob@example.com' });
    await db.tokens.create({ userId: ada.id, name: 'first', tokenHash: hashToken('1') });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await db.tokens.create({ userId: ada.id, name: 'second', tokenHash: hashToken('2') });
    await db.tokens.create({ userId: bob.id, name: 'bobs', tokenHash: hashToken('3') });
    expect((await db.tokens.listByUser(ada.id)).map((t) => t.name)).toEqual(['second', 'first']);
    expect((await db.tokens.listAll()).map((t) => t.name).sort()).toEqual(['bobs', 'first', 'second']);
  });

  it('records the last use and reports a change of IP', async () => {
    const db = await backend.open();
    const ada = await db.users.create({ email: 'ada@example.com' });
    const token = await db.tokens.create({ userId: ada.id, name: 'laptop', tokenHash: hashToken('laptop'), id: 'jti-123' });
    expect(token.id).toBe('jti-123');
    const at = new Date('2026-11-22T10:00:00.123Z');
    expect(await db.tokens.touch(token.id, { ip: '10.0.0.1', now: at })).toEqual({ previousIp: null, firstUse: true });
    expect(await db.tokens.get(token.id)).toMatchObject({ lastUsedAt: at, lastUsedIp: '10.0.0.1' });
    expect(await db.tokens.touch(token.id, { ip: '10.0.0.2' })).toEqual({ previousIp: '10.0.0.1', firstUse: false });
    expect(await db.tokens.touch(token.id)).toEqual({ previousIp: '10.0.0.2', firstUse: false });
    expect((await db.tokens.get(token.id))?.lastUsedIp).toBe('10.0.0.2');
    await expect(db.tokens.touch('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
