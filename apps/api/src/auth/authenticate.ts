import { hashToken, type SystemDb, ADMIN_GROUP_ID } from '@agnes/system-db';
import type { AccessContext } from '@agnes/rbac';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ApiError } from '../http/api-error.js';
import type { AppEnv, Caller } from '../http/env.js';
import type { TokenSigner } from './jwt.js';

/** How often a PAT's `last_used_at` is rewritten while it keeps being used from one address. */
const TOUCH_EVERY_MS = 60_000;

/** Name of the session cookie of the web pages. */
export const SESSION_COOKIE = 'agnes_session';

const UNAUTHENTICATED = 'sign in first: send "Authorization: Bearer <token>" (POST /auth/token, or a personal access token)';

function bearer(c: Context<AppEnv>): string | undefined {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
    return match[1];
  }
  return getCookie(c, SESSION_COOKIE);
}

/**
 * Resolves the caller of a request from its Bearer token or session cookie, checking
 * everything against the database on every request: the user must exist and be active
 * (a deactivation or role change applies to the very next request), and a PAT must be
 * neither revoked nor expired. Returns undefined when no credentials were sent.
 */
export async function resolveCaller(
  c: Context<AppEnv>,
  deps: { readonly db: SystemDb; readonly signer: TokenSigner; readonly clock: () => Date; readonly onFirstUseFromNewIp: (info: { userId: string; tokenId: string; previousIp: string; ip: string }) => Promise<void> },
): Promise<Caller | undefined> {
  const token = bearer(c);
  if (token === undefined) return undefined;
  const verified = await deps.signer.verify(token);
  if (!verified) throw new ApiError('unauthenticated', `the token is invalid or expired; ${UNAUTHENTICATED}`);
  const { db } = deps;
  let tokenId: string | null = null;
  let user;
  if (verified.type === 'pat') {
    const found = await db.tokens.findValidByHash(hashToken(verified.jti), { now: deps.clock() });
    if (!found || found.user.id !== verified.userId) {
      throw new ApiError('unauthenticated', 'this personal access token is revoked, expired or its user is deactivated; create a new one');
    }
    user = found.user;
    tokenId = found.token.id;
    const ip = c.get('clientIp');
    const now = deps.clock();
    const last = found.token.lastUsedAt;
    // A write per request would put the token row on every call's path (a `da sync` of
    // 1,000 tables makes 1,000): last use is recorded at most once a minute per address.
    if (!last || found.token.lastUsedIp !== ip || now.getTime() - last.getTime() >= TOUCH_EVERY_MS) {
      const use = await db.tokens.touch(found.token.id, { ip, now });
      if (!use.firstUse && use.previousIp !== null && use.previousIp !== ip) {
        await deps.onFirstUseFromNewIp({ userId: user.id, tokenId: found.token.id, previousIp: use.previousIp, ip });
      }
    }
  } else {
    if (await db.sessions.isRevoked(hashToken(verified.jti))) throw new ApiError('unauthenticated', `this session was signed out; ${UNAUTHENTICATED}`);
    user = await db.users.get(verified.userId);
    if (!user) throw new ApiError('unauthenticated', `the user of this session no longer exists; ${UNAUTHENTICATED}`);
  }
  if (!user.active) throw new ApiError('unauthenticated', 'this account is deactivated; ask an admin to reactivate it');
  const groups = await db.groups.groupsOf(user.id);
  const groupIds = groups.map((g) => g.id);
  let access: Promise<AccessContext> | undefined;
  const userId = user.id;
  return {
    user,
    tokenType: verified.type,
    tokenId,
    session: verified.type === 'session' ? { jti: verified.jti, expiresAt: new Date((verified.expiresAt ?? 0) * 1000) } : null,
    groups,
    isAdmin: groupIds.includes(ADMIN_GROUP_ID),
    principal: { userId, active: user.active, groups: groupIds },
    access: () => {
      access ??= db.grants.listForUser(userId).then((grants) => ({ grants, adminGroupId: ADMIN_GROUP_ID }));
      return access;
    },
  };
}

/** The caller of an authenticated route (the middleware guarantees one). */
export function callerOf(c: Context<AppEnv>): Caller {
  const caller = c.get('caller');
  if (!caller) throw new ApiError('unauthenticated', UNAUTHENTICATED);
  return caller;
}

/** The caller, who must be an admin. */
export function adminOf(c: Context<AppEnv>): Caller {
  const caller = callerOf(c);
  if (!caller.isAdmin) throw new ApiError('forbidden', 'this needs an admin; ask an admin to add you to the Admin group');
  return caller;
}

/** The caller, who must use a session (a PAT cannot mint PATs). */
export function sessionOf(c: Context<AppEnv>): Caller {
  const caller = callerOf(c);
  if (caller.tokenType !== 'session') {
    throw new ApiError('forbidden', 'a personal access token cannot create tokens; sign in with your password (POST /auth/token) and use that session');
  }
  return caller;
}
