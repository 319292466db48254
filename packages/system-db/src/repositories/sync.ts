import { asc, desc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { syncHistory, syncState } from '../schema/sync.js';
import { found, oneOf, pageSize } from './records.js';
import type { QueryMode } from './registry.js';

/** How a sync run of one table ended. */
export type SyncOutcome = 'ok' | 'failed' | 'skipped';

const OUTCOMES: readonly SyncOutcome[] = ['ok', 'failed', 'skipped'];

/** A table after its last successful sync. */
export interface SyncState {
  readonly tableId: string;
  readonly lastSyncAt: Date;
  readonly rows: number | null;
  readonly sizeBytes: number | null;
  readonly contentHash: string | null;
  readonly queryMode: QueryMode | null;
  /** The table's schema as the extract's `_meta.schema_json` holds it. */
  readonly schema: unknown;
}

/** One sync run of one table. */
export interface SyncRun {
  readonly id: number;
  readonly tableId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: SyncOutcome;
  readonly reason: string | null;
  readonly rows: number | null;
}

/** Input of {@link SyncRepository.recordRun}. */
export interface NewSyncRun {
  readonly tableId: string;
  readonly startedAt: Date;
  readonly finishedAt?: Date | null | undefined;
  readonly outcome: SyncOutcome;
  /** Why it failed or was skipped. */
  readonly reason?: string | null | undefined;
  readonly rows?: number | null | undefined;
  /** For an `ok` run: the published table's facts, stored as its sync state. */
  readonly state?:
    | {
        readonly sizeBytes?: number | null | undefined;
        readonly contentHash?: string | null | undefined;
        readonly queryMode?: QueryMode | null | undefined;
        readonly schema?: unknown;
      }
    | undefined;
}

/** Sync state and history. */
export interface SyncRepository {
  /**
   * Appends a run to the history; an `ok` run also replaces the table's sync state
   * (in the same transaction), failed and skipped runs leave the last good state.
   */
  recordRun(run: NewSyncRun): Promise<SyncRun>;
  getState(tableId: string): Promise<SyncState | undefined>;
  /** Every table's state, by table id. */
  listStates(): Promise<SyncState[]>;
  /** The latest run of each table, by table id. */
  latestRuns(): Promise<SyncRun[]>;
  /** Runs newest first, of one table or all; default limit 50. */
  history(options?: { readonly tableId?: string | undefined; readonly limit?: number | undefined }): Promise<SyncRun[]>;
}

function toRun(row: typeof syncHistory.$inferSelect): SyncRun {
  return { ...row, outcome: row.outcome as SyncOutcome };
}

function toState(row: typeof syncState.$inferSelect): SyncState {
  const { schemaJson, queryMode, ...rest } = row;
  return { ...rest, queryMode: queryMode as QueryMode | null, schema: schemaJson ?? null };
}

/** Builds the sync repository on a session. */
export function syncRepository(session: Session): SyncRepository {
  return {
    async recordRun(run) {
      oneOf(run.outcome, OUTCOMES, 'outcome');
      if (run.rows !== undefined && run.rows !== null && (!Number.isInteger(run.rows) || run.rows < 0)) {
        throw new SystemDbError('invalid', `rows must be a non-negative integer (got ${run.rows})`);
      }
      return session.withTransaction(async (tx) => {
        const [created] = await tx.db
          .insert(syncHistory)
          .values({
            tableId: run.tableId,
            startedAt: run.startedAt,
            finishedAt: run.finishedAt ?? null,
            outcome: run.outcome,
            reason: run.reason ?? null,
            rows: run.rows ?? null,
          })
          .returning();
        if (run.outcome === 'ok') {
          const state = {
            lastSyncAt: run.finishedAt ?? run.startedAt,
            rows: run.rows ?? null,
            sizeBytes: run.state?.sizeBytes ?? null,
            contentHash: run.state?.contentHash ?? null,
            queryMode: run.state?.queryMode ?? null,
            schemaJson: run.state?.schema ?? null,
          };
          await tx.db
            .insert(syncState)
            .values({ tableId: run.tableId, ...state })
            .onConflictDoUpdate({ target: syncState.tableId, set: state });
        }
        return toRun(found(created, 'the recorded run'));
      });
    },

    async getState(tableId) {
      const [row] = await session.db.select().from(syncState).where(eq(syncState.tableId, tableId));
      return row === undefined ? undefined : toState(row);
    },

    async listStates() {
      return (await session.db.select().from(syncState).orderBy(asc(syncState.tableId))).map(toState);
    },

    async latestRuns() {
      const rows = await session.db
        .selectDistinctOn([syncHistory.tableId])
        .from(syncHistory)
        .orderBy(asc(syncHistory.tableId), desc(syncHistory.startedAt), desc(syncHistory.id));
      return rows.map(toRun);
    },

    async history(options = {}) {
      const rows = await session.db
        .select()
        .from(syncHistory)
        .where(options.tableId === undefined ? undefined : eq(syncHistory.tableId, options.tableId))
        .orderBy(desc(syncHistory.startedAt), desc(syncHistory.id))
        .limit(pageSize(options.limit, 50));
      return rows.map(toRun);
    },
  };
}
