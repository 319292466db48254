import { asc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { userSyncSettings } from '../schema/registry.js';

/** Whether a user's `da sync` downloads a table. */
export interface Subscription {
  readonly userId: string;
  readonly tableId: string;
  readonly subscribed: boolean;
  readonly updatedAt: Date;
}

/** Per-user sync settings (`user_sync_settings`). */
export interface SubscriptionsRepository {
  /** Sets (or replaces) a user's choice for one table. */
  set(userId: string, tableId: string, subscribed: boolean): Promise<Subscription>;
  /** A user's explicit choices, by table id; tables without a row follow the default. */
  listByUser(userId: string): Promise<Subscription[]>;
}

/** Builds the subscriptions repository on a session. */
export function subscriptionsRepository(session: Session): SubscriptionsRepository {
  return {
    async set(userId, tableId, subscribed) {
      const updatedAt = new Date();
      const [row] = await session.db
        .insert(userSyncSettings)
        .values({ userId, tableId, subscribed, updatedAt })
        .onConflictDoUpdate({ target: [userSyncSettings.userId, userSyncSettings.tableId], set: { subscribed, updatedAt } })
        .returning();
      return row ?? { userId, tableId, subscribed, updatedAt };
    },

    listByUser: (userId) =>
      session.db.select().from(userSyncSettings).where(eq(userSyncSettings.userId, userId)).orderBy(asc(userSyncSettings.tableId)),
  };
}
