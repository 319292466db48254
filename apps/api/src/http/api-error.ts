import { isConnectorError } from '@agnes/connector-kit';
import { isQueryError } from '@agnes/orchestrator';
import { isSystemDbError } from '@agnes/system-db';
import type { HonoRequest } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** What went wrong, as the API tells its clients. Closed union; the status comes from {@link STATUS}. */
export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'client_closed'
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
  invalid_json: 400,
  unsupported_media_type: 415,
  // Nobody reads this answer (the client is gone); the status is for the audit trail.
  client_closed: 400,
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

/** The sender's own words cut out of a JSON parse error (V8 quotes the text), keeping where and what broke. */
function jsonSyntaxProblem(text: string): string {
  try {
    JSON.parse(text);
    return 'it could not be parsed';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/,\s*".*is not valid JSON$/s, '').replace(/^Unexpected end of JSON input$/, 'Unexpected end of JSON input (is it cut short?)');
  }
}

/**
 * True when the error comes from the client's connection ending before its request did:
 * Node's `aborted` on the request stream, or the server adapter's own words. Not any
 * ECONNRESET: a database connection reset is our failure and stays an error.
 */
function clientGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error.message === 'aborted' && (error as { code?: unknown }).code === 'ECONNRESET') || error.message === 'Client connection prematurely closed.';
}

/**
 * {@link toApiError} for an error thrown while answering `request`. Hono's validators throw
 * their own `HTTPException` for a client's mistakes, and the JSON one says neither what is
 * wrong nor whether the body was read at all; the body Hono kept tells: unreadable (the
 * client hung up mid-body), or text that does not parse. Forms the pages read fail the same
 * way, with the parser's own error.
 */
export async function requestError(error: unknown, request: HonoRequest): Promise<ApiError> {
  if (isApiError(error)) return error;
  const closed = () => new ApiError('client_closed', 'the connection closed before the whole request arrived', { cause: error });
  if (error instanceof HTTPException) {
    if (error.status === 415) {
      const sent = (request.header('content-type') ?? '').slice(0, 100);
      return new ApiError('unsupported_media_type', `this route takes a JSON body: send it with "Content-Type: application/json"${sent ? ` (not "${sent}")` : ''}`, { cause: error });
    }
    if (error.status === 400 && error.message.startsWith('Malformed JSON')) {
      const text = await request.text().catch(() => undefined);
      if (text === undefined) return closed();
      return new ApiError('invalid_json', `the request body is not valid JSON: ${jsonSyntaxProblem(text)}`, { cause: error });
    }
    if (error.status < 500) return new ApiError('invalid_request', error.message, { cause: error });
  }
  if (clientGone(error)) return closed();
  // A form that does not parse: the very error its cached parse failed with.
  if (request.bodyCache.formData && (await request.formData().then(() => undefined, (failed: unknown) => failed)) === error) {
    return new ApiError('invalid_request', 'the form in the request body could not be read; send it as application/x-www-form-urlencoded or well-formed multipart/form-data', { cause: error });
  }
  return toApiError(error);
}
