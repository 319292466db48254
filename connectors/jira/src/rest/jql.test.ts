import { describe, expect, it } from 'vitest';
import { jqlDateTime, parseCursor, searchJql } from './jql.js';

describe('searchJql', () => {
  it('reads the cursor back by the look-back and down to the minute, in the user’s zone', () => {
    const cursorMs = parseCursor('2026-07-01T10:00:30.500000Z');
    expect(searchJql({ filter: 'project = OPS', cursorMs, lookbackMinutes: 5, timeZone: 'Europe/Prague' })).toBe(
      '(project = OPS) AND updated >= "2026-07-01 11:55" ORDER BY updated ASC',
    );
    expect(searchJql({ filter: undefined, cursorMs, lookbackMinutes: 0, timeZone: 'America/New_York' })).toBe('updated >= "2026-07-01 06:00" ORDER BY updated ASC');
  });

  it('bounds the search without a cursor and keeps far-future cursors four-digit', () => {
    expect(searchJql({ filter: undefined, cursorMs: undefined, lookbackMinutes: 5, timeZone: 'UTC' })).toBe('updated >= "1970-01-02 00:00" ORDER BY updated ASC');
    expect(searchJql({ filter: undefined, cursorMs: parseCursor('9999-12-31T23:59:59.999999Z'), lookbackMinutes: 0, timeZone: 'Pacific/Kiritimati' })).toMatch(/^updated >= "9999-/);
  });
});

describe('jqlDateTime and parseCursor', () => {
  it('follows daylight saving time', () => {
    expect(jqlDateTime(Date.UTC(2026, 0, 15, 9, 30, 42), 'Europe/Prague')).toBe('2026-01-15 10:30');
    expect(jqlDateTime(Date.UTC(2026, 6, 15, 9, 30, 42), 'Europe/Prague')).toBe('2026-07-15 11:30');
  });

  it('reads a naive cursor as UTC and refuses garbage', () => {
    expect(parseCursor('2026-01-01T10:00:00.000000')).toBe(Date.UTC(2026, 0, 1, 10));
    expect(() => parseCursor('yesterday')).toThrow(/not an ISO 8601 timestamp/);
    expect(() => jqlDateTime(0, 'Mars/Olympus')).toThrow(/time zone "Mars\/Olympus"/);
  });
});
