import { ConfigError } from '@agnes/connector-kit';

/** The `config` section of connector.yaml. */
export interface KeboolaConfig {
  /** Keboola stack URL, e.g. `https://connection.keboola.com`. */
  url: string;
  /** Only these bucket ids (e.g. `in.c-crm`). Default: every bucket the token can read. */
  buckets?: string[];
  /**
   * Published table name → a DATE or TIMESTAMP column that makes the table incremental
   * (read with `changedSince`; the table needs a primary key in Keboola).
   */
  incremental_keys?: Record<string, string>;
  /** Seconds an API request may wait for its answer (and a download for its next bytes) before it is retried. Default 60. */
  timeout_seconds?: number;
}

/** Default of {@link KeboolaConfig.timeout_seconds}. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** A checked config: URL without trailing slash, defaults filled in. */
export interface ParsedConfig {
  url: string;
  buckets?: string[];
  incrementalKeys: Record<string, string>;
  timeoutMs: number;
}

/**
 * Checks the config and returns it normalised. Every problem is reported at once in
 * one {@link ConfigError}.
 */
export function parseConfig(config: unknown): ParsedConfig {
  const problems: string[] = [];
  const c = (config ?? {}) as Record<string, unknown>;
  let url = '';
  if (typeof c.url !== 'string' || c.url.trim() === '') {
    problems.push('url is required: the Keboola stack URL, e.g. https://connection.keboola.com');
  } else {
    try {
      const u = new URL(c.url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push(`url must be http(s), got ${u.protocol}`);
      if (u.username || u.password) problems.push('url must not carry credentials; put the token in KEBOOLA_STORAGE_TOKEN');
      if (u.search) problems.push('url must not have a query string');
      url = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
    } catch {
      problems.push('url is not an absolute URL, e.g. https://connection.keboola.com');
    }
  }
  let buckets: string[] | undefined;
  if (c.buckets !== undefined) {
    if (!Array.isArray(c.buckets) || c.buckets.some((b) => typeof b !== 'string' || b.trim() === '')) {
      problems.push('buckets must be a list of bucket ids, e.g. [in.c-crm]');
    } else {
      buckets = c.buckets as string[];
    }
  }
  const incrementalKeys: Record<string, string> = {};
  if (c.incremental_keys !== undefined) {
    const keys = c.incremental_keys;
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys) || Object.values(keys).some((v) => typeof v !== 'string' || v === '')) {
      problems.push('incremental_keys must map published table names to a column, e.g. {in_c_crm_orders: updated_at}');
    } else {
      Object.assign(incrementalKeys, keys);
    }
  }
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (c.timeout_seconds !== undefined) {
    if (typeof c.timeout_seconds !== 'number' || !Number.isFinite(c.timeout_seconds) || c.timeout_seconds <= 0) {
      problems.push('timeout_seconds must be a number of seconds > 0, e.g. 60');
    } else {
      timeoutSeconds = c.timeout_seconds;
    }
  }
  if (problems.length) throw new ConfigError(`keboola config: ${problems.join('; ')}`);
  return { url, ...(buckets ? { buckets } : {}), incrementalKeys, timeoutMs: Math.round(timeoutSeconds * 1000) };
}
