import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { identifierProblem } from '@agnes/connector-kit';
import type { RegisteredTable } from '@agnes/system-db';
import { adminOf } from '../auth/authenticate.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, IdParam, json, route } from '../http/openapi.js';
import { checkCron } from '../schedule/cron.js';

const RegisteredSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    source: z.string(),
    source_table: z.string().nullable(),
    query: z.string().nullable(),
    strategy: z.enum(['replace', 'append', 'upsert']),
    query_mode: z.enum(['local', 'remote']),
    schedule: z.string().nullable(),
    primary_key: z.array(z.string()),
    description: z.string().nullable(),
    config: z.record(z.string(), z.unknown()).nullable(),
    registered_by: z.string().nullable(),
    registered_at: z.string(),
    updated_at: z.string().nullable(),
  })
  .openapi('RegisteredTable');

const Fields = {
  source_table: z.string().max(500).nullable().optional(),
  query: z.string().max(100_000).nullable().optional(),
  strategy: z.enum(['replace', 'append', 'upsert']).optional(),
  query_mode: z.enum(['local', 'remote']).optional(),
  schedule: z.string().nullable().optional(),
  primary_key: z.array(z.string()).optional(),
  description: z.string().max(5000).nullable().optional(),
  config: z.record(z.string(), z.unknown()).nullable().optional(),
};
const NewRegistration = z.object({ id: z.string().optional(), name: z.string().optional(), source: z.string(), ...Fields }).openapi('NewRegistration');
const RegistrationChanges = z.object({ source: z.string().optional(), ...Fields }).openapi('RegistrationChanges');

const registeredJson = (t: RegisteredTable) => ({
  id: t.id,
  name: t.id,
  source: t.source,
  source_table: t.sourceTable,
  query: t.query,
  strategy: t.strategy,
  query_mode: t.queryMode,
  schedule: t.schedule,
  primary_key: t.primaryKey,
  description: t.description,
  config: t.config,
  registered_by: t.registeredBy,
  registered_at: t.registeredAt.toISOString(),
  updated_at: t.updatedAt?.toISOString() ?? null,
});

function changesOf(input: z.infer<typeof RegistrationChanges>) {
  checkCron('schedule', input.schedule);
  return {
    ...(input.source === undefined ? {} : { source: input.source }),
    ...(input.source_table === undefined ? {} : { sourceTable: input.source_table }),
    ...(input.query === undefined ? {} : { query: input.query }),
    ...(input.strategy === undefined ? {} : { strategy: input.strategy }),
    ...(input.query_mode === undefined ? {} : { queryMode: input.query_mode }),
    ...(input.schedule === undefined ? {} : { schedule: input.schedule }),
    ...(input.primary_key === undefined ? {} : { primaryKey: input.primary_key }),
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.config === undefined ? {} : { config: input.config }),
  };
}

/** The table registry: what each source publishes, and discovery of what it could (admins only). */
export function registryRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;
  const source = async (name: string) => {
    const found = await db.sources.get(name);
    if (!found) throw new ApiError('invalid_request', `no source ${name}; add it with POST /api/admin/sources`);
    return found;
  };

  app.openapi(
    route('admin', {
      method: 'get',
      path: '/api/admin/discover-tables',
      tags: ['registry'],
      summary: "Tables a source's connector offers (runs its discover in a child process)",
      request: { query: z.object({ source: z.string().optional() }) },
      responses: {
        200: json(
          z.array(
            z.object({
              source: z.string(),
              name: z.string(),
              description: z.string().nullable(),
              primary_key: z.array(z.string()),
              incremental_key: z.string().nullable(),
              query_mode: z.enum(['local', 'remote']),
              registered: z.boolean(),
              columns: z.array(z.object({ name: z.string(), type: z.string(), nullable: z.boolean() })),
            }),
          ),
        ),
      },
    }),
    async (c) => {
      adminOf(c);
      const { source: name } = c.req.valid('query');
      const sources = name ? [await source(name)] : await db.sources.list();
      const registered = new Set((await db.registry.list()).map((r) => `${r.source}\u0000${r.id.toLowerCase()}`));
      const out = [];
      for (const s of sources) {
        for (const t of await deps.sync.discover(s)) {
          out.push({
            source: s.name,
            name: t.name,
            description: t.description,
            primary_key: t.primaryKey,
            incremental_key: t.incrementalKey,
            query_mode: t.remote ? ('remote' as const) : ('local' as const),
            registered: registered.has(`${s.name}\u0000${t.name.toLowerCase()}`),
            columns: t.schema.fields.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
          });
        }
      }
      return c.json(out, 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'get',
      path: '/api/admin/registry',
      tags: ['registry'],
      summary: 'Registered tables',
      request: { query: z.object({ source: z.string().optional() }) },
      responses: { 200: json(z.object({ tables: z.array(RegisteredSchema) })) },
    }),
    async (c) => {
      adminOf(c);
      return c.json({ tables: (await db.registry.list({ source: c.req.valid('query').source })).map(registeredJson) }, 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/admin/register-table',
      tags: ['registry'],
      summary: 'Register a table: `id` (or `name`) is the published table name used everywhere',
      request: body(NewRegistration),
      responses: { 201: json(RegisteredSchema) },
    }),
    async (c) => {
      const caller = adminOf(c);
      const input = c.req.valid('json');
      const id = input.id ?? input.name;
      const problem = identifierProblem(id, 'table');
      if (problem) throw new ApiError('invalid_request', `id: ${problem}`);
      await source(input.source);
      const created = await db.registry.register({ id: id as string, ...changesOf(input), source: input.source, registeredBy: caller.user.id });
      return c.json(registeredJson(created), 201);
    },
  );

  app.openapi(
    route('admin', {
      method: 'put',
      path: '/api/admin/registry/{id}',
      tags: ['registry'],
      summary: 'Change a registered table',
      request: { params: IdParam, ...body(RegistrationChanges) },
      responses: { 200: json(RegisteredSchema) },
    }),
    async (c) => {
      adminOf(c);
      const input = c.req.valid('json');
      if (input.source !== undefined) await source(input.source);
      return c.json(registeredJson(await db.registry.update(c.req.valid('param').id, changesOf(input))), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'delete',
      path: '/api/admin/registry/{id}',
      tags: ['registry'],
      summary: 'Unregister and unpublish a table (with its grants, state and profile)',
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' } },
    }),
    async (c) => {
      adminOf(c);
      const { id } = c.req.valid('param');
      const table = await db.registry.get(id);
      if (!table) throw new ApiError('not_found', `no registered table ${id}; list them with GET /api/admin/registry`);
      await db.registry.remove(table.id);
      // Unregistered means unpublished: otherwise the next sync would find and register it again.
      await deps.sync.unpublish(table.source, table.id);
      return c.body(null, 204);
    },
  );
}
