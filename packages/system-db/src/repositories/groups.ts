import { and, asc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { groupMembers, resourceGrants, userGroups } from '../schema/access.js';
import { users } from '../schema/users.js';
import { ADMIN_GROUP_ID, EVERYONE_GROUP_ID, keepAnActiveAdmin } from './admins.js';
import { found, newId, oneOf } from './records.js';
import { type User, userColumns } from './users.js';

/** A group of users. */
export interface Group {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  /** `Admin` and `Everyone`: cannot be renamed or deleted. */
  readonly isSystem: boolean;
  readonly createdAt: Date;
}

/** Who manages a membership row. */
export type MembershipSource = 'admin' | 'sync' | 'system';

const MEMBERSHIP_SOURCES: readonly MembershipSource[] = ['admin', 'sync', 'system'];

/** A member of a group, with how and when it joined. */
export interface GroupMember {
  readonly user: User;
  readonly source: MembershipSource;
  readonly addedAt: Date;
}

/** Groups and memberships. */
export interface GroupsRepository {
  /** `conflict` when the name is taken. */
  create(input: { readonly name: string; readonly description?: string | null | undefined }): Promise<Group>;
  get(id: string): Promise<Group | undefined>;
  getByName(name: string): Promise<Group | undefined>;
  /** All groups by name, system groups included. */
  list(): Promise<Group[]>;
  /** Renames or re-describes a group; system groups keep their name (`invalid`). */
  update(id: string, changes: { readonly name?: string; readonly description?: string | null }): Promise<Group>;
  /** Deletes a non-system group with its memberships and grants; `invalid` for a system group. */
  remove(id: string): Promise<void>;
  /**
   * Adds a user (idempotent: false when already a member). `not_found` for an unknown
   * group or user.
   */
  addMember(groupId: string, userId: string, options?: { readonly source?: MembershipSource }): Promise<boolean>;
  /**
   * Removes a user (false when not a member). `last_admin` when it would leave `Admin`
   * without an active member; `invalid` for `Everyone`.
   */
  removeMember(groupId: string, userId: string): Promise<boolean>;
  /** Members ordered by email. */
  members(groupId: string): Promise<GroupMember[]>;
  /** Groups of a user, by name. */
  groupsOf(userId: string): Promise<Group[]>;
}

const groupColumns = {
  id: userGroups.id,
  name: userGroups.name,
  description: userGroups.description,
  isSystem: userGroups.isSystem,
  createdAt: userGroups.createdAt,
};

function groupName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw new SystemDbError('invalid', 'a group name needs 1 to 200 characters');
  return trimmed;
}

/** Builds the groups repository on a session. */
export function groupsRepository(session: Session): GroupsRepository {
  const get = async (on: Session, id: string) => (await on.db.select(groupColumns).from(userGroups).where(eq(userGroups.id, id)))[0];
  const nameTaken = async (on: Session, name: string, exceptId?: string) => {
    const rows = await on.db.select({ id: userGroups.id }).from(userGroups).where(eq(userGroups.name, name));
    return rows.some((r) => r.id !== exceptId);
  };

  return {
    async create(input) {
      const name = groupName(input.name);
      return session.withTransaction(async (tx) => {
        if (await nameTaken(tx, name)) throw new SystemDbError('conflict', `a group named ${name} already exists`);
        const [created] = await tx.db
          .insert(userGroups)
          .values({ id: newId(), name, description: input.description ?? null, isSystem: false })
          .returning(groupColumns);
        return found(created, 'the created group');
      });
    },

    get: (id) => get(session, id),

    async getByName(name) {
      return (await session.db.select(groupColumns).from(userGroups).where(eq(userGroups.name, name.trim())))[0];
    },

    list: () => session.db.select(groupColumns).from(userGroups).orderBy(asc(userGroups.name)),

    async update(id, changes) {
      const name = changes.name === undefined ? undefined : groupName(changes.name);
      return session.withTransaction(async (tx) => {
        const group = found(await get(tx, id), `group ${id}`);
        if (name !== undefined && name !== group.name) {
          if (group.isSystem) throw new SystemDbError('invalid', `the system group ${group.name} cannot be renamed`);
          if (await nameTaken(tx, name, id)) throw new SystemDbError('conflict', `a group named ${name} already exists`);
        }
        const [updated] = await tx.db
          .update(userGroups)
          .set({
            ...(name === undefined ? {} : { name }),
            ...(changes.description === undefined ? {} : { description: changes.description }),
          })
          .where(eq(userGroups.id, id))
          .returning(groupColumns);
        return found(updated, `group ${id}`);
      });
    },

    async remove(id) {
      await session.withTransaction(async (tx) => {
        const group = found(await get(tx, id), `group ${id}`);
        if (group.isSystem) throw new SystemDbError('invalid', `the system group ${group.name} cannot be deleted`);
        await tx.db.delete(groupMembers).where(eq(groupMembers.groupId, id));
        await tx.db.delete(resourceGrants).where(eq(resourceGrants.groupId, id));
        await tx.db.delete(userGroups).where(eq(userGroups.id, id));
      });
    },

    async addMember(groupId, userId, options = {}) {
      const source = oneOf(options.source ?? 'admin', MEMBERSHIP_SOURCES, 'membership source');
      return session.withTransaction(async (tx) => {
        found(await get(tx, groupId), `group ${groupId}`);
        found((await tx.db.select({ id: users.id }).from(users).where(eq(users.id, userId)))[0], `user ${userId}`);
        const added = await tx.db
          .insert(groupMembers)
          .values({ groupId, userId, source })
          .onConflictDoNothing()
          .returning({ userId: groupMembers.userId });
        return added.length > 0;
      });
    },

    async removeMember(groupId, userId) {
      if (groupId === EVERYONE_GROUP_ID) throw new SystemDbError('invalid', 'every user stays in Everyone; deactivate the user instead');
      return session.withTransaction(async (tx) => {
        found(await get(tx, groupId), `group ${groupId}`);
        if (groupId === ADMIN_GROUP_ID) await keepAnActiveAdmin(tx, userId, 'remove this user from Admin');
        const removed = await tx.db
          .delete(groupMembers)
          .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
          .returning({ userId: groupMembers.userId });
        return removed.length > 0;
      });
    },

    async members(groupId) {
      const rows = await session.db
        .select({
          source: groupMembers.source,
          addedAt: groupMembers.addedAt,
          user: userColumns,
        })
        .from(groupMembers)
        .innerJoin(users, eq(users.id, groupMembers.userId))
        .where(eq(groupMembers.groupId, groupId))
        .orderBy(asc(users.email));
      return rows.map((r) => ({ ...r, source: r.source as MembershipSource }));
    },

    async groupsOf(userId) {
      return session.db
        .select(groupColumns)
        .from(groupMembers)
        .innerJoin(userGroups, eq(userGroups.id, groupMembers.groupId))
        .where(eq(groupMembers.userId, userId))
        .orderBy(asc(userGroups.name));
    },
  };
}
