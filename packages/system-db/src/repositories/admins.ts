import { and, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { groupMembers, userGroups } from '../schema/access.js';
import { users } from '../schema/users.js';

/** Id of the seeded `Admin` group; membership gates admin routes. */
export const ADMIN_GROUP_ID = 'admin';

/** Id of the seeded `Everyone` group; every user is a member. */
export const EVERYONE_GROUP_ID = 'everyone';

/** Ids of the active members of `Admin`. */
export async function activeAdminIds(session: Session): Promise<string[]> {
  const rows = await session.db
    .select({ id: users.id })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(and(eq(groupMembers.groupId, ADMIN_GROUP_ID), eq(users.active, true)));
  return rows.map((r) => r.id);
}

/**
 * Refuses a change that takes `userId` out of the active admins when nobody else is one.
 * Call inside a transaction. On PostgreSQL the `Admin` group row is locked first, so two
 * admins demoting each other at the same moment cannot both succeed (READ COMMITTED
 * alone would allow it); on DuckDB the process-wide queue already serialises writers.
 */
export async function keepAnActiveAdmin(tx: Session, userId: string, change: string): Promise<void> {
  if (tx.kind === 'postgres') {
    await tx.db.select({ id: userGroups.id }).from(userGroups).where(eq(userGroups.id, ADMIN_GROUP_ID)).for('update');
  }
  const admins = await activeAdminIds(tx);
  if (admins.includes(userId) && admins.length === 1) {
    throw new SystemDbError('last_admin', `cannot ${change}: this user is the last active admin`);
  }
}
