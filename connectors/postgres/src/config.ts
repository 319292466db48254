import { ConfigError } from '@agnes/connector-kit';

/** The secret variable that may hold the connection URL (listed in `connector.yaml` under `auth.env_vars`). */
export const URL_ENV_VAR = 'AGNES_PG_URL';

/** Configuration of the PostgreSQL connector, in the `connector.yaml` spelling. */
export interface PostgresConnectorConfig {
  /**
   * Connection URL, e.g. `postgres://reader@db.internal:5432/shop`. Prefer leaving it out
   * and setting the secret `AGNES_PG_URL`, so a password never sits in config.
   */
  url?: string;
  /** Schemas whose tables and views are discovered. Default `['public']`. */
  schemas?: string[];
  /** Only these upstream tables (`table` or `schema.table`). Default: all. */
  tables?: string[];
  /** Rows per batch when the host does not ask for a size. Default 10,000. */
  batch_size?: number;
}

/** A config with defaults applied and the URL resolved. */
export interface ResolvedConfig {
  url: string;
  schemas: string[];
  tables: string[] | undefined;
  batchSize: number;
}

function shown(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? 'an object' : String(v);
}

function isNameList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '');
}

/**
 * Checks a config and resolves the URL from `config.url` or the secret `AGNES_PG_URL`;
 * throws one {@link ConfigError} listing every problem (never echoing the URL).
 */
export function resolveConfig(raw: Readonly<Record<string, unknown>>, secrets: Readonly<Record<string, string>>): ResolvedConfig {
  const problems: string[] = [];
  const known = new Set(['url', 'schemas', 'tables', 'batch_size']);
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`config.${k} is not a field of this connector; valid: ${[...known].join(', ')}`);
  const url = raw.url ?? secrets[URL_ENV_VAR];
  if (raw.url !== undefined && (typeof raw.url !== 'string' || raw.url === '')) {
    problems.push(`config.url must be a connection URL such as "postgres://user@host:5432/db", got ${typeof raw.url === 'string' ? 'an empty string' : shown(raw.url)}`);
  } else if (typeof url !== 'string' || url === '') {
    problems.push(`no connection URL: set the secret ${URL_ENV_VAR} (or config.url) to e.g. "postgres://user:password@host:5432/db"`);
  } else if (!/^postgres(ql)?:\/\//.test(url)) {
    problems.push(`${raw.url === undefined ? URL_ENV_VAR : 'config.url'} must start with postgres:// or postgresql://`);
  }
  if (raw.schemas !== undefined && !isNameList(raw.schemas)) problems.push(`config.schemas must be a non-empty list of schema names, got ${shown(raw.schemas)}`);
  if (raw.tables !== undefined && !isNameList(raw.tables)) problems.push(`config.tables must be a non-empty list of table names, got ${shown(raw.tables)}`);
  const bs = raw.batch_size;
  if (bs !== undefined && !(typeof bs === 'number' && Number.isInteger(bs) && bs > 0)) {
    problems.push(`config.batch_size must be a whole number of rows above 0, got ${shown(bs)}`);
  }
  if (problems.length === 1) throw new ConfigError(`postgres connector: ${problems[0]}`);
  if (problems.length > 1) {
    throw new ConfigError(`postgres connector: the configuration has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    url: url as string,
    schemas: (raw.schemas as string[] | undefined) ?? ['public'],
    tables: raw.tables as string[] | undefined,
    batchSize: (bs as number | undefined) ?? 10_000,
  };
}
