/*
 * The attack corpus: queries an analyst granted `orders`, `customers` and `wh_sales` (not
 * `salaries`) must never get data from, and the legitimate queries they must keep running.
 * Shared by the engine's tests (both walls), the sandbox's own tests (the second wall with
 * the parse-tree guard off) and the generated attacks.
 */

/** Queries that must be refused, each with no side effect. `extractsDir` is the fixture's. */
export function hostileQueries(extractsDir: string): string[] {
  const glob = `${extractsDir}/*/data/*.parquet`;
  return [...HOSTILE, ...scopeEscapes(glob), ...CATALOG_MACROS, ...STATE_LEAKS];
}

/** An exported aggregate state holds a raw heap pointer (found in review): refused, and harmless to run. */
const STATE_LEAKS: string[] = [
  "SELECT hex((first(repeat('A', 40)) EXPORT_STATE)::BLOB) AS h FROM range(1)",
  'SELECT first(id) EXPORT_STATE FROM orders',
  'SELECT sum(amount) EXPORT_STATE OVER () FROM orders',
];

/**
 * Forged aggregate states that read (or, at a bad address, crash on) any address of the
 * server's memory, which no DuckDB setting confines: only the parse-tree guard stops them,
 * so they are never sent to a sandbox without it. The address here is 0x10: run, it crashes.
 */
export const MEMORY_READS: string[] = [
  "WITH st AS (SELECT first('\\x00'::BLOB) EXPORT_STATE AS s FROM range(1)) SELECT hex(finalize(cast_to_type(unhex('08000000' || '00000000' || '1000000000000000' || '0100000000000000'), s))) AS mem FROM st",
  "SELECT finalize(cast_to_type(unhex('0800000000000000100000000000000001'), first(1) EXPORT_STATE)) FROM range(1)",
  "SELECT finalize(replace_type(unhex('08'), NULL::BLOB, (SELECT first(1) EXPORT_STATE FROM range(1))))",
  'SELECT finalize(x) FROM (SELECT 1 AS x)',
  'SELECT combine(x, 1) FROM (SELECT 1 AS x)',
];

/** Finding 1 of the query-guard issue and its relatives: a CTE that is not in scope where the name is read. */
function scopeEscapes(glob: string): string[] {
  const catalogObjects = ['duckdb_tables', 'duckdb_views', 'sqlite_master', 'pg_settings', 'duckdb_databases', 'duckdb_settings', '_agnes_tables', '_agnes_remote_attach', 'salaries'];
  return [
    `SELECT * FROM '${glob}' WHERE EXISTS (WITH "${glob}" AS (SELECT 1) SELECT 1)`,
    `SELECT * FROM "${glob}" WHERE EXISTS (WITH "${glob}" AS (SELECT 1) SELECT 1)`,
    `SELECT * FROM '${glob}'`,
    `SELECT * FROM (WITH "${glob}" AS (SELECT 1) SELECT 1) AS _s, '${glob}'`,
    ...catalogObjects.map((x) => `SELECT * FROM (WITH "${x}" AS (SELECT 1) SELECT 1) AS _s, ${x}`),
    ...catalogObjects.map((x) => `SELECT * FROM ${x} WHERE 1 IN (WITH ${x} AS (SELECT 1) SELECT * FROM ${x})`),
    'WITH a AS (WITH salaries AS (SELECT 1) SELECT 1) SELECT * FROM a, salaries',
    "SELECT * FROM salaries UNION ALL (WITH salaries AS (SELECT 1 AS id, 'x' AS name, 2 AS salary) SELECT * FROM salaries)",
    'SELECT (WITH salaries AS (SELECT 1 AS x) SELECT max(x) FROM salaries) AS m, * FROM salaries',
    'SELECT * FROM orders o, LATERAL (WITH salaries AS (SELECT 1) SELECT 1) l, salaries',
    'WITH a AS (SELECT * FROM salaries), salaries AS (SELECT 1 AS id) SELECT * FROM a',
    'WITH RECURSIVE a AS (SELECT * FROM salaries), salaries AS (SELECT 1 AS id) SELECT * FROM a',
    'WITH RECURSIVE salaries AS (SELECT * FROM salaries) SELECT * FROM salaries',
    'WITH RECURSIVE salaries AS (SELECT id, name, salary FROM salaries UNION ALL SELECT id, name, salary FROM salaries WHERE false) SELECT * FROM salaries',
    'WITH salaries AS (SELECT * FROM salaries) SELECT * FROM salaries',
    'WITH x AS (SELECT 1) SELECT * FROM main.x, salaries',
    'WITH salaries AS (SELECT 1) SELECT * FROM main.salaries',
    'WITH salaries AS (SELECT 1) SELECT * FROM server.main.salaries',
    `WITH "hr/data" AS (SELECT 1) SELECT * FROM "hr/data"`,
    `WITH "x.parquet" AS (SELECT 1) SELECT * FROM "x.parquet"`,
    "SELECT * FROM orders PIVOT (count(*) FOR customer IN ((SELECT max(name) FROM salaries)))",
    'SELECT * FROM unnest((SELECT list(salary) FROM salaries))',
    'SELECT * FROM range((SELECT max(salary) FROM salaries))',
    'SELECT * FROM customers c WHERE c.name IN (SELECT name FROM "SALARIES")',
  ];
}

