import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../auth/authenticate.js';
import type { AppEnv } from '../http/env.js';

/** What an API call made on behalf of a page returned. */
export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly data: T }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string; readonly details: Record<string, unknown> | undefined };

/** Calls the JSON API as the page's caller. */
export type InternalApi = <T = unknown>(c: Context<AppEnv>, method: string, path: string, body?: unknown) => Promise<ApiResult<T>>;

/**
 * Pages read and change data through the JSON API, in process, as the signed-in user: the
 * same validation, safeguards (never yourself, never the last admin), RBAC and audit trail
 * as `da` and scripts get, instead of a second copy of them here. The session cookie is sent
 * as a Bearer token, and the original request's connection info goes along so the client
 * IP (rate limits, audit) stays the browser's.
 */
export function internalApi(app: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }): InternalApi {
  return async <T>(c: Context<AppEnv>, method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
    const headers = new Headers({ accept: 'application/json' });
    const authorization = c.req.header('authorization');
    const cookie = getCookie(c, SESSION_COOKIE);
    if (authorization) headers.set('authorization', authorization);
    else if (cookie) headers.set('authorization', `Bearer ${cookie}`);
    const forwarded = c.req.header('x-forwarded-for');
    if (forwarded) headers.set('x-forwarded-for', forwarded);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const request = new Request(new URL(path, c.req.url), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const res = await app.fetch(request, c.env);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return { ok: true, status: res.status, data: parsed as T };
    const error = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    return { ok: false, status: res.status, code: error?.code ?? 'internal', message: error?.message ?? `the API answered ${res.status}`, details: error?.details };
  };
}
