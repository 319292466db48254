/** What went wrong, closed. Each code has one exit code in {@link EXIT_CODES}. */
export type CliErrorCode =
  | 'failure'
  | 'usage'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'partial_sync'
  | 'unreachable'
  | 'conflict'
  | 'server_error';

/** The one code → exit-code table of `da` (documented in docs/cli.md). */
export const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = {
  failure: 1,
  conflict: 1,
  server_error: 1,
  usage: 2,
  unauthenticated: 3,
  forbidden: 3,
  not_found: 4,
  partial_sync: 5,
  unreachable: 6,
};

/** Exit codes as documented: number → meaning. */
export const EXIT_CODE_DOCS: readonly (readonly [number, string])[] = [
  [0, 'success'],
  [1, 'failure (a server refusal, a local error, an internal error)'],
  [2, 'usage error (unknown command or option, bad argument)'],
  [3, 'authentication or permission problem (log in again, ask an admin)'],
  [4, 'not found (table, user, group, local database)'],
  [5, 'sync finished but some tables failed (the others are up to date)'],
  [6, 'server unreachable (network, DNS, wrong --server)'],
];

const BRAND = Symbol.for('@agnes/cli/CliError');

/** An error whose message a person can act on; thrown anywhere, mapped once in `run`. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  /** What to do next, printed after the message. */
  readonly hint: string | undefined;
  readonly [BRAND] = true;
  constructor(code: CliErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** True for a {@link CliError}, also across copies of this package. */
export function isCliError(error: unknown): error is CliError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}
