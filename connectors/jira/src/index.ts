import type { Connector, ConnectorContext } from '@agnes/connector-kit';
import { createJiraConnector } from './connector.js';

export { createJiraConnector } from './connector.js';
export type { JiraConnectorContext } from './connector.js';
export { EMAIL_ENV, TOKEN_ENV, MAX_PAGE_SIZE } from './config/config.js';
export type { JiraConnectorConfig } from './config/config.js';
export { JIRA_TABLES, tableInfo } from './tables/tables.js';
export type { JiraTable } from './tables/tables.js';
export { tablesForEvent, eventTimestamp, webhookEventOf, JIRA_WEBHOOK_EVENTS } from './webhook/events.js';
export type { JiraWebhookEvent } from './webhook/events.js';
export { searchJql, jqlDateTime } from './rest/jql.js';
export { adfToText } from './transform/adf.js';

/**
 * The entrypoint factory named by `connector.yaml`: the validated config (`url`, `jql`,
 * `page_size`, `lookback_minutes`) and the host's context in, connector out. The
 * credentials come from `ctx.secrets.JIRA_EMAIL` and `ctx.secrets.JIRA_API_TOKEN`.
 *
 * @example
 * const connector = factory({ url: 'https://acme.atlassian.net' }, createContext({ secrets: { JIRA_EMAIL, JIRA_API_TOKEN }, logger }));
 */
export default function factory(config: Readonly<Record<string, unknown>>, ctx: ConnectorContext): Connector {
  return createJiraConnector(config, ctx);
}
