import { asc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { tableProfiles } from '../schema/registry.js';

/** The latest profile of a table. */
export interface TableProfile {
  readonly tableId: string;
  readonly profile: Record<string, unknown>;
  readonly updatedAt: Date;
}

/** Table profiles. */
export interface ProfilesRepository {
  /** Stores (or replaces) a table's profile. */
  put(tableId: string, profile: Record<string, unknown>): Promise<TableProfile>;
  get(tableId: string): Promise<TableProfile | undefined>;
  /** By table id. */
  list(): Promise<TableProfile[]>;
  /** False when there was none. */
  remove(tableId: string): Promise<boolean>;
}

/** Builds the profiles repository on a session. */
export function profilesRepository(session: Session): ProfilesRepository {
  return {
    async put(tableId, profile) {
      const updatedAt = new Date();
      const [row] = await session.db
        .insert(tableProfiles)
        .values({ tableId, profile, updatedAt })
        .onConflictDoUpdate({ target: tableProfiles.tableId, set: { profile, updatedAt } })
        .returning();
      return row ?? { tableId, profile, updatedAt };
    },

    async get(tableId) {
      return (await session.db.select().from(tableProfiles).where(eq(tableProfiles.tableId, tableId)))[0];
    },

    list: () => session.db.select().from(tableProfiles).orderBy(asc(tableProfiles.tableId)),

    async remove(tableId) {
      const removed = await session.db.delete(tableProfiles).where(eq(tableProfiles.tableId, tableId)).returning({ id: tableProfiles.tableId });
      return removed.length > 0;
    },
  };
}
