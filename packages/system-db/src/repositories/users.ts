import { and, asc, count, eq, gt, or, type SQL, sql } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { groupMembers } from '../schema/access.js';
import { personalAccessTokens } from '../schema/tokens.js';
import { userSyncSettings } from '../schema/registry.js';
import { users } from '../schema/users.js';
import { ADMIN_GROUP_ID, activeAdminIds, EVERYONE_GROUP_ID, keepAnActiveAdmin } from './admins.js';
import { found, newId, pageSize } from './records.js';

/** A user as the rest of Agnes sees it: no password or token hashes. */
export interface User {
  readonly id: string;
  /** Lower-cased; unique case-insensitively. */
  readonly email: string;
  readonly name: string | null;
  readonly active: boolean;
  readonly deactivatedAt: Date | null;
  readonly deactivatedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

/** Input of {@link UsersRepository.create}. */
export interface NewUser {
  readonly email: string;
  readonly name?: string | null | undefined;
  /** An argon2 (or other) hash made by the caller; never a plain password. */
  readonly passwordHash?: string | null | undefined;
  readonly active?: boolean | undefined;
  /** Default: a new UUID. */
  readonly id?: string | undefined;
}

/** Filters of {@link UsersRepository.list}. */
export interface ListUsersOptions {
  /** Case-insensitive substring of the email or name. */
  readonly search?: string | undefined;
  readonly active?: boolean | undefined;
  /** Default 100, at most 1,000. */
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/** The single-use tokens a user row can carry; each has its own column. */
export type UserTokenKind = 'setup' | 'reset' | 'magic_link';

const tokenColumns = {
  setup: { hash: users.setupTokenHash, expiresAt: users.setupTokenExpiresAt, hashKey: 'setupTokenHash', expiresKey: 'setupTokenExpiresAt' },
  reset: { hash: users.resetTokenHash, expiresAt: users.resetTokenExpiresAt, hashKey: 'resetTokenHash', expiresKey: 'resetTokenExpiresAt' },
  magic_link: {
    hash: users.magicLinkTokenHash,
    expiresAt: users.magicLinkTokenExpiresAt,
    hashKey: 'magicLinkTokenHash',
    expiresKey: 'magicLinkTokenExpiresAt',
  },
} as const;

/** The columns of a {@link User}; shared by every query that returns users. */
export const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  active: users.active,
  deactivatedAt: users.deactivatedAt,
  deactivatedBy: users.deactivatedBy,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Trims and lower-cases an email, or throws `invalid`. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL.test(normalized)) throw new SystemDbError('invalid', `"${email}" is not an email address`);
  return normalized;
}

/** Users: accounts, passwords, activation and single-use tokens. */
export interface UsersRepository {
  /** Creates a user and adds it to `Everyone`; `conflict` when the email is taken in any letter case. */
  create(input: NewUser): Promise<User>;
  get(id: string): Promise<User | undefined>;
  /** Looks up by email, in any letter case. */
  getByEmail(email: string): Promise<User | undefined>;
  /** Users ordered by email. */
  list(options?: ListUsersOptions): Promise<User[]>;
  /** Changes name and/or email (`conflict` when the new email is taken). */
  update(id: string, changes: { readonly name?: string | null; readonly email?: string }): Promise<User>;
  /** The stored password hash (null when none is set); `not_found` for an unknown user. */
  getPasswordHash(id: string): Promise<string | null>;
  setPasswordHash(id: string, passwordHash: string | null): Promise<void>;
  activate(id: string): Promise<User>;
  /** `last_admin` when the user is the last active admin. */
  deactivate(id: string, options?: { readonly by?: string | undefined }): Promise<User>;
  /** Deletes the user with its memberships, tokens and subscriptions; `last_admin` as above. */
  remove(id: string): Promise<void>;
  /** True when the user is in `Admin` (active or not). */
  isAdmin(id: string): Promise<boolean>;
  countActiveAdmins(): Promise<number>;
  /** Number of users; first-run set-up creates the first admin when it is 0. */
  count(): Promise<number>;
  /** Stores the hash of a setup, reset or magic-link token (replacing any earlier one). */
  setToken(id: string, kind: UserTokenKind, token: { readonly hash: string; readonly expiresAt: Date }): Promise<void>;
  /**
   * Finds the active user holding an unexpired token of `kind` with this hash and clears
   * it, so it works once; undefined otherwise.
   */
  consumeToken(kind: UserTokenKind, hash: string, options?: { readonly now?: Date }): Promise<User | undefined>;
}

