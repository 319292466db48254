import { asc, desc, eq } from 'drizzle-orm';
import type { Session } from '../backends/session.js';
import { SystemDbError } from '../errors/system-db-error.js';
import { knowledgeItems, knowledgeVotes } from '../schema/knowledge.js';
import { found, newId, oneOf } from './records.js';

/** Review state of a knowledge item. */
export type KnowledgeStatus = 'pending' | 'approved' | 'mandatory' | 'rejected';

const STATUSES: readonly KnowledgeStatus[] = ['pending', 'approved', 'mandatory', 'rejected'];

/** A corporate-memory item. */
export interface KnowledgeItem {
  readonly id: string;
  readonly title: string;
  readonly content: string | null;
  readonly category: string | null;
  readonly tags: string[];
  readonly status: KnowledgeStatus;
  readonly sourceUser: string | null;
  readonly audience: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

/** Input of {@link KnowledgeRepository.insert}. */
export interface NewKnowledgeItem {
  readonly title: string;
  readonly content?: string | null | undefined;
  readonly category?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
  /** Default `pending`. */
  readonly status?: KnowledgeStatus | undefined;
  readonly sourceUser?: string | null | undefined;
  readonly audience?: string | null | undefined;
}

/** A user's vote on an item. */
export interface KnowledgeVote {
  readonly itemId: string;
  readonly userId: string;
  readonly vote: 1 | -1;
  readonly votedAt: Date;
}

/** Corporate memory: a minimal store of items and votes. */
export interface KnowledgeRepository {
  insert(item: NewKnowledgeItem): Promise<KnowledgeItem>;
  /** Newest first, optionally of one status. */
  list(options?: { readonly status?: KnowledgeStatus | undefined }): Promise<KnowledgeItem[]>;
  /** Casts or changes a user's vote; `not_found` for an unknown item. */
  vote(itemId: string, userId: string, vote: 1 | -1): Promise<KnowledgeVote>;
  /** Votes on an item, by user id. */
  votes(itemId: string): Promise<KnowledgeVote[]>;
}

function toItem(row: typeof knowledgeItems.$inferSelect): KnowledgeItem {
  return { ...row, tags: row.tags ?? [], status: row.status as KnowledgeStatus };
}

/** Builds the knowledge repository on a session. */
export function knowledgeRepository(session: Session): KnowledgeRepository {
  return {
    async insert(item) {
      if (item.title.trim().length === 0) throw new SystemDbError('invalid', 'a knowledge item needs a title');
      const [created] = await session.db
        .insert(knowledgeItems)
        .values({
          id: newId(),
          title: item.title,
          content: item.content ?? null,
          category: item.category ?? null,
          tags: [...(item.tags ?? [])],
          status: oneOf(item.status ?? 'pending', STATUSES, 'status'),
          sourceUser: item.sourceUser ?? null,
          audience: item.audience ?? null,
        })
        .returning();
      return toItem(found(created, 'the knowledge item'));
    },

    async list(options = {}) {
      const rows = await session.db
        .select()
        .from(knowledgeItems)
        .where(options.status === undefined ? undefined : eq(knowledgeItems.status, options.status))
        .orderBy(desc(knowledgeItems.createdAt), asc(knowledgeItems.id));
      return rows.map(toItem);
    },

    async vote(itemId, userId, vote) {
      if (vote !== 1 && vote !== -1) throw new SystemDbError('invalid', `a vote is 1 or -1 (got ${String(vote)})`);
      return session.withTransaction(async (tx) => {
        found((await tx.db.select({ id: knowledgeItems.id }).from(knowledgeItems).where(eq(knowledgeItems.id, itemId)))[0], `knowledge item ${itemId}`);
        const votedAt = new Date();
        await tx.db
          .insert(knowledgeVotes)
          .values({ itemId, userId, vote, votedAt })
          .onConflictDoUpdate({ target: [knowledgeVotes.itemId, knowledgeVotes.userId], set: { vote, votedAt } });
        return { itemId, userId, vote, votedAt };
      });
    },

    async votes(itemId) {
      const rows = await session.db.select().from(knowledgeVotes).where(eq(knowledgeVotes.itemId, itemId)).orderBy(asc(knowledgeVotes.userId));
      return rows.map((r) => ({ ...r, vote: r.vote === 1 ? 1 : -1 }));
    },
  };
}
