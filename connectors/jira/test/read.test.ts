import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext, isConnectorError, type Logger } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract } from '@agnes/connector-runtime';
import { createJiraConnector } from '../src/index.js';
import { type FakeJira, jiraTime, seededFakeJira } from './fake-jira.js';

let jira: FakeJira;
beforeAll(async () => {
  jira = await seededFakeJira();
});
afterAll(() => jira.close());

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  jira.requests.length = 0;
});
function extractDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'agnes-jira-'));
  dirs.push(root);
  return join(root, 'jira');
}

/** A logger that keeps every line, fields included, as JSON text. */
function capturingLogger(lines: string[], bound: Record<string, unknown> = {}): Logger {
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push(JSON.stringify({ level, msg, ...bound, ...fields }));
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (f) => capturingLogger(lines, { ...bound, ...f }) };
}

function connector(opts: { token?: string; logger?: Logger; lookback?: number; secrets?: Record<string, string> } = {}) {
  return createJiraConnector(
    { url: jira.url, jql: 'project = AG', page_size: 5, lookback_minutes: opts.lookback ?? 5 },
    createContext({
      secrets: opts.secrets ?? { JIRA_EMAIL: jira.email, JIRA_API_TOKEN: opts.token ?? jira.token },
      ...(opts.logger ? { logger: opts.logger } : {}),
    }),
  );
}

async function readAll(table: string, options: { incrementalValue?: string; columns?: string[] } = {}, c = connector()): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of c.read(table, { batchSize: 100, ...options })) out.push(b);
  return out;
}

const rows = (batches: RecordBatch[]) => batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));

