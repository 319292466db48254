import type { DuckDBConnection } from '@duckdb/node-api';
import { identifierProblem, quoteLiteral } from '@agnes/connector-kit';
import { ALLOWED_FUNCTIONS, ALLOWED_TABLE_FUNCTIONS } from './function-policy.js';
import { QueryError } from './query-error.js';

const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE']);
const TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'TABLE_FUNCTION', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT']);
const MODIFIERS = new Set(['ORDER_MODIFIER', 'LIMIT_MODIFIER', 'LIMIT_PERCENT_MODIFIER', 'DISTINCT_MODIFIER']);
/** `type` values of plain attributes, not nodes (sort orders, type descriptions). */
const ATTRIBUTE_TYPES = new Set(['ORDER_DEFAULT', 'ASCENDING', 'DESCENDING', 'INVALID']);
const EXPRESSION_CLASSES = new Set([
  'BETWEEN',
  'CASE',
  'CAST',
  'COLLATE',
  'COLUMN_REF',
  'COMPARISON',
  'CONJUNCTION',
  'CONSTANT',
  'FUNCTION',
  'LAMBDA',
  'LAMBDA_REF',
  'OPERATOR',
  'POSITIONAL_REFERENCE',
  'STAR',
  'SUBQUERY',
  'WINDOW',
]);
/**
 * Names the parser writes as function calls although no catalog function has them:
 * `unnest(…)`/`unpack(…)` in a select list, `COLUMNS(…)` and `GROUPING(…)` forms.
 */
const PARSER_FUNCTIONS = new Set(['unnest', 'unlist', 'unpack', 'grouping', 'grouping_id']);

/** What a query reads, from DuckDB's own parser. */
export interface QueryReferences {
  /**
   * Every table the query reads that is not a CTE in scope where it is referenced:
   * plain identifiers as written (compare case-insensitively). Each must be a published
   * view the caller may read; anything that could not be one was refused already.
   */
  tables: string[];
}

/** Deepest parenthesis nesting accepted (DuckDB's parser recurses on it). */
const MAX_NESTING = 200;

const refused = (message: string) => new QueryError('refused', message);

/**
 * The refusal of a table reference: the same words whether the name is a forbidden view,
 * a missing one, a file path, a glob or a catalog object, so a refusal reveals nothing.
 */
export function noSuchTable(name: string): QueryError {
  return new QueryError('forbidden', `table ${JSON.stringify(name)} does not exist or you have no access to it`);
}

/** ASCII-only case folding, as DuckDB compares identifiers (folding more could match names DuckDB keeps apart). */
const fold = (name: string) => name.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** CTE names visible at one point of the query, innermost first. */
interface Scope {
  readonly name: string;
  readonly parent: Scope | undefined;
}

function inScope(scope: Scope | undefined, name: string): boolean {
  for (let s = scope; s; s = s.parent) if (s.name === name) return true;
  return false;
}

type Json = Record<string, unknown>;

/**
 * Checks that `sql` is one SELECT and returns the tables it reads, using DuckDB's
 * parser (`extractStatements`, `json_serialize_sql`). The walk is an allowlist at every
 * step:
 * - names resolve the way SQL scopes them: a CTE is visible in the bodies of the CTEs
 *   after it in its `WITH`, in the recursive term of its own body when that body is a
 *   recursive union, and in the query below its `WITH` — never above or beside it.
 *   Every other table reference must be a plain identifier (optionally `main.`) and is
 *   returned for the caller to match against published views; quoted paths, globs and
 *   other catalogs or schemas are refused like a missing table;
 * - functions must be on the allowlist of `function-policy.ts` (table functions: `range`,
 *   `generate_series`, `unnest`), unqualified or in `main`;
 * - any node or expression kind the walker does not know is refused.
 */
