import { createRoute, z } from '@hono/zod-openapi';
import type { RouteConfig } from '@hono/zod-openapi';
import { type ApiErrorCode, STATUS } from './api-error.js';

/** The body of every error response. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(STATUS) as [ApiErrorCode, ...ApiErrorCode[]]).openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'no user with id 42; list users with GET /api/users' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

const ERRORS = {
  400: errorResponse('The request is invalid (`invalid_request`: the message names the field and the fix), or its body is not JSON (`invalid_json`: the message says where it breaks).'),
  401: errorResponse('Not signed in, or the token is invalid, expired, revoked or its user deactivated.'),
  403: errorResponse('Signed in, but not allowed.'),
  404: errorResponse('No such resource (or one you may not see).'),
  409: errorResponse('Conflicts with the current state.'),
  429: errorResponse('Too many requests; retry after the `Retry-After` seconds.'),
  500: errorResponse('Internal error; the server log has the details.'),
} as const;

const WRONG_BODY_TYPE = { 415: errorResponse('The body was not sent as `Content-Type: application/json` (`unsupported_media_type`).') } as const;

/** A JSON body. */
export function json<T extends z.ZodType>(schema: T, description = 'OK') {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body. */
export function body<T extends z.ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } };
}

type Auth = 'public' | 'user' | 'admin' | 'session';

const SECURITY: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

/**
 * A route with the shared parts filled in: the error responses every route can give and
 * the auth scheme. `auth` documents who may call it (the middleware enforces it). The
 * handler is typed by `config` alone; the shared error responses only enter the document.
 */
export function route<const R extends Omit<RouteConfig, 'security'>>(auth: Auth, config: R): R {
  const description = { public: 'No authentication.', user: 'Any signed-in user.', admin: 'Admins only.', session: 'A session token only (not a PAT).' }[auth];
  return createRoute({
    ...config,
    description: config.description ? `${config.description}\n\n${description}` : description,
    ...(auth === 'public' ? {} : { security: SECURITY }),
    responses: { ...ERRORS, ...(config.request?.body ? WRONG_BODY_TYPE : {}), ...config.responses },
  }) as unknown as R;
}

/** A path parameter that is an opaque id. */
export const IdParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) });
