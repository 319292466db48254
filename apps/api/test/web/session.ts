import { csrfTokenFor } from '../../src/web/csrf.js';
import type { Api } from '../harness.js';

/** A browser-like session for fetch-based page tests: the cookie header and its CSRF token. */
export interface WebSession {
  readonly cookie: string;
  readonly csrf: string;
  readonly token: string;
}

/** The session cookie a sign-in set, from a `Set-Cookie` header. */
export function sessionFromSetCookie(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = /^agnes_session=([^;]*)/.exec(line);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** A session for a token (as the page would get it from the cookie). */
export function sessionOf(token: string): WebSession {
  return { cookie: `agnes_session=${token}`, csrf: csrfTokenFor(token), token };
}

/** GETs a page like a browser: HTML accepted, redirects not followed. */
export function getPage(api: Api, path: string, session?: WebSession, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api.server.url}${path}`, { headers: { accept: 'text/html', ...(session ? { cookie: session.cookie } : {}), ...headers }, redirect: 'manual' });
}

/** POSTs a form like a browser on our own site. */
export function postForm(api: Api, path: string, fields: Record<string, string>, session?: WebSession, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api.server.url}${path}`, {
    method: 'POST',
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      ...(session ? { cookie: session.cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}