/** Finding 2 and kin: macros and functions that read the catalog, settings or SQL held in a string. */
const CATALOG_MACROS: string[] = [
  'SELECT pg_get_viewdef(x) AS d FROM range(0, 100000) t(x) WHERE d IS NOT NULL',
  'SELECT pg_catalog.pg_get_viewdef(x) AS d FROM range(0, 1000) t(x)',
  'SELECT pg_get_constraintdef(x) FROM range(0, 1000) t(x)',
  "SELECT col_description(x, 1) FROM range(0, 1000) t(x)",
  'SELECT obj_description(x) FROM range(0, 1000) t(x)',
  'SELECT format_type(x, 1) FROM range(0, 1000) t(x)',
  'SELECT pg_typeof(1)',
  'SELECT has_table_privilege(\'salaries\', \'select\')',
  'SELECT current_database(), current_schemas(true)',
  'SELECT current_catalog()',
  'SELECT current_query()',
  "SELECT current_setting('memory_limit')",
  "SELECT getvariable('x')",
  "SELECT nextval('s')",
  "SELECT json_serialize_plan('SELECT * FROM salaries')",
  "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM salaries'))",
  "SELECT * FROM duckdb_logs_parsed('QueryLog')",
  'SELECT * FROM histogram_values(salaries, salary)',
  "SELECT get_block_size('server')",
  'SELECT sleep_ms(60000)',
  "SELECT write_log('x')",
  'SELECT main.pg_get_viewdef(1)',
  'SELECT system.main.abs(1)',
  'SELECT * FROM system.main.range(3)',
  'SELECT 1 FROM range(3) WHERE pg_get_viewdef(1) IS NULL',
  'SELECT list_transform([1], x -> pg_get_viewdef(x))',
  'SELECT count(*) OVER (PARTITION BY pg_get_viewdef(1))',
];

