import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../auth/authenticate.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';

/** Header page scripts send the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** Form field HTML forms send the CSRF token in. */
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF token of a session: a hash of the session cookie. A cross-site page can make the
 * browser send the HttpOnly cookie but can neither read it nor this value, which the server
 * puts only into its own pages. Stateless: no table, and it changes with every sign-in.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`agnes-csrf\u0000${sessionToken}`).digest('base64url');
}

/** The CSRF token for the session cookie of this request, or '' without one. */
export function csrfTokenOf(c: Context<AppEnv>): string {
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? csrfTokenFor(cookie) : '';
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when a browser says the request comes from another site: `Sec-Fetch-Site` when it
 * sends one, else an `Origin` whose host is not ours. Clients that send neither (the CLI,
 * curl) are not browsers and are not judged here.
 */
function fromAnotherSite(c: Context<AppEnv>): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return true;
  }
}

async function sentToken(c: Context<AppEnv>): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  // parseBody caches the parsed body, so the route reads it again for free.
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const value = form[CSRF_FIELD];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Refuses cross-site and unproven cookie-authenticated mutations. Requests with an
 * `Authorization` header (the CLI, scripts, PATs) pass unchanged: a browser never adds one
 * on its own. Any other POST/PUT/PATCH/DELETE from a browser must come from our own site,
 * and when it is authenticated by the session cookie it must also carry the session's CSRF
 * token, in the `X-CSRF-Token` header (page scripts) or the `_csrf` form field (forms).
 * Runs after the auth middleware, which has resolved the caller.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || c.req.header('authorization')) return next();
    if (fromAnotherSite(c)) throw new ApiError('forbidden', 'cross-site request refused; use the Agnes pages or send "Authorization: Bearer <token>"');
    const cookie = getCookie(c, SESSION_COOKIE);
    if (c.get('caller') && cookie) {
      const sent = await sentToken(c);
      if (!sent || !sameToken(sent, csrfTokenFor(cookie))) {
        throw new ApiError('forbidden', 'missing or wrong CSRF token: reload the page and try again (API clients: send "Authorization: Bearer <token>" instead of the cookie)');
      }
    }
    await next();
  };
}
