import { statfs } from 'node:fs/promises';
import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../app/deps.js';
import type { AppEnv } from '../http/env.js';
import { json, route } from '../http/openapi.js';

const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    system_db: z.enum(['duckdb', 'postgres']),
    tables: z.number(),
    last_sync: z.string().nullable(),
    sync_running: z.boolean(),
    disk_free_bytes: z.number().nullable(),
  })
  .openapi('Health');

/** Liveness and a few facts for operators; no authentication. */
export function healthRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    route('public', { method: 'get', path: '/api/health', tags: ['health'], summary: 'Status, version, last sync, free disk', responses: { 200: json(Health), 503: json(Health, 'The system database does not answer') } }),
    async (c) => {
      let dbOk = true;
      let lastSync: Date | null = null;
      try {
        const [last] = await deps.db.sync.history({ limit: 1 });
        lastSync = last?.finishedAt ?? last?.startedAt ?? null;
      } catch {
        dbOk = false;
      }
      let free: number | null = null;
      try {
        const fs = await statfs(deps.settings.dataDir);
        free = fs.bavail * fs.bsize;
      } catch {
        free = null;
      }
      const body = {
        status: dbOk ? ('ok' as const) : ('degraded' as const),
        version: deps.settings.version,
        system_db: deps.db.backend,
        tables: deps.tables.list().length,
        last_sync: lastSync?.toISOString() ?? deps.tables.builtAt?.toISOString() ?? null,
        sync_running: deps.sync.running !== undefined,
        disk_free_bytes: free,
      };
      return dbOk ? c.json(body, 200) : c.json(body, 503);
    },
  );
}
