import { ConfigError } from '@agnes/connector-kit';

/**
 * The instant of an `incrementalValue` (`2026-01-01T10:00:00.000000Z`; a value
 * without a zone is read as UTC, which is how the runtime spells UTC columns).
 */
export function parseCursor(value: string): number {
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new ConfigError(`incrementalValue ${JSON.stringify(value)} is not an ISO 8601 timestamp`);
  return ms;
}

/**
 * A JQL date-time literal (`yyyy-MM-dd HH:mm`) for an instant, in `timeZone`.
 * JQL compares at minute precision in the time zone of the user running the query,
 * so the literal is that user's wall-clock minute, rounded down.
 *
 * @example
 * jqlDateTime(Date.UTC(2026, 0, 15, 9, 30, 42), 'Europe/Prague'); // '2026-01-15 10:30'
 */
export function jqlDateTime(ms: number, timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(ms));
  } catch (error) {
    throw new ConfigError(`Jira reported the time zone ${JSON.stringify(timeZone)}, which this runtime does not know`, { cause: error });
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** Where a search starts when there is no cursor: the new search API refuses unbounded JQL. */
const BEGINNING = Date.UTC(1970, 0, 2);
/** JQL dates have four-digit years; a later cursor (a far-future sentinel) still matches nothing. */
const END = Date.UTC(9999, 11, 30);

/**
 * The search JQL: the config filter (parenthesised) ANDed with `updated >= "<cursor>"`,
 * ordered by `updated`. The cursor is moved back by `lookbackMinutes` and rounded
 * down to the minute, so every issue updated at or after the cursor is read again
 * (ties and sub-minute times included); the runtime dedupes the re-read rows by key.
 *
 * @example
 * searchJql({ filter: 'project = OPS', cursorMs, lookbackMinutes: 5, timeZone: 'UTC' });
 * // '(project = OPS) AND updated >= "2026-01-15 09:25" ORDER BY updated ASC'
 */
export function searchJql(args: { filter: string | undefined; cursorMs: number | undefined; lookbackMinutes: number; timeZone: string }): string {
  const from =
    args.cursorMs === undefined ? BEGINNING : Math.min(END, Math.max(BEGINNING, args.cursorMs - args.lookbackMinutes * 60_000));
  const clause = `updated >= "${jqlDateTime(from, args.timeZone)}"`;
  return `${args.filter ? `(${args.filter}) AND ` : ''}${clause} ORDER BY updated ASC`;
}
