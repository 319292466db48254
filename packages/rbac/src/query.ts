import { admitsTable, resolveTableAccess } from './access.js';
import type { AccessContext, Principal, QueryDecision } from './model.js';
import { normalizeTableId } from './table-id.js';

/**
 * The refusal message for tables a caller may not read. It depends only on the names,
 * never on whether the tables exist, so a refusal does not reveal which tables exist.
 *
 * @example
 * accessDeniedMessage(['x']); // 'table "x" does not exist or you have no access to it'
 * accessDeniedMessage(['x', 'y']); // 'tables "x", "y" do not exist or you have no access to them'
 */
export function accessDeniedMessage(tables: readonly string[]): string {
  const names = tables.map((t) => JSON.stringify(t)).join(', ');
  return tables.length === 1
    ? `table ${names} does not exist or you have no access to it`
    : `tables ${names} do not exist or you have no access to them`;
}

/** The refusal message for a deactivated principal. */
export const INACTIVE_MESSAGE = 'this account is deactivated';

/**
 * Decides whether a query that references `referencedTables` may run. Allowed iff the
 * principal is active and every referenced table is visible to them (see
 * {@link visibleTables}); admins may reference any table, including ones that do not
 * exist (the engine then reports it). Otherwise `denied` lists the tables they may not
 * read and `message` is {@link accessDeniedMessage} of them: a table that does not exist
 * and one that is forbidden are refused identically. A deactivated principal is always
 * refused (`reason: 'inactive'`), even for a query that references no table.
 *
 * `referencedTables` must come from the engine's own parser (DuckDB's), not from a
 * regular expression over the SQL text. Ids compare case-insensitively.
 *
 * @example
 * const ctx = { adminGroupId: 'Admin', grants: [{ groupId: 'finance', resourceType: 'table', resourceId: 'orders' }] };
 * const analyst = { userId: 'u2', active: true, groups: ['finance'] };
 * authorizeQuery(analyst, ['orders'], ctx); // { allowed: true }
 * authorizeQuery(analyst, ['orders', 'salaries'], ctx);
 * // { allowed: false, reason: 'forbidden', denied: ['salaries'],
 * //   message: 'table "salaries" does not exist or you have no access to it' }
 */
export function authorizeQuery(
  principal: Principal,
  referencedTables: readonly string[],
  ctx: AccessContext,
): QueryDecision {
  const referenced = dedupeTables(referencedTables);
  if (!principal.active) {
    return { allowed: false, reason: 'inactive', denied: referenced, message: INACTIVE_MESSAGE };
  }
  const access = resolveTableAccess(principal, ctx);
  const denied = referenced.filter((t) => !admitsTable(access, t));
  if (denied.length === 0) return { allowed: true };
  return { allowed: false, reason: 'forbidden', denied, message: accessDeniedMessage(denied) };
}

/** Drops repeated references (case-insensitively), keeping the first spelling and order. */
function dedupeTables(tables: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of tables) {
    const key = normalizeTableId(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}
