import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../app/deps.js';
import type { AppEnv } from '../http/env.js';
import type { InternalApi } from './internal-api.js';

/** What each page module gets: the app to add routes to, the deps, and the in-process API. */
export interface Web {
  readonly app: OpenAPIHono<AppEnv>;
  readonly deps: AppDeps;
  readonly api: InternalApi;
}
