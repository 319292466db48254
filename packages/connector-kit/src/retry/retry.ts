import { AuthError, isConnectorError, type ConnectorError, TransientSourceError } from '../errors/errors.js';
import { type Logger, silentLogger } from '../logging/logger.js';

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /** First backoff step. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest wait between attempts. Default 30 s. */
  maxDelayMs?: number;
  /** Stops waiting and retrying as soon as it aborts. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests; returns [0, 1). */
  random?: () => number;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn`, retrying only {@link TransientSourceError}s with exponential backoff and
 * full jitter, waiting at least the error's `retryAfterMs`. Any other error, the last
 * transient error after the retries are spent, or the abort reason is rethrown.
 *
 * @example
 * const rows = await withRetry(() => fetchPage(cursor), { retries: 3, signal });
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      const transient = isConnectorError(error) && error.code === 'transient';
      if (!transient || attempt >= retries || options.signal?.aborted) throw error;
      const backoff = Math.min(max, base * 2 ** attempt) * random();
      const after = (error as TransientSourceError).retryAfterMs ?? 0;
      const wait = Math.min(max, Math.max(backoff, after));
      logger.warn(`transient source error, retrying in ${Math.round(wait)} ms (attempt ${attempt + 1} of ${retries})`, {
        error: (error as ConnectorError).message,
      });
      await sleep(wait, options.signal);
    }
  }
}

/**
 * Milliseconds to wait from a `Retry-After` header (delta-seconds or an HTTP date),
 * or undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * `fetch` that turns what should be retried into {@link TransientSourceError}
 * (429, 5xx gateway errors, timeouts, network failures; `Retry-After` honoured) and
 * refused credentials (401, 403) into {@link AuthError}, and retries with
 * {@link withRetry}. Other responses are returned for the caller to judge. Messages
 * never include request headers, so tokens never reach logs.
 *
 * @example
 * const res = await fetchWithRetry(`${url}/v2/storage/tables`, { headers: { 'X-StorageApi-Token': token } });
 */
export async function fetchWithRetry(
  input: string | URL,
  init: RequestInit = {},
  options: RetryOptions = {},
): Promise<Response> {
  const signal = init.signal ?? options.signal;
  const target = describeTarget(input);
  return withRetry(
    async () => {
      let res: Response;
      try {
        res = await fetch(input, { ...init, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new TransientSourceError(`request to ${target} failed: ${(error as Error).message}`, { cause: error });
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new AuthError(`${target} refused the credentials (HTTP ${res.status}); check the token the connector was given`);
      }
      if (TRANSIENT_STATUS.has(res.status)) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        await res.body?.cancel();
        throw new TransientSourceError(`${target} answered HTTP ${res.status}`, retryAfterMs === undefined ? {} : { retryAfterMs });
      }
      return res;
    },
    { ...options, ...(signal ? { signal } : {}) },
  );
}

/** Origin and path only: query strings may carry credentials. */
function describeTarget(input: string | URL): string {
  try {
    const u = new URL(String(input));
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'the source';
  }
}