describe('read (REST backfill)', () => {
  it('pages through the search with nextPageToken and the config filter, in the API user’s time zone', async () => {
    const issues = rows(await readAll('issues'));
    expect(issues.map((r) => r.key)).toHaveLength(10);
    expect(issues.every((r) => String(r.key).startsWith('AG-'))).toBe(true);
    const searches = jira.requests.filter((r) => r.path === '/rest/api/3/search/jql');
    expect(searches).toHaveLength(2);
    expect(searches[0]!.params).toMatchObject({ jql: '(project = AG) AND updated >= "1970-01-02 01:00" ORDER BY updated ASC', maxResults: '5' });
    expect(searches[1]!.params.nextPageToken).toBeTruthy();
  });

  it('fetches comments and changelog beyond what the search embeds', async () => {
    const comments = rows(await readAll('comments'));
    expect(comments.filter((c) => c.issue_key === 'AG-1').map((c) => c.body)).toEqual([1, 2, 3, 4, 5].map((k) => `comment ${k} on AG-1`));
    expect(jira.requests.some((r) => r.path === '/rest/api/3/issue/10002/comment')).toBe(true);
    const changelog = rows(await readAll('changelog'));
    expect(changelog.filter((c) => c.issue_key === 'AG-1')).toHaveLength(4);
    expect(changelog.filter((c) => c.issue_key === 'AG-4').map((c) => [c.item_index, c.field, c.to_string])).toEqual([
      [0, 'priority', 'High'],
      [1, 'labels', 'backend'],
    ]);
    expect(jira.requests.some((r) => r.path === '/rest/api/3/issue/10002/changelog')).toBe(true);
  });

  it('re-reads every issue of the cursor’s minute, so an update at the cursor instant is not lost', async () => {
    const dir = extractDir();
    const runtime = new ConnectorRuntime(dir);
    const c = connector({ lookback: 0 });
    expect((await runtime.run(c, { tables: ['issues'] })).errors).toEqual([]);
    // Another issue changes at exactly the last cursor instant (same millisecond).
    const tied = jira.issues.find((i) => i.key === 'AG-9')!;
    tied.fields.summary = 'changed at the cursor instant';
    jira.requests.length = 0;
    expect((await runtime.run(c, { tables: ['issues'] })).errors).toEqual([]);
    const search = jira.requests.find((r) => r.path === '/rest/api/3/search/jql')!;
    // Cursor 2026-03-20T14:05:45.250Z is 15:05 in Prague (CET), rounded down to the minute.
    expect(search.params.jql).toBe('(project = AG) AND updated >= "2026-03-20 15:05" ORDER BY updated ASC');
    const reader = await openExtract(dir);
    try {
      expect(await reader.query('SELECT count(*) AS n FROM issues')).toEqual([{ n: 10n }]);
      expect(await reader.query("SELECT summary FROM issues WHERE key = 'AG-9'")).toEqual([{ summary: 'changed at the cursor instant' }]);
    } finally {
      reader.close();
    }
    tied.fields.summary = 'Task number 9';
  });

  it('reads timestamps as UTC instants and dates exactly', async () => {
    const [ag4] = rows(await readAll('issues')).filter((r) => r.key === 'AG-4');
    expect(ag4).toMatchObject({ id: 10005n, project_id: 10000n, priority: 'High', _deleted: false, _deleted_at: null });
    expect([...(ag4!.labels as Iterable<string>)]).toEqual(['backend']);
    expect(ag4!.created).toBe(Date.parse('2026-02-01T09:00:00Z'));
    const projected = await readAll('issues', { columns: ['key', 'updated'] });
    expect(projected[0]!.schema.fields.map((f) => f.name)).toEqual(['key', 'updated']);
    expect(jiraTime(Date.parse('2026-02-01T09:00:00Z'), 60)).toBe('2026-02-01T10:00:00.000+0100');
  });

  it('retries 429 with Retry-After and 503 through the kit’s fetch, then succeeds', async () => {
    jira.fail({ status: 429, headers: { 'retry-after': '1' }, path: '/rest/api/3/search/jql' });
    jira.fail({ status: 503, path: '/rest/api/3/issue/' });
    const lines: string[] = [];
    const links = rows(await readAll('remote_links', {}, connector({ logger: capturingLogger(lines) })));
    expect(links.map((l) => l.title).sort()).toEqual(['Design notes', 'Incident 42']);
    const statuses = jira.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(statuses.filter((s) => s === 503)).toHaveLength(1);
    expect(lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  it('fails fast with an AuthError naming JIRA_API_TOKEN on 401, without retrying', async () => {
    const error = await readAll('issues', {}, connector({ token: 'wrong-token-value' })).catch((e: unknown) => e);
    expect(isConnectorError(error) && error.code).toBe('auth');
    expect((error as Error).message).toContain('JIRA_API_TOKEN');
    expect((error as Error).message).not.toContain('wrong-token-value');
    expect(jira.requests).toHaveLength(1);
    expect(jira.requests[0]!.status).toBe(401);
  });

  it('names a missing variable before any request', async () => {
    const error = await readAll('issues', {}, connector({ secrets: { JIRA_EMAIL: jira.email } })).catch((e: unknown) => e);
    expect(isConnectorError(error) && error.code).toBe('auth');
    expect((error as Error).message).toMatch(/JIRA_API_TOKEN is not set/);
    expect(jira.requests).toHaveLength(0);
  });

  it('refuses an unknown table and a bad config with every problem named', async () => {
    await expect(readAll('sprints')).rejects.toThrow(/unknown table "sprints"/);
    expect(() => createJiraConnector({ url: 'https://me:secret@x.atlassian.net', page_size: 500, jql: 'a ORDER BY b' }, { secrets: {} })).toThrow(
      /url: must not contain credentials[\s\S]*jql:[\s\S]*page_size:/,
    );
  });
});

describe('secrets', () => {
  it('never writes the token into the extract, a log line or an error message', async () => {
    const token = jira.token;
    const basic = Buffer.from(`${jira.email}:${token}`).toString('base64');
    const lines: string[] = [];
    const logger = capturingLogger(lines);
    const dir = extractDir();
    jira.fail({ status: 429, headers: { 'retry-after': '0' }, path: '/rest/api/3/search/jql' });
    const ok = await new ConnectorRuntime(dir, { logger }).run(connector({ logger }));
    expect(ok.errors).toEqual([]);
    const refused = await new ConnectorRuntime(extractDir(), { logger }).run(connector({ logger, token: `${token}-revoked` }));
    expect(refused.errors.map((e) => e.code)).toContain('auth');

    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) (statSync(join(d, f)).isDirectory() ? walk : (p: string) => files.push(p))(join(d, f));
    };
    walk(dir);
    expect(files.length).toBeGreaterThan(6);
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(bytes.includes(token), f).toBe(false);
      expect(bytes.includes(basic), f).toBe(false);
    }
    const said = [...lines, ...refused.errors.map((e) => e.message)].join('\n');
    expect(said).toContain('JIRA_API_TOKEN');
    expect(said).not.toContain(token);
    expect(said).not.toContain(basic);
  });
});
