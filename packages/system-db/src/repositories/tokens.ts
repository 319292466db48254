import { createHash } from 'node:crypto';
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { personalAccessTokens } from '../schema/tokens.js';
import { users } from '../schema/users.js';
import { found, newId } from './records.js';
import { type User, userColumns } from './users.js';

/**
 * SHA-256 hex of a token (or of a JWT's `jti`): what the database stores and looks up.
 * Tokens are random and long, so a fast hash is enough; the raw value is never stored.
 *
 * @example
 * ```ts
 * const token = await db.tokens.create({ userId, name: 'laptop', tokenHash: hashToken(jti), expiresAt });
 * ```
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const TOKEN_HASH = /^[0-9a-f]{64}$/;

/** A personal access token without its hash. */
export interface AccessToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  /** Null: never expires. */
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly lastUsedIp: string | null;
  readonly createdAt: Date;
}

/** What {@link TokensRepository.touch} reports, for the "first use from a new IP" audit. */
export interface TokenUse {
  /** The IP recorded before this use (null on the first use). */
  readonly previousIp: string | null;
  /** True when the token had never been used. */
  readonly firstUse: boolean;
}

/** Personal access tokens. */
export interface TokensRepository {
  /**
   * Stores a new token by its hash ({@link hashToken}); `invalid` when `tokenHash` is not
   * a SHA-256 hex digest (a raw token passed by mistake), `not_found` for an unknown user.
   */
  create(input: {
    readonly userId: string;
    readonly name: string;
    readonly tokenHash: string;
    readonly expiresAt?: Date | null | undefined;
    /** Default: a new UUID (use the JWT's `jti` when there is one). */
    readonly id?: string | undefined;
  }): Promise<AccessToken>;
  get(id: string): Promise<AccessToken | undefined>;
  /**
   * The token with this hash and its user, only when the token is neither revoked nor
   * expired at `now` and the user is active; undefined otherwise.
   */
  findValidByHash(tokenHash: string, options?: { readonly now?: Date }): Promise<{ token: AccessToken; user: User } | undefined>;
  /** A user's tokens, newest first, revoked and expired ones included. */
  listByUser(userId: string): Promise<AccessToken[]>;
  /** Every token, newest first (the admin view). */
  listAll(): Promise<AccessToken[]>;
  /** Revokes (idempotent: the first revocation time stays); `not_found` for an unknown id. */
  revoke(id: string, options?: { readonly now?: Date }): Promise<AccessToken>;
  /** Records a use: time and client IP. */
  touch(id: string, use?: { readonly ip?: string | null | undefined; readonly now?: Date }): Promise<TokenUse>;
}

const tokenColumns = {
  id: personalAccessTokens.id,
  userId: personalAccessTokens.userId,
  name: personalAccessTokens.name,
  expiresAt: personalAccessTokens.expiresAt,
  revokedAt: personalAccessTokens.revokedAt,
  lastUsedAt: personalAccessTokens.lastUsedAt,
  lastUsedIp: personalAccessTokens.lastUsedIp,
  createdAt: personalAccessTokens.createdAt,
};

/** Builds the tokens repository on a session. */
export function tokensRepository(session: Session): TokensRepository {
  const get = async (on: Session, id: string) =>
    (await on.db.select(tokenColumns).from(personalAccessTokens).where(eq(personalAccessTokens.id, id)))[0];
  const newestFirst = [desc(personalAccessTokens.createdAt), desc(personalAccessTokens.id)];

  return {
    async create(input) {
      if (!TOKEN_HASH.test(input.tokenHash)) {
        throw new SystemDbError('invalid', 'tokenHash must be a SHA-256 hex digest (use hashToken); raw tokens are never stored');
      }
      const name = input.name.trim();
      if (name.length === 0 || name.length > 200) throw new SystemDbError('invalid', 'a token name needs 1 to 200 characters');
      return session.withTransaction(async (tx) => {
        found((await tx.db.select({ id: users.id }).from(users).where(eq(users.id, input.userId)))[0], `user ${input.userId}`);
        const [created] = await tx.db
          .insert(personalAccessTokens)
          .values({ id: input.id ?? newId(), userId: input.userId, name, tokenHash: input.tokenHash, expiresAt: input.expiresAt ?? null })
          .returning(tokenColumns);
        return found(created, 'the created token');
      });
    },

    get: (id) => get(session, id),

    async findValidByHash(tokenHash, options = {}) {
      const now = options.now ?? new Date();
      const [row] = await session.db
        .select({ token: tokenColumns, user: userColumns })
        .from(personalAccessTokens)
        .innerJoin(users, eq(users.id, personalAccessTokens.userId))
        .where(
          and(
            eq(personalAccessTokens.tokenHash, tokenHash),
            isNull(personalAccessTokens.revokedAt),
            or(isNull(personalAccessTokens.expiresAt), gt(personalAccessTokens.expiresAt, now)),
            eq(users.active, true),
          ),
        );
      return row;
    },

    listByUser: (userId) =>
      session.db.select(tokenColumns).from(personalAccessTokens).where(eq(personalAccessTokens.userId, userId)).orderBy(...newestFirst),

    listAll: () => session.db.select(tokenColumns).from(personalAccessTokens).orderBy(...newestFirst),

    async revoke(id, options = {}) {
      return session.withTransaction(async (tx) => {
        const token = found(await get(tx, id), `token ${id}`);
        if (token.revokedAt !== null) return token;
        const [revoked] = await tx.db
          .update(personalAccessTokens)
          .set({ revokedAt: options.now ?? new Date() })
          .where(eq(personalAccessTokens.id, id))
          .returning(tokenColumns);
        return found(revoked, `token ${id}`);
      });
    },

    async touch(id, use = {}) {
      return session.withTransaction(async (tx) => {
        const token = found(await get(tx, id), `token ${id}`);
        await tx.db
          .update(personalAccessTokens)
          .set({ lastUsedAt: use.now ?? new Date(), lastUsedIp: use.ip ?? token.lastUsedIp })
          .where(eq(personalAccessTokens.id, id));
        return { previousIp: token.lastUsedIp, firstUse: token.lastUsedAt === null };
      });
    },
  };
}
