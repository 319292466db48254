import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract } from '@agnes/connector-runtime';
import { createJiraConnector, JIRA_TABLES, tablesForEvent } from '../src/index.js';
import { seededFakeJira } from './fake-jira.js';
import { events, fixture, FIXTURE_NAMES } from './webhooks.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function extractDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'agnes-jira-'));
  dirs.push(root);
  return join(root, 'jira');
}

/** What the API server does per webhook: route it with tablesForEvent, one runStream per table. */
async function deliver(runtime: ConnectorRuntime, payload: unknown, url = 'http://127.0.0.1:9'): Promise<void> {
  const connector = createJiraConnector({ url }, { secrets: {} });
  for (const table of tablesForEvent(payload)) await runtime.runStream(connector, table, { events: events(payload) });
}

async function query(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await openExtract(dir);
  try {
    return await reader.query(sql);
  } finally {
    reader.close();
  }
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

describe('webhook events through ConnectorRuntime.runStream', () => {
  it('writes an issue’s life (created, updated, commented, edited, comment deleted, deleted) into monthly partitions', async () => {
    const dir = extractDir();
    const runtime = new ConnectorRuntime(dir);
    for (const name of FIXTURE_NAMES) await deliver(runtime, fixture(name));

    const issues = await query(dir, 'SELECT * FROM issues');
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(issue).toMatchObject({ id: 10002n, key: 'AG-1', status: 'In Progress', status_category: 'indeterminate', project_key: 'AG', _deleted: true });
    expect(iso(issue.created)).toBe('2026-01-05T09:00:00.000Z');
    expect(iso(issue.updated)).toBe('2026-02-03T13:45:12.345Z');
    expect(iso(issue._deleted_at)).toBe('2026-03-02T16:00:05.000Z');
    expect(issue.labels).toEqual(['backend', 'q1']);
    expect(issue.fix_versions).toEqual(['2026.1']);
    expect(issue.description).toBe('The export fails for *large* files.\nSee attached screenshot.');

    const attachments = await query(dir, 'SELECT id, filename, size, _deleted, _deleted_at FROM attachments');
    expect(attachments.map((r) => ({ ...r, _deleted_at: iso(r._deleted_at) }))).toEqual([
      { id: 30001n, filename: 'screenshot.png', size: 48213n, _deleted: true, _deleted_at: '2026-03-02T16:00:05.000Z' },
    ]);
    const links = await query(dir, 'SELECT id, direction, relation, linked_issue_key, _deleted FROM issuelinks');
    expect(links).toEqual([{ id: 50001n, direction: 'outward', relation: 'blocks', linked_issue_key: 'AG-2', _deleted: true }]);

    const comments = await query(dir, 'SELECT id, issue_key, body, _deleted, _deleted_at FROM comments');
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ id: 20100n, issue_key: 'AG-1', body: 'I can reproduce this with a 2 GB file (Chrome and Firefox).', _deleted: true });
    expect(iso(comments[0]!._deleted_at)).toBe('2026-02-11T09:00:00.000Z');

    const changes = await query(dir, 'SELECT history_id, item_index, field, from_string, to_string, author_name, created FROM changelog ORDER BY item_index');
    expect(changes.map((r) => ({ ...r, created: iso(r.created) }))).toEqual([
      { history_id: 40100n, item_index: 0, field: 'status', from_string: 'To Do', to_string: 'In Progress', author_name: 'Marie Novak', created: '2026-02-03T13:45:12.465Z' },
      { history_id: 40100n, item_index: 1, field: 'assignee', from_string: null, to_string: 'Marie Novak', author_name: 'Marie Novak', created: '2026-02-03T13:45:12.465Z' },
    ]);

    // Partitions follow each row's creation month.
    expect(existsSync(join(dir, 'data/issues/2026-01.parquet'))).toBe(true);
    expect(existsSync(join(dir, 'data/attachments/2026-01.parquet'))).toBe(true);
    expect(existsSync(join(dir, 'data/comments/2026-02.parquet'))).toBe(true);
    expect(existsSync(join(dir, 'data/changelog/2026-02.parquet'))).toBe(true);
    const meta = await query(dir, 'SELECT table_name, rows, data_path FROM _meta ORDER BY table_name');
    expect(meta).toEqual([
      { table_name: 'attachments', rows: 1n, data_path: 'data/attachments/*.parquet' },
      { table_name: 'changelog', rows: 2n, data_path: 'data/changelog/*.parquet' },
      { table_name: 'comments', rows: 1n, data_path: 'data/comments/*.parquet' },
      { table_name: 'issuelinks', rows: 1n, data_path: 'data/issuelinks/*.parquet' },
      { table_name: 'issues', rows: 1n, data_path: 'data/issues/*.parquet' },
    ]);
  });

  it('keeps the latest version when one stream carries several events for the same key', async () => {
    const dir = extractDir();
    const runtime = new ConnectorRuntime(dir);
    const connector = createJiraConnector({ url: 'http://127.0.0.1:9' }, { secrets: {} });
    const stats = await runtime.runStream(connector, 'issues', {
      events: events(fixture('issue_created'), fixture('comment_created'), { webhookEvent: 'sprint_started', timestamp: 1 }, fixture('issue_updated')),
    });
    expect(stats.rows).toBe(2);
    const rows = await query(dir, 'SELECT key, status, _deleted FROM issues');
    expect(rows).toEqual([{ key: 'AG-1', status: 'In Progress', _deleted: false }]);
  });

  it('marks a backfilled issue deleted in place: one row per key, in the partition the backfill wrote', async () => {
    const jira = await seededFakeJira();
    try {
      const dir = extractDir();
      const runtime = new ConnectorRuntime(dir);
      const connector = createJiraConnector(
        { url: jira.url, jql: 'project = AG' },
        createContext({ secrets: { JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.token } }),
      );
      const stats = await runtime.run(connector);
      expect(stats.errors).toEqual([]);
      expect(stats.tablesExtracted).toBe(JIRA_TABLES.length);
      const before = await query(dir, 'SELECT count(*) AS n FROM issues');

      // The delete arrives with the issue's later `updated` (February) and must still replace the January row.
      await deliver(runtime, fixture('issue_deleted'), jira.url);

      expect(await query(dir, 'SELECT count(*) AS n FROM issues')).toEqual(before);
      expect(await query(dir, "SELECT key, _deleted FROM issues WHERE key = 'AG-1'")).toEqual([{ key: 'AG-1', _deleted: true }]);
      expect(await query(dir, 'SELECT count(*) AS n FROM issues WHERE _deleted')).toEqual([{ n: 1n }]);
      expect(await query(dir, 'SELECT id, _deleted FROM attachments WHERE issue_key = \'AG-1\'')).toEqual([{ id: 30001n, _deleted: true }]);
      expect(await query(dir, 'SELECT issue_key, _deleted FROM issuelinks WHERE id = 50001 ORDER BY issue_key')).toEqual([
        { issue_key: 'AG-1', _deleted: true },
        { issue_key: 'AG-2', _deleted: false },
      ]);
      const dupes = await query(dir, 'SELECT count(*) AS n FROM (SELECT id FROM issues GROUP BY id HAVING count(*) > 1)');
      expect(dupes).toEqual([{ n: 0n }]);
    } finally {
      await jira.close();
    }
  });
});
