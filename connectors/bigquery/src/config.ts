import { ConfigError, identifierProblem } from '@agnes/connector-kit';

/** The secret variable: the path of a service-account JSON key file (listed in `connector.yaml` under `auth.env_vars`). */
export const CREDENTIALS_ENV = 'GOOGLE_APPLICATION_CREDENTIALS';

/** The public BigQuery REST endpoint (v2). */
export const DEFAULT_API_BASE_URL = 'https://bigquery.googleapis.com/bigquery/v2';

/** Default of `max_bytes_per_materialize`: 10 GiB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 ** 3;

/** Default rows per result page when the host does not ask for a size. */
export const DEFAULT_BATCH_SIZE = 10_000;

/** One materialised query: admin-registered SQL whose result is read into the extract. */
export interface QueryTableConfig {
  /** GoogleSQL (standard SQL) text, e.g. `SELECT id, total FROM shop.orders WHERE total > 0`. */
  sql: string;
  /** Shown in the catalog. */
  description?: string;
  /** Result columns that identify a row (needed by `incremental_key`). */
  primary_key?: string[];
  /** Result column for incremental reads: later runs read rows whose value is ≥ the last cursor. */
  incremental_key?: string;
}

/** The `config` section of connector.yaml. */
export interface BigQueryConfig {
  /** Project whose datasets are discovered and in which query jobs run (and are billed). */
  project_id: string;
  /** Only these datasets are discovered as remote tables. Default: every dataset of the project. */
  datasets?: string[];
  /** Materialised queries: published table name → SQL and keys. */
  queries?: Record<string, QueryTableConfig>;
  /** Location of the query jobs, e.g. `EU` or `us-central1`. Default: BigQuery picks it from the tables. */
  location?: string;
  /** Dry-run guard: a query that would process more bytes is refused. Default 10 GiB; 0 disables. */
  max_bytes_per_materialize?: number;
  /** Rows per result page when the host does not ask for a size. Default 10,000. */
  batch_size?: number;
  /** Discover every dataset's tables as remote tables (attached through the DuckDB bigquery extension). Default true. */
  remote_tables?: boolean;
  /** BigQuery REST base URL; change it only for tests or a proxy. Default `https://bigquery.googleapis.com/bigquery/v2`. */
  api_base_url?: string;
}

/** A config with defaults applied. */
export interface ResolvedConfig {
  projectId: string;
  datasets: string[] | undefined;
  queries: Map<string, QueryTableConfig>;
  location: string | undefined;
  maxBytes: number;
  batchSize: number;
  remoteTables: boolean;
  apiBaseUrl: string;
}

const FIELDS = ['project_id', 'datasets', 'queries', 'location', 'max_bytes_per_materialize', 'batch_size', 'remote_tables', 'api_base_url'];
const QUERY_FIELDS = ['sql', 'description', 'primary_key', 'incremental_key'];

// Project ids are 6–30 lower-case letters, digits and dashes; older ones may carry a `domain:` prefix.
const PROJECT_ID = /^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

function shown(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? 'a mapping' : String(v);
}

function isNameList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkQuery(name: string, raw: unknown, problems: string[]): QueryTableConfig | undefined {
  const where = `config.queries.${name}`;
  const nameProblem = identifierProblem(name, 'table');
  if (nameProblem) problems.push(`${where}: ${nameProblem}`);
  if (!isRecord(raw)) {
    problems.push(`${where} must be a mapping with at least sql: "SELECT …", got ${shown(raw)}`);
    return undefined;
  }
  for (const k of Object.keys(raw)) if (!QUERY_FIELDS.includes(k)) problems.push(`${where}.${k} is not a field of a query; valid: ${QUERY_FIELDS.join(', ')}`);
  const { sql, description, primary_key: pk, incremental_key: key } = raw;
  if (typeof sql !== 'string' || sql.trim() === '') problems.push(`${where}.sql must be the GoogleSQL text of the query, e.g. "SELECT * FROM shop.orders"`);
  if (description !== undefined && typeof description !== 'string') problems.push(`${where}.description must be text, got ${shown(description)}`);
  if (pk !== undefined && !isNameList(pk)) problems.push(`${where}.primary_key must be a non-empty list of result columns, got ${shown(pk)}`);
  if (key !== undefined && (typeof key !== 'string' || key === '')) problems.push(`${where}.incremental_key must be the name of a result column, got ${shown(key)}`);
  if (key !== undefined && pk === undefined) {
    problems.push(`${where}.incremental_key needs primary_key: rows read again at the cursor are deduplicated by it`);
  }
  return {
    sql: String(sql),
    ...(typeof description === 'string' ? { description } : {}),
    ...(isNameList(pk) ? { primary_key: pk } : {}),
    ...(typeof key === 'string' ? { incremental_key: key } : {}),
  };
}

