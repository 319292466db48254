import { bigint, bigserial, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** The state of each table after its last successful sync. */
export const syncState = pgTable('sync_state', {
  tableId: text('table_id').primaryKey(),
  lastSyncAt: instant('last_sync_at').notNull(),
  rows: bigint('rows', { mode: 'number' }),
  sizeBytes: bigint('size_bytes', { mode: 'number' }),
  contentHash: text('content_hash'),
  queryMode: text('query_mode'),
  schemaJson: jsonb('schema_json').$type<unknown>(),
});

/** One row per sync run of a table, successful or not. */
export const syncHistory = pgTable(
  'sync_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tableId: text('table_id').notNull(),
    startedAt: instant('started_at').notNull(),
    finishedAt: instant('finished_at'),
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    rows: bigint('rows', { mode: 'number' }),
  },
  (t) => [index('sync_history_table_idx').on(t.tableId, t.startedAt)],
);
