import { randomUUID } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { hashToken } from '@agnes/system-db';
import { adminOf, callerOf, sessionOf } from '../auth/authenticate.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, IdParam, json, route } from '../http/openapi.js';
import { TokenSchema, tokenJson, tokenPrefix } from './schemas.js';

/** Longest PAT lifetime; past it `Date` arithmetic is pointless and the original overflowed. */
export const MAX_TOKEN_DAYS = 3650;

const NewToken = z
  .object({
    name: z.string().trim().min(1).max(100),
    expires_in_days: z
      .number()
      .int('expires_in_days must be a whole number of days')
      .positive('expires_in_days must be positive (or null for a token that never expires)')
      .max(MAX_TOKEN_DAYS, `expires_in_days must be at most ${MAX_TOKEN_DAYS} (or null for never)`)
      .nullable()
      .default(90),
  })
  .openapi('NewToken');

const CreatedToken = z
  .object({ id: z.string(), token: z.string(), prefix: z.string(), name: z.string(), expires_at: z.string().nullable() })
  .openapi('CreatedToken');

/** Personal access tokens: own CRUD, admin list and revoke. */
export function tokenRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;

  app.openapi(
    route('session', {
      method: 'post',
      path: '/auth/tokens',
      tags: ['tokens'],
      summary: 'Create a personal access token (shown once); needs a session, not a PAT',
      request: body(NewToken),
      responses: { 201: json(CreatedToken) },
    }),
    async (c) => {
      const caller = sessionOf(c);
      const { name, expires_in_days } = c.req.valid('json');
      const id = randomUUID();
      const expiresAt = expires_in_days === null ? null : new Date(deps.clock().getTime() + expires_in_days * 86_400_000);
      const token = await deps.signer.pat(caller.user.id, id, expiresAt);
      await db.tokens.create({ id, userId: caller.user.id, name, tokenHash: hashToken(id), expiresAt });
      return c.json({ id, token, prefix: tokenPrefix(id), name, expires_at: expiresAt?.toISOString() ?? null }, 201);
    },
  );

  app.openapi(
    route('user', { method: 'get', path: '/auth/tokens', tags: ['tokens'], summary: 'Your tokens, newest first', responses: { 200: json(z.array(TokenSchema)) } }),
    async (c) => {
      const caller = callerOf(c);
      const now = deps.clock();
      return c.json((await db.tokens.listByUser(caller.user.id)).map((t) => tokenJson(t, now)), 200);
    },
  );

  const ownToken = async (userId: string, id: string) => {
    const token = await db.tokens.get(id);
    // Someone else's token is "not found": ids of other users' tokens are not confirmed.
    if (!token || token.userId !== userId) throw new ApiError('not_found', `you have no token with id ${id}; list yours with GET /auth/tokens`);
    return token;
  };

  app.openapi(
    route('user', { method: 'get', path: '/auth/tokens/{id}', tags: ['tokens'], summary: 'One of your tokens', request: { params: IdParam }, responses: { 200: json(TokenSchema) } }),
    async (c) => {
      const caller = callerOf(c);
      return c.json(tokenJson(await ownToken(caller.user.id, c.req.valid('param').id), deps.clock()), 200);
    },
  );

  app.openapi(
    route('user', { method: 'delete', path: '/auth/tokens/{id}', tags: ['tokens'], summary: 'Revoke one of your tokens', request: { params: IdParam }, responses: { 204: { description: 'Revoked' } } }),
    async (c) => {
      const caller = callerOf(c);
      const token = await ownToken(caller.user.id, c.req.valid('param').id);
      await db.tokens.revoke(token.id, { now: deps.clock() });
      return c.body(null, 204);
    },
  );

  app.openapi(
    route('admin', { method: 'get', path: '/auth/admin/tokens', tags: ['tokens'], summary: "Every user's tokens, with the owner's email", responses: { 200: json(z.array(TokenSchema)) } }),
    async (c) => {
      adminOf(c);
      const now = deps.clock();
      const emails = new Map((await db.users.list({ limit: 1000 })).map((u) => [u.id, u.email]));
      return c.json((await db.tokens.listAll()).map((t) => tokenJson(t, now, emails.get(t.userId) ?? '')), 200);
    },
  );

  app.openapi(
    route('admin', { method: 'delete', path: '/auth/admin/tokens/{id}', tags: ['tokens'], summary: "Revoke anyone's token", request: { params: IdParam }, responses: { 204: { description: 'Revoked' } } }),
    async (c) => {
      adminOf(c);
      await db.tokens.revoke(c.req.valid('param').id, { now: deps.clock() });
      return c.body(null, 204);
    },
  );
}
