import type { RecordBatch } from 'apache-arrow';
import {
  Cap,
  ConfigError,
  type Connector,
  type ConnectorContext,
  createContext,
  defineConnector,
  type ReadOptions,
  type StreamOptions,
} from '@agnes/connector-kit';
import { type JiraConnectorConfig, resolveConfig } from './config/config.js';
import { JiraClient } from './rest/client.js';
import { parseCursor, searchJql } from './rest/jql.js';
import { type Row, rowsToBatch } from './tables/batch.js';
import { allTableInfos, isJiraTable, JIRA_TABLES, type JiraTable, tableInfo } from './tables/tables.js';
import {
  attachmentRows,
  changelogRows,
  commentRow,
  issuelinkRows,
  issueRef,
  issueRow,
  remoteLinkRow,
} from './transform/rows.js';
import type { Json } from './transform/values.js';
import { rowsForEvent, tablesForEvent, webhookEventOf } from './webhook/events.js';

/** Fields each table asks the search for (id and key always come back). */
const SEARCH_FIELDS: Record<JiraTable, { fields: string[]; expand?: string }> = {
  issues: {
    fields: [
      'summary', 'status', 'issuetype', 'priority', 'resolution', 'project', 'assignee', 'reporter', 'creator',
      'labels', 'components', 'fixVersions', 'parent', 'duedate', 'description', 'created', 'updated', 'resolutiondate',
    ],
  },
  comments: { fields: ['comment', 'created', 'updated'] },
  attachments: { fields: ['attachment', 'created', 'updated'] },
  changelog: { fields: ['created', 'updated'], expand: 'changelog' },
  issuelinks: { fields: ['issuelinks', 'created', 'updated'] },
  remote_links: { fields: ['created', 'updated'] },
};

/** The context parts the connector uses; `createContext` fills the rest. */
export type JiraConnectorContext = Partial<ConnectorContext> & Pick<ConnectorContext, 'secrets'>;

function unknownTable(table: string): ConfigError {
  return new ConfigError(`unknown table ${JSON.stringify(table)}; the Jira connector has: ${JIRA_TABLES.join(', ')}`);
}

/**
 * Builds the Jira connector: `read` backfills every table from the REST search
 * (incremental on `updated`), `stream` turns webhook payloads into rows.
 *
 * @example
 * const connector = createJiraConnector(
 *   { url: 'https://acme.atlassian.net', jql: 'project = OPS' },
 *   { secrets: { JIRA_EMAIL: 'bot@acme.com', JIRA_API_TOKEN: token }, logger },
 * );
 */
export function createJiraConnector(config: JiraConnectorConfig | Readonly<Record<string, unknown>>, context: JiraConnectorContext) {
  const cfg = resolveConfig(config as Readonly<Record<string, unknown>>);
  const ctx: ConnectorContext = context.fetch && context.logger ? (context as ConnectorContext) : createContext(context);
  const client = new JiraClient(cfg, ctx);

  async function rowsOf(table: JiraTable, issue: Json, signal: AbortSignal | undefined): Promise<Row[]> {
    if (table === 'issues') return [issueRow(issue)];
    const ref = issueRef(issue);
    switch (table) {
      case 'comments':
        return (await client.comments(issue, signal)).map((c) => commentRow(c, ref));
      case 'attachments':
        return attachmentRows(issue, ref);
      case 'changelog':
        return (await client.histories(issue, signal)).flatMap((h) => changelogRows(h, ref));
      case 'issuelinks':
        return issuelinkRows(issue, ref);
      case 'remote_links':
        return (await client.remoteLinks(issue, signal)).map((l) => remoteLinkRow(l, ref));
    }
  }

  return defineConnector({
    capabilities: Cap.DISCOVER | Cap.READ | Cap.STREAM,

    async discover() {
      return allTableInfos();
    },

    async *read(table: string, options: ReadOptions): AsyncGenerator<RecordBatch> {
      if (!isJiraTable(table)) throw unknownTable(table);
      const info = tableInfo(table);
      const signal = AbortSignal.any([options.signal, ctx.signal].filter((s): s is AbortSignal => s !== undefined));
      const cursorMs = options.incrementalValue === undefined ? undefined : parseCursor(options.incrementalValue);
      const timeZone = await client.timeZone(signal);
      const jql = searchJql({ filter: cfg.jql, cursorMs, lookbackMinutes: cfg.lookbackMinutes, timeZone });
      const pageSize = Math.max(1, Math.min(options.batchSize, cfg.pageSize));
      for await (const issues of client.search({ jql, pageSize, signal, ...SEARCH_FIELDS[table] })) {
        const rows: Row[] = [];
        for (const issue of issues) {
          signal.throwIfAborted();
          rows.push(...(await rowsOf(table, issue, signal)));
        }
        if (rows.length === 0) continue;
        const batch = rowsToBatch(table, info.schema, rows, info.primaryKey ?? []);
        yield options.columns ? batch.select(options.columns) : batch;
      }
    },

    async *stream(table: string, options: StreamOptions): AsyncGenerator<RecordBatch> {
      if (!isJiraTable(table)) throw unknownTable(table);
      const info = tableInfo(table);
      for await (const payload of options.events) {
        options.signal?.throwIfAborted();
        if (!webhookEventOf(payload)) {
          ctx.logger.debug('ignoring a webhook payload that is not a handled Jira event', { table });
          continue;
        }
        if (!tablesForEvent(payload).includes(table)) continue;
        const rows = rowsForEvent(table, payload);
        if (rows.length > 0) yield rowsToBatch(table, info.schema, rows, info.primaryKey ?? []);
      }
    },
  } satisfies Connector);
}
