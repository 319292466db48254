import { hash, verify } from '@node-rs/argon2';
import { ApiError } from '../http/api-error.js';

/** Shortest password accepted when one is set. */
export const MIN_PASSWORD_LENGTH = 8;

/** Refuses passwords too short (or absurdly long: argon2 would hash megabytes on request). */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ApiError('invalid_request', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1024) throw new ApiError('invalid_request', 'the password must have at most 1024 characters');
}

/** argon2id with the library's defaults (OWASP's 19 MiB, t=2). Runs on libuv's pool, off the event loop. */
export function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return hash(password);
}

// Verified against when the email is unknown, so both failures take the same time.
let decoy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash; with no hash (unknown user, or a user without
 * a password) it still spends one argon2 verification so timing tells nothing.
 */
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  if (!storedHash) {
    decoy ??= hash('agnes-decoy-password');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
