import { timestamp } from 'drizzle-orm/pg-core';

/**
 * Every instant in the system database is `timestamptz` (DuckDB: `TIMESTAMP WITH TIME
 * ZONE`) read back as a `Date`, so both backends compare and order them the same way.
 */
export function instant(name: string) {
  return timestamp(name, { withTimezone: true, mode: 'date' });
}
