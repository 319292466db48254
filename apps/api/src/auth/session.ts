import { hashToken, type User } from '@agnes/system-db';
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv, Caller } from '../http/env.js';
import { SESSION_COOKIE } from './authenticate.js';
import { SESSION_TTL_SECONDS } from './jwt.js';

/**
 * A way to prove who someone is. Every provider ends in {@link startSession}, so a
 * password login, and later OIDC or a magic link, all issue the same session JWT.
 */
export interface AuthProvider<Input> {
  readonly name: string;
  /** The user the input proves, or undefined (the caller answers one generic 401). */
  authenticate(input: Input): Promise<User | undefined>;
}

/** Signs a session for an authenticated user: JWT in the body and an HttpOnly cookie. */
export async function startSession(c: Context<AppEnv>, deps: Pick<AppDeps, 'signer' | 'settings'>, user: User) {
  if (!user.active) throw new ApiError('unauthenticated', 'this account is deactivated; ask an admin to reactivate it');
  const session = await deps.signer.session(user.id);
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: deps.settings.secureCookies,
    maxAge: SESSION_TTL_SECONDS,
  });
  return { access_token: session.token, token_type: 'bearer' as const, expires_at: session.expiresAt.toISOString() };
}

/** Signs a session out for good: its JWT is refused from now on, not only at its expiry. */
export async function endSession(deps: Pick<AppDeps, 'db' | 'clock'>, caller: Caller | undefined): Promise<void> {
  if (!caller?.session) return;
  await deps.db.sessions.revoke({ jtiHash: hashToken(caller.session.jti), userId: caller.user.id, expiresAt: caller.session.expiresAt, now: deps.clock() });
}
