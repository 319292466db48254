import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { QueryError } from '@agnes/orchestrator';
import { authorizeQuery, visibleTables } from '@agnes/rbac';
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
      description: 'Refusals: 400 for anything but a read query or a blocked construct, 403 when a table is not granted (or does not exist).',
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
      const cap = Math.min(limit ?? deps.settings.queryMaxRows, deps.settings.queryMaxRows);
      const access = await caller.access();
      let columns: { name: string; type: string }[] = [];
      const rows: unknown[][] = [];
      let truncated = false;
      const stream = deps.engine.stream(sql, {
        // The server cap is enforced here by truncation, not by the engine's error.
        maxRows: Number.MAX_SAFE_INTEGER,
        timeoutMs: deps.settings.queryTimeoutMs,
        authorize: (tables) => {
          const decision = authorizeQuery(caller.principal, tables, access);
          if (!decision.allowed) throw new QueryError('forbidden', decision.message);
        },
        // The second wall: the query runs where only these views and their files exist.
        readable: (published) => visibleTables(caller.principal, published, access),
      });
      for await (const chunk of stream) {
        columns = chunk.columns;
        // By position, not by name: `SELECT 1 AS x, 2 AS x` has two columns called x.
        for (const row of chunk.values) {
          if (rows.length >= cap) {
            truncated = true;
            break;
          }
          rows.push(row);
        }
        if (truncated) break;
      }
      if ((c.req.header('accept') ?? '').includes(ARROW_STREAM)) {
        return c.body(arrowResult(columns, rows), 200, { 'Content-Type': ARROW_STREAM, 'X-Row-Count': String(rows.length), 'X-Truncated': String(truncated) });
      }
      return c.json({ columns: columns.map((col) => col.name), types: columns.map((col) => col.type), rows, row_count: rows.length, truncated }, 200);
    },
  );
}
