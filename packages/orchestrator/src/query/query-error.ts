/**
 * What went wrong with a query. Closed union; the API maps it to HTTP once.
 * `refused`: not a read query, or a blocked construct (a file function, another
 * catalog); `forbidden`: a table the caller may not read (or that does not exist);
 * `too_large`: the query needed more memory than allowed; `busy`: too many queries are
 * running (retry after `retryAfterMs`).
 */
export type QueryErrorCode = 'invalid' | 'refused' | 'forbidden' | 'too_many_rows' | 'too_large' | 'timeout' | 'busy' | 'failed';

const BRAND = Symbol.for('@agnes/orchestrator/QueryError');

/**
 * A query refused or failed, with a message safe to show the caller: DuckDB's own
 * text is never passed through unfiltered (its "Did you mean …" hints would leak
 * names of tables the caller may not see).
 */
export class QueryError extends Error {
  readonly code: QueryErrorCode;
  /** For `busy`: when trying again makes sense. */
  readonly retryAfterMs: number | undefined;
  /**
   * DuckDB reported an internal error or invalidated the database: the instance the query
   * ran on must not serve another query (the engine reopens it).
   */
  readonly fatal: boolean;
  readonly [BRAND] = true;
  constructor(code: QueryErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number; fatal?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
    this.fatal = options?.fatal ?? false;
    this.name = 'QueryError';
  }

  /** Maps a DuckDB error to a safe QueryError. */
  static fromDuckDB(error: unknown): QueryError {
    // extractStatements wraps the parser's error in a prefix of its own.
    const raw = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements:\s*/i, '');
    const first = (raw.split('\n')[0] ?? '').replace(/\s*Did you mean.*$/i, '').replace(/\s*Candidate bindings:.*$/i, '');
    if (/INTERRUPT/i.test(raw)) return new QueryError('timeout', 'the query took too long and was stopped', { cause: error });
    // An internal error can leave DuckDB's database invalidated for every later query (found in review).
    if (/^(INTERNAL|FATAL) Error|database has been invalidated/i.test(raw)) {
      return new QueryError('failed', 'the query hit an internal error of the database engine; the engine was restarted', { cause: error, fatal: true });
    }
    if (/^Parser Error/i.test(raw)) return new QueryError('invalid', `syntax error: ${first.replace(/^Parser Error:\s*/i, '')}`, { cause: error });
    if (/^Binder Error/i.test(raw)) {
      if (/Table .* does not exist|Catalog .* does not exist|Schema .* does not exist/i.test(raw)) {
        return new QueryError('forbidden', 'a table in the query does not exist or you have no access to it', { cause: error });
      }
      return new QueryError('invalid', first.replace(/^Binder Error:\s*/i, ''), { cause: error });
    }
    if (/^Out of Memory Error/i.test(raw)) {
      return new QueryError('too_large', 'the query needed more memory than the server allows for one query; filter or aggregate more', { cause: error });
    }
    if (/^(Conversion|Out of Range|Invalid Input|Constraint) Error/i.test(raw)) {
      return new QueryError('invalid', first, { cause: error });
    }
    if (/^(Permission|Catalog) Error/i.test(raw)) {
      return new QueryError('refused', 'the query touches something it is not allowed to', { cause: error });
    }
    return new QueryError('failed', 'the query failed', { cause: error });
  }
}

/** Brand check, robust to duplicate package copies. */
export function isQueryError(error: unknown): error is QueryError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}
