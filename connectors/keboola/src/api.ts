import { AuthError, type ConnectorContext, FatalSourceError, isConnectorError, parseRetryAfter, TransientSourceError, withRetry } from '@agnes/connector-kit';
import { type KbcFile, sliceRequest } from './file-storage.js';
import type { KbcMetadataEntry } from './types.js';

/** The name of the token variable, as in connector.yaml. */
export const TOKEN_ENV = 'KEBOOLA_STORAGE_TOKEN';

/** A bucket as `GET /v2/storage/buckets` lists it (the fields used here). */
export interface KbcBucket {
  id: string;
  name: string;
  stage: string;
  description?: string;
}

/** A table as `GET /v2/storage/buckets/{id}/tables?include=columns,columnMetadata` lists it. */
export interface KbcTable {
  id: string;
  name: string;
  displayName?: string;
  primaryKey?: string[];
  columns?: string[];
  columnMetadata?: Record<string, KbcMetadataEntry[]>;
  bucket?: { id: string };
}

/** A Storage job as `GET /v2/storage/jobs/{id}` returns it. */
export interface KbcJob {
  id: number | string;
  status: 'waiting' | 'processing' | 'success' | 'error' | string;
  results?: { file?: { id: number | string } } | null;
  error?: { message?: string; code?: string } | null;
}

/** A sliced file's manifest. */
export interface KbcSliceManifest {
  entries: { url: string }[];
}

/** Parameters of `POST /v2/storage/tables/{id}/export-async`. */
export interface ExportParams {
  columns?: string[];
  changedSince?: string;
}

/** Options of {@link StorageClient}. */
export interface StorageClientOptions {
  /** An attempt that has no response (or, for JSON, no complete body) after this long is retried. */
  timeoutMs: number;
  /** A download whose body sends nothing for this long is abandoned as transient. */
  idleTimeoutMs?: number;
  /** Retries after the first attempt (the kit's backoff, honouring `Retry-After`). Default 5. */
  retries?: number;
}

/**
 * A small Keboola Storage API client. Every request goes through `ctx.fetch` (429,
 * 502–504 and network failures become transient, 401/403 an AuthError) inside the
 * kit's `withRetry`, with a per-attempt timeout that counts as transient too. The token
 * goes only in the `X-StorageApi-Token` header of requests to the stack; it never
 * reaches URLs, errors or logs, and never goes to file storage.
 */
export class StorageClient {
  private readonly base: string;

  constructor(
    stackUrl: string,
    private readonly token: string,
    private readonly ctx: ConnectorContext,
    private readonly options: StorageClientOptions,
  ) {
    this.base = stackUrl.replace(/\/+$/, '');
  }

  /** Lists the buckets the token can read. */
  listBuckets(signal?: AbortSignal): Promise<KbcBucket[]> {
    return this.json<KbcBucket[]>('GET', '/v2/storage/buckets', undefined, signal);
  }

  /** Lists a bucket's tables with their columns and column metadata. */
  listTables(bucketId: string, signal?: AbortSignal): Promise<KbcTable[]> {
    return this.json<KbcTable[]>('GET', `/v2/storage/buckets/${encodeURIComponent(bucketId)}/tables?include=columns,columnMetadata`, undefined, signal);
  }

  /**
   * Starts an asynchronous export of a table; returns the job. `changedSince` is sent
   * as a Unix timestamp, which the API accepts exactly (it also parses date texts).
   */
  exportAsync(tableId: string, params: ExportParams, signal?: AbortSignal): Promise<KbcJob> {
    // gzip=1: slices travel compressed; whether they are is read back from the file (isGzipped).
    const body = new URLSearchParams({ gzip: '1' });
    if (params.columns?.length) body.set('columns', params.columns.join(','));
    if (params.changedSince) body.set('changedSince', params.changedSince);
    return this.json<KbcJob>('POST', `/v2/storage/tables/${encodeURIComponent(tableId)}/export-async`, body, signal);
  }

  /** Reads a job's state. */
  job(id: number | string, signal?: AbortSignal): Promise<KbcJob> {
    return this.json<KbcJob>('GET', `/v2/storage/jobs/${encodeURIComponent(String(id))}`, undefined, signal);
  }

  /** Reads a file's description: download URL and the federation credentials for its slices. */
  file(id: number | string, signal?: AbortSignal): Promise<KbcFile> {
    return this.json<KbcFile>('GET', `/v2/storage/files/${encodeURIComponent(String(id))}?federationToken=1`, undefined, signal);
  }

  /** Reads a sliced file's manifest (its URL is pre-signed). */
  async manifest(file: KbcFile, signal?: AbortSignal): Promise<string[]> {
    const target = describeUrl(file.url);
    const parsed = await this.attempt(
      target,
      file.url,
      {},
      signal,
      async (res) => {
        await throwIfServerError(res, `the slice manifest ${target}`);
        if (!res.ok) {
          await res.body?.cancel();
          throw new FatalSourceError(`downloading the slice manifest ${target} failed: HTTP ${res.status}`);
        }
        return (await res.json().catch((error: unknown) => {
          throw new FatalSourceError(`the slice manifest of file ${file.id} is not JSON`, { cause: error });
        })) as KbcSliceManifest;
      },
      fileStorageAuth,
    );
    if (!Array.isArray(parsed?.entries) || parsed.entries.some((e) => typeof e?.url !== 'string')) {
      throw new FatalSourceError(`the slice manifest of file ${file.id} has no entries list`);
    }
    return parsed.entries.map((e) => e.url);
  }

