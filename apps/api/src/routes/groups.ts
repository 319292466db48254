import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { identifierProblem } from '@agnes/connector-kit';
import { normalizeTableId } from '@agnes/rbac';
import type { Grant, Group } from '@agnes/system-db';
import { adminOf } from '../auth/authenticate.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, IdParam, json, route } from '../http/openapi.js';
import { UserSchema, userJson } from './schemas.js';

const GroupSchema = z
  .object({ id: z.string(), name: z.string(), description: z.string().nullable(), is_system: z.boolean(), created_at: z.string() })
  .openapi('Group');
const GrantSchema = z
  .object({ id: z.string(), group_id: z.string(), resource_type: z.string(), resource_id: z.string(), granted_by: z.string().nullable(), granted_at: z.string() })
  .openapi('Grant');
const MemberSchema = z.object({ user: UserSchema, source: z.string(), added_at: z.string() }).openapi('GroupMember');

const groupJson = (g: Group) => ({ id: g.id, name: g.name, description: g.description, is_system: g.isSystem, created_at: g.createdAt.toISOString() });

/** A grant's id in URLs: its three key parts (table ids and group ids never contain `:`). */
export function grantId(g: Pick<Grant, 'groupId' | 'resourceType' | 'resourceId'>): string {
  return `${g.groupId}:${g.resourceType}:${g.resourceId}`;
}
const grantJson = (g: Grant) => ({
  id: grantId(g),
  group_id: g.groupId,
  resource_type: g.resourceType,
  resource_id: g.resourceId,
  granted_by: g.grantedBy,
  granted_at: g.grantedAt.toISOString(),
});

