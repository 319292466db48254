import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';
import { hashToken } from './tokens.js';

describeBackends('sessions repository', (backend) => {
  it('remembers revoked sessions until they would have expired anyway', async () => {
    const db = await backend.open();
    const now = new Date('2026-11-30T12:00:00Z');
    const live = hashToken('live-jti');
    const old = hashToken('old-jti');
    await db.sessions.revoke({ jtiHash: old, userId: 'u1', expiresAt: new Date('2026-11-30T11:00:00Z'), now: new Date('2026-11-30T10:00:00Z') });
    expect(await db.sessions.isRevoked(old)).toBe(true);
    await db.sessions.revoke({ jtiHash: live, userId: 'u1', expiresAt: new Date('2026-11-30T20:00:00Z'), now });
    await db.sessions.revoke({ jtiHash: live, userId: 'u1', expiresAt: new Date('2026-11-30T20:00:00Z'), now });
    expect(await db.sessions.isRevoked(live)).toBe(true);
    // Pruned: that token expired before `now`, so its row is no longer needed.
    expect(await db.sessions.isRevoked(old)).toBe(false);
    expect(await db.sessions.isRevoked(hashToken('never-revoked'))).toBe(false);
  });
});