/** Builds the users repository on a session. */
export function usersRepository(session: Session): UsersRepository {
  const { db } = session;
  // Inside a transaction every read goes through `tx`: on DuckDB the shared handle waits
  // for the queue the transaction holds.
  const get = async (on: Session, id: string) => (await on.db.select(userColumns).from(users).where(eq(users.id, id)))[0];
  const require = async (on: Session, id: string) => found(await get(on, id), `user ${id}`);

  return {
    async create(input) {
      const email = normalizeEmail(input.email);
      return session.withTransaction(async (tx) => {
        const existing = await tx.db.select({ id: users.id }).from(users).where(eq(users.email, email));
        if (existing.length > 0) throw new SystemDbError('conflict', `a user with email ${email} already exists`);
        const [created] = await tx.db
          .insert(users)
          .values({
            id: input.id ?? newId(),
            email,
            name: input.name ?? null,
            passwordHash: input.passwordHash ?? null,
            active: input.active ?? true,
          })
          .returning(userColumns);
        const user = found(created, 'the created user');
        await tx.db.insert(groupMembers).values({ groupId: EVERYONE_GROUP_ID, userId: user.id, source: 'system' });
        return user;
      });
    },

    get: (id) => get(session, id),

    async getByEmail(email) {
      return (await db.select(userColumns).from(users).where(eq(users.email, email.trim().toLowerCase())))[0];
    },

    async list(options = {}) {
      const filters: SQL[] = [];
      if (options.search) {
        // strpos, not LIKE: DuckDB and PostgreSQL escape LIKE patterns differently, and a
        // search for "100%" must find the text "100%".
        const contains = (column: typeof users.email | typeof users.name) => sql`strpos(lower(${column}), lower(${options.search})) > 0`;
        const match = or(contains(users.email), contains(users.name));
        if (match) filters.push(match);
      }
      if (options.active !== undefined) filters.push(eq(users.active, options.active));
      return db
        .select(userColumns)
        .from(users)
        .where(and(...filters))
        .orderBy(asc(users.email))
        .limit(pageSize(options.limit, 100))
        .offset(options.offset ?? 0);
    },

    async update(id, changes) {
      const email = changes.email === undefined ? undefined : normalizeEmail(changes.email);
      return session.withTransaction(async (tx) => {
        await require(tx, id);
        if (email !== undefined) {
          const holder = await tx.db.select({ id: users.id }).from(users).where(eq(users.email, email));
          if (holder.some((h) => h.id !== id)) throw new SystemDbError('conflict', `a user with email ${email} already exists`);
        }
        const [updated] = await tx.db
          .update(users)
          .set({
            ...(changes.name === undefined ? {} : { name: changes.name }),
            ...(email === undefined ? {} : { email }),
            updatedAt: new Date(),
          })
          .where(eq(users.id, id))
          .returning(userColumns);
        return found(updated, `user ${id}`);
      });
    },

    async getPasswordHash(id) {
      const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id));
      return found(row, `user ${id}`).hash;
    },

    async setPasswordHash(id, passwordHash) {
      const updated = await db
        .update(users)
        .set({ passwordHash, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning({ id: users.id });
      found(updated[0], `user ${id}`);
    },

    async activate(id) {
      const [updated] = await db
        .update(users)
        .set({ active: true, deactivatedAt: null, deactivatedBy: null, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning(userColumns);
      return found(updated, `user ${id}`);
    },

    async deactivate(id, options = {}) {
      return session.withTransaction(async (tx) => {
        const user = await require(tx, id);
        if (!user.active) return user;
        await keepAnActiveAdmin(tx, id, 'deactivate this user');
        const now = new Date();
        const [updated] = await tx.db
          .update(users)
          .set({ active: false, deactivatedAt: now, deactivatedBy: options.by ?? null, updatedAt: now })
          .where(eq(users.id, id))
          .returning(userColumns);
        return found(updated, `user ${id}`);
      });
    },

    async remove(id) {
      await session.withTransaction(async (tx) => {
        await require(tx, id);
        await keepAnActiveAdmin(tx, id, 'delete this user');
        await tx.db.delete(groupMembers).where(eq(groupMembers.userId, id));
        await tx.db.delete(personalAccessTokens).where(eq(personalAccessTokens.userId, id));
        await tx.db.delete(userSyncSettings).where(eq(userSyncSettings.userId, id));
        await tx.db.delete(users).where(eq(users.id, id));
      });
    },

    async isAdmin(id) {
      const rows = await db
        .select({ userId: groupMembers.userId })
        .from(groupMembers)
        .where(and(eq(groupMembers.groupId, ADMIN_GROUP_ID), eq(groupMembers.userId, id)));
      return rows.length > 0;
    },

    async countActiveAdmins() {
      return (await activeAdminIds(session)).length;
    },

    async count() {
      const [row] = await db.select({ n: count() }).from(users);
      return row?.n ?? 0;
    },

    async setToken(id, kind, token) {
      const columns = tokenColumns[kind];
      const updated = await db
        .update(users)
        .set({ [columns.hashKey]: token.hash, [columns.expiresKey]: token.expiresAt, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning({ id: users.id });
      found(updated[0], `user ${id}`);
    },

    async consumeToken(kind, hash, options = {}) {
      const columns = tokenColumns[kind];
      const now = options.now ?? new Date();
      // One conditional UPDATE: of two concurrent uses, PostgreSQL lets the second re-check
      // the condition after the first committed, so only one of them gets the user back.
      const [match] = await session.db
        .update(users)
        .set({ [columns.hashKey]: null, [columns.expiresKey]: null })
        .where(and(eq(columns.hash, hash), gt(columns.expiresAt, now), eq(users.active, true)))
        .returning(userColumns);
      return match;
    },
  };
}

