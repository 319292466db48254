import {
  Bool,
  DateDay,
  type DataType,
  Field,
  Int32,
  Int64,
  List,
  Schema,
  TimestampMillisecond,
  Utf8,
} from 'apache-arrow';
import { Cap, type TableInfo } from '@agnes/connector-kit';

/** The tables of the Jira connector. */
export const JIRA_TABLES = ['issues', 'comments', 'attachments', 'changelog', 'issuelinks', 'remote_links'] as const;

/** A table of the Jira connector. */
export type JiraTable = (typeof JIRA_TABLES)[number];

/** True when `name` is one of {@link JIRA_TABLES}. */
export function isJiraTable(name: string): name is JiraTable {
  return (JIRA_TABLES as readonly string[]).includes(name);
}

// Jira sends times with millisecond precision and an offset; they are stored as the UTC instant.
const ts = () => new TimestampMillisecond('UTC');
const text = () => new Utf8();
const id = () => new Int64();
const f = (name: string, type: DataType, nullable = true) => new Field(name, type, nullable);

/** Columns every table ends with: the deletion mark (see README, "Deletes"). */
const deletion = [f('_deleted', new Bool(), false), f('_deleted_at', ts())];

const issues = new Schema([
  f('id', id(), false),
  f('key', text(), false),
  f('project_id', id()),
  f('project_key', text()),
  f('issue_type', text()),
  f('status', text()),
  f('status_category', text()),
  f('priority', text()),
  f('resolution', text()),
  f('summary', text()),
  f('description', text()),
  f('assignee_account_id', text()),
  f('assignee_name', text()),
  f('reporter_account_id', text()),
  f('reporter_name', text()),
  f('creator_account_id', text()),
  f('parent_key', text()),
  f('labels', new List(f('item', text()))),
  f('components', new List(f('item', text()))),
  f('fix_versions', new List(f('item', text()))),
  f('due_date', new DateDay()),
  f('created', ts(), false),
  f('updated', ts(), false),
  f('resolved', ts()),
  ...deletion,
]);

const comments = new Schema([
  f('id', id(), false),
  f('issue_id', id(), false),
  f('issue_key', text(), false),
  f('author_account_id', text()),
  f('author_name', text()),
  f('update_author_account_id', text()),
  f('body', text()),
  f('created', ts(), false),
  f('updated', ts()),
  f('jsd_public', new Bool()),
  f('issue_updated', ts()),
  ...deletion,
]);

const attachments = new Schema([
  f('id', id(), false),
  f('issue_id', id(), false),
  f('issue_key', text(), false),
  f('filename', text()),
  f('author_account_id', text()),
  f('author_name', text()),
  f('created', ts(), false),
  f('size', id()),
  f('mime_type', text()),
  f('content_url', text()),
  f('issue_updated', ts()),
  ...deletion,
]);

const changelog = new Schema([
  f('history_id', id(), false),
  f('item_index', new Int32(), false),
  f('issue_id', id(), false),
  f('issue_key', text(), false),
  f('author_account_id', text()),
  f('author_name', text()),
  f('created', ts(), false),
  f('field', text()),
  f('field_type', text()),
  f('field_id', text()),
  f('from_value', text()),
  f('from_string', text()),
  f('to_value', text()),
  f('to_string', text()),
  f('issue_updated', ts()),
  ...deletion,
]);

const issuelinks = new Schema([
  f('id', id(), false),
  f('issue_id', id(), false),
  f('issue_key', text(), false),
  f('link_type', text()),
  f('direction', text(), false),
  f('relation', text()),
  f('linked_issue_id', id()),
  f('linked_issue_key', text()),
  f('issue_created', ts(), false),
  f('issue_updated', ts()),
  ...deletion,
]);

const remoteLinks = new Schema([
  f('id', id(), false),
  f('issue_id', id(), false),
  f('issue_key', text(), false),
  f('global_id', text()),
  f('relationship', text()),
  f('url', text()),
  f('title', text()),
  f('summary', text()),
  f('application_type', text()),
  f('application_name', text()),
  f('issue_created', ts(), false),
  f('issue_updated', ts()),
  ...deletion,
]);

const caps = Cap.READ | Cap.STREAM;

/*
 * Partitions are chosen by a time that never changes for a row (creation), not by
 * `updated`: the runtime dedupes by primary key only inside one partition, so a key
 * whose partition moved with each update would leave its old version (and, after a
 * delete, its unmarked live version) behind in an older month.
 */
const TABLE_INFOS: Record<JiraTable, TableInfo> = {
  issues: {
    name: 'issues',
    description: 'Jira issues, one row per issue (latest state); _deleted marks issues deleted upstream',
    schema: issues,
    capabilities: caps,
    primaryKey: ['id'],
    incrementalKey: 'updated',
    partitionKey: 'created',
  },
  comments: {
    name: 'comments',
    description: 'Comments on Jira issues',
    schema: comments,
    capabilities: caps,
    primaryKey: ['id'],
    incrementalKey: 'issue_updated',
    partitionKey: 'created',
  },
  attachments: {
    name: 'attachments',
    description: 'Attachment metadata of Jira issues (not the file contents)',
    schema: attachments,
    capabilities: caps,
    primaryKey: ['id'],
    incrementalKey: 'issue_updated',
    partitionKey: 'created',
  },
  changelog: {
    name: 'changelog',
    description: 'Field changes of Jira issues, one row per changed field of a history entry',
    schema: changelog,
    capabilities: caps,
    primaryKey: ['history_id', 'item_index'],
    incrementalKey: 'issue_updated',
    partitionKey: 'created',
  },
  issuelinks: {
    name: 'issuelinks',
    description: 'Links between Jira issues, one row per link and side',
    schema: issuelinks,
    capabilities: caps,
    primaryKey: ['id', 'issue_id'],
    incrementalKey: 'issue_updated',
    partitionKey: 'issue_created',
  },
  remote_links: {
    name: 'remote_links',
    description: 'Remote links (web links, Confluence pages) of Jira issues',
    schema: remoteLinks,
    capabilities: caps,
    primaryKey: ['id'],
    incrementalKey: 'issue_updated',
    partitionKey: 'issue_created',
  },
};

/** The declared table info (schema, keys, partition key) of a table. */
export function tableInfo(table: JiraTable): TableInfo {
  return TABLE_INFOS[table];
}

/** Every table's info, in {@link JIRA_TABLES} order. */
export function allTableInfos(): TableInfo[] {
  return JIRA_TABLES.map((t) => TABLE_INFOS[t]);
}