/** The corpus inherited from the first guard. */
const HOSTILE: string[] = [
  // Files and replacement scans.
  "SELECT * FROM read_csv('/etc/passwd')",
  "SELECT * FROM read_csv_auto('/etc/passwd')",
  "SELECT * FROM read_text('/etc/hostname')",
  "SELECT * FROM read_blob('/etc/hostname')",
  "SELECT * FROM read_parquet('/tmp/x.parquet')",
  "SELECT * FROM read_json('/etc/x.json')",
  "SELECT * FROM glob('/etc/*')",
  "SELECT * FROM '/etc/passwd'",
  "SELECT * FROM 'data/orders.parquet'",
  "SELECT * FROM parquet_metadata('/tmp/x.parquet')",
  "SELECT * FROM parquet_scan('/tmp/x.parquet')",
  "SELECT * FROM sniff_csv('/etc/passwd')",
  "SELECT content FROM read_text('/proc/self/environ')",
  // Statements that are not reads.
  "ATTACH '/tmp/evil.duckdb' AS evil",
  'DETACH whcat',
  "COPY orders TO '/tmp/out.csv'",
  "COPY (SELECT 1) TO '/tmp/out.parquet'",
  "EXPORT DATABASE '/tmp/dump'",
  'INSTALL httpfs',
  'LOAD httpfs',
  "PRAGMA database_list",
  "SET enable_external_access = true",
  "RESET lock_configuration",
  'CALL pragma_version()',
  'CREATE TABLE x AS SELECT 1',
  'CREATE VIEW v AS SELECT * FROM salaries',
  'DROP VIEW orders',
  "INSERT INTO orders VALUES (1, 'x', 1, 'y')",
  "UPDATE orders SET customer = 'x'",
  'DELETE FROM orders',
  'ALTER VIEW orders RENAME TO o2',
  'CHECKPOINT',
  'VACUUM',
  'BEGIN TRANSACTION',
  "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')",
  'CREATE MACRO m(x) AS x',
  'PIVOT orders ON customer USING count(*)',
  // Several statements, hidden or not.
  'SELECT 1; DROP VIEW orders',
  'SELECT 1;\n/* harmless */ DELETE FROM orders',
  "SELECT 1 -- comment\n; ATTACH '/tmp/x.db' AS x",
  'SELECT * FROM orders;;SELECT * FROM salaries',
  // Forbidden tables, however spelled or reached.
  'SELECT * FROM salaries',
  'SELECT * FROM "salaries"',
  'SELECT * FROM SALARIES',
  'SELECT * FROM "SaLaRiEs"',
  'SELECT * FROM main.salaries',
  'WITH s AS (SELECT * FROM salaries) SELECT * FROM s',
  'WITH salaries AS (SELECT * FROM salaries) SELECT * FROM salaries',
  'SELECT * FROM orders WHERE id IN (SELECT id FROM salaries)',
  'SELECT id FROM orders UNION SELECT id FROM salaries',
  'SELECT * FROM orders o, LATERAL (SELECT * FROM salaries s WHERE s.id = o.id)',
  'SELECT (SELECT max(salary) FROM salaries) AS m',
  'SELECT * FROM orders JOIN salaries USING (id)',
  'SELECT * FROM (SELECT * FROM (SELECT * FROM salaries))',
  'SELECT EXISTS (SELECT 1 FROM salaries)',
  // Catalog introspection and settings.
  'SELECT * FROM duckdb_tables()',
  'SELECT * FROM duckdb_views()',
  'SELECT * FROM duckdb_settings()',
  'SELECT * FROM duckdb_secrets()',
  'SELECT * FROM duckdb_extensions()',
  'SELECT * FROM information_schema.tables',
  'SELECT * FROM information_schema.columns',
  'SELECT * FROM pg_catalog.pg_tables',
  "SELECT getenv('HOME')",
  "SELECT current_setting('allowed_directories')",
  "SELECT * FROM query('SELECT * FROM salaries')",
  "SELECT * FROM query_table('salaries')",
  "SELECT * FROM pragma_table_info('salaries')",
  'SELECT * FROM sqlite_master',
  // Internals and attached catalogs addressed directly.
  'SELECT * FROM _agnes_tables',
  'SELECT * FROM _agnes_remote_attach',
  'SELECT * FROM _meta',
  'SELECT * FROM crm._meta',
  'SELECT * FROM whcat.main.sales',
  'SELECT * FROM whcat.sales',
  'SELECT * FROM "whcat"."main"."sales"',
  'SELECT * FROM server.main.salaries',
  // Unknown tables get the same message as forbidden ones.
  'SELECT * FROM does_not_exist',
  // Oversized input.
  `SELECT 1 ${'+ 1 '.repeat(40_000)}`,
  `SELECT ${'('.repeat(3000)}1${')'.repeat(3000)}`,
];

