import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from '../api/client.js';
import { networkError, responseError } from '../api/client.js';
import { CliError, isCliError } from '../errors/cli-error.js';
import type { PlannedDownload } from './plan.js';

/** `sha256-<hex>` of a file's bytes, as the manifest states it. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), hash);
  return `sha256-${hash.digest('hex')}`;
}

/** A download whose bytes do not match the manifest; never retried (the server would send the same). */
export class HashMismatchError extends CliError {
  constructor(what: string, expected: string, actual: string) {
    super('failure', `${what}: the downloaded bytes hash to ${actual}, the manifest says ${expected}; the bad download was deleted and the previous copy kept`, {
      hint: 'run `da sync` again; if it repeats, the server is mid-sync or its files are damaged (tell an admin)',
    });
  }
}

/** Options of {@link downloadVerified}. */
export interface DownloadOptions {
  readonly api: ApiClient;
  readonly server: string;
  readonly tmpDir: string;
  /** Called with each chunk's size as bytes arrive (resumed bytes are reported once up front). */
  readonly onBytes?: (bytes: number) => void;
  /** Attempts after the first on network errors and 5xx. Default 3. */
  readonly retries?: number;
  readonly retryBaseMs?: number;
}

/** The temp file of a download; its sidecar remembers which hash the bytes belong to. */
export function partialPaths(tmpDir: string, d: Pick<PlannedDownload, 'table' | 'part'>): { data: string; meta: string } {
  const base = join(tmpDir, d.part === undefined ? `${d.table}.parquet.partial` : `${d.table}@${d.part}.parquet.partial`);
  return { data: base, meta: `${base}.json` };
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

async function resumableBytes(paths: { data: string; meta: string }, hash: string): Promise<number> {
  const meta = await readFile(paths.meta, 'utf8').then((t) => JSON.parse(t) as { hash?: string }, () => undefined);
  const size = await sizeOf(paths.data);
  if (meta?.hash === hash && size !== undefined) return size;
  await rm(paths.data, { force: true });
  await writeFile(paths.meta, JSON.stringify({ hash }));
  return 0;
}

/** One HTTP attempt: appends to the partial file (206) or rewrites it (200). */
/** Hashes the bytes as they are written, so a fresh download is not read back. */
async function fetchInto(d: PlannedDownload, paths: { data: string }, from: number, options: DownloadOptions): Promise<string> {
  const headers: Record<string, string> = {};
  if (from > 0) {
    headers.range = `bytes=${from}-`;
    // The server sends the whole new file instead of a range of a different one.
    headers['if-range'] = `"${d.hash}"`;
  }
  let result;
  try {
    result = await options.api.GET('/api/data/{table}/download', {
      params: { path: { table: d.table }, query: d.part === undefined ? {} : { part: d.part } },
      headers,
      parseAs: 'stream',
    });
  } catch (error) {
    throw networkError(options.server, error);
  }
  const { response } = result;
  if (response.status === 416) {
    await rm(paths.data, { force: true });
    throw new CliError('server_error', 'the partial download no longer fits the file; starting over');
  }
  if (!response.ok) throw responseError(response, result.error);
  const append = response.status === 206;
  if (!append && from > 0) options.onBytes?.(-from);
  const body = response.body;
  if (!body) throw new CliError('server_error', 'the server sent no body');
  const hash = createHash('sha256');
  if (append) for await (const chunk of createReadStream(paths.data, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      options.onBytes?.(chunk.length);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), counter, createWriteStream(paths.data, { flags: append ? 'a' : 'w' }));
  } catch (error) {
    throw networkError(options.server, error);
  }
  return `sha256-${hash.digest('hex')}`;
}

function retryable(error: unknown): boolean {
  return isCliError(error) && (error.code === 'unreachable' || error.code === 'server_error');
}

/**
 * Fetches one file into the temp folder and checks it against the manifest hash;
 * resolves to the verified temp file, which the caller renames into place. An earlier
 * interrupted download of the same hash is resumed with Range + If-Range; network
 * errors and 5xx are retried with backoff (resuming), 4xx and a bad hash are not.
 */
export async function downloadVerified(d: PlannedDownload, options: DownloadOptions): Promise<string> {
  await mkdir(options.tmpDir, { recursive: true });
  const paths = partialPaths(options.tmpDir, d);
  const retries = options.retries ?? 3;
  const what = d.part === undefined ? d.table : `${d.table} part ${d.part}`;
  let reported = 0;
  let actual: string | undefined;
  for (let attempt = 0; ; attempt += 1) {
    const have = await resumableBytes(paths, d.hash);
    if (have > reported) {
      options.onBytes?.(have - reported);
      reported = have;
    }
    try {
      // A complete earlier download (e.g. one part of a table that failed) needs no request.
      if (!(d.size !== null && have === d.size)) actual = await fetchInto(d, paths, have, options);
      break;
    } catch (error) {
      reported = (await sizeOf(paths.data)) ?? 0;
      if (!retryable(error) || attempt >= retries) throw error;
      const base = options.retryBaseMs ?? 500;
      await new Promise((r) => setTimeout(r, base * 2 ** attempt));
    }
  }
  actual ??= await hashFile(paths.data);
  if (actual !== d.hash) {
    await rm(paths.data, { force: true });
    await rm(paths.meta, { force: true });
    throw new HashMismatchError(what, d.hash, actual);
  }
  return paths.data;
}

/** Removes the sidecar of a download that was moved into place. */
export async function forgetPartial(tmpDir: string, d: Pick<PlannedDownload, 'table' | 'part'>): Promise<void> {
  await rm(partialPaths(tmpDir, d).meta, { force: true });
}
