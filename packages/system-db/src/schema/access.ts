import { boolean, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';

/** Groups of users; `Admin` and `Everyone` are seeded system groups (`is_system`). */
export const userGroups = pgTable('user_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description'),
  isSystem: boolean('is_system').notNull().default(false),
  createdAt: instant('created_at').notNull().defaultNow(),
});

/** Membership; `source` says who manages the row: an admin, a directory sync, or the system. */
export const groupMembers = pgTable(
  'group_members',
  {
    groupId: text('group_id').notNull(),
    userId: text('user_id').notNull(),
    source: text('source').notNull(),
    addedAt: instant('added_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user_idx').on(t.userId)],
);

/** What a group may access, e.g. `('table', 'orders')`. */
export const resourceGrants = pgTable(
  'resource_grants',
  {
    groupId: text('group_id').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    grantedBy: text('granted_by'),
    grantedAt: instant('granted_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.resourceType, t.resourceId] }),
    index('resource_grants_resource_idx').on(t.resourceType, t.resourceId),
  ],
);
