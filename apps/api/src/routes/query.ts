import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { QueryError } from '@agnes/orchestrator';
import { INACTIVE_MESSAGE, resolveTableAccess } from '@agnes/rbac';
import { callerOf } from '../auth/authenticate.js';
import type { AppDeps } from '../app/deps.js';
import type { AppEnv } from '../http/env.js';
import { body, route } from '../http/openapi.js';
import { arrowResult } from './arrow-result.js';

const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

const QueryRequest = z
  .object({
    sql: z.string().min(1).max(100_000),
    limit: z.number().int().positive().optional().openapi({ description: 'Rows to return at most; capped by the server limit. Past it `truncated` is true.' }),
  })
  .openapi('QueryRequest');
const QueryResponse = z
  .object({
    columns: z.array(z.string()),
    types: z.array(z.string()),
    rows: z.array(z.array(z.unknown())),
    row_count: z.number(),
    truncated: z.boolean(),
  })
  .openapi('QueryResult');

/** Sandboxed read-only SQL over the tables the caller may read. */
export function queryRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    route('user', {
      method: 'post',
      path: '/api/query',
      tags: ['query'],
      summary: 'Run a read query; BIGINT, HUGEINT and DECIMAL values come back as exact strings',
      description:
        'Refusals: 400 for anything but a read query or a blocked construct, 403 when a table is not granted (or does not exist), 429 with Retry-After past the concurrent-query caps (per user and server-wide). Results past the row limit or QUERY_MAX_BYTES come back `truncated`.',
      request: body(QueryRequest),
      responses: {
        200: {
          description: 'JSON by default; an Arrow IPC stream when `Accept: application/vnd.apache.arrow.stream` (64-bit integers as Int64, DECIMAL/HUGEINT/temporal values as exact text)',
          content: { 'application/json': { schema: QueryResponse }, [ARROW_STREAM]: { schema: z.string().openapi({ format: 'binary' }) } },
        },
      },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { sql, limit } = c.req.valid('json');
      const access = resolveTableAccess(caller.principal, await caller.access());
      if (access.kind === 'none') throw new QueryError('forbidden', INACTIVE_MESSAGE);
      const { columns, values: rows, truncated } = await deps.queries.query(sql, {
        owner: caller.principal.userId,
        // The caller's reach, decided by @agnes/rbac: refs outside it are refused, and the query runs
        // in a sandbox of just these views (the second wall).
        ...(access.kind === 'granted' ? { readable: [...access.tables] } : {}),
        limitRows: Math.min(limit ?? deps.settings.queryMaxRows, deps.settings.queryMaxRows),
        limitBytes: deps.settings.queryMaxBytes,
        timeoutMs: deps.settings.queryTimeoutMs,
      });
      if ((c.req.header('accept') ?? '').includes(ARROW_STREAM)) {
        return c.body(arrowResult(columns, rows), 200, { 'Content-Type': ARROW_STREAM, 'X-Row-Count': String(rows.length), 'X-Truncated': String(truncated) });
      }
      return c.json({ columns: columns.map((col) => col.name), types: columns.map((col) => col.type), rows, row_count: rows.length, truncated }, 200);
    },
  );
}