export async function inspectQuery(conn: DuckDBConnection, sql: string, catalog: string): Promise<QueryReferences> {
  if (sql.length > 100_000) throw new QueryError('invalid', 'the query is longer than 100,000 characters');
  // DuckDB reads SQL as a C string: text after a NUL would be checked and run differently.
  if (sql.includes('\0')) throw new QueryError('invalid', 'the query contains a NUL character; remove it');
  // Other control characters have no place in SQL text and hide what a reader of the log sees.
  const control = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(sql);
  if (control) {
    throw new QueryError('invalid', `the query contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${control.index + 1}; remove it`);
  }
  let depth = 0;
  for (const ch of sql) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth > MAX_NESTING) throw new QueryError('invalid', `the query nests parentheses deeper than ${MAX_NESTING} levels`);
  }
  let count: number;
  try {
    count = (await conn.extractStatements(sql)).count;
  } catch (error) {
    throw QueryError.fromDuckDB(error);
  }
  if (count !== 1) throw new QueryError('invalid', `send exactly one statement (got ${count}); remove the extra ';'-separated statements`);
  let tree: Json;
  try {
    const r = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)}) AS j`);
    tree = JSON.parse(String(r.getRowObjectsJson()[0]?.j)) as Json;
  } catch (error) {
    throw QueryError.fromDuckDB(error);
  }
  if (tree.error) {
    const message = String(tree.error_message ?? '');
    if (/Only SELECT statements/i.test(message)) throw new QueryError('refused', 'only read queries (SELECT or WITH … SELECT) are allowed');
    throw new QueryError('invalid', 'the query could not be parsed');
  }
  return { tables: referencedTables(tree.statements, catalog) };
}

/**
 * Walks a `json_serialize_sql` tree and returns the table references that are not CTEs
 * in scope. Exported for tests of the walk; use {@link inspectQuery}.
 */
export function referencedTables(statements: unknown, catalog: string): string[] {
  const tables: string[] = [];

  const tableRef = (o: Json, scope: Scope | undefined): void => {
    const catalogName = String(o.catalog_name ?? '');
    const schemaName = String(o.schema_name ?? '');
    const name = String(o.table_name ?? '');
    const qualified = catalogName !== '' || schemaName !== '';
    // A path, a glob or any name that is not a plain identifier: never a view, maybe a replacement scan.
    if (identifierProblem(name, 'table')) throw noSuchTable(name);
    if (qualified) {
      const ok = (catalogName === '' || fold(catalogName) === fold(catalog)) && (schemaName === '' || fold(schemaName) === 'main');
      if (!ok) throw noSuchTable([catalogName, schemaName, name].filter(Boolean).join('.'));
    } else if (inScope(scope, fold(name))) {
      return;
    }
    tables.push(name);
  };

  const fn = (o: Json, kind: 'function' | 'table function'): void => {
    const name = String(o.function_name ?? '');
    const n = fold(name);
    const schema = String(o.schema ?? '');
    const cat = String(o.catalog ?? '');
    if (cat !== '' || (schema !== '' && fold(schema) !== 'main')) throw refused(`${kind} ${[cat, schema, name].filter(Boolean).join('.')}() is not allowed`);
    // An exported aggregate state is raw memory; forged, it reads any address of the process.
    if (o.export_state === true) throw refused(`${name}(…) EXPORT_STATE is not allowed`);
    if (kind === 'table function') {
      if (!ALLOWED_TABLE_FUNCTIONS.includes(n)) {
        throw refused(`table function ${name || '(unknown)'}() is not allowed; allowed: ${ALLOWED_TABLE_FUNCTIONS.join(', ')}`);
      }
    } else if (!ALLOWED_FUNCTIONS.has(n) && !PARSER_FUNCTIONS.has(n)) {
      throw refused(`function ${name}() is not allowed`);
    }
  };

  /** A query node with its own WITH: each CTE sees those before it; the body sees them all. */
  const queryNode = (o: Json, scope: Scope | undefined, depth: number): void => {
    let inner = scope;
    const entries = ((o.cte_map as Json | undefined)?.map ?? []) as { key: unknown; value: Json }[];
    for (const entry of entries) {
      const name = String(entry.key);
      if (identifierProblem(name, 'alias')) throw refused(`CTE name ${JSON.stringify(name)} is not allowed; name CTEs with letters, digits and underscores`);
      const body = (entry.value.query as Json | undefined)?.node as Json | undefined;
      if (!body) throw refused('a CTE without a query is not allowed');
      for (const [k, v] of Object.entries(entry.value)) if (k !== 'query') walk(v, inner, depth + 1);
      const self = fold(name);
      if (body.type === 'RECURSIVE_CTE_NODE' && fold(String(body.cte_name ?? '')) === self) {
        // Only the recursive term sees the CTE itself; DuckDB binds the anchor's reference to a real table.
        for (const [k, v] of Object.entries(body)) {
          if (k === 'right') walk(v, { name: self, parent: inner }, depth + 1);
          else if (k !== 'cte_map') walk(v, inner, depth + 1);
        }
        if ((((body.cte_map as Json | undefined)?.map ?? []) as unknown[]).length > 0) throw refused('a WITH inside a recursive CTE is not allowed');
      } else {
        walk(body, inner, depth + 1);
      }
      inner = { name: self, parent: inner };
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'cte_map') walk(v, inner, depth + 1);
  };

  const walk = (node: unknown, scope: Scope | undefined, depth: number): void => {
    if (depth > 400) throw new QueryError('invalid', 'the query is nested too deeply');
    if (Array.isArray(node)) {
      for (const n of node) walk(n, scope, depth + 1);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Json;
    const type = typeof o.type === 'string' ? o.type : undefined;
    const cls = typeof o.class === 'string' ? o.class : undefined;
    if (type) {
      if (cls) {
        if (!EXPRESSION_CLASSES.has(cls)) throw refused(`expressions of kind ${cls} are not allowed`);
        if (cls === 'FUNCTION' || cls === 'WINDOW') fn(o, 'function');
      } else if (QUERY_NODES.has(type)) {
        queryNode(o, scope, depth);
        return;
      } else if (type === 'BASE_TABLE') {
        tableRef(o, scope);
      } else if (type === 'TABLE_FUNCTION') {
        const f = o.function as Json | undefined;
        if (!f || f.class !== 'FUNCTION') throw refused('this table function form is not allowed');
        fn(f, 'table function');
        walk(f.children, scope, depth + 1);
        for (const [k, v] of Object.entries(o)) if (k !== 'function') walk(v, scope, depth + 1);
        return;
      } else if (!TABLE_REFS.has(type) && !MODIFIERS.has(type) && !ATTRIBUTE_TYPES.has(type) && !type.endsWith('_TYPE_INFO')) {
        throw refused(`query construct ${type} is not allowed`);
      }
    }
    for (const v of Object.values(o)) walk(v, scope, depth + 1);
  };

  if (!Array.isArray(statements) || statements.length !== 1) throw new QueryError('invalid', 'send exactly one statement');
  const stmt = statements[0] as Json;
  walk(stmt.node, undefined, 0);
  return [...new Set(tables)];
}
