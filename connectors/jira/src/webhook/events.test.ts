import { describe, expect, it } from 'vitest';
import { JIRA_TABLES } from '../tables/tables.js';
import { fixture, FIXTURE_NAMES } from '../../test/webhooks.js';
import { eventTimestamp, rowsForEvent, tablesForEvent } from './events.js';

describe('tablesForEvent', () => {
  it('routes each documented event to the tables it writes', () => {
    expect(tablesForEvent(fixture('issue_created'))).toEqual(['issues', 'attachments', 'issuelinks']);
    expect(tablesForEvent(fixture('issue_updated'))).toEqual(['issues', 'attachments', 'changelog', 'issuelinks']);
    expect(tablesForEvent(fixture('issue_deleted'))).toEqual(['issues', 'attachments', 'issuelinks']);
    for (const name of ['comment_created', 'comment_updated', 'comment_deleted'] as const) expect(tablesForEvent(fixture(name))).toEqual(['comments']);
  });

  it('agrees with the rows the stream writes, for every fixture and table', () => {
    for (const name of FIXTURE_NAMES) {
      const payload = fixture(name);
      expect(JIRA_TABLES.filter((t) => rowsForEvent(t, payload).length > 0), name).toEqual(tablesForEvent(payload));
    }
  });

  it('touches nothing for payloads it does not handle, and never throws', () => {
    for (const p of [null, 42, 'x', [], {}, { webhookEvent: 'sprint_started' }, { webhookEvent: 'jira:issue_created' }, { webhookEvent: 'comment_created', comment: 'x' }]) {
      expect(tablesForEvent(p)).toEqual([]);
    }
  });
});

describe('eventTimestamp', () => {
  it('returns the payload’s timestamp in epoch milliseconds, or undefined', () => {
    expect(eventTimestamp(fixture('issue_deleted'))).toBe(Date.parse('2026-03-02T16:00:05Z'));
    expect(eventTimestamp({ timestamp: '1770000000000' })).toBeUndefined();
    expect(eventTimestamp(undefined)).toBeUndefined();
  });
});

describe('rowsForEvent', () => {
  it('marks a deleted issue with the event time', () => {
    const [row] = rowsForEvent('issues', fixture('issue_deleted'));
    expect(row).toMatchObject({ id: 10002n, _deleted: true, _deleted_at: Date.parse('2026-03-02T16:00:05Z') });
  });

  it('names the event and the field when a handled payload is malformed', () => {
    const bad = { ...fixture('issue_created'), issue: { id: 'AG-1?', key: 'AG-1', fields: {} } };
    expect(() => rowsForEvent('issues', bad)).toThrow(/webhook jira:issue_created \(AG-1\): issue id is not a numeric id/);
    const undated = { ...fixture('issue_deleted'), timestamp: undefined };
    expect(() => rowsForEvent('issues', undated)).toThrow(/without a numeric timestamp/);
  });
});
