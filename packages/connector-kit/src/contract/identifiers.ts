import { duckdbNameClash } from './duckdb-names.js';

/** The identifier rule for source and table names (CONTRACT.md, "Names"). */
export const IDENTIFIER_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

/** Human wording of {@link IDENTIFIER_PATTERN}, used in every error message. */
export const IDENTIFIER_RULE =
  'a letter or underscore, then letters, digits or underscores, at most 64 characters, not starting with "_" (reserved)';

/** What kind of name is being checked; used in messages. */
export type IdentifierKind = 'source' | 'table' | 'column' | 'alias' | 'extension';

/**
 * Returns a problem description for `name`, or `undefined` when it is valid.
 * Source and table names may not start with `_` (reserved for contract tables) nor shadow
 * DuckDB's catalog: `duckdb_*`, `pg_*`, `sqlite_*`, `information_schema`, `pg_catalog` and
 * DuckDB's table functions (`DUCKDB_TABLE_FUNCTIONS`).
 */
export function identifierProblem(name: unknown, kind: IdentifierKind): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `${kind} name is empty`;
  if (!IDENTIFIER_PATTERN.test(name)) {
    return `${kind} name ${JSON.stringify(name)} is invalid: it must be ${IDENTIFIER_RULE}`;
  }
  if ((kind === 'source' || kind === 'table') && name.startsWith('_')) {
    return `${kind} name ${JSON.stringify(name)} is invalid: names starting with "_" are reserved for contract tables such as _meta`;
  }
  if (kind === 'source' || kind === 'table') {
    const clash = duckdbNameClash(name);
    if (clash) return `${kind} name ${JSON.stringify(name)} is reserved: ${clash}, which the name would shadow in SQL; choose another name`;
  }
  return undefined;
}

/** True when `name` is a valid identifier of that kind. */
export function isValidIdentifier(name: unknown, kind: IdentifierKind = 'table'): name is string {
  return identifierProblem(name, kind) === undefined;
}

/** Quotes an identifier for DuckDB/PostgreSQL SQL (doubling embedded quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for SQL (doubling embedded single quotes). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
