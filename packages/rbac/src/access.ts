import type { AccessContext, Principal, ResourceType, TableRef } from './model.js';
import { TABLE_RESOURCE } from './model.js';
import { normalizeTableId, tableIdOf } from './table-id.js';

/**
 * Whether the principal is an administrator: active and a member of
 * `ctx.adminGroupId`. A deactivated admin is not an admin.
 *
 * @example
 * isAdmin({ userId: 'u1', active: true, groups: ['Admin'] }, { grants: [], adminGroupId: 'Admin' }); // true
 */
export function isAdmin(principal: Principal, ctx: AccessContext): boolean {
  return principal.active && principal.groups.includes(ctx.adminGroupId);
}

/**
 * Whether the principal may access one resource. Admins may access everything; anyone
 * else needs a grant of exactly this resource type and id to one of their groups.
 * There is no implicit access, not even through `Everyone`. Deactivated principals get
 * nothing. Table ids (`resourceType === 'table'`) compare case-insensitively (see
 * {@link normalizeTableId}); ids of other resource types compare exactly.
 *
 * Runs in O(grants); to filter many tables use {@link visibleTables}.
 *
 * @example
 * const ctx = { adminGroupId: 'Admin', grants: [{ groupId: 'finance', resourceType: 'table', resourceId: 'orders' }] };
 * canAccess({ userId: 'u2', active: true, groups: ['finance'] }, 'table', 'ORDERS', ctx); // true
 * canAccess({ userId: 'u3', active: true, groups: ['Everyone'] }, 'table', 'orders', ctx); // false
 */
export function canAccess(
  principal: Principal,
  resourceType: ResourceType,
  resourceId: string,
  ctx: AccessContext,
): boolean {
  if (!principal.active) return false;
  if (isAdmin(principal, ctx)) return true;
  const isTable = resourceType === TABLE_RESOURCE;
  const wanted = isTable ? normalizeTableId(resourceId) : resourceId;
  const groups = new Set(principal.groups);
  return ctx.grants.some(
    (g) =>
      g.resourceType === resourceType &&
      groups.has(g.groupId) &&
      (isTable ? normalizeTableId(g.resourceId) : g.resourceId) === wanted,
  );
}

/**
 * How one principal's table access is decided, resolved once so that checking n tables
 * costs O(n + grants) rather than O(n × grants).
 */
export type TableAccess =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'granted'; readonly tables: ReadonlySet<string> };

/** Resolves the principal's table reach once; the keys of `tables` are normalized ids. */
export function resolveTableAccess(principal: Principal, ctx: AccessContext): TableAccess {
  if (!principal.active) return { kind: 'none' };
  if (isAdmin(principal, ctx)) return { kind: 'all' };
  const groups = new Set(principal.groups);
  const tables = new Set<string>();
  for (const g of ctx.grants) {
    if (g.resourceType === TABLE_RESOURCE && groups.has(g.groupId)) tables.add(normalizeTableId(g.resourceId));
  }
  return { kind: 'granted', tables };
}

/** Whether a resolved {@link TableAccess} admits the table. */
export function admitsTable(access: TableAccess, tableId: string): boolean {
  if (access.kind === 'all') return true;
  if (access.kind === 'none') return false;
  return access.tables.has(normalizeTableId(tableId));
}

/**
 * The tables the principal may read, in input order, as the same values that were passed
 * (ids or objects with an `id`). Admins get the whole list, deactivated principals an
 * empty one, everyone else the tables granted to one of their groups (ids compared
 * case-insensitively). Linear in tables + grants.
 *
 * @example
 * const ctx = { adminGroupId: 'Admin', grants: [{ groupId: 'finance', resourceType: 'table', resourceId: 'orders' }] };
 * const analyst = { userId: 'u2', active: true, groups: ['finance', 'Everyone'] };
 * visibleTables(analyst, ['Orders', 'customers'], ctx); // ['Orders']
 * visibleTables(analyst, [{ id: 'orders', rows: 10 }], ctx); // [{ id: 'orders', rows: 10 }]
 */
export function visibleTables<T extends TableRef>(principal: Principal, tables: readonly T[], ctx: AccessContext): T[] {
  const access = resolveTableAccess(principal, ctx);
  if (access.kind === 'all') return [...tables];
  if (access.kind === 'none') return [];
  return tables.filter((t) => access.tables.has(normalizeTableId(tableIdOf(t))));
}