/**
 * Checks a config and applies the defaults; throws one {@link ConfigError} listing
 * every problem with the field and the fix.
 *
 * @example
 * const config = resolveConfig({ project_id: 'acme-analytics', queries: { daily: { sql: 'SELECT 1 AS n' } } });
 */
export function resolveConfig(raw: Readonly<Record<string, unknown>>): ResolvedConfig {
  const problems: string[] = [];
  for (const k of Object.keys(raw)) if (!FIELDS.includes(k)) problems.push(`config.${k} is not a field of this connector; valid: ${FIELDS.join(', ')}`);

  const projectId = raw.project_id;
  if (typeof projectId !== 'string' || !PROJECT_ID.test(projectId)) {
    problems.push(`config.project_id must be a Google Cloud project id such as "acme-analytics", got ${shown(projectId)}`);
  }
  if (raw.datasets !== undefined && !isNameList(raw.datasets)) problems.push(`config.datasets must be a non-empty list of dataset ids, got ${shown(raw.datasets)}`);
  if (raw.location !== undefined && (typeof raw.location !== 'string' || raw.location === '')) {
    problems.push(`config.location must be a BigQuery location such as "EU" or "us-central1", got ${shown(raw.location)}`);
  }

  const queries = new Map<string, QueryTableConfig>();
  if (raw.queries !== undefined) {
    if (!isRecord(raw.queries)) {
      problems.push(`config.queries must be a mapping of table name to { sql: "SELECT …" }, got ${shown(raw.queries)}`);
    } else {
      const lower = new Map<string, string>();
      for (const [name, q] of Object.entries(raw.queries)) {
        const other = lower.get(name.toLowerCase());
        if (other !== undefined) problems.push(`config.queries: table names "${other}" and "${name}" collide (names are compared ignoring case)`);
        lower.set(name.toLowerCase(), name);
        const checked = checkQuery(name, q, problems);
        if (checked) queries.set(name, checked);
      }
    }
  }

  const maxBytes = raw.max_bytes_per_materialize;
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    problems.push(`config.max_bytes_per_materialize must be a whole number of bytes (0 disables the guard), got ${shown(maxBytes)}`);
  }
  const batchSize = raw.batch_size;
  if (batchSize !== undefined && !(typeof batchSize === 'number' && Number.isInteger(batchSize) && batchSize > 0)) {
    problems.push(`config.batch_size must be a whole number of rows above 0, got ${shown(batchSize)}`);
  }
  if (raw.remote_tables !== undefined && typeof raw.remote_tables !== 'boolean') {
    problems.push(`config.remote_tables must be true or false, got ${shown(raw.remote_tables)}`);
  }
  let apiBaseUrl = DEFAULT_API_BASE_URL;
  if (raw.api_base_url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(String(raw.api_base_url));
    } catch {
      // reported below
    }
    if (typeof raw.api_base_url !== 'string' || !parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      problems.push(`config.api_base_url must be an http(s) URL such as "${DEFAULT_API_BASE_URL}", got ${shown(raw.api_base_url)}`);
    } else if (parsed.username || parsed.password || parsed.search) {
      problems.push(`config.api_base_url must carry no credentials or query string; credentials come from ${CREDENTIALS_ENV}`);
    } else {
      apiBaseUrl = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
    }
  }

  if (problems.length === 1) throw new ConfigError(`bigquery connector: ${problems[0]}`);
  if (problems.length > 1) {
    throw new ConfigError(`bigquery connector: the configuration has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    projectId: projectId as string,
    datasets: raw.datasets as string[] | undefined,
    queries,
    location: raw.location as string | undefined,
    maxBytes: (maxBytes as number | undefined) ?? DEFAULT_MAX_BYTES,
    batchSize: (batchSize as number | undefined) ?? DEFAULT_BATCH_SIZE,
    remoteTables: (raw.remote_tables as boolean | undefined) ?? true,
    apiBaseUrl,
  };
}
