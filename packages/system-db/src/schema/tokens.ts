import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** Personal access tokens: only a hash of the token (or of its `jti`) is stored. */
export const personalAccessTokens = pgTable(
  'personal_access_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: instant('expires_at'),
    revokedAt: instant('revoked_at'),
    lastUsedAt: instant('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [index('personal_access_tokens_user_idx').on(t.userId)],
);
