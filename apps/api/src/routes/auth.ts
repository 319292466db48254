import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ADMIN_GROUP_ID, hashToken } from '@agnes/system-db';
import { setCookie } from 'hono/cookie';
import { callerOf, SESSION_COOKIE } from '../auth/authenticate.js';
import { passwordProvider } from '../auth/password-provider.js';
import { hashPassword } from '../auth/passwords.js';
import { endSession, startSession } from '../auth/session.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, json, route } from '../http/openapi.js';
import { UserSchema, userJson } from './schemas.js';

const Credentials = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).openapi('Credentials');
const TokenResponse = z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_at: z.string() }).openapi('SessionToken');

/** Password sign-in, first-admin bootstrap, and who am I. */
export function authRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;
  const byPassword = passwordProvider(db);

  app.openapi(
    route('public', {
      method: 'post',
      path: '/auth/token',
      tags: ['auth'],
      summary: 'Sign in with email and password; returns a session token (also set as a cookie)',
      request: body(Credentials),
      responses: { 200: json(TokenResponse) },
    }),
    async (c) => {
      const credentials = c.req.valid('json');
      // The web sign-in form comes through here too, so both share one set of counters.
      const attempt = deps.loginLimiter.attempt(c.get('clientIp'), credentials.email);
      const user = await byPassword.authenticate(credentials);
      // Same answer for an unknown email and a wrong password: nothing to enumerate.
      if (!user) throw new ApiError('unauthenticated', 'wrong email or password');
      attempt.succeeded();
      return c.json(await startSession(c, deps, user), 200);
    },
  );

  app.openapi(
    route('public', {
      method: 'post',
      path: '/auth/bootstrap',
      tags: ['auth'],
      summary: 'Create the first admin; refused (403) once any admin exists',
      request: body(Credentials.extend({ name: z.string().max(200).optional() })),
      responses: { 201: json(UserSchema, 'The new admin') },
    }),
    async (c) => {
      const attempt = deps.loginLimiter.attempt(c.get('clientIp'), 'bootstrap');
      const { email, password, name } = c.req.valid('json');
      const adminExists = async () => (await db.groups.members(ADMIN_GROUP_ID)).length > 0;
      const refused = () => new ApiError('forbidden', 'an admin already exists; sign in and create users with POST /api/users');
      if (await adminExists()) throw refused();
      const passwordHash = await hashPassword(password);
      // One bootstrap at a time, across replicas too: the check and the creation must not
      // interleave, or two callers racing a fresh install would both become admins.
      const release = await db.tryLock('agnes.bootstrap');
      if (!release) throw new ApiError('conflict', 'another bootstrap is in progress; try again in a moment');
      let user;
      try {
        if (await adminExists()) throw refused();
        user = await db.withTransaction(async (tx) => {
          const created = await tx.users.create({ email, name: name ?? null, passwordHash });
          await tx.groups.addMember(ADMIN_GROUP_ID, created.id, { source: 'system' });
          return created;
        });
      } finally {
        await release();
      }
      attempt.succeeded();
      return c.json(userJson(user, true), 201);
    },
  );

  app.openapi(
    route('public', {
      method: 'post',
      path: '/auth/reset-password',
      tags: ['auth'],
      summary: 'Set a new password with a reset token from an admin; the token works once and expires',
      request: body(z.object({ token: z.string().min(1).max(200), password: z.string().max(1024) })),
      responses: { 200: json(z.object({ ok: z.literal(true) })) },
    }),
    async (c) => {
      const attempt = deps.loginLimiter.attempt(c.get('clientIp'), 'reset-password');
      const { token, password } = c.req.valid('json');
      const passwordHash = await hashPassword(password);
      // Consumed (cleared) in the same step that finds it, so it cannot be used twice.
      const user = await db.users.consumeToken('reset', hashToken(token), { now: deps.clock() });
      if (!user) throw new ApiError('invalid_request', 'this reset token is unknown, already used or expired; ask an admin for a new one');
      await db.users.setPasswordHash(user.id, passwordHash);
      attempt.succeeded();
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route('user', {
      method: 'get',
      path: '/auth/me',
      tags: ['auth'],
      summary: 'The signed-in user, with groups and how they authenticated',
      responses: { 200: json(UserSchema.extend({ auth: z.enum(['session', 'pat']) })) },
    }),
    (c) => {
      const caller = callerOf(c);
      return c.json({ ...userJson(caller.user, caller.isAdmin, caller.groups), auth: caller.tokenType }, 200);
    },
  );

  app.openapi(
    route('user', {
      method: 'post',
      path: '/auth/logout',
      tags: ['auth'],
      summary: 'Sign out: the session token is refused from now on, and the cookie is cleared',
      responses: { 200: json(z.object({ ok: z.literal(true) })) },
    }),
    async (c) => {
      await endSession(deps, c.get('caller'));
      setCookie(c, SESSION_COOKIE, '', { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 0 });
      return c.json({ ok: true as const }, 200);
    },
  );
}
