import { and, asc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { resourceGrants } from '../schema/access.js';
import { tableProfiles, tableRegistry, userSyncSettings } from '../schema/registry.js';
import { syncHistory, syncState } from '../schema/sync.js';
import { found, oneOf } from './records.js';

/** How a sync merges new rows into a table. */
export type SyncStrategy = 'replace' | 'append' | 'upsert';

/** Where queries of a table run: the local parquet copy or the source warehouse. */
export type QueryMode = 'local' | 'remote';

const STRATEGIES: readonly SyncStrategy[] = ['replace', 'append', 'upsert'];
const QUERY_MODES: readonly QueryMode[] = ['local', 'remote'];

/** A published table. */
export interface RegisteredTable {
  /** The published view name. */
  readonly id: string;
  readonly source: string;
  readonly sourceTable: string | null;
  readonly query: string | null;
  readonly strategy: SyncStrategy;
  readonly queryMode: QueryMode;
  readonly schedule: string | null;
  /** Column names; empty when the table has none. */
  readonly primaryKey: string[];
  readonly description: string | null;
  readonly config: Record<string, unknown> | null;
  readonly registeredBy: string | null;
  readonly registeredAt: Date;
  readonly updatedAt: Date | null;
}

/** Input of {@link RegistryRepository.register}. */
export interface NewRegisteredTable {
  readonly id: string;
  readonly source: string;
  readonly sourceTable?: string | null | undefined;
  readonly query?: string | null | undefined;
  /** Default `replace`. */
  readonly strategy?: SyncStrategy | undefined;
  /** Default `local`. */
  readonly queryMode?: QueryMode | undefined;
  readonly schedule?: string | null | undefined;
  readonly primaryKey?: readonly string[] | undefined;
  readonly description?: string | null | undefined;
  readonly config?: Record<string, unknown> | null | undefined;
  readonly registeredBy?: string | null | undefined;
}

/** Changes accepted by {@link RegistryRepository.update}. */
export type RegisteredTableChanges = Partial<Omit<NewRegisteredTable, 'id' | 'registeredBy'>>;

/** The table registry. */
export interface RegistryRepository {
  /** `conflict` when the id is taken; `invalid` for an upsert table without a primary key. */
  register(input: NewRegisteredTable): Promise<RegisteredTable>;
  update(id: string, changes: RegisteredTableChanges): Promise<RegisteredTable>;
  /** Removes the table with its sync state, history, profile, subscriptions and grants. */
  remove(id: string): Promise<void>;
  get(id: string): Promise<RegisteredTable | undefined>;
  /** By id, optionally of one source. */
  list(options?: { readonly source?: string | undefined }): Promise<RegisteredTable[]>;
}

type Row = typeof tableRegistry.$inferSelect;

function toTable(row: Row): RegisteredTable {
  return {
    ...row,
    strategy: row.strategy as SyncStrategy,
    queryMode: row.queryMode as QueryMode,
    primaryKey: row.primaryKey ?? [],
  };
}

function checked<T extends RegisteredTableChanges>(input: T, current?: RegisteredTable): T {
  if (input.strategy !== undefined) oneOf(input.strategy, STRATEGIES, 'strategy');
  if (input.queryMode !== undefined) oneOf(input.queryMode, QUERY_MODES, 'query mode');
  const strategy = input.strategy ?? current?.strategy ?? 'replace';
  const primaryKey = input.primaryKey ?? current?.primaryKey ?? [];
  if (strategy === 'upsert' && primaryKey.length === 0) {
    throw new SystemDbError('invalid', 'an upsert table needs a primary key (primaryKey: ["id"])');
  }
  return input;
}

/** Builds the registry repository on a session. */
export function registryRepository(session: Session): RegistryRepository {
  const get = async (on: Session, id: string) => {
    const [row] = await on.db.select().from(tableRegistry).where(eq(tableRegistry.id, id));
    return row === undefined ? undefined : toTable(row);
  };
  return {
    async register(input) {
      checked(input);
      return session.withTransaction(async (tx) => {
        if (await get(tx, input.id)) throw new SystemDbError('conflict', `a table named ${input.id} is already registered`);
        const [created] = await tx.db
          .insert(tableRegistry)
          .values({
            id: input.id,
            source: input.source,
            sourceTable: input.sourceTable ?? null,
            query: input.query ?? null,
            strategy: input.strategy ?? 'replace',
            queryMode: input.queryMode ?? 'local',
            schedule: input.schedule ?? null,
            primaryKey: [...(input.primaryKey ?? [])],
            description: input.description ?? null,
            config: input.config ?? null,
            registeredBy: input.registeredBy ?? null,
          })
          .returning();
        return toTable(found(created, 'the registered table'));
      });
    },

    async update(id, changes) {
      return session.withTransaction(async (tx) => {
        checked(changes, found(await get(tx, id), `table ${id}`));
        const { primaryKey, ...rest } = changes;
        const [updated] = await tx.db
          .update(tableRegistry)
          .set({ ...rest, ...(primaryKey === undefined ? {} : { primaryKey: [...primaryKey] }), updatedAt: new Date() })
          .where(eq(tableRegistry.id, id))
          .returning();
        return toTable(found(updated, `table ${id}`));
      });
    },

    async remove(id) {
      await session.withTransaction(async (tx) => {
        found(await get(tx, id), `table ${id}`);
        await tx.db.delete(syncState).where(eq(syncState.tableId, id));
        await tx.db.delete(syncHistory).where(eq(syncHistory.tableId, id));
        await tx.db.delete(tableProfiles).where(eq(tableProfiles.tableId, id));
        await tx.db.delete(userSyncSettings).where(eq(userSyncSettings.tableId, id));
        await tx.db.delete(resourceGrants).where(and(eq(resourceGrants.resourceType, 'table'), eq(resourceGrants.resourceId, id)));
        await tx.db.delete(tableRegistry).where(eq(tableRegistry.id, id));
      });
    },

    get: (id) => get(session, id),

    async list(options = {}) {
      const rows = await session.db
        .select()
        .from(tableRegistry)
        .where(options.source === undefined ? undefined : eq(tableRegistry.source, options.source))
        .orderBy(asc(tableRegistry.id));
      return rows.map(toTable);
    },
  };
}
