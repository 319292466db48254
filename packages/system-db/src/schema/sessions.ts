import { pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/**
 * Session JWTs ended before their expiry (sign-out), by the hash of their `jti`. A row is
 * needed only until the token would have expired anyway, so old rows are pruned.
 */
export const revokedSessions = pgTable('revoked_sessions', {
  jtiHash: text('jti_hash').primaryKey(),
  userId: text('user_id').notNull(),
  expiresAt: instant('expires_at').notNull(),
  revokedAt: instant('revoked_at').notNull().defaultNow(),
});
