import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * Headers every answer carries, pages and JSON alike: no MIME sniffing of a body into
 * something runnable, and no full URL (ids, search terms) leaked to other sites.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/**
 * Adds {@link SECURITY_HEADERS} to every response that lacks them, and `Cache-Control:
 * no-store` to a signed-in caller's answers that say nothing about caching: they hold
 * personal data and tokens, which no shared or browser cache should keep. Routes that set
 * their own caching (downloads, the CLI tarball) keep it.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(name)) c.header(name, value);
    if (c.get('caller') && !c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
