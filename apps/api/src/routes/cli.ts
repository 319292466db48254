import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { route } from '../http/openapi.js';

/** The `da` CLI as one npm-installable tarball: `npm i -g <server>/cli/da.tgz`. */
export function cliRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    route('public', {
      method: 'get',
      path: '/cli/da.tgz',
      tags: ['cli'],
      summary: 'The da CLI for `npm i -g`, with our packages bundled (DuckDB and the rest install from npm)',
      responses: { 200: { description: 'The tarball', content: { 'application/gzip': { schema: z.string().openapi({ format: 'binary' }) } } } },
    }),
    async (c) => {
      const file = deps.settings.cliTarball;
      const info = file ? await stat(file).catch(() => undefined) : undefined;
      if (!file || !info?.isFile()) {
        throw new ApiError('not_found', 'this server has no CLI tarball: build it with `pnpm --filter @agnes/cli pack:standalone`, or set AGNES_CLI_TARBALL to one');
      }
      return c.body(Readable.toWeb(createReadStream(file)) as ReadableStream, 200, {
        'Content-Type': 'application/gzip',
        'Content-Length': String(info.size),
        'Content-Disposition': 'attachment; filename="da.tgz"',
        'Cache-Control': 'no-cache',
      });
    },
  );
}
