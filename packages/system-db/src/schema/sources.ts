import { boolean, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** Configured data sources: which connector package runs with which config, and when. */
export const sources = pgTable('sources', {
  name: text('name').primaryKey(),
  connector: text('connector').notNull(),
  config: jsonb('config').$type<Record<string, unknown>>().notNull(),
  schedule: text('schedule'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at'),
});
