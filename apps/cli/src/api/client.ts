import createClient, { type Client } from 'openapi-fetch';
import { CliError, type CliErrorCode } from '../errors/cli-error.js';
import type { paths } from './schema.js';

/** The typed API client (paths and bodies generated from the server's OpenAPI document). */
export type ApiClient = Client<paths>;

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  readonly server: string;
  readonly token?: string | undefined;
  /** Retries of idempotent requests on 5xx and network errors. Default 3. */
  readonly retries?: number;
  /** First backoff step; doubles each retry. Default 500 ms. */
  readonly retryBaseMs?: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Waits `ms`; a `Retry-After` of the server wins when longer. */
function backoff(attempt: number, base: number, retryAfter: string | null): Promise<void> {
  const serverMs = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  const ms = Math.max(serverMs, base * 2 ** attempt * (0.75 + Math.random() / 2));
  return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 30_000)));
}

/** The longest `Retry-After` of a 429 that is waited out (a longer one is a limit to report, not to wait for). */
const MAX_BUSY_WAIT_S = 5;

/**
 * A fetch that retries idempotent requests on 5xx answers and network errors with
 * exponential backoff, and any request answered 429 with a short `Retry-After` (the server
 * was busy and did not run it: a query past the concurrency caps); other 4xx answers are
 * returned at once (retrying them cannot help).
 */
export function retryingFetch(retries: number, baseMs: number): (request: Request) => Promise<Response> {
  return async (request) => {
    const retryable = IDEMPOTENT.has(request.method);
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(request.clone());
      } catch (error) {
        if (!retryable || attempt >= retries) throw error;
        await backoff(attempt, baseMs, null);
        continue;
      }
      const retryAfter = response.headers.get('retry-after');
      if (response.status === 429 && attempt < retries && retryAfter && /^\d+$/.test(retryAfter) && Number(retryAfter) <= MAX_BUSY_WAIT_S) {
        await response.body?.cancel();
        await backoff(attempt, baseMs, retryAfter);
        continue;
      }
      if (response.status >= 500 && retryable && attempt < retries) {
        await response.body?.cancel();
        await backoff(attempt, baseMs, response.headers.get('retry-after'));
        continue;
      }
      return response;
    }
  };
}

/** A typed client for one server, sending the token as a bearer. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const headers: Record<string, string> = { 'user-agent': 'da-cli' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return createClient<paths>({ baseUrl: options.server, headers, fetch: retryingFetch(options.retries ?? 3, options.retryBaseMs ?? 500) });
}

const BY_STATUS: Record<number, CliErrorCode> = { 400: 'failure', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'failure', 429: 'failure' };

const HINTS: Partial<Record<CliErrorCode, string>> = {
  unauthenticated: 'your token is missing, expired or revoked: run `da login` (or `da auth import-token --token …`)',
  forbidden: 'ask an admin for access (admin commands need the Admin group)',
  server_error: 'the server failed; try again, and run `da diagnose` if it persists',
};

/** The server's `{ error: { message } }`, or a fallback. */
function serverMessage(body: unknown, status: number): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') return error.message;
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 500);
  return `the server answered ${status}`;
}

/** Maps a non-2xx answer to a {@link CliError} with the server's message and a next step. */
export function responseError(response: Response, body: unknown): CliError {
  const code = BY_STATUS[response.status] ?? (response.status >= 500 ? 'server_error' : 'failure');
  const hint = HINTS[code];
  return new CliError(code, serverMessage(body, response.status), hint === undefined ? {} : { hint });
}

/** Maps a fetch that never got an answer to an `unreachable` error. */
export function networkError(server: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError('unreachable', `cannot reach ${server} (${why})`, {
    hint: 'check the server URL (`da login --server …` or DA_SERVER) and your network; `da diagnose` checks both',
    cause: error,
  });
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws the mapped error.
 *
 * @example
 * const me = await unwrap(server, api.GET('/auth/me'));
 */
export async function unwrap<T>(server: string, call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw networkError(server, error);
  }
  if (!result.response.ok) throw responseError(result.response, result.error);
  return result.data as T;
}
