import { RecordError } from '@agnes/connector-kit';
import type { Row } from '../tables/batch.js';
import { adfToText } from './adf.js';
import {
  bool,
  type Json,
  names,
  obj,
  objects,
  optionalDate,
  optionalId,
  optionalTime,
  requiredId,
  scalarText,
  str,
  strings,
} from './values.js';

/** What child rows need to know of their issue. */
export interface IssueRef {
  id: bigint;
  key: string;
  /** Null when the source (a comment webhook) does not say. */
  created: number | null;
  updated: number | null;
}

/** A deletion to mark on the rows (the event's time), or none. */
export type Tombstone = { deletedAt: number } | undefined;

function mark(tombstone: Tombstone): Row {
  return { _deleted: tombstone !== undefined, _deleted_at: tombstone?.deletedAt ?? null };
}

function fieldsOf(issue: Json): Json {
  return obj(issue.fields) ?? {};
}

/** The reference children carry; a RecordError when the issue has no id or key. */
export function issueRef(issue: Json): IssueRef {
  const id = requiredId(issue.id, 'issue id');
  const key = str(issue.key);
  if (key === null) throw new RecordError(`issue ${id}: key is missing`);
  const fields = fieldsOf(issue);
  return {
    id,
    key,
    created: optionalTime(fields.created, `issue ${key}: created`),
    updated: optionalTime(fields.updated, `issue ${key}: updated`),
  };
}

function user(v: unknown): { accountId: string | null; name: string | null } {
  const u = obj(v);
  return { accountId: str(u?.accountId), name: str(u?.displayName) };
}

/** The `issues` row of an issue (REST v3 or webhook v2 shape). */
export function issueRow(issue: Json, tombstone?: Tombstone): Row {
  const ref = issueRef(issue);
  const fields = fieldsOf(issue);
  const what = `issue ${ref.key}`;
  const project = obj(fields.project);
  const status = obj(fields.status);
  return {
    id: ref.id,
    key: ref.key,
    project_id: optionalId(project?.id, `${what}: project id`),
    project_key: str(project?.key),
    issue_type: str(obj(fields.issuetype)?.name),
    status: str(status?.name),
    status_category: str(obj(status?.statusCategory)?.key),
    priority: str(obj(fields.priority)?.name),
    resolution: str(obj(fields.resolution)?.name),
    summary: str(fields.summary),
    description: adfToText(fields.description),
    assignee_account_id: user(fields.assignee).accountId,
    assignee_name: user(fields.assignee).name,
    reporter_account_id: user(fields.reporter).accountId,
    reporter_name: user(fields.reporter).name,
    creator_account_id: user(fields.creator).accountId,
    parent_key: str(obj(fields.parent)?.key),
    labels: strings(fields.labels),
    components: names(fields.components),
    fix_versions: names(fields.fixVersions),
    due_date: optionalDate(fields.duedate, `${what}: duedate`),
    created: ref.created,
    updated: ref.updated,
    resolved: optionalTime(fields.resolutiondate, `${what}: resolutiondate`),
    ...mark(tombstone),
  };
}

/** A `comments` row. */
export function commentRow(comment: Json, ref: IssueRef, tombstone?: Tombstone): Row {
  const id = requiredId(comment.id, `issue ${ref.key}: comment id`);
  const what = `comment ${id}`;
  return {
    id,
    issue_id: ref.id,
    issue_key: ref.key,
    author_account_id: user(comment.author).accountId,
    author_name: user(comment.author).name,
    update_author_account_id: user(comment.updateAuthor).accountId,
    body: adfToText(comment.body),
    created: optionalTime(comment.created, `${what}: created`),
    updated: optionalTime(comment.updated, `${what}: updated`),
    jsd_public: bool(comment.jsdPublic),
    issue_updated: ref.updated,
    ...mark(tombstone),
  };
}

/** The `attachments` rows of an issue's `fields.attachment`. */
export function attachmentRows(issue: Json, ref: IssueRef, tombstone?: Tombstone): Row[] {
  return objects(fieldsOf(issue).attachment).map((a) => {
    const id = requiredId(a.id, `issue ${ref.key}: attachment id`);
    return {
      id,
      issue_id: ref.id,
      issue_key: ref.key,
      filename: str(a.filename),
      author_account_id: user(a.author).accountId,
      author_name: user(a.author).name,
      created: optionalTime(a.created, `attachment ${id}: created`),
      size: typeof a.size === 'number' && Number.isSafeInteger(a.size) ? BigInt(a.size) : null,
      mime_type: str(a.mimeType),
      content_url: str(a.content),
      issue_updated: ref.updated,
      ...mark(tombstone),
    };
  });
}

/** The `issuelinks` rows of an issue's `fields.issuelinks` (this issue's side of each link). */
export function issuelinkRows(issue: Json, ref: IssueRef, tombstone?: Tombstone): Row[] {
  return objects(fieldsOf(issue).issuelinks).map((l) => {
    const id = requiredId(l.id, `issue ${ref.key}: issue link id`);
    const type = obj(l.type);
    const outward = obj(l.outwardIssue);
    const other = outward ?? obj(l.inwardIssue);
    return {
      id,
      issue_id: ref.id,
      issue_key: ref.key,
      link_type: str(type?.name),
      direction: outward ? 'outward' : 'inward',
      relation: str(outward ? type?.outward : type?.inward),
      linked_issue_id: optionalId(other?.id, `issue link ${id}: linked issue id`),
      linked_issue_key: str(other?.key),
      issue_created: ref.created,
      issue_updated: ref.updated,
      ...mark(tombstone),
    };
  });
}

/** A history entry: `id`, `author`, `created`, `items` (REST), or the webhook's changelog with the event's user and time. */
export function changelogRows(history: Json, ref: IssueRef, tombstone?: Tombstone): Row[] {
  const historyId = requiredId(history.id, `issue ${ref.key}: changelog id`);
  const created = optionalTime(history.created, `changelog ${historyId}: created`);
  const author = user(history.author);
  return objects(history.items).map((item, index) => ({
    history_id: historyId,
    item_index: index,
    issue_id: ref.id,
    issue_key: ref.key,
    author_account_id: author.accountId,
    author_name: author.name,
    created,
    field: str(item.field),
    field_type: str(item.fieldtype),
    field_id: str(item.fieldId),
    from_value: scalarText(item.from),
    from_string: str(item.fromString),
    to_value: scalarText(item.to),
    to_string: str(item.toString),
    issue_updated: ref.updated,
    ...mark(tombstone),
  }));
}

/** A `remote_links` row of `GET /issue/{id}/remotelink`. */
export function remoteLinkRow(link: Json, ref: IssueRef, tombstone?: Tombstone): Row {
  const id = requiredId(link.id, `issue ${ref.key}: remote link id`);
  const object = obj(link.object) ?? {};
  const application = obj(link.application) ?? {};
  return {
    id,
    issue_id: ref.id,
    issue_key: ref.key,
    global_id: str(link.globalId),
    relationship: str(link.relationship),
    url: str(object.url),
    title: str(object.title),
    summary: str(object.summary),
    application_type: str(application.type),
    application_name: str(application.name),
    issue_created: ref.created,
    issue_updated: ref.updated,
    ...mark(tombstone),
  };
}
