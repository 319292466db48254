import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '@agnes/connector-kit';
import { QueryError } from './query-error.js';

/** Table functions a query may call: they read nothing but their arguments. */
export const ALLOWED_TABLE_FUNCTIONS: readonly string[] = ['range', 'generate_series', 'unnest'];

/**
 * Scalar functions refused wherever they appear: they read the environment or
 * settings, run SQL held in a string, or touch files.
 */
const DENIED_FUNCTIONS = new Set([
  'getenv',
  'current_setting',
  'query',
  'query_table',
  'sql_auto_complete',
  'which_secret',
  'glob',
  'sniff_csv',
  'load',
  'install',
  'checkpoint',
  'force_checkpoint',
]);
const DENIED_PREFIXES = ['read_', 'duckdb_', 'pragma_', 'parquet_', 'iceberg_', 'delta_'];

const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
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

/** What a query reads, from DuckDB's own parser. */
export interface QueryReferences {
  /** Every unqualified table name the query reads, as written (compare case-insensitively). */
  tables: string[];
  /** Names of CTEs the query defines (lower case). */
  ctes: string[];
}

function deniedFunction(name: string): boolean {
  const n = name.toLowerCase();
  return DENIED_FUNCTIONS.has(n) || DENIED_PREFIXES.some((p) => n.startsWith(p));
}

/** Deepest parenthesis nesting accepted (DuckDB's parser recurses on it). */
const MAX_NESTING = 200;

const refused = (message: string) => new QueryError('refused', message);

/**
 * Checks that `sql` is one SELECT and returns the tables it reads, using DuckDB's
 * parser (`extractStatements`, `json_serialize_sql`). The walk is an allowlist:
 * base tables must be unqualified (or `main.`) names — whether they are published
 * views the caller decides —, table functions must be in {@link ALLOWED_TABLE_FUNCTIONS},
 * denied scalar functions are refused, and any node the walker does not know is refused.
 */
export async function inspectQuery(conn: DuckDBConnection, sql: string, catalog: string): Promise<QueryReferences> {
  if (sql.length > 100_000) throw new QueryError('invalid', 'the query is longer than 100,000 characters');
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
  const r = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)}) AS j`);
  const tree = JSON.parse(String(r.getRowObjectsJson()[0]?.j)) as Record<string, unknown>;
  if (tree.error) {
    const message = String(tree.error_message ?? '');
    if (/Only SELECT statements/i.test(message)) throw new QueryError('refused', 'only read queries (SELECT or WITH … SELECT) are allowed');
    throw new QueryError('invalid', 'the query could not be parsed');
  }
  const tables: string[] = [];
  const ctes = new Set<string>();
  const walk = (node: unknown, depth: number): void => {
    if (depth > 400) throw new QueryError('invalid', 'the query is nested too deeply');
    if (Array.isArray(node)) {
      for (const n of node) walk(n, depth + 1);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const type = typeof o.type === 'string' ? o.type : undefined;
    const cls = typeof o.class === 'string' ? o.class : undefined;
    if (type) {
      if (cls) {
        if (!EXPRESSION_CLASSES.has(cls)) throw refused(`expressions of kind ${cls} are not allowed`);
        if (cls === 'FUNCTION' && typeof o.function_name === 'string' && deniedFunction(o.function_name)) {
          throw refused(`function ${o.function_name}() is not allowed`);
        }
      } else if (QUERY_NODES.has(type) || MODIFIERS.has(type) || ATTRIBUTE_TYPES.has(type) || type.endsWith('_TYPE_INFO')) {
        // Structure: walk on.
      } else if (TABLE_REFS.has(type)) {
        if (type === 'BASE_TABLE') {
          const catalogName = String(o.catalog_name ?? '');
          const schemaName = String(o.schema_name ?? '');
          const name = String(o.table_name ?? '');
          const qualifiedOk = (catalogName === '' || catalogName.toLowerCase() === catalog.toLowerCase()) && (schemaName === '' || schemaName.toLowerCase() === 'main');
          if (!qualifiedOk) throw refused(`table "${name}" does not exist or you have no access to it`);
          tables.push(name);
        } else if (type === 'TABLE_FUNCTION') {
          const fn = o.function as Record<string, unknown> | undefined;
          const name = String(fn?.function_name ?? '').toLowerCase();
          if (!ALLOWED_TABLE_FUNCTIONS.includes(name)) {
            throw refused(`table function ${name || '(unknown)'}() is not allowed; allowed: ${ALLOWED_TABLE_FUNCTIONS.join(', ')}`);
          }
          if (fn?.children) walk(fn.children, depth + 1);
          for (const [k, v] of Object.entries(o)) if (k !== 'function') walk(v, depth + 1);
          return;
        }
      } else {
        throw refused(`query construct ${type} is not allowed`);
      }
    }
    const cteMap = o.cte_map as { map?: { key: string }[] } | undefined;
    if (cteMap?.map) for (const e of cteMap.map) ctes.add(String(e.key).toLowerCase());
    for (const v of Object.values(o)) walk(v, depth + 1);
  };
  walk(tree.statements, 0);
  // CTE names are not subtracted here: a CTE may shadow a view and still read it in its own body.
  return { tables: [...new Set(tables)], ctes: [...ctes] };
}
