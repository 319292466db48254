import { randomUUID } from 'node:crypto';
import { SystemDbError } from '../errors/system-db-error.js';

/** A new random id (UUID v4); ids are made in code so both backends behave the same. */
export function newId(): string {
  return randomUUID();
}

/** Throws `not_found` for a missing row. */
export function found<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new SystemDbError('not_found', `${what} does not exist`);
  return row;
}

/** Checks that `value` is one of `allowed`, so a bad string never reaches the database. */
export function oneOf<const T extends string>(value: string, allowed: readonly T[], field: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new SystemDbError('invalid', `${field} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/** Page size for list calls: a positive integer, at most 1,000. */
export function pageSize(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new SystemDbError('invalid', `limit must be an integer from 1 to 1000 (got ${value})`);
  }
  return value;
}
