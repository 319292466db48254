import type { HtmlEscapedString } from 'hono/utils/html';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { deleteCookie, getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../auth/authenticate.js';
import type { ApiSettings } from '../app/deps.js';
import { ApiError, STATUS } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import { csrfTokenOf } from './csrf.js';
import { Layout, type Notice, type PageFrame } from './layout.js';
import { safeNextPath } from './next-path.js';

/**
 * The Content-Security-Policy of every page: scripts, styles and fetches from this server
 * only, no inline code, no framing, forms post only here.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The frame of a page for the current request: viewer, CSRF token, current path. */
export function frameOf(c: Context<AppEnv>, title: string, notice?: Notice): PageFrame {
  const caller = c.get('caller');
  return {
    title,
    path: c.req.path,
    viewer: caller ? { email: caller.user.email, name: caller.user.name, isAdmin: caller.isAdmin } : undefined,
    csrf: csrfTokenOf(c),
    notice,
  };
}

/** Sends a page with the security headers; never cached (pages carry CSRF tokens and personal data). */
export async function sendPage(c: Context<AppEnv>, page: HtmlEscapedString | Promise<HtmlEscapedString>, status: 200 | 400 | 401 | 403 | 404 | 409 | 429 | 500 | 503 = 200): Promise<Response> {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${await page}`, status);
}

/** The status a page shows for an API answer (only the ones `sendPage` knows). */
export function pageStatus(status: number): 400 | 401 | 403 | 404 | 409 | 429 | 500 | 503 {
  const known = [400, 401, 403, 404, 409, 429, 500, 503] as const;
  return (known as readonly number[]).includes(status) ? (status as (typeof known)[number]) : 400;
}

/** True for a browser asking for a page: HTML accepted, and not an API, auth or asset path. */
export function wantsPage(c: Context<AppEnv>): boolean {
  const path = c.req.path;
  if (path === '/api' || path.startsWith('/api/') || path === '/auth' || path.startsWith('/auth/') || path.startsWith('/assets/')) return false;
  return (c.req.header('accept') ?? '').includes('text/html');
}

/**
 * The answer to a failed page request, or undefined for API requests (they keep their JSON
 * error). Not signed in: a redirect to `/login?next=…` (dropping a dead session cookie);
 * anything else: an error page with the API's message and status.
 */
export async function pageError(c: Context<AppEnv>, error: ApiError): Promise<Response | undefined> {
  if (!wantsPage(c)) return undefined;
  if (error.code === 'unauthenticated') {
    if (getCookie(c, SESSION_COOKIE) !== undefined) deleteCookie(c, SESSION_COOKIE, { path: '/' });
    const url = new URL(c.req.url);
    const next = c.req.method === 'GET' ? safeNextPath(`${url.pathname}${url.search}`) : '/';
    return c.redirect(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, 302);
  }
  const status = pageStatus(STATUS[error.code]);
  const title = error.code === 'not_found' ? 'Not found' : error.code === 'forbidden' ? 'Not allowed' : 'Something went wrong';
  return sendPage(
    c,
    <Layout {...frameOf(c, title)}>
      <h1>{title}</h1>
      <p class="notice error" role="alert">
        {error.message}
      </p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </Layout>,
    status,
  );
}

/** True when the connection comes from a trusted proxy, whose X-Forwarded-* headers are believed. */
function viaTrustedProxy(c: Context<AppEnv>, trustedProxies: ReadonlySet<string>): boolean {
  if (trustedProxies.size === 0) return false;
  try {
    const peer = getConnInfo(c).remote.address ?? '';
    return trustedProxies.has(peer.startsWith('::ffff:') ? peer.slice('::ffff:'.length) : peer);
  } catch {
    return false;
  }
}

/** Whether the browser reached us over HTTPS (directly, or through a trusted proxy saying so). */
export function overHttps(c: Context<AppEnv>, settings: Pick<ApiSettings, 'secureCookies' | 'trustedProxies'>): boolean {
  if (settings.secureCookies) return true;
  if (new URL(c.req.url).protocol === 'https:') return true;
  return viaTrustedProxy(c, settings.trustedProxies) && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

const SAFE_ORIGIN = /^https?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The server's URL as the browser sees it, for the install commands; a placeholder when the
 * Host header holds anything but a plain host (it ends up in shell commands people paste).
 */
export function publicOrigin(c: Context<AppEnv>, settings: Pick<ApiSettings, 'secureCookies' | 'trustedProxies'>): string {
  const url = new URL(c.req.url);
  const proxied = viaTrustedProxy(c, settings.trustedProxies);
  const host = (proxied ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined) ?? c.req.header('host') ?? url.host;
  const origin = `${overHttps(c, settings) ? 'https' : url.protocol.replace(':', '')}://${host}`;
  return SAFE_ORIGIN.test(origin) ? origin : 'https://agnes.example.com';
}

/** A string field of a parsed form ('' when absent). */
export function field(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : '';
}

/** Throws `forbidden` unless the caller is an admin (shown as an error page). */
export function requireAdmin(c: Context<AppEnv>): void {
  if (!c.get('caller')?.isAdmin) throw new ApiError('forbidden', 'this page is for admins; ask an admin to add you to the Admin group');
}
