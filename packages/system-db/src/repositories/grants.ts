import { and, asc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { groupMembers, resourceGrants, userGroups } from '../schema/access.js';
import { found } from './records.js';

/** Access of one group to one resource, e.g. `('table', 'orders')`. */
export interface Grant {
  readonly groupId: string;
  /** `table` for published tables; other kinds may follow. */
  readonly resourceType: string;
  readonly resourceId: string;
  readonly grantedBy: string | null;
  readonly grantedAt: Date;
}

/** Names one grant. */
export interface GrantKey {
  readonly groupId: string;
  /** Default `table`. */
  readonly resourceType?: string | undefined;
  readonly resourceId: string;
}

/** Resource grants of groups. */
export interface GrantsRepository {
  /** Grants access (idempotent: returns the existing grant); `not_found` for an unknown group. */
  grant(key: GrantKey & { readonly grantedBy?: string | null | undefined }): Promise<Grant>;
  /** Revokes; false when there was no such grant. */
  revoke(key: GrantKey): Promise<boolean>;
  listByGroup(groupId: string): Promise<Grant[]>;
  /** Grants on one resource (default type `table`). */
  listByResource(resourceId: string, resourceType?: string): Promise<Grant[]>;
  /** Every grant reaching a user through any of its groups (what the access decision needs). */
  listForUser(userId: string): Promise<Grant[]>;
}

const grantColumns = {
  groupId: resourceGrants.groupId,
  resourceType: resourceGrants.resourceType,
  resourceId: resourceGrants.resourceId,
  grantedBy: resourceGrants.grantedBy,
  grantedAt: resourceGrants.grantedAt,
};

function keyOf(key: GrantKey) {
  const resourceType = key.resourceType ?? 'table';
  if (resourceType.length === 0 || key.resourceId.length === 0) {
    throw new SystemDbError('invalid', 'a grant needs a resource type and id');
  }
  return { groupId: key.groupId, resourceType, resourceId: key.resourceId };
}

function matching(key: ReturnType<typeof keyOf>) {
  return and(
    eq(resourceGrants.groupId, key.groupId),
    eq(resourceGrants.resourceType, key.resourceType),
    eq(resourceGrants.resourceId, key.resourceId),
  );
}

/** Builds the grants repository on a session. */
export function grantsRepository(session: Session): GrantsRepository {
  const ordered = [asc(resourceGrants.resourceType), asc(resourceGrants.resourceId), asc(resourceGrants.groupId)];
  return {
    async grant(input) {
      const key = keyOf(input);
      return session.withTransaction(async (tx) => {
        found((await tx.db.select({ id: userGroups.id }).from(userGroups).where(eq(userGroups.id, key.groupId)))[0], `group ${key.groupId}`);
        await tx.db
          .insert(resourceGrants)
          .values({ ...key, grantedBy: input.grantedBy ?? null })
          .onConflictDoNothing();
        const [grant] = await tx.db.select(grantColumns).from(resourceGrants).where(matching(key));
        return found(grant, 'the grant');
      });
    },

    async revoke(input) {
      const removed = await session.db.delete(resourceGrants).where(matching(keyOf(input))).returning({ id: resourceGrants.groupId });
      return removed.length > 0;
    },

    listByGroup: (groupId) => session.db.select(grantColumns).from(resourceGrants).where(eq(resourceGrants.groupId, groupId)).orderBy(...ordered),

    listByResource: (resourceId, resourceType = 'table') =>
      session.db
        .select(grantColumns)
        .from(resourceGrants)
        .where(and(eq(resourceGrants.resourceType, resourceType), eq(resourceGrants.resourceId, resourceId)))
        .orderBy(...ordered),

    listForUser: (userId) =>
      session.db
        .select(grantColumns)
        .from(resourceGrants)
        .innerJoin(groupMembers, eq(groupMembers.groupId, resourceGrants.groupId))
        .where(eq(groupMembers.userId, userId))
        .orderBy(...ordered),
  };
}
