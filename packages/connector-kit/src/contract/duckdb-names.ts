/**
 * DuckDB's table functions and table macros (`SELECT DISTINCT function_name FROM
 * duckdb_functions() WHERE function_type IN ('table', 'table_macro')` of the pinned DuckDB,
 * 1.5.6, built-in extensions only). A source or table of one of these names would read as
 * the function in SQL written by people and tools (`FROM range`, `FROM query_table(…)`), so
 * the name rule refuses them. The connector runtime's `reserved-names.test.ts` re-enumerates
 * the list from its DuckDB: an upgrade that adds a function fails there until it is added here.
 */
export const DUCKDB_TABLE_FUNCTIONS: readonly string[] = Object.freeze([
  'arrow_scan',
  'arrow_scan_dumb',
  'check_peg_parser',
  'checkpoint',
  'disable_logging',
  'disable_peg_parser',
  'disable_profiling',
  'duckdb_approx_database_count',
  'duckdb_columns',
  'duckdb_connection_count',
  'duckdb_constraints',
  'duckdb_coordinate_systems',
  'duckdb_databases',
  'duckdb_dependencies',
  'duckdb_extensions',
  'duckdb_external_file_cache',
  'duckdb_functions',
  'duckdb_indexes',
  'duckdb_keywords',
  'duckdb_log_contexts',
  'duckdb_logs',
  'duckdb_logs_parsed',
  'duckdb_memory',
  'duckdb_optimizers',
  'duckdb_prepared_statements',
  'duckdb_profiling_settings',
  'duckdb_schemas',
  'duckdb_secret_types',
  'duckdb_secrets',
  'duckdb_sequences',
  'duckdb_settings',
  'duckdb_table_sample',
  'duckdb_tables',
  'duckdb_temporary_files',
  'duckdb_types',
  'duckdb_variables',
  'duckdb_views',
  'enable_logging',
  'enable_peg_parser',
  'enable_profiling',
  'force_checkpoint',
  'generate_series',
  'glob',
  'histogram',
  'histogram_values',
  'icu_calendar_names',
  'json_each',
  'json_execute_serialized_sql',
  'json_tree',
  'parquet_bloom_probe',
  'parquet_file_metadata',
  'parquet_full_metadata',
  'parquet_kv_metadata',
  'parquet_metadata',
  'parquet_scan',
  'parquet_schema',
  'pg_timezone_names',
  'pragma_collations',
  'pragma_database_size',
  'pragma_metadata_info',
  'pragma_platform',
  'pragma_show',
  'pragma_storage_info',
  'pragma_table_info',
  'pragma_user_agent',
  'pragma_version',
  'query',
  'query_table',
  'range',
  'read_blob',
  'read_csv',
  'read_csv_auto',
  'read_duckdb',
  'read_json',
  'read_json_auto',
  'read_json_objects',
  'read_json_objects_auto',
  'read_ndjson',
  'read_ndjson_auto',
  'read_ndjson_objects',
  'read_parquet',
  'read_text',
  'repeat',
  'repeat_row',
  'seq_scan',
  'sniff_csv',
  'sql_auto_complete',
  'summary',
  'test_all_types',
  'test_vector_types',
  'truncate_duckdb_logs',
  'unnest',
  'which_secret',
]);

const TABLE_FUNCTIONS = new Set(DUCKDB_TABLE_FUNCTIONS);

/** Prefixes of DuckDB's catalog views and functions (`duckdb_tables`, `pg_class`, `sqlite_master`). */
export const RESERVED_NAME_PREFIXES: readonly string[] = Object.freeze(['duckdb_', 'pg_', 'sqlite_']);

/** Schema names of DuckDB's catalog. */
const CATALOG_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

/**
 * Why `name` would shadow part of DuckDB's catalog, or `undefined`. Compared
 * case-insensitively, as DuckDB resolves names.
 */
export function duckdbNameClash(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (CATALOG_SCHEMAS.has(lower)) return `${lower} is a schema of DuckDB's catalog`;
  const prefix = RESERVED_NAME_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `names starting with "${prefix}" are DuckDB's catalog views and functions`;
  if (TABLE_FUNCTIONS.has(lower)) return `${lower} is a DuckDB table function`;
  return undefined;
}
