import { eq, lt } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { revokedSessions } from '../schema/sessions.js';

/** Sessions signed out before their expiry. */
export interface SessionsRepository {
  /**
   * Records that the session with this `jti` hash ({@link hashToken}) is over; idempotent.
   * Rows whose token has expired anyway are pruned on the way.
   */
  revoke(input: { readonly jtiHash: string; readonly userId: string; readonly expiresAt: Date; readonly now?: Date }): Promise<void>;
  /** True when the session was revoked. */
  isRevoked(jtiHash: string): Promise<boolean>;
}

/** Builds the sessions repository on a session. */
export function sessionsRepository(session: Session): SessionsRepository {
  return {
    async revoke(input) {
      await session.withTransaction(async (tx) => {
        await tx.db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, input.now ?? new Date()));
        await tx.db.insert(revokedSessions).values({ jtiHash: input.jtiHash, userId: input.userId, expiresAt: input.expiresAt }).onConflictDoNothing();
      });
    },
    async isRevoked(jtiHash) {
      const rows = await session.db.select({ jtiHash: revokedSessions.jtiHash }).from(revokedSessions).where(eq(revokedSessions.jtiHash, jtiHash));
      return rows.length > 0;
    },
  };
}
