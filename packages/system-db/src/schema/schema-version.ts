import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** One row per applied migration; the highest `version` is the schema's version. */
export const schemaVersion = pgTable('schema_version', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  appliedAt: instant('applied_at').notNull().defaultNow(),
});
