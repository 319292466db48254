import {
  AuthError,
  ConfigError,
  type ConnectorError,
  FatalSourceError,
  isConnectorError,
  type Logger,
  parseRetryAfter,
  type RetryOptions,
  TransientSourceError,
  withRetry,
} from '@agnes/connector-kit';
import { CREDENTIALS_ENV } from '../config.js';

/** Retry tuning the client passes to the kit's `withRetry` (tests shorten the backoff). */
export type RetryTuning = Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs'>;

/** What every request needs besides the URL. */
export interface HttpOptions {
  logger: Logger;
  signal?: AbortSignal | undefined;
  retry?: RetryTuning | undefined;
  /** One request (not the retries) is abandoned after this long and retried as a timeout. */
  timeoutMs: number;
}

/** The `error` object of a Google API error body. */
interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: { reason?: string; message?: string }[] } | string;
  error_description?: string;
}

/** Reasons BigQuery documents as "retry with backoff", whatever the HTTP status (rate limits come as 403). */
const TRANSIENT_REASONS = new Set(['rateLimitExceeded', 'backendError', 'internalError', 'jobRateLimitExceeded']);
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Origin and path only: query strings are never echoed. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}

/** The reason and message of a Google error body, when it is one. */
export function googleError(body: unknown): { reason: string | undefined; message: string | undefined } {
  const e = (body as GoogleErrorBody | undefined)?.error;
  if (typeof e === 'string') {
    // OAuth token endpoint shape: { error: 'invalid_grant', error_description: '…' }
    const description = (body as GoogleErrorBody).error_description;
    return { reason: e, message: description ? clip(description) : undefined };
  }
  const reason = e?.errors?.[0]?.reason ?? e?.status;
  const message = e?.message ?? e?.errors?.[0]?.message;
  return { reason, message: message ? clip(message) : undefined };
}

/**
 * Maps a failed BigQuery response to the error that says what happens next. `what`
 * names the call (e.g. `tables.get shop.orders`); messages name the variable to fix,
 * never a token.
 */
export function errorForStatus(status: number, body: unknown, what: string, retryAfterMs: number | undefined): ConnectorError {
  const { reason, message } = googleError(body);
  const detail = `${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`;
  if ((reason && TRANSIENT_REASONS.has(reason)) || TRANSIENT_STATUS.has(status)) {
    return new TransientSourceError(`BigQuery ${what} answered HTTP ${status}${detail}`, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  if (reason === 'quotaExceeded') {
    return new FatalSourceError(`BigQuery ${what}: a project quota is exhausted (HTTP ${status}${detail}); wait for it to reset or raise it`);
  }
  if (status === 401) {
    return new AuthError(`BigQuery refused the credentials for ${what} (HTTP 401${detail}); check the service-account key file named by ${CREDENTIALS_ENV}`);
  }
  if (status === 403) {
    return new AuthError(
      `BigQuery denied ${what} (HTTP 403${detail}); grant the service account of ${CREDENTIALS_ENV} the BigQuery roles it needs (Data Viewer, Job User) or use another key`,
    );
  }
  if (reason === 'invalidQuery' || reason === 'invalid' || reason === 'bytesBilledLimitExceeded') {
    return new ConfigError(`BigQuery refused ${what} (HTTP ${status}${detail}); fix the query or the configuration`);
  }
  return new FatalSourceError(`BigQuery ${what} failed (HTTP ${status}${detail})`);
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message may quote the body; say only that it is not JSON.
    return undefined;
  }
}

/**
 * One JSON request through the kit's `withRetry`: 408/429/5xx, BigQuery's retryable
 * reasons (`rateLimitExceeded` arrives as 403), network failures and per-request
 * timeouts become {@link TransientSourceError} (honouring `Retry-After`); other
 * statuses map through {@link errorForStatus} and are not retried. `fetchWithRetry`
 * is not used because it turns every 403 into an AuthError before the body says
 * whether it is a rate limit.
 */
export async function requestJson<T>(url: string, init: RequestInit, what: string, options: HttpOptions): Promise<T> {
  const target = describeUrl(url);
  return withRetry(
    async () => {
      options.signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let res: Response;
      let body: unknown;
      try {
        res = await fetch(url, { ...init, signal });
        body = await readBody(res);
      } catch (error) {
        options.signal?.throwIfAborted();
        if (isConnectorError(error)) throw error;
        if (timeout.aborted) throw new TransientSourceError(`BigQuery ${what}: no answer from ${target} within ${options.timeoutMs} ms`, { cause: error });
        const code = (error as { cause?: { code?: unknown } }).cause?.code;
        throw new TransientSourceError(`BigQuery ${what}: request to ${target} failed${typeof code === 'string' ? ` (${code})` : ''}`, { cause: error });
      }
      if (res.ok) {
        if (body === undefined) throw new TransientSourceError(`BigQuery ${what}: ${target} answered HTTP ${res.status} without a JSON body`);
        return body as T;
      }
      throw errorForStatus(res.status, body, what, parseRetryAfter(res.headers.get('retry-after')));
    },
    { ...options.retry, logger: options.logger, ...(options.signal ? { signal: options.signal } : {}) },
  );
}
