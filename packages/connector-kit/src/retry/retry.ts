import { AuthError, ConfigError, isConnectorError, TransientSourceError } from '../errors/errors.js';
import { type Logger, silentLogger } from '../logging/logger.js';

/** Options of {@link withRetry} and {@link fetchWithRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /** First backoff step. Default 250 ms. */
  baseDelayMs?: number;
  /** Cap of the exponential backoff. Default 30 s. A longer `retryAfterMs` is still honoured. */
  maxDelayMs?: number;
  /** Stops retrying and waiting as soon as it aborts; the promise rejects with its reason. */
  signal?: AbortSignal;
  /** Receives one `warn` line per retry. Default: silent. */
  logger?: Logger;
  /** Injectable for tests. Need not honour `signal`: the wait is abandoned on abort anyway. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests; returns a number in [0, 1). */
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

/** Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** One signal that aborts when any of the given ones does (undefined when none is given). */
export function anySignal(...signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s != null);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/**
 * Runs `fn`, retrying only {@link TransientSourceError}s (recognised by brand, so also
 * from another copy of this package) with exponential backoff and full jitter, waiting
 * at least the error's `retryAfterMs`. Any other error, or the last transient error once
 * the retries are spent, is rethrown. When `signal` aborts, the promise rejects with the
 * abort reason: before an attempt, while waiting, or as soon as the running attempt fails.
 *
 * @example
 * const page = await withRetry((attempt) => fetchPage(cursor), { retries: 3, signal, logger });
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new RangeError(`withRetry: retries must be a non-negative integer, got ${String(options.retries)}`);
  }
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const signal = options.signal;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      // The running attempt is not abandoned on abort: callers (the runtime's writer)
      // clean up after it, which is only safe once it has settled. `fn` gets the signal
      // through its own closure and stops early.
      return await fn(attempt);
    } catch (error) {
      signal?.throwIfAborted();
      if (!isConnectorError(error) || error.code !== 'transient' || attempt >= retries) throw error;
      const backoff = Math.min(max, base * 2 ** attempt) * random();
      const retryAfterMs = (error as TransientSourceError).retryAfterMs ?? 0;
      const waitMs = Math.round(Math.max(backoff, retryAfterMs));
      logger.warn('transient source error, retrying', {
        error: error.message,
        attempt: attempt + 1,
        retries,
        waitMs,
      });
      await untilAborted(sleep(waitMs, signal), signal);
    }
  }
}

/**
 * Milliseconds to wait from a `Retry-After` header value: delta-seconds or an HTTP date
 * (a past date gives 0). Undefined when absent or unreadable.
 *
 * @example
 * parseRetryAfter('120'); // 120_000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now);
 */
export function parseRetryAfter(header: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Date.parse reads bare numbers such as "-5" or "1.5" as dates; an HTTP date has a
  // day or month name, so insist on letters.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Statuses that mean "try again later"; every other status goes back to the caller. */
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);

/**
 * `fetch` with the connector error mapping and {@link withRetry}: 429, 502, 503, 504 and
 * network failures become {@link TransientSourceError} (with `Retry-After` honoured) and
 * are retried; 401 and 403 become {@link AuthError}; every other response, including
 * other 4xx/5xx, is returned for the caller to judge. Messages name only the origin and
 * path of the URL, never headers or query strings, so tokens never reach logs.
 * Request bodies must be re-sendable (string, bytes, `URLSearchParams`, `FormData`).
 *
 * @example
 * const res = await fetchWithRetry(`${url}/v2/storage/tables`, {
 *   headers: { 'X-StorageApi-Token': ctx.secrets.KEBOOLA_STORAGE_TOKEN },
 * }, { signal });
 * if (!res.ok) throw new FatalSourceError(`listing tables failed: HTTP ${res.status}`);
 */
export async function fetchWithRetry(
  input: string | URL,
  init: RequestInit = {},
  options: RetryOptions = {},
): Promise<Response> {
  const target = describeTarget(input);
  if (target === undefined) {
    // The URL is not echoed: it may carry a token in its query string.
    throw new ConfigError('fetchWithRetry: the request URL is not an absolute URL; pass e.g. "https://host/path"');
  }
  const signal = anySignal(init.signal, options.signal);
  return withRetry(
    async () => {
      let res: Response;
      try {
        res = await fetch(input, { ...init, ...(signal ? { signal } : {}) });
      } catch (error) {
        signal?.throwIfAborted();
        if (!(error instanceof TypeError)) throw error;
        throw new TransientSourceError(`request to ${target} failed: ${networkReason(error)}`, { cause: error });
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new AuthError(
          `${target} refused the credentials (HTTP ${res.status}); check that the token is valid and allowed to read this resource`,
        );
      }
      if (TRANSIENT_STATUS.has(res.status)) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        await res.body?.cancel();
        throw new TransientSourceError(
          `${target} answered HTTP ${res.status}`,
          retryAfterMs === undefined ? {} : { retryAfterMs },
        );
      }
      return res;
    },
    { ...options, ...(signal ? { signal } : {}) },
  );
}

/** Origin and path only: user info and query strings may carry credentials. */
function describeTarget(input: string | URL): string | undefined {
  try {
    const u = new URL(String(input));
    return `${u.origin}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** undici says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is the cause. */
function networkReason(error: TypeError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return `${error.message} (${cause.code})`;
  if (typeof cause?.message === 'string' && cause.message) return `${error.message} (${cause.message})`;
  return error.message;
}
