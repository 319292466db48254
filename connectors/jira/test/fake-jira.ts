/*
 * A fake of the Jira Cloud REST API v3, following its documented wire format:
 * Basic auth, GET /rest/api/3/myself, GET /rest/api/3/search/jql (nextPageToken
 * pagination, JQL dates read at minute precision in the user's time zone),
 * GET /rest/api/3/issue/{id}/comment | /changelog | /remotelink, error bodies
 * {"errorMessages": [...]}, 401 without valid credentials, 429 with Retry-After.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** An issue as the fake stores it; `fields` holds every field but comments. */
export interface FakeIssue {
  id: string;
  key: string;
  fields: Json;
  comments: Json[];
  histories: Json[];
  remoteLinks: Json[];
}

/** A canned failure for the next matching requests. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  /** How many requests it answers. Default 1. */
  times?: number;
  /** Only requests whose path starts with this. */
  path?: string;
}

export interface RequestRecord {
  path: string;
  params: Record<string, string>;
  status: number;
}

/** Items embedded in a search result before the per-issue endpoints are needed (Jira embeds more; small here to exercise paging). */
export const EMBEDDED = 3;

/** `2026-01-15T10:30:42.123+0100`: Jira's timestamp spelling, at a fixed UTC offset in minutes. */
export function jiraTime(ms: number, offsetMinutes = 0): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function parseJiraTime(s: string): number {
  return Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** UTC instant of a wall-clock minute in `timeZone` (what Jira does with a JQL date literal). */
function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(ms));
    const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - ms;
  };
  const first = guess - offsetAt(guess);
  return guess - offsetAt(first);
}

const person = (accountId: string, displayName: string) => ({
  self: `https://example.atlassian.net/rest/api/3/user?accountId=${accountId}`,
  accountId,
  displayName,
  active: true,
  timeZone: 'Europe/Prague',
  accountType: 'atlassian',
});

const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

export class FakeJira {
  readonly email = 'reader@example.com';
  readonly token: string;
  readonly timeZone = 'Europe/Prague';
  readonly issues: FakeIssue[] = [];
  readonly requests: RequestRecord[] = [];
  private faults: Fault[] = [];
  private server = createServer((req, res) => this.handle(req, res));
  private nextId = { issue: 10001, comment: 20001, attachment: 30001, history: 40001, link: 50001, remote: 60001 };
  url = '';

