import { asc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { tableRegistry } from '../schema/registry.js';
import { sources } from '../schema/sources.js';
import { found } from './records.js';

/** A configured data source. */
export interface Source {
  readonly name: string;
  /** The connector package, e.g. `@agnes/connector-postgres`. */
  readonly connector: string;
  /** Connector config; never secrets (those are env-var names resolved by the host). */
  readonly config: Record<string, unknown>;
  /** Cron expression; null: manual only. */
  readonly schedule: string | null;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

/** Input of {@link SourcesRepository.create}. */
export interface NewSource {
  readonly name: string;
  readonly connector: string;
  readonly config?: Record<string, unknown> | undefined;
  readonly schedule?: string | null | undefined;
  readonly enabled?: boolean | undefined;
}

/** Changes accepted by {@link SourcesRepository.update}. */
export type SourceChanges = Partial<Pick<Source, 'connector' | 'config' | 'schedule' | 'enabled'>>;

/** Data sources. */
export interface SourcesRepository {
  /** `conflict` when the name is taken. */
  create(input: NewSource): Promise<Source>;
  get(name: string): Promise<Source | undefined>;
  /** By name. */
  list(): Promise<Source[]>;
  update(name: string, changes: SourceChanges): Promise<Source>;
  /** `conflict` while tables of the source are registered. */
  remove(name: string): Promise<void>;
}

/** Builds the sources repository on a session. */
export function sourcesRepository(session: Session): SourcesRepository {
  const get = async (on: Session, name: string) => (await on.db.select().from(sources).where(eq(sources.name, name)))[0];
  return {
    async create(input) {
      return session.withTransaction(async (tx) => {
        if (await get(tx, input.name)) throw new SystemDbError('conflict', `a source named ${input.name} already exists`);
        const [created] = await tx.db
          .insert(sources)
          .values({
            name: input.name,
            connector: input.connector,
            config: input.config ?? {},
            schedule: input.schedule ?? null,
            enabled: input.enabled ?? true,
          })
          .returning();
        return found(created, 'the created source');
      });
    },

    get: (name) => get(session, name),

    list: () => session.db.select().from(sources).orderBy(asc(sources.name)),

    async update(name, changes) {
      const [updated] = await session.db
        .update(sources)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(sources.name, name))
        .returning();
      return found(updated, `source ${name}`);
    },

    async remove(name) {
      await session.withTransaction(async (tx) => {
        found(await get(tx, name), `source ${name}`);
        const tables = await tx.db.select({ id: tableRegistry.id }).from(tableRegistry).where(eq(tableRegistry.source, name));
        if (tables.length > 0) {
          throw new SystemDbError('conflict', `source ${name} still has registered tables (${tables.map((t) => t.id).join(', ')}); remove them first`);
        }
        await tx.db.delete(sources).where(eq(sources.name, name));
      });
    },
  };
}
