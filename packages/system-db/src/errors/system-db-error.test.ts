import { describe, expect, it } from 'vitest';
import { isSystemDbError, SystemDbError } from './system-db-error.js';

describe('SystemDbError', () => {
  it('keeps its code and cause', () => {
    const cause = new Error('socket closed');
    const error = new SystemDbError('backend', 'lost the database', { cause });
    expect(error).toMatchObject({ code: 'backend', name: 'SystemDbError', message: 'lost the database' });
    expect(error.cause).toBe(cause);
  });

  it('is recognised by brand, also from another copy of the package', () => {
    const foreign = Object.assign(new Error('copy'), { code: 'conflict', [Symbol.for('@agnes/system-db/SystemDbError')]: true });
    expect(isSystemDbError(foreign)).toBe(true);
    expect(foreign instanceof SystemDbError).toBe(false);
    expect(isSystemDbError(new Error('plain'))).toBe(false);
    expect(isSystemDbError(undefined)).toBe(false);
  });
});
