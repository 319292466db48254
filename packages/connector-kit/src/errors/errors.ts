/** What happens next after a connector error. Closed union. */
export type ConnectorErrorCode = 'config' | 'auth' | 'transient' | 'fatal' | 'record';

const BRAND = Symbol.for('@agnes/connector-kit/ConnectorError');

/** Options accepted by every connector error. */
export interface ConnectorErrorOptions {
  cause?: unknown;
}

/**
 * Base class of connector errors. Check with {@link isConnectorError} (a brand that
 * survives duplicate copies of this package), not only `instanceof`.
 */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly [BRAND] = true;
  constructor(code: ConnectorErrorCode, message: string, options?: ConnectorErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'ConnectorError';
  }
}

/** Bad configuration or input: fix it and run again. Never retried. */
export class ConfigError extends ConnectorError {
  constructor(message: string, options?: ConnectorErrorOptions) {
    super('config', message, options);
    this.name = 'ConfigError';
  }
}

/** Credentials missing or refused: fatal for the run. Never retried. */
export class AuthError extends ConnectorError {
  constructor(message: string, options?: ConnectorErrorOptions) {
    super('auth', message, options);
    this.name = 'AuthError';
  }
}

/** A passing source failure (429, 5xx, timeout): retried with backoff. */
export class TransientSourceError extends ConnectorError {
  /** How long the source asked us to wait (e.g. from `Retry-After`). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: ConnectorErrorOptions & { retryAfterMs?: number }) {
    super('transient', message, options);
    this.name = 'TransientSourceError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The source cannot serve this table: abort the table, keep its previous data. */
export class FatalSourceError extends ConnectorError {
  constructor(message: string, options?: ConnectorErrorOptions) {
    super('fatal', message, options);
    this.name = 'FatalSourceError';
  }
}

/** One record is bad. Today the runtime fails the table (keeping its previous data); skip-and-count is planned. */
export class RecordError extends ConnectorError {
  constructor(message: string, options?: ConnectorErrorOptions) {
    super('record', message, options);
    this.name = 'RecordError';
  }
}

/** Brand check for connector errors, robust to duplicate package copies. */
export function isConnectorError(error: unknown): error is ConnectorError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** The error's code, `fatal` for anything that is not a connector error. */
export function errorCode(error: unknown): ConnectorErrorCode {
  return isConnectorError(error) ? error.code : 'fatal';
}
