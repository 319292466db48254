/*
 * Generated attacks: a forbidden reference nested in random combinations of CTEs (plain,
 * recursive, shadowing, inner-scope decoys named like the target), subqueries (scalar,
 * EXISTS, IN, LATERAL), set operations, joins, PIVOT and table functions, with quoting and
 * case variants. Every case comes with a control: the same query with the forbidden
 * reference replaced by a granted one, which must be admitted — so a refusal is owed to the
 * reference, not to a query that was broken anyway.
 */
import fc from 'fast-check';

/** A query shape with one hole; `name` is what decoy CTEs are called (the target's name or the control's). */
type Shape = (hole: string, name: string) => string;

/** One generated case: the attack and its control. */
export interface AttackCase {
  attack: string;
  control: string;
}

/** What the hole holds: a table reference (FROM position) or an expression. */
interface Target {
  kind: 'table' | 'expression';
  /** The forbidden text. */
  text: string;
  /** The name a decoy CTE takes to pretend to be it. */
  name: string;
}

function tableTargets(extractsDir: string): Target[] {
  const glob = `${extractsDir}/*/data/*.parquet`;
  const hr = `${extractsDir}/hr/data/*.parquet`;
  const t = (text: string, name = text): Target => ({ kind: 'table', text, name });
  return [
    t('salaries'),
    t('SALARIES'),
    t('"SaLaRiEs"', 'salaries'),
    t('"salaries"', '"salaries"'),
    t('main.salaries', 'salaries'),
    t('server.main.salaries', 'salaries'),
    t('"server"."main"."salaries"', 'salaries'),
    t(`'${glob}'`, `"${glob}"`),
    t(`"${glob}"`),
    t(`'${hr}'`, `"${hr}"`),
    t(`"${hr}"`),
    t('duckdb_tables'),
    t('duckdb_views'),
    t('sqlite_master'),
    t('pg_settings'),
    t('_agnes_tables'),
    t('"_agnes_remote_attach"'),
    t('information_schema.tables', 'tables'),
    t('pg_catalog.pg_views', 'pg_views'),
    t('whcat.main.sales', 'sales'),
    t('duckdb_tables()', 'duckdb_tables'),
    t('duckdb_views()', 'duckdb_views'),
    t(`read_parquet('${glob}')`, 'read_parquet'),
    t(`glob('${extractsDir}/*')`, 'glob'),
    t("query('SELECT * FROM salaries')", 'query'),
    t("query_table('salaries')", 'query_table'),
    t('unnest((SELECT list(salary) FROM salaries))', 'unnest'),
    t('range((SELECT max(salary) FROM salaries))', 'range'),
  ];
}

const expressionTargets: Target[] = [
  'pg_get_viewdef(1)',
  'PG_GET_VIEWDEF(1)',
  'pg_catalog.pg_get_viewdef(1)',
  "current_setting('allowed_directories')",
  "json_serialize_plan('SELECT * FROM salaries')",
  "getvariable('x')",
  'col_description(1, 1)',
  'format_type(1, 1)',
  '(SELECT max(salary) FROM salaries)',
  '(SELECT max(salary) FROM "SALARIES")',
  "(SELECT count(*) FROM 'x.parquet')",
  '(SELECT count(*) FROM duckdb_views())',
  "(SELECT hex(first(name) EXPORT_STATE) FROM salaries)",
  "(SELECT hex((max(1) EXPORT_STATE)::BLOB) FROM range(1))",
  "cast_to_type('1', 1)",
].map((text) => ({ kind: 'expression', text, name: 'd' }));

/** Where a table hole sits inside one SELECT. */
const tablePositions: Shape[] = [
  (h) => `SELECT * FROM ${h}`,
  (h) => `SELECT o.id FROM orders o JOIN ${h} AS h ON true`,
  (h) => `SELECT * FROM (SELECT * FROM ${h}) AS s`,
  (h) => `SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM ${h})`,
  (h) => `SELECT * FROM orders WHERE id IN (SELECT id FROM ${h})`,
  (h) => `SELECT (SELECT count(*) FROM ${h}) AS n`,
  (h) => `SELECT * FROM orders o, LATERAL (SELECT * FROM ${h}) AS l`,
  (h) => `SELECT 1 AS one FROM ${h} UNION ALL SELECT 1 FROM orders`,
  (h) => `SELECT 1 AS one FROM orders EXCEPT SELECT 1 FROM ${h}`,
  (h) => `SELECT * FROM (SELECT id FROM ${h}) PIVOT (count(*) FOR id IN (1, 2))`,
  (h) => `SELECT * FROM unnest((SELECT list(id) FROM ${h}))`,
  (h) => `SELECT * FROM customers c LEFT JOIN (SELECT * FROM ${h}) x USING (id)`,
];

