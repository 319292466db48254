/**
 * What went wrong in the system database. Closed union; the API maps each code to one
 * HTTP status in its single error table.
 * - `conflict`: a unique value is taken (email, group name, table id, …).
 * - `not_found`: the row the call names does not exist.
 * - `last_admin`: the change would leave no active member in the `Admin` group.
 * - `invalid`: the input breaks a rule the database keeps (bad email, system group, …).
 * - `backend`: the database itself failed (connection, I/O, newer schema than the code).
 * - `locked`: another process has the embedded DuckDB file open ({@link SystemDbError.holderPid} when known).
 */
export type SystemDbErrorCode = 'conflict' | 'not_found' | 'last_admin' | 'invalid' | 'backend' | 'locked';

const BRAND = Symbol.for('@agnes/system-db/SystemDbError');

/** Options accepted by {@link SystemDbError}. */
export interface SystemDbErrorOptions {
  cause?: unknown;
  /** `locked`: the PID of the process holding the file, as DuckDB reports it. */
  holderPid?: number | undefined;
}

/**
 * The one error class of `@agnes/system-db`. Check with {@link isSystemDbError} (a brand
 * that survives duplicate copies of this package), not only `instanceof`.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.deactivate(id, { by: admin.id });
 * } catch (error) {
 *   if (isSystemDbError(error) && error.code === 'last_admin') return c.json({ error: error.message }, 409);
 *   throw error;
 * }
 * ```
 */
export class SystemDbError extends Error {
  readonly code: SystemDbErrorCode;
  /** `locked`: the PID of the process holding the file, when DuckDB names it (not across containers). */
  readonly holderPid: number | undefined;
  readonly [BRAND] = true;
  constructor(code: SystemDbErrorCode, message: string, options?: SystemDbErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.holderPid = options?.holderPid;
    this.name = 'SystemDbError';
  }
}

/** True for a {@link SystemDbError} from any copy of this package. */
export function isSystemDbError(value: unknown): value is SystemDbError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