  /**
   * Opens the body of one file or slice: a pre-signed URL, or an `s3://`, `azure://` or
   * `gs://` manifest entry read with the file's credentials. No Storage token is sent.
   * The timeout covers the response headers; the body is read by the caller.
   */
  async download(file: KbcFile, url: string, signal?: AbortSignal): Promise<Response> {
    const target = describeUrl(url);
    return this.attempt(
      target,
      () => sliceRequest(file, url),
      { headersOnly: true },
      signal,
      async (res) => {
        await throwIfServerError(res, target);
        if (!res.ok) {
          await res.body?.cancel();
          throw new FatalSourceError(`downloading ${target} failed: HTTP ${res.status}`);
        }
        return res;
      },
      fileStorageAuth,
    );
  }

  /** Idle timeout of download bodies. */
  get idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? this.options.timeoutMs;
  }

  private json<T>(method: string, path: string, body: URLSearchParams | undefined, signal?: AbortSignal): Promise<T> {
    const what = `${method} ${path.split('?')[0]}`;
    return this.attempt(
      `Keboola Storage API ${what}`,
      () => ({ url: `${this.base}${path}`, headers: { 'X-StorageApi-Token': this.token, accept: 'application/json' } }),
      { method, ...(body ? { body } : {}) },
      signal,
      async (res) => {
        await throwIfServerError(res, `Keboola Storage API ${what}`);
        if (!res.ok) {
          const detail = await errorDetail(res);
          throw new FatalSourceError(`Keboola Storage API ${what} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
        }
        try {
          return (await res.json()) as T;
        } catch (error) {
          // A body cut off mid-way (or by our timeout) is worth another attempt.
          if (isConnectorError(error)) throw error;
          throw new TransientSourceError(`Keboola Storage API ${what} answered with an incomplete or invalid JSON body`, { cause: error });
        }
      },
      (error) =>
        new AuthError(
          `Keboola Storage API at ${this.base} refused the token in ${TOKEN_ENV} (${what}); check that ${TOKEN_ENV} holds a valid Storage API token with read access to the buckets`,
          { cause: error },
        ),
    );
  }

  /**
   * One request with retries: the kit's `withRetry` around single attempts of
   * `ctx.fetch`, so a per-attempt timeout can join 429/5xx as a retried transient
   * error. `request` is rebuilt per attempt (a signature carries its time).
   */
  private attempt<T>(
    what: string,
    request: string | (() => { url: string; headers: Record<string, string> }),
    init: RequestInit & { headersOnly?: boolean },
    signal: AbortSignal | undefined,
    consume: (res: Response) => Promise<T>,
    onAuth: (error: Error) => Error,
  ): Promise<T> {
    const { headersOnly, ...fetchInit } = init;
    const timeoutMs = this.options.timeoutMs;
    return withRetry(
      async () => {
        const { url, headers } = typeof request === 'string' ? { url: request, headers: {} } : request();
        const timer = new AbortController();
        const timeout = setTimeout(() => timer.abort(new TransientSourceError(`${what} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
        const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
        try {
          const res = await this.ctx.fetch(url, { ...fetchInit, headers, signal: combined }, { retries: 0 });
          if (headersOnly) clearTimeout(timeout);
          return await consume(res);
        } catch (error) {
          signal?.throwIfAborted();
          if (timer.signal.aborted) throw timer.signal.reason as TransientSourceError;
          if (isConnectorError(error) && error.code === 'auth') throw onAuth(error);
          throw error;
        } finally {
          clearTimeout(timeout);
        }
      },
      { retries: this.options.retries ?? 5, logger: this.ctx.logger, ...(signal ? { signal } : {}) },
    );
  }
}

/**
 * Every 5xx is worth another attempt (ctx.fetch already retries 502–504; Keboola and
 * S3 also answer 500 for passing internal errors). Re-sending an export request only
 * starts another job, so it is safe too.
 */
async function throwIfServerError(res: Response, what: string): Promise<void> {
  if (res.status < 500) return;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  await res.body?.cancel();
  throw new TransientSourceError(`${what} answered HTTP ${res.status}`, retryAfterMs === undefined ? {} : { retryAfterMs });
}

/** A pre-signed URL or federation credential was refused: expired, so not the token's fault. */
function fileStorageAuth(error: Error): Error {
  return new FatalSourceError('file storage refused the download (expired or invalid pre-signed URL or federation credentials); rerun the export', {
    cause: error,
  });
}

/** The API's error message, cut short (it never echoes the token). */
async function errorDetail(res: Response): Promise<string> {
  try {
    const text = await res.text();
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
      const msg = typeof parsed.error === 'string' ? parsed.error : typeof parsed.message === 'string' ? parsed.message : text;
      return msg.slice(0, 300);
    } catch {
      return text.slice(0, 300);
    }
  } catch {
    return '';
  }
}

/** Scheme, host and path of a URL, never its user info or query (pre-signed URLs carry signatures there). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
