import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../app/deps.js';
import type { AppEnv } from '../http/env.js';
import { ASSETS } from './assets/index.js';
import { internalApi } from './internal-api.js';
import { adminGroupPages } from './pages/admin-groups.js';
import { adminTablePages } from './pages/admin-tables.js';
import { adminUserPages } from './pages/admin-users.js';
import { catalogPages } from './pages/catalog.js';
import { installPages } from './pages/install.js';
import { loginPages } from './pages/login.js';
import { tokenPages } from './pages/tokens.js';

export { csrfProtection } from './csrf.js';
export { pageError } from './respond.js';

/** Page paths anyone may open: sign-in, sign-out, install instructions and the static assets. */
export const WEB_PUBLIC_PATHS: readonly string[] = ['/login', '/logout', '/install', ...ASSETS.map((a) => a.path)];

/**
 * Adds the web UI: server-rendered pages (Hono JSX) that read and change data through the
 * JSON API in process, plus their script, stylesheet and icon. Plain routes (`app.get`), so
 * none of them enters the OpenAPI document.
 */
export function webRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  for (const asset of ASSETS) {
    app.get(asset.path, (c) => {
      const headers = { 'Content-Type': asset.type, ETag: asset.etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
      return c.body(asset.body, 200, headers);
    });
  }
  const web = { app, deps, api: internalApi(app) };
  loginPages(web);
  catalogPages(web);
  tokenPages(web);
  adminUserPages(web);
  adminGroupPages(web);
  adminTablePages(web);
  installPages(web);
}