/** Legitimate analytical queries that must all run for the analyst. */
export const LEGIT: string[] = [
  'SELECT * FROM orders',
  'SELECT count(*) AS n FROM orders',
  'SELECT customer, sum(amount) AS total FROM orders GROUP BY customer ORDER BY customer',
  'SELECT customer, count(*) FILTER (WHERE amount > 0) AS n FROM orders GROUP BY ALL',
  'SELECT id, amount, sum(amount) OVER (ORDER BY id) AS running FROM orders',
  'SELECT id, row_number() OVER (PARTITION BY customer ORDER BY id DESC) AS rn FROM orders',
  'SELECT * FROM orders QUALIFY row_number() OVER (PARTITION BY customer ORDER BY id) = 1',
  'WITH c AS (SELECT customer, count(*) AS n FROM orders GROUP BY customer) SELECT * FROM c WHERE n > 1',
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r',
  'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.id % 3 + 1',
  'SELECT o.id FROM orders o LEFT JOIN customers c USING (id)',
  'SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.name IS NOT NULL)',
  'SELECT id FROM orders UNION ALL SELECT id FROM customers',
  'SELECT id FROM orders EXCEPT SELECT id FROM customers',
  'SELECT * FROM orders PIVOT (count(*) FOR customer IN (\'c0\', \'c1\', \'c2\'))',
  'SELECT * FROM orders UNPIVOT (val FOR col IN (customer, created_at))',
  'SELECT * FROM range(10) r(i)',
  'SELECT * FROM generate_series(1, 5)',
  'SELECT unnest([1, 2, 3]) AS x',
  'SELECT * FROM unnest([1, 2, 3])',
  'SELECT * FROM (VALUES (1, \'a\'), (2, \'b\')) v(id, created_at)',
  'SELECT 1 AS update_count, 2 AS created_at, 3 AS "select"',
  'SELECT created_at, strptime(created_at, \'%Y-%m-%d\') AS d FROM orders',
  "SELECT date_trunc('month', strptime(created_at, '%Y-%m-%d')) AS m, count(*) FROM orders GROUP BY 1",
  'SELECT list(id ORDER BY id) AS ids FROM orders',
  "SELECT string_agg(customer, ',') FROM orders",
  'SELECT customer, max(amount) - min(amount) AS spread FROM orders GROUP BY customer HAVING count(*) > 1',
  'SELECT CASE WHEN amount > 1 THEN \'big\' ELSE \'small\' END AS size FROM orders',
  'SELECT id::VARCHAR AS id_text, amount::DOUBLE AS approx FROM orders',
  'SELECT * FROM orders ORDER BY id DESC LIMIT 2 OFFSET 1',
  'SELECT DISTINCT customer FROM orders',
  'SELECT * FROM wh_sales',
  'SELECT s.total, o.id FROM wh_sales s CROSS JOIN (SELECT id FROM orders LIMIT 1) o',
  'SELECT [x * 2 FOR x IN [1, 2, 3]] AS doubled',
  'SELECT list_transform([1, 2], x -> x + 1) AS l',
  'SELECT {\'a\': 1, \'b\': 2} AS s',
  'SELECT approx_count_distinct(customer) FROM orders',
  'SELECT median(amount), quantile_cont(amount, 0.9) FROM orders',
  '  select  count(*)  from  ORDERS  ',
  'SELECT COUNT(*) FROM "Orders"',
  // Scopes that must keep working: shadowing, earlier CTEs, CTEs seen from subqueries, recursion over views.
  'WITH orders AS (SELECT * FROM orders WHERE amount > 0) SELECT count(*) FROM orders',
  'WITH a AS (SELECT id FROM orders), b AS (SELECT * FROM a) SELECT count(*) FROM b',
  'WITH c AS (SELECT customer FROM orders) SELECT * FROM customers WHERE name IN (SELECT customer FROM c)',
  'SELECT * FROM (WITH x AS (SELECT 1 AS one) SELECT one FROM x) s',
  'WITH x AS (SELECT 1 AS one) SELECT * FROM x UNION ALL SELECT * FROM x',
  'WITH x AS (SELECT id FROM orders) SELECT (SELECT count(*) FROM x) AS n, * FROM x',
  'WITH RECURSIVE r AS (SELECT min(id) AS id, 1 AS depth FROM orders UNION ALL SELECT o.id, r.depth + 1 FROM orders o JOIN r ON o.id = r.id + 1) SELECT max(depth) FROM r',
  'WITH RECURSIVE a AS (SELECT 1 AS n), b AS (SELECT n FROM a UNION ALL SELECT n + 1 FROM b WHERE n < 3) SELECT * FROM b',
  // Everyday functions and forms, each on the allowlist.
  "SELECT coalesce(NULL, 1), nullif(1, 2), ifnull(NULL, 2), greatest(1, 2), least(1, 2), extract(year FROM DATE '2024-01-01')",
  "SELECT date_part('month', DATE '2024-02-01'), date_diff('day', DATE '2024-01-01', DATE '2024-02-01'), now() - INTERVAL 1 DAY AS yesterday",
  "SELECT trim('  x '), substring('hello', 2, 3), position('l' IN 'hello'), 'a' LIKE 'a%', 'a' ILIKE 'A', 'a' SIMILAR TO 'a', regexp_matches('abc', 'b')",
  "SELECT try_cast('x' AS INTEGER), 'x' || 'y', [1, 2, 3][1], {'a': 1}.a, map([1], [2]), list_reverse([1, 2]), split_part('a,b', ',', 2), list_sum([1, 2])",
  'SELECT geomean(amount), count(DISTINCT customer), arg_max(id, amount), stddev(amount) FROM orders',
  'SELECT customer, grouping(customer) AS g, count(*) FROM orders GROUP BY ROLLUP (customer)',
  'SELECT lag(id) OVER w, ntile(2) OVER w, rank() OVER w FROM orders WINDOW w AS (ORDER BY id)',
  "SELECT COLUMNS('cust.*') FROM orders",
  'SELECT * EXCLUDE (amount) FROM orders',
  'SELECT * FROM orders USING SAMPLE 50 PERCENT (bernoulli)',
  "SELECT strftime(TIMESTAMP '2024-01-01 10:00:00', '%Y'), md5('x'), hash(1), uuid() IS NOT NULL, random() < 2",
  "SELECT json_extract('{\"a\": 1}', '$.a'), '{\"a\": 2}'::JSON ->> '$.a'",
  'SELECT unnest(generate_series(1, 3)) AS i, range(3) AS l',
  'SELECT count(*) FROM main.orders JOIN server.main.customers ON true',
];
