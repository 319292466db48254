import { boolean, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** Published tables; `id` is the view name analysts query. */
export const tableRegistry = pgTable('table_registry', {
  id: text('id').primaryKey(),
  source: text('source').notNull(),
  sourceTable: text('source_table'),
  query: text('query'),
  strategy: text('strategy').notNull(),
  queryMode: text('query_mode').notNull(),
  schedule: text('schedule'),
  primaryKey: jsonb('primary_key').$type<string[]>(),
  description: text('description'),
  config: jsonb('config').$type<Record<string, unknown>>(),
  registeredBy: text('registered_by'),
  registeredAt: instant('registered_at').notNull().defaultNow(),
  updatedAt: instant('updated_at'),
});

/** The latest profile (column statistics, samples) of a table, as produced by the profiler. */
export const tableProfiles = pgTable('table_profiles', {
  tableId: text('table_id').primaryKey(),
  profile: jsonb('profile').$type<Record<string, unknown>>().notNull(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/** Which tables an analyst's `da sync` downloads. */
export const userSyncSettings = pgTable(
  'user_sync_settings',
  {
    userId: text('user_id').notNull(),
    tableId: text('table_id').notNull(),
    subscribed: boolean('subscribed').notNull(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tableId] })],
);
