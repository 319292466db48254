import {
  AuthError,
  type ConnectorContext,
  FatalSourceError,
  isConnectorError,
  TransientSourceError,
} from '@agnes/connector-kit';
import { EMAIL_ENV, type ResolvedJiraConfig, TOKEN_ENV } from '../config/config.js';
import { type Json, obj, objects, str } from '../transform/values.js';

/** One page of `GET /rest/api/3/search/jql`. */
interface SearchPage {
  issues?: unknown;
  nextPageToken?: unknown;
  isLast?: unknown;
}

/** Page size of the per-issue comment and changelog endpoints (Jira's maximum for both). */
const CHILD_PAGE = 100;

/**
 * Jira Cloud REST API v3 over `ctx.fetch` (the kit's fetchWithRetry: 429/502/503/504
 * and network errors retried with backoff and `Retry-After`). Credentials go only
 * into the Authorization header; messages name the variables, never their values.
 */
export class JiraClient {
  private timeZonePromise: Promise<string> | undefined;

  constructor(
    private readonly config: ResolvedJiraConfig,
    private readonly ctx: ConnectorContext,
  ) {}

  private authorization(): string {
    const missing = [EMAIL_ENV, TOKEN_ENV].filter((name) => !this.ctx.secrets[name]);
    if (missing.length > 0) {
      throw new AuthError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; the Jira connector signs in with ${EMAIL_ENV} and ${TOKEN_ENV} (an Atlassian API token)`);
    }
    const pair = `${this.ctx.secrets[EMAIL_ENV]}:${this.ctx.secrets[TOKEN_ENV]}`;
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }

  /**
   * GETs a JSON resource. 401/403 become an AuthError naming the variables; 404 gives
   * undefined (the resource, e.g. an issue deleted meanwhile, is gone); other failures
   * are FatalSourceErrors with Jira's own error message.
   */
  async get(path: string, params: Record<string, string>, signal: AbortSignal | undefined): Promise<unknown> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    signal?.throwIfAborted();
    const authorization = this.authorization();
    let res: Response;
    try {
      res = await this.ctx.fetch(url, { headers: { authorization, accept: 'application/json' } }, signal ? { signal } : {});
    } catch (error) {
      if (isConnectorError(error) && error.code === 'auth') {
        throw new AuthError(
          `Jira refused the credentials from ${EMAIL_ENV} / ${TOKEN_ENV} (${error.message}); check the email, that the API token is valid, and that the account may browse these projects`,
          { cause: error },
        );
      }
      throw error;
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      const detail = await errorDetail(res);
      if (res.status >= 500) throw new TransientSourceError(`Jira ${path} answered HTTP ${res.status}${detail}`);
      throw new FatalSourceError(`Jira ${path} answered HTTP ${res.status}${detail}`);
    }
    try {
      return await res.json();
    } catch (error) {
      throw new TransientSourceError(`Jira ${path} sent a body that is not JSON`, { cause: error });
    }
  }

  /** The time zone JQL dates are read in: the API user's profile zone (UTC when Jira does not say). */
  timeZone(signal: AbortSignal | undefined): Promise<string> {
    this.timeZonePromise ??= this.get('/rest/api/3/myself', {}, signal).then(
      (me) => str(obj(me)?.timeZone) ?? 'UTC',
      (error: unknown) => {
        this.timeZonePromise = undefined;
        throw error;
      },
    );
    return this.timeZonePromise;
  }

  /** Pages of issues matching `jql`, following `nextPageToken`. */
  async *search(args: { jql: string; fields: string[]; expand?: string; pageSize: number; signal: AbortSignal | undefined }): AsyncGenerator<Json[]> {
    let token: string | undefined;
    do {
      const params: Record<string, string> = {
        jql: args.jql,
        maxResults: String(args.pageSize),
        fields: args.fields.join(','),
      };
      if (args.expand) params.expand = args.expand;
      if (token) params.nextPageToken = token;
      const page = obj(await this.get('/rest/api/3/search/jql', params, args.signal)) as SearchPage | undefined;
      if (!page) throw new FatalSourceError('Jira /rest/api/3/search/jql answered 404; check that url is a Jira Cloud site');
      yield objects(page.issues);
      token = page.isLast === true ? undefined : (str(page.nextPageToken) ?? undefined);
    } while (token);
  }

  /**
   * Every comment of an issue. The search embeds the first page of `fields.comment`;
   * when it holds fewer than `total`, the rest comes from `/issue/{id}/comment`.
   */
  async comments(issue: Json, signal: AbortSignal | undefined): Promise<Json[]> {
    const embedded = obj(obj(issue.fields)?.comment);
    const first = objects(embedded?.comments);
    const total = typeof embedded?.total === 'number' ? embedded.total : first.length;
    if (first.length >= total) return first;
    const all: Json[] = [];
    for (let startAt = 0; ; ) {
      const page = obj(await this.get(`/rest/api/3/issue/${encodeURIComponent(String(issue.id))}/comment`, { startAt: String(startAt), maxResults: String(CHILD_PAGE), orderBy: 'created' }, signal));
      const got = objects(page?.comments);
      all.push(...got);
      startAt += got.length;
      if (got.length === 0 || startAt >= (typeof page?.total === 'number' ? page.total : 0)) return all;
    }
  }

  /** Every history entry of an issue: the embedded `changelog` when complete, else `/issue/{id}/changelog`. */
  async histories(issue: Json, signal: AbortSignal | undefined): Promise<Json[]> {
    const embedded = obj(issue.changelog);
    const first = objects(embedded?.histories);
    const total = typeof embedded?.total === 'number' ? embedded.total : first.length;
    if (first.length >= total) return first;
    const all: Json[] = [];
    for (let startAt = 0; ; ) {
      const page = obj(await this.get(`/rest/api/3/issue/${encodeURIComponent(String(issue.id))}/changelog`, { startAt: String(startAt), maxResults: String(CHILD_PAGE) }, signal));
      const got = objects(page?.values);
      all.push(...got);
      startAt += got.length;
      if (got.length === 0 || page?.isLast === true) return all;
    }
  }

  /** The remote links of an issue ([] when the issue is gone). */
  async remoteLinks(issue: Json, signal: AbortSignal | undefined): Promise<Json[]> {
    return objects(await this.get(`/rest/api/3/issue/${encodeURIComponent(String(issue.id))}/remotelink`, {}, signal));
  }
}

/** Jira's `errorMessages` (at most 300 characters), or nothing. */
async function errorDetail(res: Response): Promise<string> {
  try {
    const body = obj(await res.json());
    const messages = [...(Array.isArray(body?.errorMessages) ? body.errorMessages : []), ...Object.values(obj(body?.errors) ?? {})]
      .filter((m): m is string => typeof m === 'string')
      .join('; ');
    return messages ? `: ${messages.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}
