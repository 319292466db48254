import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { normalizeTableId } from '@agnes/rbac';
import { adminOf, callerOf } from '../auth/authenticate.js';
import { readableTable, visibleTo } from '../catalog/visible.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { body, IdParam, json, route } from '../http/openapi.js';
import type { SyncJob } from '../sync/sync-service.js';

const JobSchema = z
  .object({
    id: z.string(),
    trigger: z.string(),
    status: z.enum(['running', 'succeeded', 'failed']),
    phase: z.string(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    sources: z.array(z.object({ name: z.string(), status: z.string(), reason: z.string().nullable() })),
    tables: z.array(z.object({ source: z.string(), table: z.string(), status: z.string(), rows: z.number(), reason: z.string().nullable() })),
    published: z.number().nullable(),
    problems: z.array(z.object({ source: z.string(), table: z.string().optional(), reason: z.string() })),
    error: z.string().nullable(),
  })
  .openapi('SyncJob');

const jobJson = (j: SyncJob) => ({
  id: j.id,
  trigger: j.trigger,
  status: j.status,
  phase: j.phase,
  started_at: j.startedAt.toISOString(),
  finished_at: j.finishedAt?.toISOString() ?? null,
  sources: j.sources.map((s) => ({ ...s })),
  tables: j.tables.map((t) => ({ ...t })),
  published: j.published,
  problems: j.problems.map((p) => ({ source: p.source, ...(p.table === undefined ? {} : { table: p.table }), reason: p.reason })),
  error: j.error,
});

const ManifestEntry = z.object({
  hash: z.string().nullable(),
  updated: z.string().nullable(),
  size_bytes: z.number().nullable(),
  rows: z.number().nullable(),
  query_mode: z.enum(['local', 'remote']),
  source_type: z.string().nullable(),
  source: z.string(),
  description: z.string().nullable(),
  schema: z.array(z.object({ name: z.string(), type: z.string(), nullable: z.boolean() })),
  parts: z.array(z.object({ name: z.string(), hash: z.string(), size_bytes: z.number() })).optional(),
});
const ManifestSchema = z.object({ tables: z.record(z.string(), ManifestEntry), server_time: z.string() }).openapi('SyncManifest');

/** Sync trigger and progress, the per-user manifest, and table subscriptions. */
export function syncRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const { db } = deps;

  app.openapi(
    route('admin', {
      method: 'post',
      path: '/api/sync/trigger',
      tags: ['sync'],
      summary: 'Start a sync of every enabled source (or the given ones); 409 while one runs',
      request: { body: { content: { 'application/json': { schema: z.object({ sources: z.array(z.string()).optional(), tables: z.array(z.string()).optional() }) } }, required: false } },
      responses: { 202: json(z.object({ job_id: z.string(), status: z.string(), job: JobSchema }), 'Started; follow it at GET /api/sync/jobs/{id}') },
    }),
    async (c) => {
      const caller = adminOf(c);
      const input = ((await c.req.json().catch(() => ({}))) ?? {}) as { sources?: string[]; tables?: string[] };
      const job = await deps.sync.trigger({ sources: input.sources, tables: input.tables, trigger: caller.user.id });
      return c.json({ job_id: job.id, status: job.status, job: jobJson(job) }, 202);
    },
  );

  app.openapi(
    route('admin', { method: 'get', path: '/api/sync/jobs/{id}', tags: ['sync'], summary: 'Progress of a sync job', request: { params: IdParam }, responses: { 200: json(JobSchema) } }),
    (c) => {
      adminOf(c);
      const job = deps.sync.job(c.req.valid('param').id);
      if (!job) throw new ApiError('not_found', 'no such sync job on this server (jobs are kept in memory; the latest 50)');
      return c.json(jobJson(job), 200);
    },
  );

  app.openapi(
    route('user', {
      method: 'get',
      path: '/api/sync/manifest',
      tags: ['sync'],
      summary: 'What `da sync` should hold: the tables you may read (and subscribe to), with hashes',
      responses: { 200: json(ManifestSchema) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const subscriptions = await db.subscriptions.listByUser(caller.user.id);
      const off = new Set(subscriptions.filter((s) => !s.subscribed).map((s) => normalizeTableId(s.tableId)));
      const on = new Set(subscriptions.filter((s) => s.subscribed).map((s) => normalizeTableId(s.tableId)));
      const connectors = new Map((await db.sources.list()).map((s) => [s.name, s.connector]));
      const states = new Map((await db.sync.listStates()).map((s) => [normalizeTableId(s.tableId), s]));
      const described = new Map((await db.registry.list()).map((r) => [normalizeTableId(r.id), r.description]));
      const tables: Record<string, z.infer<typeof ManifestEntry>> = {};
      for (const t of await visibleTo(caller, deps.tables)) {
        const key = normalizeTableId(t.table);
        if (off.has(key) || (on.size > 0 && !on.has(key))) continue;
        tables[t.table] = {
          hash: t.contentHash,
          updated: t.extractedAt ?? states.get(key)?.lastSyncAt.toISOString() ?? null,
          size_bytes: t.sizeBytes,
          rows: t.rows,
          query_mode: t.queryMode,
          source_type: connectors.get(t.source)?.replace(/^@agnes\/connector-/, '') ?? null,
          source: t.source,
          description: described.get(key) ?? t.description,
          schema: (t.schema?.fields ?? []).map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
          ...(t.parts ? { parts: t.parts.map((p) => ({ name: p.name, hash: p.hash, size_bytes: p.sizeBytes })) } : {}),
        };
      }
      return c.json({ tables, server_time: deps.clock().toISOString() }, 200);
    },
  );

  const Settings = z.object({ tables: z.record(z.string(), z.boolean()) }).openapi('SyncSettings');
  app.openapi(
    route('user', { method: 'get', path: '/api/sync/settings', tags: ['sync'], summary: 'Your table subscriptions (table → subscribed)', responses: { 200: json(Settings) } }),
    async (c) => {
      const caller = callerOf(c);
      const subs = await db.subscriptions.listByUser(caller.user.id);
      return c.json({ tables: Object.fromEntries(subs.map((s) => [s.tableId, s.subscribed])) }, 200);
    },
  );
  app.openapi(
    route('user', {
      method: 'put',
      path: '/api/sync/settings',
      tags: ['sync'],
      summary: 'Subscribe to or unsubscribe from tables; once any is subscribed, `da sync` fetches only subscribed ones',
      request: body(Settings),
      responses: { 200: json(Settings) },
    }),
    async (c) => {
      const caller = callerOf(c);
      for (const [table, subscribed] of Object.entries(c.req.valid('json').tables)) {
        if (!(await readableTable(caller, deps.tables, table))) throw new ApiError('invalid_request', `no published table ${table}; see GET /api/catalog/tables`);
        await db.subscriptions.set(caller.user.id, table, subscribed);
      }
      const subs = await db.subscriptions.listByUser(caller.user.id);
      return c.json({ tables: Object.fromEntries(subs.map((s) => [s.tableId, s.subscribed])) }, 200);
    },
  );
}
