import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { normalizeTableId } from '@agnes/rbac';
import { callerOf } from '../auth/authenticate.js';
import { readableTable, visibleTo } from '../catalog/visible.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { json, route } from '../http/openapi.js';

const CatalogTable = z
  .object({
    name: z.string(),
    source: z.string(),
    description: z.string().nullable(),
    query_mode: z.enum(['local', 'remote']),
    rows: z.number().nullable(),
    size_bytes: z.number().nullable(),
    updated: z.string().nullable(),
    columns: z.array(z.object({ name: z.string(), type: z.string(), nullable: z.boolean() })),
    profile: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('CatalogTable');

/** What analysts can find: the tables they may read, with descriptions and profiles. */
export function catalogRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;

  app.openapi(
    route('user', { method: 'get', path: '/api/catalog/tables', tags: ['catalog'], summary: 'Tables you may read, with descriptions and profiles', responses: { 200: json(z.object({ tables: z.array(CatalogTable) })) } }),
    async (c) => {
      const caller = callerOf(c);
      const profiles = new Map((await db.profiles.list()).map((p) => [normalizeTableId(p.tableId), p.profile]));
      const registry = new Map((await db.registry.list()).map((r) => [normalizeTableId(r.id), r]));
      const tables = (await visibleTo(caller, deps.tables)).map((t) => ({
        name: t.table,
        source: t.source,
        description: registry.get(normalizeTableId(t.table))?.description ?? t.description,
        query_mode: t.queryMode,
        rows: t.rows,
        size_bytes: t.sizeBytes,
        updated: t.extractedAt,
        columns: (t.schema?.fields ?? []).map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
        profile: profiles.get(normalizeTableId(t.table)) ?? null,
      }));
      return c.json({ tables }, 200);
    },
  );

  app.openapi(
    route('user', {
      method: 'get',
      path: '/api/catalog/profile/{table}',
      tags: ['catalog'],
      summary: "A table's column profile (row count, nulls, distinct counts, min/max)",
      request: { params: z.object({ table: z.string().openapi({ param: { name: 'table', in: 'path' } }) }) },
      responses: { 200: json(z.object({ table: z.string(), profile: z.record(z.string(), z.unknown()).nullable(), updated_at: z.string().nullable() })) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { table: name } = c.req.valid('param');
      const table = await readableTable(caller, deps.tables, name);
      if (!table) throw new ApiError('not_found', `no table ${name} that you can read; see GET /api/catalog/tables`);
      const profile = await db.profiles.get(table.table);
      return c.json({ table: table.table, profile: profile?.profile ?? null, updated_at: profile?.updatedAt.toISOString() ?? null }, 200);
    },
  );
}