/** Where an expression hole sits. */
const expressionPositions: Shape[] = [
  (h) => `SELECT ${h} AS d`,
  (h) => `SELECT id FROM orders WHERE ${h} IS NOT NULL`,
  (h) => `SELECT id FROM orders ORDER BY ${h}`,
  (h) => `SELECT list_transform([1], x -> ${h}) AS l`,
  (h) => `SELECT CASE WHEN ${h} IS NULL THEN 1 END AS c`,
  (h) => `SELECT count(*) OVER (PARTITION BY ${h}) FROM orders`,
  (h) => `SELECT customer FROM orders GROUP BY customer HAVING max(${h}) IS NULL`,
  (h) => `SELECT id FROM orders QUALIFY row_number() OVER (ORDER BY ${h}) = 1`,
  (h) => `SELECT * FROM range(3) r(i) WHERE i < coalesce(${h}, 1)`,
];

/**
 * Wrappers around a query holding the hole. Decoy CTEs named like the target sit only
 * where SQL does not make them visible to the hole (beside it, inside a sibling, after it,
 * in their own body): in scope, a same-named CTE would shadow the target legitimately.
 */
const wrappers: ((q: string, name: string) => string)[] = [
  (q) => q,
  (q) => `WITH c1 AS (SELECT 1 AS x) SELECT * FROM (${q}) AS w`,
  (q) => `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM (${q}) AS w, r`,
  (q) => `SELECT * FROM (${q}) AS w`,
  (q) => `WITH w AS (${q}) SELECT * FROM w`,
  (q) => `WITH w AS MATERIALIZED (${q}) SELECT * FROM w`,
  (q, n) => `SELECT * FROM (${q}) AS w, (WITH ${n} AS (SELECT 1 AS one) SELECT 1 AS one) AS d`,
  (q, n) => `SELECT * FROM (${q}) AS w WHERE EXISTS (WITH ${n} AS (SELECT 1) SELECT 1)`,
  (q, n) => `WITH w AS (${q}), ${n} AS (SELECT 1 AS one) SELECT * FROM w`,
  (q, n) => `WITH w AS (WITH ${n} AS (SELECT 1) SELECT 1) SELECT * FROM (${q}) AS x`,
  (q, n) => `SELECT (WITH ${n} AS (SELECT 1 AS x) SELECT max(x) FROM ${n}) AS m, * FROM (${q}) AS w`,
  (q, n) => `SELECT * FROM (${q}) AS w UNION ALL BY NAME (WITH ${n} AS (SELECT 1 AS one) SELECT * FROM ${n})`,
  (q, n) => `SELECT * FROM (${q}) AS w WHERE 1 IN (WITH ${n} AS (SELECT 1) SELECT * FROM ${n})`,
  (q, n) => `SELECT * FROM (${q}) AS w, LATERAL (WITH ${n} AS (SELECT 1) SELECT 1) AS l`,
];

/** Shapes where the hole is inside a CTE named like the target: the CTE is not visible in its own (anchor) body. */
const ownBody: Shape[] = [
  (h, n) => `WITH ${n} AS (SELECT * FROM ${h}) SELECT * FROM ${n}`,
  (h, n) => `WITH RECURSIVE ${n} AS (SELECT * FROM ${h}) SELECT * FROM ${n}`,
  (h, n) => `WITH RECURSIVE ${n} AS (SELECT * FROM ${h} UNION ALL SELECT * FROM ${n} WHERE false) SELECT * FROM ${n}`,
  (h, n) => `WITH a AS (SELECT * FROM ${h}), ${n} AS (SELECT 1 AS one) SELECT * FROM a`,
  (h, n) => `WITH RECURSIVE a AS (SELECT * FROM ${h}), ${n} AS (SELECT 1 AS one) SELECT * FROM a`,
];

/** Case and spacing variants of the keywords around the hole, which the parser ignores. */
function respell(sql: string, lower: boolean): string {
  return lower ? sql.replace(/\b(SELECT|FROM|WITH|WHERE|UNION|ALL|JOIN|AS|RECURSIVE|LATERAL|EXISTS)\b/g, (k) => k.toLowerCase()) : sql;
}

/** Generated attack cases against the fixture of `buildFixture` (granted: orders, customers, wh_sales). */
export function attackCases(extractsDir: string): fc.Arbitrary<AttackCase> {
  const tables = tableTargets(extractsDir);
  const inner = (target: Target, depth: number): fc.Arbitrary<Shape> => {
    const base: fc.Arbitrary<Shape> =
      target.kind === 'table' ? fc.oneof(fc.constantFrom(...tablePositions), fc.constantFrom(...ownBody)) : fc.constantFrom(...expressionPositions);
    if (depth === 0) return base;
    return fc.oneof(
      { weight: 2, arbitrary: base },
      {
        weight: 3,
        arbitrary: fc.tuple(inner(target, depth - 1), fc.constantFrom(...wrappers)).map(([shape, wrap]): Shape => (h, n) => wrap(shape(h, n), n)),
      },
    );
  };
  return fc
    .tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...tables) }, { weight: 1, arbitrary: fc.constantFrom(...expressionTargets) }), fc.boolean())
    .chain(([target, lower]) =>
      inner(target, 3).map((shape) => ({
        attack: respell(shape(target.text, target.name), lower),
        control: respell(shape(target.kind === 'table' ? 'orders' : 'abs(1)', target.kind === 'table' ? 'orders' : 'd'), lower),
      })),
    );
}
