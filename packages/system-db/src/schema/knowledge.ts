import { integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** Corporate-memory items (tables only for now; governance comes later). */
export const knowledgeItems = pgTable('knowledge_items', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  content: text('content'),
  category: text('category'),
  tags: jsonb('tags').$type<string[]>(),
  status: text('status').notNull(),
  sourceUser: text('source_user'),
  audience: text('audience'),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at'),
});

/** One vote (+1 or -1) per user and item. */
export const knowledgeVotes = pgTable(
  'knowledge_votes',
  {
    itemId: text('item_id').notNull(),
    userId: text('user_id').notNull(),
    vote: integer('vote').notNull(),
    votedAt: instant('voted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.userId] })],
);
