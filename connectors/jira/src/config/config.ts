import { ConfigError } from '@agnes/connector-kit';

/** Environment variable holding the Atlassian account email (Basic auth user). */
export const EMAIL_ENV = 'JIRA_EMAIL';
/** Environment variable holding the Atlassian API token (Basic auth password). */
export const TOKEN_ENV = 'JIRA_API_TOKEN';

/** The `config` section of connector.yaml. */
export interface JiraConnectorConfig {
  /** Base URL of the Jira Cloud site, e.g. `https://acme.atlassian.net`. */
  url: string;
  /** Extra JQL restricting the issues read, e.g. `project = OPS`; ANDed with the cursor clause. */
  jql?: string;
  /** Issues per search request (Jira caps it at 100). Default 100. */
  page_size?: number;
  /** Minutes re-read before the cursor on incremental runs. Default 5. */
  lookback_minutes?: number;
}

/** The config after validation, with defaults applied. */
export interface ResolvedJiraConfig {
  baseUrl: string;
  jql: string | undefined;
  pageSize: number;
  lookbackMinutes: number;
}

/** Jira's own ceiling for `maxResults` when fields are requested. */
export const MAX_PAGE_SIZE = 100;

/**
 * Validates the config and reports every problem at once in one ConfigError.
 * The URL is never echoed whole: a pasted URL may carry credentials.
 */
export function resolveConfig(raw: Readonly<Record<string, unknown>>): ResolvedJiraConfig {
  const problems: string[] = [];
  let baseUrl = '';
  if (typeof raw.url !== 'string' || raw.url.trim() === '') {
    problems.push('url: is required: the Jira site, e.g. "https://acme.atlassian.net"');
  } else {
    try {
      const u = new URL(raw.url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push(`url: must be an http(s) URL, got protocol ${u.protocol}`);
      if (u.username || u.password) {
        problems.push(`url: must not contain credentials; put the email in ${EMAIL_ENV} and the token in ${TOKEN_ENV}`);
      }
      if (u.search) problems.push('url: must not have a query string; give only the site, e.g. "https://acme.atlassian.net"');
      baseUrl = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      problems.push('url: is not an absolute URL; give the site, e.g. "https://acme.atlassian.net"');
    }
  }
  if (raw.jql !== undefined && (typeof raw.jql !== 'string' || /\border\s+by\b/i.test(raw.jql))) {
    problems.push('jql: must be a JQL filter without ORDER BY (the connector orders by updated), e.g. "project = OPS"');
  }
  const pageSize = raw.page_size ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > MAX_PAGE_SIZE) {
    problems.push(`page_size: must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(raw.page_size)}`);
  }
  const lookback = raw.lookback_minutes ?? 5;
  if (!Number.isInteger(lookback) || (lookback as number) < 0) {
    problems.push(`lookback_minutes: must be a non-negative integer, got ${JSON.stringify(raw.lookback_minutes)}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid Jira connector config:\n- ${problems.join('\n- ')}`);
  const jql = typeof raw.jql === 'string' && raw.jql.trim() !== '' ? raw.jql.trim() : undefined;
  return { baseUrl, jql, pageSize: pageSize as number, lookbackMinutes: lookback as number };
}
