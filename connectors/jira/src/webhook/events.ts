import { isConnectorError, RecordError } from '@agnes/connector-kit';
import type { Row } from '../tables/batch.js';
import { JIRA_TABLES, type JiraTable } from '../tables/tables.js';
import {
  attachmentRows,
  changelogRows,
  commentRow,
  type IssueRef,
  issuelinkRows,
  issueRef,
  issueRow,
  type Tombstone,
} from '../transform/rows.js';
import { type Json, obj, objects, optionalTime, requiredId, str } from '../transform/values.js';

/** The webhook events the connector turns into rows. */
export const JIRA_WEBHOOK_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
] as const;

/** One of {@link JIRA_WEBHOOK_EVENTS}. */
export type JiraWebhookEvent = (typeof JIRA_WEBHOOK_EVENTS)[number];

/** The `webhookEvent` of a payload when it is one the connector handles, else undefined. */
export function webhookEventOf(payload: unknown): JiraWebhookEvent | undefined {
  const name = obj(payload)?.webhookEvent;
  return (JIRA_WEBHOOK_EVENTS as readonly unknown[]).includes(name) ? (name as JiraWebhookEvent) : undefined;
}

/**
 * When Jira raised the event: the payload's `timestamp` (milliseconds since the
 * epoch), for the API server's replay-window check. Undefined when the payload has
 * no numeric `timestamp`. Pure; never throws.
 *
 * @example
 * const at = eventTimestamp(body);
 * if (at === undefined || Math.abs(Date.now() - at) > 5 * 60_000) return c.json({ error: 'stale event' }, 400);
 */
export function eventTimestamp(payload: unknown): number | undefined {
  const ts = obj(payload)?.timestamp;
  return typeof ts === 'number' && Number.isFinite(ts) ? ts : undefined;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

/**
 * The tables a webhook payload writes rows to, in {@link JIRA_TABLES} order: the
 * API server hands the payload to `runStream(connector, table, …)` for each. Issue
 * events touch `issues`, plus `changelog` when they carry a changelog, and
 * `attachments`, `issuelinks`, `comments` when the issue's fields list some (a delete
 * marks them). Comment events touch `comments`. Any other payload (an unknown
 * event, not an object) touches none. Pure; never throws.
 *
 * @example
 * for (const table of tablesForEvent(body)) await runtime.runStream(connector, table, { events: once(body) });
 */
export function tablesForEvent(payload: unknown): JiraTable[] {
  const event = webhookEventOf(payload);
  if (!event) return [];
  const p = obj(payload)!;
  if (event.startsWith('comment_')) return obj(p.comment) ? ['comments'] : [];
  const issue = obj(p.issue);
  if (!issue) return [];
  const fields = obj(issue.fields) ?? {};
  const touched = new Set<JiraTable>(['issues']);
  if (event !== 'jira:issue_deleted' && nonEmpty(obj(p.changelog)?.items)) touched.add('changelog');
  if (nonEmpty(fields.attachment)) touched.add('attachments');
  if (nonEmpty(fields.issuelinks)) touched.add('issuelinks');
  if (nonEmpty(obj(fields.comment)?.comments)) touched.add('comments');
  return JIRA_TABLES.filter((t) => touched.has(t));
}

function describe(event: string, p: Json): string {
  const key = str(obj(p.issue)?.key) ?? str(obj(p.issue)?.id) ?? 'unknown issue';
  return `webhook ${event} (${key})`;
}

/**
 * The rows a webhook payload writes to `table` (none when it does not touch it).
 * Deletions (`jira:issue_deleted`, `comment_deleted`) produce the last known rows
 * with `_deleted = true` and `_deleted_at` = the event's time. A payload of a
 * handled event that lacks what the table needs is a RecordError.
 */
export function rowsForEvent(table: JiraTable, payload: unknown): Row[] {
  if (!tablesForEvent(payload).includes(table)) return [];
  const event = webhookEventOf(payload)!;
  const p = obj(payload)!;
  const what = describe(event, p);
  const at = eventTimestamp(p);
  const deleting = event === 'jira:issue_deleted' || event === 'comment_deleted';
  if (deleting && at === undefined) throw new RecordError(`${what}: a deletion without a numeric timestamp cannot be dated`);
  const tombstone: Tombstone = deleting ? { deletedAt: at! } : undefined;
  try {
    if (event.startsWith('comment_')) {
      const issue = obj(p.issue) ?? {};
      const key = str(issue.key);
      if (key === null) throw new RecordError('the payload has no issue.key');
      // Comment events carry a reduced issue (no created/updated).
      const ref: IssueRef = { id: requiredId(issue.id, 'issue id'), key, created: null, updated: null };
      return [commentRow(obj(p.comment)!, ref, tombstone)];
    }
    const issue = obj(p.issue)!;
    const ref = issueRef(issue);
    switch (table) {
      case 'issues':
        return [issueRow(issue, tombstone)];
      case 'attachments':
        return attachmentRows(issue, ref, tombstone);
      case 'issuelinks':
        return issuelinkRows(issue, ref, tombstone);
      case 'comments':
        return objects(obj(obj(issue.fields)?.comment)?.comments).map((c) => commentRow(c, ref, tombstone));
      case 'changelog': {
        // A webhook changelog has no author or time of its own: the event's user and time are theirs.
        const changelog = obj(p.changelog)!;
        const created = optionalTime(at, 'event timestamp');
        return changelogRows({ ...changelog, author: p.user, created }, ref);
      }
      default:
        return [];
    }
  } catch (error) {
    if (isConnectorError(error) && error.code === 'record') {
      throw new RecordError(`${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
