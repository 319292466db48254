import { admitsTable, resolveTableAccess } from '@agnes/rbac';
import type { Caller } from '../http/env.js';
import type { PublishedTable, PublishedTables } from './published-tables.js';

/** The published tables the caller may read (all for admins). */
export async function visibleTo(caller: Caller, tables: PublishedTables): Promise<PublishedTable[]> {
  const access = resolveTableAccess(caller.principal, await caller.access());
  return tables.list().filter((t) => admitsTable(access, t.table));
}

/**
 * The published table `id` if the caller may read it. A table that does not exist and
 * one the caller may not read give the same undefined, so a 404 tells nothing.
 */
export async function readableTable(caller: Caller, tables: PublishedTables, id: string): Promise<PublishedTable | undefined> {
  const table = tables.get(id);
  if (!table) return undefined;
  const access = resolveTableAccess(caller.principal, await caller.access());
  return admitsTable(access, table.table) ? table : undefined;
}
