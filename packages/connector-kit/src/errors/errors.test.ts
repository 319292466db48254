import { describe, expect, it } from 'vitest';
import { AuthError, ConfigError, errorCode, FatalSourceError, isConnectorError, RecordError, TransientSourceError } from './errors.js';

/** The brand another copy of the kit sets; `unique symbol` so a class can declare it. */
const BRAND: unique symbol = Symbol.for('@agnes/connector-kit/ConnectorError');

describe('connector errors', () => {
  it('carry a code that says what happens next', () => {
    expect(new ConfigError('x').code).toBe('config');
    expect(new AuthError('x').code).toBe('auth');
    expect(new TransientSourceError('x', { retryAfterMs: 5 })).toMatchObject({ code: 'transient', retryAfterMs: 5 });
    expect(new FatalSourceError('x').code).toBe('fatal');
    expect(new RecordError('x').code).toBe('record');
    expect(errorCode(new Error('plain'))).toBe('fatal');
  });

  it('are recognised by brand, also from another copy of the package', () => {
    const foreign = Object.assign(new Error('from a duplicate copy'), {
      code: 'transient',
      [BRAND]: true,
    });
    expect(isConnectorError(foreign)).toBe(true);
    expect(foreign instanceof TransientSourceError).toBe(false);
    expect(isConnectorError(new Error('x'))).toBe(false);
    expect(isConnectorError(null)).toBe(false);
  });

  it('are recognised when a duplicate class sets the brand symbol', () => {
    class DuplicateAuthError extends Error {
      readonly code = 'auth' as const;
      readonly [BRAND] = true;
    }
    const error = new DuplicateAuthError('refused by a copy');
    expect(isConnectorError(error)).toBe(true);
    expect(errorCode(error)).toBe('auth');
    expect(error instanceof AuthError).toBe(false);
    class Unbranded extends Error {
      readonly code = 'auth';
    }
    expect(isConnectorError(new Unbranded('x'))).toBe(false);
  });

  it('keep the cause', () => {
    const cause = new Error('socket hang up');
    expect(new TransientSourceError('retry', { cause }).cause).toBe(cause);
  });
});
