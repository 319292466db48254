import { close, createReadStream, fstat, open } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { callerOf } from '../auth/authenticate.js';
import { readableTable } from '../catalog/visible.js';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { route } from '../http/openapi.js';

const openFile = promisify(open);
const fstatFile = promisify(fstat);
const closeFile = (fd: number) => close(fd, () => undefined);

const NOT_FOUND = (table: string) => new ApiError('not_found', `no table ${table} that you can read; see GET /api/sync/manifest for yours`);

/** Parses a single `bytes=a-b` range against a size; undefined when absent or not one byte range, 'invalid' when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  // A header this server does not do (several ranges, another unit) is ignored, as HTTP
  // allows: the whole file is sent.
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from, to] = match;
  let start: number;
  let end: number;
  if (from === '') {
    if (to === '') return undefined;
    const suffix = Number(to);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'invalid';
  return { start, end };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((v) => {
    const tag = v.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

/** Parquet downloads with ETag, conditional requests and ranges. */
export function dataRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    route('user', {
      method: 'get',
      path: '/api/data/{table}/download',
      tags: ['data'],
      summary: 'Stream a table (or one part of a partitioned table) as parquet; ETag/If-None-Match and Range supported',
      request: {
        params: z.object({ table: z.string().openapi({ param: { name: 'table', in: 'path' } }) }),
        query: z.object({ part: z.string().optional() }),
      },
      responses: {
        200: { description: 'The parquet file', content: { 'application/vnd.apache.parquet': { schema: z.string().openapi({ format: 'binary' }) } } },
        206: { description: 'The requested byte range' },
        304: { description: 'Not modified (the ETag matches)' },
        416: { description: 'Range not satisfiable' },
      },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { table: name } = c.req.valid('param');
      const { part: partName } = c.req.valid('query');
      const table = await readableTable(caller, deps.tables, name);
      if (!table) throw NOT_FOUND(name);
      let file: string;
      let hash: string | null;
      let fileName: string;
      if (table.parts) {
        if (partName === undefined) throw new ApiError('invalid_request', `${table.table} is partitioned; download its parts with ?part=<name> (listed in the manifest)`);
        const part = table.parts.find((p) => p.name === partName);
        if (!part) throw new ApiError('not_found', `${table.table} has no part ${partName}; the manifest lists its parts`);
        ({ file, hash } = part);
        fileName = `${table.table}-${part.name}.parquet`;
      } else {
        if (partName !== undefined) throw new ApiError('invalid_request', `${table.table} is not partitioned; drop ?part`);
        if (!table.file) throw new ApiError('invalid_request', `${table.table} is a remote table: query it with POST /api/query, it has no file`);
        file = table.file;
        hash = table.contentHash;
        fileName = `${table.table}.parquet`;
      }
      // Open first: a file swapped away by a sync after the lookup is reported, not half-sent.
      // A numeric fd, not a FileHandle: fd streams read with plain fs.read (measurably faster).
      let fd: number;
      try {
        fd = await openFile(file, 'r');
      } catch {
        throw new ApiError('unavailable', `${table.table} is being replaced by a sync; try again in a moment`, { headers: { 'Retry-After': '2' } });
      }
      let size: number;
      try {
        size = (await fstatFile(fd)).size;
      } catch (error) {
        closeFile(fd);
        throw error;
      }
      const etag = hash ? `"${hash}"` : undefined;
      const headers: Record<string, string> = {
        'Content-Type': 'application/vnd.apache.parquet',
        'Content-Disposition': `attachment; filename="${fileName}"`,
        'Accept-Ranges': 'bytes',
        'Cache-Control': 'private, no-cache',
      };
      if (etag) headers.ETag = etag;
      if (etag && etagMatches(c.req.header('if-none-match'), etag)) {
        closeFile(fd);
        return c.body(null, 304, headers);
      }
      let range = parseRange(c.req.header('range'), size);
      // If-Range with a stale ETag: send the whole (new) file.
      const ifRange = c.req.header('if-range');
      if (range && ifRange && etag && ifRange !== etag) range = undefined;
      if (range === 'invalid') {
        closeFile(fd);
        return c.body(null, 416, { ...headers, 'Content-Range': `bytes */${size}` });
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      const bytes = createReadStream('', { fd, start, end: Math.max(start, end), highWaterMark: 1024 * 1024 });
      const length = size === 0 ? 0 : end - start + 1;
      headers['Content-Length'] = String(length);
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      const status = range ? 206 : 200;
      // On the Node server, pipe the file straight into the socket (what a plain file server
      // does); through Web streams every 1 MiB chunk costs a promise round trip.
      const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
      if (outgoing) {
        outgoing.writeHead(status, headers);
        pipeline(bytes, outgoing).catch(() => bytes.destroy());
        return RESPONSE_ALREADY_SENT;
      }
      return c.body(Readable.toWeb(bytes) as ReadableStream, status, headers);
    },
  );
}
