import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { resolveCaller } from '../auth/authenticate.js';
import { ApiError, requestError, STATUS } from '../http/api-error.js';
import { clientIp } from '../http/client-ip.js';
import type { AppEnv } from '../http/env.js';
import { securityHeaders } from '../http/security-headers.js';
import { authRoutes } from '../routes/auth.js';
import { catalogRoutes } from '../routes/catalog.js';
import { cliRoutes } from '../routes/cli.js';
import { dataRoutes } from '../routes/data.js';
import { groupRoutes } from '../routes/groups.js';
import { healthRoutes } from '../routes/health.js';
import { queryRoutes } from '../routes/query.js';
import { registryRoutes } from '../routes/registry.js';
import { sourceRoutes } from '../routes/sources.js';
import { syncRoutes } from '../routes/sync.js';
import { tokenRoutes } from '../routes/tokens.js';
import { userRoutes } from '../routes/users.js';
import { webhookRoutes } from '../routes/webhooks.js';
import { csrfProtection, pageError, WEB_PUBLIC_PATHS, webRoutes } from '../web/routes.js';
import { auditTrail } from './audit.js';
import type { AppDeps } from './deps.js';

/** Routes anyone may call; everything else needs a caller. */
const PUBLIC = new Set(['/auth/token', '/auth/bootstrap', '/auth/reset-password', '/cli/da.tgz', '/api/health', '/api/openapi.json', '/api/jira/webhook', ...WEB_PUBLIC_PATHS]);

function errorResponse(c: Context<AppEnv>, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  return c.json({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }, STATUS[error.code]);
}

/**
 * Builds the Hono app of the API from its dependencies. Every route is declared with zod
 * schemas, so `GET /api/openapi.json` describes all of them; every error leaves through one
 * table (`STATUS`) as `{ error: { code, message } }`.
 *
 * @example
 * ```ts
 * const app = createApp(deps);
 * const res = await app.request('/api/health');
 * ```
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
        throw new ApiError('invalid_request', `invalid request: ${problems.join('; ')}`, { details: { problems } });
      }
    },
  });

  app.onError(async (error, c) => {
    const apiError = await requestError(error, c.req);
    if (apiError.code === 'internal') deps.logger.error('request failed', { path: c.req.path, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    // Not our failure and nobody to answer: a line for whoever wonders about a missing request.
    if (apiError.code === 'client_closed') deps.logger.info('client closed the connection before the request was read', { method: c.req.method, path: c.req.path, ip: c.get('clientIp') });
    // Browsers asking for a page get a page (or the sign-in redirect); API clients keep the JSON.
    return (await pageError(c, apiError)) ?? errorResponse(c, apiError);
  });
  app.notFound(async (c) => {
    const apiError = new ApiError('not_found', `no route ${c.req.method} ${c.req.path}; the routes are listed at GET /api/openapi.json`);
    return (await pageError(c, apiError)) ?? errorResponse(c, apiError);
  });

  app.use('*', securityHeaders());
  app.use('*', bodyLimit({ maxSize: 5 * 1024 * 1024, onError: () => { throw new ApiError('invalid_request', 'the request body is larger than 5 MiB'); } }));
  app.use('*', async (c, next) => {
    c.set('clientIp', clientIp(c, deps.settings.trustedProxies));
    c.set('caller', undefined);
    await next();
  });
  app.use('*', auditTrail(deps));
  app.use('*', async (c, next) => {
    const caller = await resolveCaller(c, {
      ...deps,
      onFirstUseFromNewIp: async (info) => {
        await deps.db.audit.append({ actor: info.userId, action: 'token.first_use_new_ip', target: info.tokenId, details: { previous_ip: info.previousIp, ip: info.ip } });
      },
    }).catch((error: unknown) => {
      // A bad token on a public route is ignored rather than refused (health checks, login).
      if (PUBLIC.has(c.req.path)) return undefined;
      throw error;
    });
    c.set('caller', caller);
    if (!caller && !PUBLIC.has(c.req.path)) {
      throw new ApiError('unauthenticated', 'sign in first: send "Authorization: Bearer <token>" (POST /auth/token, or a personal access token)');
    }
    await next();
  });
  app.use('*', csrfProtection());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A session token from POST /auth/token, or a personal access token from POST /auth/tokens.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookie', { type: 'apiKey', in: 'cookie', name: 'agnes_session' });

  authRoutes(app, deps);
  tokenRoutes(app, deps);
  userRoutes(app, deps);
  groupRoutes(app, deps);
  sourceRoutes(app, deps);
  registryRoutes(app, deps);
  syncRoutes(app, deps);
  dataRoutes(app, deps);
  queryRoutes(app, deps);
  catalogRoutes(app, deps);
  healthRoutes(app, deps);
  webhookRoutes(app, deps);
  cliRoutes(app, deps);
  webRoutes(app, deps);

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Agnes API', version: deps.settings.version, description: 'Errors are `{ "error": { "code", "message" } }` with the status of their code.' },
  });
  return app;
}

/** The type of the app, for `hono/client`. */
export type AgnesApp = ReturnType<typeof createApp>;
