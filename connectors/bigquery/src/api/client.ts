import { randomUUID } from 'node:crypto';
import type { ServiceAccountTokens } from '../auth/service-account.js';
import type { BqField } from '../catalog/type-mapping.js';
import type { BqRow } from '../read/arrow-batch.js';
import { type HttpOptions, requestJson } from './http.js';

/** A dataset of `datasets.list`. */
export interface BqDataset {
  datasetReference: { projectId: string; datasetId: string };
  location?: string;
}

/** A table of `tables.list`. */
export interface BqTableListEntry {
  tableReference: { projectId: string; datasetId: string; tableId: string };
  type?: string;
}

/** The parts of a `tables.get` Table resource the connector reads. */
export interface BqTable {
  tableReference: { projectId: string; datasetId: string; tableId: string };
  type?: string;
  description?: string;
  schema?: { fields?: BqField[] };
  tableConstraints?: { primaryKey?: { columns?: string[] } };
}

/** A named query parameter (`parameterMode: NAMED`). */
export interface BqQueryParameter {
  name: string;
  parameterType: { type: string };
  parameterValue: { value: string };
}

/** What both jobs APIs need to know of a query. */
export interface QuerySpec {
  query: string;
  parameters?: BqQueryParameter[];
  location?: string | undefined;
}

/** The statistics of a dry-run job (`jobs.insert` with `dryRun: true`). */
export interface DryRunResult {
  totalBytesProcessed: number;
  schema: BqField[];
}

/** A page of `jobs.query` / `jobs.getQueryResults`. */
export interface QueryPage {
  jobComplete?: boolean;
  jobReference?: { projectId: string; jobId: string; location?: string };
  schema?: { fields?: BqField[] };
  rows?: BqRow[];
  pageToken?: string;
  totalRows?: string;
  errors?: { reason?: string; message?: string }[];
}

/** A page of a `*.list` call: the items under their own key, and the next page's token. */
interface Listing {
  nextPageToken?: string;
  [key: string]: unknown;
}

/** How long one `jobs.query`/`getQueryResults` call waits for the job server-side before answering `jobComplete: false`. */
export const SERVER_WAIT_MS = 10_000;

/**
 * The BigQuery REST API (v2) calls the connector makes, with a bearer token from the
 * service account on each. Every call goes through {@link requestJson} (retries, error
 * mapping); a 401 drops the cached token so the next call exchanges a new one.
 */
export class BigQueryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly projectId: string,
    private readonly tokens: ServiceAccountTokens,
    private readonly http: HttpOptions,
  ) {}

  private url(path: string, params: Record<string, string | number | undefined> = {}): string {
    const u = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async call<T>(method: 'GET' | 'POST', url: string, what: string, signal: AbortSignal | undefined, body?: unknown): Promise<T> {
    const token = await this.tokens.token(signal);
    try {
      return await requestJson<T>(
        url,
        {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        what,
        { ...this.http, ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === 'auth') this.tokens.invalidate();
      throw error;
    }
  }

  private async listAll<T>(path: string, key: string, what: string, signal: AbortSignal | undefined): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await this.call<Listing>('GET', this.url(path, { maxResults: 1000, pageToken }), what, signal);
      out.push(...((page[key] as T[] | undefined) ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** `datasets.list` of the project, every page. */
  listDatasets(signal?: AbortSignal): Promise<BqDataset[]> {
    return this.listAll<BqDataset>(`/projects/${enc(this.projectId)}/datasets`, 'datasets', `datasets.list ${this.projectId}`, signal);
  }

  /** `tables.list` of a dataset, every page. */
  listTables(datasetId: string, signal?: AbortSignal): Promise<BqTableListEntry[]> {
    return this.listAll<BqTableListEntry>(
      `/projects/${enc(this.projectId)}/datasets/${enc(datasetId)}/tables`,
      'tables',
      `tables.list ${datasetId}`,
      signal,
    );
  }

  /** `tables.get`: the table with its schema. */
  getTable(datasetId: string, tableId: string, signal?: AbortSignal): Promise<BqTable> {
    return this.call<BqTable>(
      'GET',
      this.url(`/projects/${enc(this.projectId)}/datasets/${enc(datasetId)}/tables/${enc(tableId)}`),
      `tables.get ${datasetId}.${tableId}`,
      signal,
    );
  }

  /** `jobs.insert` with `dryRun: true`: the bytes the query would process and its result schema, at no cost. */
  async dryRun(spec: QuerySpec, what: string, signal?: AbortSignal): Promise<DryRunResult> {
    const job = await this.call<{ statistics?: { totalBytesProcessed?: string; query?: { totalBytesProcessed?: string; schema?: { fields?: BqField[] } } } }>(
      'POST',
      this.url(`/projects/${enc(this.projectId)}/jobs`),
      `dry run of ${what}`,
      signal,
      {
        jobReference: { projectId: this.projectId, ...(spec.location ? { location: spec.location } : {}) },
        configuration: { dryRun: true, query: { query: spec.query, useLegacySql: false, ...parameters(spec) } },
      },
    );
    const bytes = job.statistics?.query?.totalBytesProcessed ?? job.statistics?.totalBytesProcessed ?? '0';
    return { totalBytesProcessed: Number(bytes), schema: job.statistics?.query?.schema?.fields ?? [] };
  }

  /**
   * `jobs.query`: starts the query and answers with the first page when it finishes
   * within {@link SERVER_WAIT_MS}. A `requestId` makes a retried call join the same job
   * instead of starting (and billing) another.
   */
  startQuery(spec: QuerySpec & { maxResults: number }, what: string, signal?: AbortSignal): Promise<QueryPage> {
    return this.call<QueryPage>('POST', this.url(`/projects/${enc(this.projectId)}/queries`), `jobs.query of ${what}`, signal, {
      query: spec.query,
      useLegacySql: false,
      maxResults: spec.maxResults,
      timeoutMs: SERVER_WAIT_MS,
      requestId: randomUUID(),
      formatOptions: { useInt64Timestamp: true },
      ...(spec.location ? { location: spec.location } : {}),
      ...parameters(spec),
    });
  }

  /** `jobs.getQueryResults`: a page of a finished job's rows, or `jobComplete: false` while it runs. */
  getQueryResults(
    job: { jobId: string; location?: string | undefined },
    page: { pageToken?: string | undefined; maxResults: number },
    what: string,
    signal?: AbortSignal,
  ): Promise<QueryPage> {
    return this.call<QueryPage>(
      'GET',
      this.url(`/projects/${enc(this.projectId)}/queries/${enc(job.jobId)}`, {
        maxResults: page.maxResults,
        pageToken: page.pageToken,
        location: job.location,
        timeoutMs: SERVER_WAIT_MS,
        'formatOptions.useInt64Timestamp': 'true',
      }),
      `jobs.getQueryResults of ${what}`,
      signal,
    );
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function parameters(spec: QuerySpec): Record<string, unknown> {
  return spec.parameters?.length ? { parameterMode: 'NAMED', queryParameters: spec.parameters } : {};
}
