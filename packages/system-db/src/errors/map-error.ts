import { isSystemDbError, SystemDbError } from './system-db-error.js';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 10) {
    chain.push(current);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

/**
 * True when a unique or primary-key constraint refused the write: SQLSTATE 23505 on
 * PostgreSQL, a "Duplicate key … violates … constraint" Constraint Error on DuckDB.
 * drizzle wraps driver errors, so the whole cause chain is searched.
 */
export function isUniqueViolation(error: unknown): boolean {
  return causes(error).some((c) => {
    if (typeof c !== 'object' || c === null) return false;
    if ((c as { code?: unknown }).code === '23505') return true;
    const message = (c as { message?: unknown }).message;
    return typeof message === 'string' && /Duplicate key .* violates (unique|primary key) constraint/i.test(message);
  });
}

/**
 * The driver's own message: drizzle's wrapper message repeats the SQL and its parameters,
 * which may include password or token hashes, so it never reaches a SystemDbError.
 */
function rootMessage(error: unknown): string {
  const chain = causes(error);
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const message = (chain[i] as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && !message.startsWith('Failed query:')) return message;
  }
  return String(error);
}

/** Maps any error from a repository call to a {@link SystemDbError}, once, at the package edge. */
export function toSystemDbError(error: unknown): SystemDbError {
  if (isSystemDbError(error)) return error;
  if (isUniqueViolation(error)) {
    return new SystemDbError('conflict', `a row with the same key already exists (${rootMessage(error)})`, { cause: error });
  }
  return new SystemDbError('backend', `system database error: ${rootMessage(error)}`, { cause: error });
}