  constructor(token = 'ATATT3xFfGF0-fake-token-7c1e9a') {
    this.token = token;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  fail(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Latest `updated` of all issues, in ms. */
  latestUpdated(): number {
    return Math.max(0, ...this.issues.map((i) => parseJiraTime(String(i.fields.updated))));
  }

  /** Adds an issue; `created`/`updated` in ms, written in Jira's format at a +01:00 offset. */
  addIssue(opts: { project?: string; created: number; updated: number; summary?: string; fields?: Json }): FakeIssue {
    const project = opts.project ?? 'AG';
    const id = String(this.nextId.issue++);
    const n = this.issues.filter((i) => i.key.startsWith(`${project}-`)).length + 1;
    const issue: FakeIssue = {
      id,
      key: `${project}-${n}`,
      fields: {
        summary: opts.summary ?? `Issue ${project}-${n}`,
        issuetype: { id: '10001', name: 'Task', subtask: false },
        project: { id: project === 'AG' ? '10000' : '10100', key: project, name: `Project ${project}` },
        status: { id: '10000', name: 'To Do', statusCategory: { id: 2, key: 'new', name: 'To Do' } },
        priority: { id: '3', name: 'Medium' },
        resolution: null,
        assignee: person('5b10a2844c20165700ede21g', 'Marie Novak'),
        reporter: person('5b10ac8d82e05b22cc7d4ef5', 'Petr Svoboda'),
        creator: person('5b10ac8d82e05b22cc7d4ef5', 'Petr Svoboda'),
        labels: [],
        components: [],
        fixVersions: [],
        parent: null,
        duedate: null,
        description: adf(`Description of ${project}-${n}`),
        created: jiraTime(opts.created, 60),
        updated: jiraTime(opts.updated, 60),
        resolutiondate: null,
        attachment: [],
        issuelinks: [],
        ...opts.fields,
      },
      comments: [],
      histories: [],
      remoteLinks: [],
    };
    this.issues.push(issue);
    return issue;
  }

  addComment(issue: FakeIssue, at: number, text: string): Json {
    const id = String(this.nextId.comment++);
    const author = person('5b10a2844c20165700ede21g', 'Marie Novak');
    const c = {
      self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${id}`,
      id,
      author,
      body: adf(text),
      updateAuthor: author,
      created: jiraTime(at, 60),
      updated: jiraTime(at, 60),
      jsdPublic: true,
    };
    issue.comments.push(c);
    return c;
  }

  addAttachment(issue: FakeIssue, at: number, filename: string, size: number): void {
    const id = String(this.nextId.attachment++);
    (issue.fields.attachment as Json[]).push({
      self: `${this.url}/rest/api/3/attachment/${id}`,
      id,
      filename,
      author: person('5b10ac8d82e05b22cc7d4ef5', 'Petr Svoboda'),
      created: jiraTime(at, 60),
      size,
      mimeType: 'image/png',
      content: `${this.url}/rest/api/3/attachment/content/${id}`,
    });
  }

  addHistory(issue: FakeIssue, at: number, items: Json[]): void {
    issue.histories.push({
      id: String(this.nextId.history++),
      author: person('5b10a2844c20165700ede21g', 'Marie Novak'),
      created: jiraTime(at, 60),
      items,
    });
  }

  /** A "Blocks" link: `from` blocks `to`; both sides see it when both are stored here. */
  link(from: FakeIssue, to: { id: string; key: string }): void {
    const id = String(this.nextId.link++);
    const type = { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' };
    (from.fields.issuelinks as Json[]).push({ id, type, outwardIssue: { id: to.id, key: to.key } });
    const target = this.issues.find((i) => i.id === to.id);
    if (target) (target.fields.issuelinks as Json[]).push({ id, type, inwardIssue: { id: from.id, key: from.key } });
  }

  addRemoteLink(issue: FakeIssue, url: string, title: string): void {
    const id = this.nextId.remote++;
    issue.remoteLinks.push({
      id,
      self: `${this.url}/rest/api/3/issue/${issue.key}/remotelink/${id}`,
      globalId: `system=${url}`,
      application: { type: 'com.atlassian.confluence', name: 'Confluence' },
      relationship: 'mentioned in',
      object: { url, title, summary: `About ${issue.key}` },
    });
  }

  private respond(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
    return status;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params = Object.fromEntries(url.searchParams);
    const record: RequestRecord = { path: url.pathname, params, status: 0 };
    this.requests.push(record);
    record.status = this.route(req, res, url);
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL): number {
    const expected = `Basic ${Buffer.from(`${this.email}:${this.token}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return this.respond(res, 401, { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} }, {
        'www-authenticate': 'OAuth realm="https%3A%2F%2Fexample.atlassian.net"',
      });
    }
    const fault = this.faults.find((f) => !f.path || url.pathname.startsWith(f.path));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return this.respond(res, fault.status, { errorMessages: [`fake fault ${fault.status}`] }, fault.headers);
    }
    const p = url.pathname;
    if (p === '/rest/api/3/myself') {
      return this.respond(res, 200, { ...person('5b10ac8d82e05b22cc7d4eff', 'Agnes Reader'), emailAddress: this.email, timeZone: this.timeZone });
    }
    if (p === '/rest/api/3/search/jql') return this.search(res, url.searchParams);
    const m = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|changelog|remotelink)$/.exec(p);
    if (m) {
      const issue = this.issues.find((i) => i.id === m[1] || i.key === m[1]);
      if (!issue) return this.respond(res, 404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Math.min(100, Number(url.searchParams.get('maxResults') ?? 50));
      if (m[2] === 'remotelink') return this.respond(res, 200, issue.remoteLinks);
      if (m[2] === 'comment') {
        return this.respond(res, 200, { startAt, maxResults: max, total: issue.comments.length, comments: issue.comments.slice(startAt, startAt + max) });
      }
      const values = issue.histories.slice(startAt, startAt + max);
      return this.respond(res, 200, { startAt, maxResults: max, total: issue.histories.length, isLast: startAt + values.length >= issue.histories.length, values });
    }
    return this.respond(res, 404, { errorMessages: [`no route ${p}`] });
  }

  private search(res: ServerResponse, q: URLSearchParams): number {
    const jql = q.get('jql') ?? '';
    const m = /^(?:\(project = ([A-Z]+)\) AND )?updated >= "(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})" ORDER BY updated ASC$/.exec(jql);
    if (!m) return this.respond(res, 400, { errorMessages: [`The fake cannot run this JQL: ${jql}`], errors: {} });
    const [, project, y, mo, d, h, mi] = m;
    const since = zonedToUtc(Number(y), Number(mo), Number(d), Number(h), Number(mi), this.timeZone);
    const matching = this.issues
      .filter((i) => (!project || i.key.startsWith(`${project}-`)) && parseJiraTime(String(i.fields.updated)) >= since)
      .sort((a, b) => parseJiraTime(String(a.fields.updated)) - parseJiraTime(String(b.fields.updated)) || Number(a.id) - Number(b.id));
    const offset = q.get('nextPageToken') ? Number(Buffer.from(q.get('nextPageToken')!, 'base64url').toString()) : 0;
    const max = Math.min(100, Number(q.get('maxResults') ?? 50));
    const fields = (q.get('fields') ?? '').split(',').filter(Boolean);
    const page = matching.slice(offset, offset + max).map((i) => {
      const out: Json = { expand: 'renderedFields,names,schema,operations,editmeta,changelog', id: i.id, self: `${this.url}/rest/api/3/issue/${i.id}`, key: i.key };
      const f: Json = {};
      for (const name of fields) {
        if (name === 'comment') {
          f.comment = { comments: i.comments.slice(0, EMBEDDED), self: `${this.url}/rest/api/3/issue/${i.id}/comment`, maxResults: EMBEDDED, total: i.comments.length, startAt: 0 };
        } else if (name in i.fields) f[name] = i.fields[name];
      }
      out.fields = f;
      if ((q.get('expand') ?? '').split(',').includes('changelog')) {
        out.changelog = { startAt: 0, maxResults: EMBEDDED, total: i.histories.length, histories: i.histories.slice(0, EMBEDDED) };
      }
      return out;
    });
    const end = offset + page.length;
    const body: Json = { issues: page, isLast: end >= matching.length };
    if (end < matching.length) body.nextPageToken = Buffer.from(String(end)).toString('base64url');
    return this.respond(res, 200, body);
  }
}

const MIN = 60_000;

/**
 * A fake with a realistic project AG (plus OPS-1, outside a `project = AG` filter):
 * issues across January–March 2026, three sharing one `updated` instant and two more
 * in that minute, an issue with more comments and histories than the search embeds,
 * attachments, links both ways and to OPS, remote links.
 */
export async function seededFakeJira(token?: string): Promise<FakeJira> {
  const jira = await new FakeJira(token).start();
  const ops = jira.addIssue({ project: 'OPS', created: Date.UTC(2025, 11, 1, 8), updated: Date.UTC(2025, 11, 2, 8) });
  const base = Date.UTC(2026, 0, 5, 9, 0);
  const issues: FakeIssue[] = [];
  for (let i = 0; i < 10; i++) {
    const created = base + i * 9 * 24 * 60 * MIN; // every 9 days: spans January to March
    issues.push(jira.addIssue({ created, updated: created + 30 * MIN, summary: `Task number ${i + 1}` }));
  }
  // Three issues updated at the same instant, two more within that minute.
  const tie = Date.UTC(2026, 2, 20, 14, 5, 30, 250);
  for (const [i, at] of [[7, tie], [8, tie], [9, tie], [5, tie - 20_000], [6, tie + 15_000]] as const) issues[i]!.fields.updated = jiraTime(at, 60);
  const [a, b, c, d, e] = issues as [FakeIssue, FakeIssue, FakeIssue, FakeIssue, FakeIssue];
  for (let k = 0; k < 5; k++) jira.addComment(a, base + (k + 1) * 10 * MIN, `comment ${k + 1} on ${a.key}`);
  jira.addComment(b, base + 9 * 24 * 60 * MIN + 5 * MIN, 'looks good');
  jira.addAttachment(a, base + 2 * MIN, 'screenshot.png', 48213);
  jira.addAttachment(c, base + 18 * 24 * 60 * MIN + MIN, 'trace.png', 1_204_992);
  for (let k = 0; k < 4; k++) {
    jira.addHistory(a, base + (k + 1) * MIN, [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'To Do', to: '3', toString: 'In Progress' }]);
  }
  jira.addHistory(d, base + 27 * 24 * 60 * MIN + MIN, [
    { field: 'priority', fieldtype: 'jira', fieldId: 'priority', from: '3', fromString: 'Medium', to: '2', toString: 'High' },
    { field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: '', to: null, toString: 'backend' },
  ]);
  d.fields.labels = ['backend'];
  d.fields.priority = { id: '2', name: 'High' };
  jira.link(a, b);
  jira.link(c, ops);
  jira.addRemoteLink(a, 'https://example.atlassian.net/wiki/spaces/AG/pages/1', 'Design notes');
  jira.addRemoteLink(e, 'https://status.example.com/incidents/42', 'Incident 42');
  return jira;
}

/**
 * Adds `n` issues in AG, updated after every existing one, each with one row for
 * `table` (and only for it, so the other tables grow by none but issues).
 */
export function addRowsFor(jira: FakeJira, table: string, n: number): void {
  for (let k = 0; k < n; k++) {
    const at = jira.latestUpdated() + 2 * MIN;
    const issue = jira.addIssue({ created: at - MIN, updated: at, summary: `added for ${table}` });
    if (table === 'comments') jira.addComment(issue, at - 30_000, `new comment on ${issue.key}`);
    if (table === 'attachments') jira.addAttachment(issue, at - 30_000, 'new.png', 100 + k);
    if (table === 'changelog') {
      jira.addHistory(issue, at - 30_000, [{ field: 'summary', fieldtype: 'jira', fieldId: 'summary', from: null, fromString: 'old', to: null, toString: 'new' }]);
    }
    if (table === 'issuelinks') jira.link(issue, jira.issues.find((i) => i.key === 'OPS-1')!);
    if (table === 'remote_links') jira.addRemoteLink(issue, `https://docs.example.com/${issue.key}`, 'Runbook');
  }
}
