import { boolean, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/**
 * People who can sign in. `email` is stored lower-cased, which makes the unique
 * constraint case-insensitive on both backends. Setup, reset and magic-link tokens are
 * separate columns (one flow can never consume another's token) and only their hashes
 * are kept.
 */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash'),
  active: boolean('active').notNull().default(true),
  deactivatedAt: instant('deactivated_at'),
  deactivatedBy: text('deactivated_by'),
  setupTokenHash: text('setup_token_hash'),
  setupTokenExpiresAt: instant('setup_token_expires_at'),
  resetTokenHash: text('reset_token_hash'),
  resetTokenExpiresAt: instant('reset_token_expires_at'),
  magicLinkTokenHash: text('magic_link_token_hash'),
  magicLinkTokenExpiresAt: instant('magic_link_token_expires_at'),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at'),
});
