import { RecordError } from '@agnes/connector-kit';

/** A JSON object as Jira sends it; every field is looked at defensively. */
export type Json = Record<string, unknown>;

/** The value as an object, or undefined. */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** The value as an array of objects (non-objects dropped), or []. */
export function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(obj).filter((o): o is Json => o !== undefined) : [];
}

/** A string, or null for anything else. */
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** A string or number as text (Jira spells changelog `from`/`to` either way), else null. */
export function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A boolean, or null. */
export function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/**
 * A Jira id (a numeric string such as "10073", or a number) as an exact bigint, or
 * null when absent. A present but non-numeric id is a RecordError naming `what`.
 */
export function optionalId(v: unknown, what: string): bigint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) return BigInt(v);
  throw new RecordError(`${what} is not a numeric id: ${JSON.stringify(v).slice(0, 40)}`);
}

/** Like {@link optionalId}, but absence is a RecordError too. */
export function requiredId(v: unknown, what: string): bigint {
  const id = optionalId(v, what);
  if (id === null) throw new RecordError(`${what} is missing`);
  return id;
}

/**
 * Milliseconds since the epoch of a Jira timestamp (`2026-01-20T15:58:12.797+1100`,
 * ISO 8601 with `Z` or `+hh:mm`, or epoch milliseconds), or null when absent. A
 * present but unreadable value is a RecordError naming `what`.
 */
export function optionalTime(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    // Jira writes offsets without a colon (+1100), which ISO 8601 parsers reject.
    const iso = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN;
    if (!Number.isNaN(ms)) return ms;
  }
  throw new RecordError(`${what} is not a timestamp: ${JSON.stringify(v).slice(0, 40)}`);
}

/** A Jira date (`2026-02-01`) as a UTC midnight Date, or null. */
export function optionalDate(v: unknown, what: string): Date | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(`${v}T00:00:00Z`);
  throw new RecordError(`${what} is not a date: ${JSON.stringify(v).slice(0, 40)}`);
}

/** The `name` (or `value`) of each object in a list, e.g. components or fix versions. */
export function names(v: unknown): string[] {
  return objects(v)
    .map((o) => str(o.name) ?? str(o.value))
    .filter((s): s is string => s !== null);
}

/** A list of strings (labels), or []. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}
