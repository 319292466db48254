import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { auditLog } from '../schema/audit.js';
import { found, pageSize } from './records.js';

/** One audit entry. */
export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  /** User id (or a service name) that acted; null for the system itself. */
  readonly actor: string | null;
  /** Dotted verb, e.g. `user.deactivate`, `token.first_use_new_ip`. */
  readonly action: string;
  readonly target: string | null;
  readonly details: Record<string, unknown> | null;
}

/** Input of {@link AuditRepository.append}. */
export interface NewAuditEntry {
  readonly actor?: string | null | undefined;
  readonly action: string;
  readonly target?: string | null | undefined;
  readonly details?: Record<string, unknown> | null | undefined;
  /** Default: now. */
  readonly at?: Date | undefined;
}

/** Filters of {@link AuditRepository.listRecent}. */
export interface ListAuditOptions {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly target?: string | undefined;
  /** Only entries older than this (for paging back). */
  readonly before?: Date | undefined;
  /** Default 100, at most 1,000. */
  readonly limit?: number | undefined;
}

/** The append-only audit log. */
export interface AuditRepository {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first. */
  listRecent(options?: ListAuditOptions): Promise<AuditEntry[]>;
}

/** Builds the audit repository on a session. */
export function auditRepository(session: Session): AuditRepository {
  return {
    async append(entry) {
      if (entry.action.trim().length === 0) throw new SystemDbError('invalid', 'an audit entry needs an action');
      const [created] = await session.db
        .insert(auditLog)
        .values({
          action: entry.action,
          actor: entry.actor ?? null,
          target: entry.target ?? null,
          details: entry.details ?? null,
          ...(entry.at === undefined ? {} : { at: entry.at }),
        })
        .returning();
      return found(created, 'the audit entry');
    },

    async listRecent(options = {}) {
      const filters: SQL[] = [];
      if (options.actor !== undefined) filters.push(eq(auditLog.actor, options.actor));
      if (options.action !== undefined) filters.push(eq(auditLog.action, options.action));
      if (options.target !== undefined) filters.push(eq(auditLog.target, options.target));
      if (options.before !== undefined) filters.push(lt(auditLog.at, options.before));
      return session.db
        .select()
        .from(auditLog)
        .where(and(...filters))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(pageSize(options.limit, 100));
    },
  };
}