/** Groups, memberships and table grants (admins only). */
export function groupRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;
  const group = async (id: string) => {
    const found = (await db.groups.get(id)) ?? (await db.groups.getByName(id));
    if (!found) throw new ApiError('not_found', `no group ${id}; list groups with GET /api/admin/groups`);
    return found;
  };

  app.openapi(
    route('admin', { method: 'get', path: '/api/admin/groups', tags: ['groups'], summary: 'List groups', responses: { 200: json(z.array(GroupSchema)) } }),
    async (c) => {
      adminOf(c);
      return c.json((await db.groups.list()).map(groupJson), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/admin/groups',
      tags: ['groups'],
      summary: 'Create a group',
      request: body(z.object({ name: z.string().trim().min(1).max(100), description: z.string().max(1000).nullable().optional() })),
      responses: { 201: json(GroupSchema) },
    }),
    async (c) => {
      adminOf(c);
      const input = c.req.valid('json');
      return c.json(groupJson(await db.groups.create({ name: input.name, description: input.description ?? null })), 201);
    },
  );

  app.openapi(
    route('admin', {
      method: 'patch',
      path: '/api/admin/groups/{id}',
      tags: ['groups'],
      summary: 'Rename or describe a group',
      request: { params: IdParam, ...body(z.object({ name: z.string().trim().min(1).max(100).optional(), description: z.string().max(1000).nullable().optional() })) },
      responses: { 200: json(GroupSchema) },
    }),
    async (c) => {
      adminOf(c);
      const g = await group(c.req.valid('param').id);
      const input = c.req.valid('json');
      return c.json(groupJson(await db.groups.update(g.id, { ...(input.name === undefined ? {} : { name: input.name }), ...(input.description === undefined ? {} : { description: input.description }) })), 200);
    },
  );

  app.openapi(
    route('admin', { method: 'delete', path: '/api/admin/groups/{id}', tags: ['groups'], summary: 'Delete a group with its memberships and grants', request: { params: IdParam }, responses: { 204: { description: 'Deleted' } } }),
    async (c) => {
      adminOf(c);
      await db.groups.remove((await group(c.req.valid('param').id)).id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route('admin', { method: 'get', path: '/api/admin/groups/{id}/members', tags: ['groups'], summary: 'Members of a group', request: { params: IdParam }, responses: { 200: json(z.array(MemberSchema)) } }),
    async (c) => {
      adminOf(c);
      const g = await group(c.req.valid('param').id);
      const members = await db.groups.members(g.id);
      return c.json(members.map((m) => ({ user: userJson(m.user, false), source: m.source, added_at: m.addedAt.toISOString() })), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/admin/groups/{id}/members',
      tags: ['groups'],
      summary: 'Add a member by `user_id` or `email`',
      request: { params: IdParam, ...body(z.object({ user_id: z.string().optional(), email: z.string().optional() })) },
      responses: { 201: json(z.object({ added: z.boolean() })) },
    }),
    async (c) => {
      adminOf(c);
      const g = await group(c.req.valid('param').id);
      const { user_id, email } = c.req.valid('json');
      const user = user_id ? await db.users.get(user_id) : email ? await db.users.getByEmail(email) : undefined;
      if (!user_id && !email) throw new ApiError('invalid_request', 'give the member as { "user_id": … } or { "email": … }');
      if (!user) throw new ApiError('not_found', `no user ${user_id ?? email}; create it with POST /api/users first`);
      return c.json({ added: await db.groups.addMember(g.id, user.id) }, 201);
    },
  );

  app.openapi(
    route('admin', {
      method: 'delete',
      path: '/api/admin/groups/{id}/members/{user_id}',
      tags: ['groups'],
      summary: 'Remove a member',
      request: { params: IdParam.extend({ user_id: z.string().openapi({ param: { name: 'user_id', in: 'path' } }) }) },
      responses: { 204: { description: 'Removed' } },
    }),
    async (c) => {
      const caller = adminOf(c);
      const { id, user_id } = c.req.valid('param');
      const g = await group(id);
      if (g.id === 'admin' && user_id === caller.user.id) throw new ApiError('forbidden', 'you cannot remove yourself from Admin; ask another admin');
      if (!(await db.groups.removeMember(g.id, user_id))) throw new ApiError('not_found', `user ${user_id} is not a member of ${g.name}`);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route('admin', {
      method: 'get',
      path: '/api/admin/grants',
      tags: ['grants'],
      summary: 'List grants, optionally of one group or one table',
      request: { query: z.object({ group_id: z.string().optional(), resource_id: z.string().optional() }) },
      responses: { 200: json(z.array(GrantSchema)) },
    }),
    async (c) => {
      adminOf(c);
      const { group_id, resource_id } = c.req.valid('query');
      let grants: Grant[];
      if (group_id) grants = await db.grants.listByGroup((await group(group_id)).id);
      else if (resource_id) grants = await db.grants.listByResource(resource_id);
      else grants = (await Promise.all((await db.groups.list()).map((g) => db.grants.listByGroup(g.id)))).flat();
      return c.json(grants.map(grantJson), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/admin/grants',
      tags: ['grants'],
      summary: 'Let a group read a table (`resource_id` is the published table name)',
      request: body(z.object({ group_id: z.string().min(1), resource_type: z.literal('table').default('table'), resource_id: z.string().min(1) })),
      responses: { 201: json(GrantSchema) },
    }),
    async (c) => {
      const caller = adminOf(c);
      const input = c.req.valid('json');
      const problem = identifierProblem(input.resource_id, 'table');
      if (problem) throw new ApiError('invalid_request', `resource_id: ${problem} (use the published table name, as in GET /api/catalog/tables)`);
      const g = await group(input.group_id);
      // Grant first, publish later goes through the registry: register the table id (no data needed), then grant.
      const id = normalizeTableId(input.resource_id);
      const known = deps.tables.get(input.resource_id) !== undefined || (await db.registry.list()).some((r) => normalizeTableId(r.id) === id);
      if (!known) {
        throw new ApiError(
          'not_found',
          `table not registered: ${input.resource_id} is neither published nor in the registry; check the name (GET /api/catalog/tables) or register it first (POST /api/admin/register-table) to grant before it is published`,
        );
      }
      return c.json(grantJson(await db.grants.grant({ groupId: g.id, resourceType: 'table', resourceId: input.resource_id, grantedBy: caller.user.id })), 201);
    },
  );

  app.openapi(
    route('admin', { method: 'delete', path: '/api/admin/grants/{id}', tags: ['grants'], summary: 'Revoke a grant', request: { params: IdParam }, responses: { 204: { description: 'Revoked' } } }),
    async (c) => {
      adminOf(c);
      const [groupId, resourceType, resourceId] = c.req.valid('param').id.split(':');
      if (!groupId || !resourceType || !resourceId) throw new ApiError('not_found', 'no such grant; grant ids look like <group_id>:table:<table>');
      if (!(await db.grants.revoke({ groupId, resourceType, resourceId }))) throw new ApiError('not_found', 'no such grant; list grants with GET /api/admin/grants');
      return c.body(null, 204);
    },
  );
}
