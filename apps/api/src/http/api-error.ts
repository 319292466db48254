import { isConnectorError } from '@agnes/connector-kit';
import { isQueryError } from '@agnes/orchestrator';
import { isSystemDbError } from '@agnes/system-db';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** What went wrong, as the API tells its clients. Closed union; the status comes from {@link STATUS}. */
export type ApiErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'sync_running'
  | 'rate_limited'
  | 'query_invalid'
  | 'query_forbidden'
  | 'query_too_large'
  | 'query_timeout'
  | 'unavailable'
  | 'internal';

/** The one error→status table of the API. */
export const STATUS: Readonly<Record<ApiErrorCode, ContentfulStatusCode>> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  sync_running: 409,
  rate_limited: 429,
  query_invalid: 400,
  query_forbidden: 403,
  query_too_large: 400,
  query_timeout: 408,
  unavailable: 503,
  internal: 500,
};

const BRAND = Symbol.for('@agnes/api/ApiError');

/** An error whose message is safe to show and says what to do; routes throw it, `onError` maps it once. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly [BRAND] = true;
  constructor(
    code: ApiErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** True for an {@link ApiError}, also across copies of this package. */
export function isApiError(error: unknown): error is ApiError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

const SYSTEM_DB: Record<string, ApiErrorCode> = {
  not_found: 'not_found',
  conflict: 'conflict',
  invalid: 'invalid_request',
  last_admin: 'conflict',
  backend: 'unavailable',
};

const QUERY: Record<string, ApiErrorCode> = {
  invalid: 'query_invalid',
  refused: 'query_invalid',
  forbidden: 'query_forbidden',
  too_many_rows: 'query_too_large',
  too_large: 'query_too_large',
  busy: 'rate_limited',
  timeout: 'query_timeout',
  failed: 'query_invalid',
};

const CONNECTOR: Record<string, ApiErrorCode> = {
  config: 'invalid_request',
  auth: 'invalid_request',
};

/**
 * Turns anything thrown below the routes into an {@link ApiError}: the libraries' own
 * error codes map here and nowhere else. Unknown errors become `internal` with a generic
 * message (the cause is logged, never sent).
 */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (isSystemDbError(error)) {
    const code = SYSTEM_DB[error.code];
    if (code) return new ApiError(code, error.message, { cause: error });
  }
  if (isQueryError(error)) {
    const headers = error.retryAfterMs === undefined ? {} : { headers: { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) } };
    return new ApiError(QUERY[error.code] ?? 'query_invalid', error.message, { cause: error, ...headers });
  }
  if (isConnectorError(error)) {
    const code = CONNECTOR[error.code];
    if (code) return new ApiError(code, error.message, { cause: error });
  }
  return new ApiError('internal', 'internal error; the server log has the details (please report it)', { cause: error });
}
