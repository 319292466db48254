import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { identifierProblem, validateConnectorConfig } from '@agnes/connector-kit';
import type { Source } from '@agnes/system-db';
import { adminOf } from '../auth/authenticate.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, json, route } from '../http/openapi.js';
import { checkCron } from '../schedule/cron.js';

const SourceSchema = z
  .object({
    name: z.string(),
    connector: z.string(),
    config: z.record(z.string(), z.unknown()),
    schedule: z.string().nullable(),
    enabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string().nullable(),
  })
  .openapi('Source');
const ConnectorSchema = z
  .object({
    package: z.string(),
    name: z.string(),
    version: z.string(),
    description: z.string().nullable(),
    capabilities: z.array(z.string()),
    auth_env_vars: z.array(z.object({ name: z.string(), required: z.boolean() })),
    config: z.record(z.string(), z.unknown()),
  })
  .openapi('Connector');
const NameParam = z.object({ name: z.string().openapi({ param: { name: 'name', in: 'path' } }) });

const sourceJson = (s: Source) => ({
  name: s.name,
  connector: s.connector,
  config: s.config,
  schedule: s.schedule,
  enabled: s.enabled,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt?.toISOString() ?? null,
});

/** Sources: which installed connector runs with which config and schedule (admins only). */
export function sourceRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;
  const checked = async (connector: string, config: Record<string, unknown>) => {
    const installed = await deps.connectors.get(connector);
    // Validation only: defaults are applied at run time, so a later manifest's defaults apply.
    validateConnectorConfig(installed.manifest, config, { fileAccess: deps.sync.fileAccess });
  };
  const source = async (name: string) => {
    const found = await db.sources.get(name);
    if (!found) throw new ApiError('not_found', `no source ${name}; list sources with GET /api/admin/sources`);
    return found;
  };

  app.openapi(
    route('admin', { method: 'get', path: '/api/admin/connectors', tags: ['sources'], summary: 'Installed connector packages', responses: { 200: json(z.array(ConnectorSchema)) } }),
    async (c) => {
      adminOf(c);
      const list = await deps.connectors.list();
      return c.json(
        list.map((i) => ({
          package: i.package,
          name: i.manifest.name,
          version: i.manifest.version,
          description: i.manifest.description ?? null,
          capabilities: [...i.manifest.capabilities],
          auth_env_vars: i.manifest.auth.env_vars.map((v) => ({ name: v.name, required: v.required })),
          config: i.manifest.config as Record<string, unknown>,
        })),
        200,
      );
    },
  );

  app.openapi(
    route('admin', { method: 'get', path: '/api/admin/sources', tags: ['sources'], summary: 'List sources', responses: { 200: json(z.array(SourceSchema)) } }),
    async (c) => {
      adminOf(c);
      return c.json((await db.sources.list()).map(sourceJson), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/admin/sources',
      tags: ['sources'],
      summary: 'Add a source; the config is checked against the connector manifest (secrets stay in the environment)',
      request: body(
        z.object({
          name: z.string(),
          connector: z.string().min(1),
          config: z.record(z.string(), z.unknown()).default({}),
          schedule: z.string().nullable().optional(),
          enabled: z.boolean().default(true),
        }),
      ),
      responses: { 201: json(SourceSchema) },
    }),
    async (c) => {
      adminOf(c);
      const input = c.req.valid('json');
      const problem = identifierProblem(input.name, 'source');
      if (problem) throw new ApiError('invalid_request', `name: ${problem}`);
      checkCron('schedule', input.schedule);
      await checked(input.connector, input.config);
      const created = await db.sources.create({ name: input.name, connector: input.connector, config: input.config, schedule: input.schedule ?? null, enabled: input.enabled });
      return c.json(sourceJson(created), 201);
    },
  );

  app.openapi(
    route('admin', { method: 'get', path: '/api/admin/sources/{name}', tags: ['sources'], summary: 'One source', request: { params: NameParam }, responses: { 200: json(SourceSchema) } }),
    async (c) => {
      adminOf(c);
      return c.json(sourceJson(await source(c.req.valid('param').name)), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'patch',
      path: '/api/admin/sources/{name}',
      tags: ['sources'],
      summary: 'Change a source',
      request: {
        params: NameParam,
        ...body(z.object({ connector: z.string().optional(), config: z.record(z.string(), z.unknown()).optional(), schedule: z.string().nullable().optional(), enabled: z.boolean().optional() })),
      },
      responses: { 200: json(SourceSchema) },
    }),
    async (c) => {
      adminOf(c);
      const current = await source(c.req.valid('param').name);
      const changes = c.req.valid('json');
      checkCron('schedule', changes.schedule);
      if (changes.connector !== undefined || changes.config !== undefined) await checked(changes.connector ?? current.connector, changes.config ?? current.config);
      const updated = await db.sources.update(current.name, changes);
      return c.json(sourceJson(updated), 200);
    },
  );

  app.openapi(
    route('admin', {
      method: 'delete',
      path: '/api/admin/sources/{name}',
      tags: ['sources'],
      summary: 'Remove a source (its extract stays on disk until removed by hand)',
      request: { params: NameParam },
      responses: { 204: { description: 'Removed' } },
    }),
    async (c) => {
      adminOf(c);
      await db.sources.remove((await source(c.req.valid('param').name)).name);
      return c.body(null, 204);
    },
  );
}
