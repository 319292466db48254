import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { randomBytes } from 'node:crypto';
import { ADMIN_GROUP_ID, hashToken, type User } from '@agnes/system-db';
import { adminOf } from '../auth/authenticate.js';
import { hashPassword } from '../auth/passwords.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, IdParam, json, route } from '../http/openapi.js';
import { UserSchema, userJson } from './schemas.js';

/** How long a password reset token can be redeemed. */
export const RESET_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

const Role = z.enum(['admin', 'analyst']);
const NewUser = z
  .object({
    email: z.string().trim().min(3).max(320),
    name: z.string().trim().max(200).nullable().optional(),
    password: z.string().max(1024).optional(),
    role: Role.default('analyst'),
  })
  .openapi('NewUser');
const UserChanges = z
  .object({ name: z.string().trim().max(200).nullable().optional(), email: z.string().trim().min(3).max(320).optional(), role: Role.optional() })
  .openapi('UserChanges');
const ActionParam = z.object({
  id: IdParam.shape.id,
  action: z.enum(['activate', 'deactivate', 'set-password']).openapi({ param: { name: 'action', in: 'path' } }),
});

/** User administration (admins only), with the safeguards: never yourself, never the last admin. */
export function userRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;
  const show = async (user: User) => userJson(user, await db.users.isAdmin(user.id), await db.groups.groupsOf(user.id));
  const get = async (id: string) => {
    const user = await db.users.get(id);
    if (!user) throw new ApiError('not_found', `no user with id ${id}; list users with GET /api/users`);
    return user;
  };
  const notSelf = (callerId: string, id: string, what: string) => {
    if (callerId === id) throw new ApiError('forbidden', `you cannot ${what} yourself; ask another admin`);
  };

  app.openapi(
    route('admin', {
      method: 'get',
      path: '/api/users',
      tags: ['users'],
      summary: 'List users',
      request: { query: z.object({ search: z.string().max(200).optional(), active: z.enum(['true', 'false']).optional() }) },
      responses: { 200: json(z.array(UserSchema)) },
    }),
    async (c) => {
      adminOf(c);
      const { search, active } = c.req.valid('query');
      const users = await db.users.list({ search, active: active === undefined ? undefined : active === 'true', limit: 1000 });
      const admins = new Set((await db.groups.members(ADMIN_GROUP_ID)).map((m) => m.user.id));
      return c.json(users.map((u) => userJson(u, admins.has(u.id))), 200);
    },
  );

  app.openapi(
    route('admin', { method: 'post', path: '/api/users', tags: ['users'], summary: 'Create a user', request: body(NewUser), responses: { 201: json(UserSchema) } }),
    async (c) => {
      adminOf(c);
      const input = c.req.valid('json');
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      const user = await db.withTransaction(async (tx) => {
        const created = await tx.users.create({ email: input.email, name: input.name ?? null, passwordHash });
        if (input.role === 'admin') await tx.groups.addMember(ADMIN_GROUP_ID, created.id);
        return created;
      });
      return c.json(await show(user), 201);
    },
  );

  app.openapi(
    route('admin', { method: 'get', path: '/api/users/{id}', tags: ['users'], summary: 'One user with groups', request: { params: IdParam }, responses: { 200: json(UserSchema) } }),
    async (c) => {
      adminOf(c);
      return c.json(await show(await get(c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'patch',
      path: '/api/users/{id}',
      tags: ['users'],
      summary: 'Change name, email or role (role = Admin-group membership)',
      request: { params: IdParam, ...body(UserChanges) },
      responses: { 200: json(UserSchema) },
    }),
    async (c) => {
      const caller = adminOf(c);
      const { id } = c.req.valid('param');
      const changes = c.req.valid('json');
      await get(id);
      if (changes.role === 'analyst') notSelf(caller.user.id, id, 'remove the admin role from');
      if (changes.name !== undefined || changes.email !== undefined) {
        await db.users.update(id, { ...(changes.name === undefined ? {} : { name: changes.name }), ...(changes.email === undefined ? {} : { email: changes.email }) });
      }
      if (changes.role === 'admin') await db.groups.addMember(ADMIN_GROUP_ID, id);
      if (changes.role === 'analyst') await db.groups.removeMember(ADMIN_GROUP_ID, id);
      return c.json(await show(await get(id)), 200);
    },
  );

  app.openapi(
    route('admin', { method: 'delete', path: '/api/users/{id}', tags: ['users'], summary: 'Delete a user with their tokens and memberships', request: { params: IdParam }, responses: { 204: { description: 'Deleted' } } }),
    async (c) => {
      const caller = adminOf(c);
      const { id } = c.req.valid('param');
      notSelf(caller.user.id, id, 'delete');
      await get(id);
      await db.users.remove(id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/users/{id}/reset-password',
      tags: ['users'],
      summary: 'Issue a one-time password reset token (shown once, valid 24 h); hand it to the user yourself',
      description: 'Nothing is e-mailed: a reset link sent by mail could be consumed by a link scanner. The user redeems it with POST /auth/reset-password.',
      request: { params: IdParam },
      responses: { 200: json(z.object({ reset_token: z.string(), expires_at: z.string() })) },
    }),
    async (c) => {
      adminOf(c);
      const { id } = c.req.valid('param');
      await get(id);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(deps.clock().getTime() + RESET_TOKEN_TTL_MS);
      await db.users.setToken(id, 'reset', { hash: hashToken(token), expiresAt });
      return c.json({ reset_token: token, expires_at: expiresAt.toISOString() }, 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/users/{id}/{action}',
      tags: ['users'],
      summary: 'activate, deactivate, or set-password (`{ password }`)',
      request: { params: ActionParam, body: { content: { 'application/json': { schema: z.object({ password: z.string().max(1024).optional() }) } }, required: false } },
      responses: { 200: json(UserSchema) },
    }),
    async (c) => {
      const caller = adminOf(c);
      const { id, action } = c.req.valid('param');
      await get(id);
      if (action === 'activate') await db.users.activate(id);
      if (action === 'deactivate') {
        notSelf(caller.user.id, id, 'deactivate');
        await db.users.deactivate(id, { by: caller.user.id });
      }
      if (action === 'set-password') {
        const password = (await c.req.json().catch(() => ({})) as { password?: unknown }).password;
        if (typeof password !== 'string') throw new ApiError('invalid_request', 'set-password needs a JSON body { "password": "…" }');
        await db.users.setPasswordHash(id, await hashPassword(password));
      }
      return c.json(await show(await get(id)), 200);
    },
  );
}
