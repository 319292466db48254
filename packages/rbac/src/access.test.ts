import { describe, it, expect } from 'vitest';
import { admitsTable, canAccess, isAdmin, resolveTableAccess, visibleTables } from './access.js';
import type { AccessContext, Grant, Principal } from './model.js';
import { ADMIN_GROUP, EVERYONE_GROUP } from './model.js';

const grant = (groupId: string, resourceId: string, resourceType = 'table'): Grant => ({
  groupId,
  resourceType,
  resourceId,
});
const user = (groups: string[], active = true): Principal => ({ userId: 'u', active, groups });

const ctx: AccessContext = {
  adminGroupId: ADMIN_GROUP,
  grants: [grant('finance', 'orders'), grant('finance', 'Invoices'), grant('hr', 'salaries'), grant('finance', 'dash-1', 'dashboard')],
};

describe('isAdmin', () => {
  it('is true for an active member of the admin group', () => {
    expect(isAdmin(user(['Admin', 'finance']), ctx)).toBe(true);
  });

  it('is false without admin-group membership, whatever else the user holds', () => {
    expect(isAdmin(user(['finance', EVERYONE_GROUP]), ctx)).toBe(false);
  });

  it('is false for a deactivated member of the admin group', () => {
    expect(isAdmin(user(['Admin'], false), ctx)).toBe(false);
  });

  it('uses the configured admin group key, compared exactly', () => {
    const byId: AccessContext = { adminGroupId: 'g-0001', grants: [] };
    expect(isAdmin(user(['g-0001']), byId)).toBe(true);
    expect(isAdmin(user(['Admin']), byId)).toBe(false);
    expect(isAdmin(user(['admin']), ctx)).toBe(false);
  });
});

describe('canAccess', () => {
  it('lets an admin access any resource, granted or not', () => {
    expect(canAccess(user(['Admin']), 'table', 'no_such_table', ctx)).toBe(true);
    expect(canAccess(user(['Admin']), 'dashboard', 'anything', ctx)).toBe(true);
  });

  it('lets an analyst access a table granted to one of their groups', () => {
    expect(canAccess(user(['finance']), 'table', 'orders', ctx)).toBe(true);
    expect(canAccess(user(['marketing', 'hr']), 'table', 'salaries', ctx)).toBe(true);
  });

  it('refuses a table granted only to a group the analyst is not in', () => {
    expect(canAccess(user(['finance']), 'table', 'salaries', ctx)).toBe(false);
  });

  it('gives nothing through Everyone unless a grant names Everyone', () => {
    expect(canAccess(user([EVERYONE_GROUP]), 'table', 'orders', ctx)).toBe(false);
    const open: AccessContext = { ...ctx, grants: [...ctx.grants, grant(EVERYONE_GROUP, 'calendar')] };
    expect(canAccess(user([EVERYONE_GROUP]), 'table', 'calendar', open)).toBe(true);
    expect(canAccess(user(['finance']), 'table', 'calendar', open)).toBe(false);
  });

  it('refuses a user with no groups', () => {
    expect(canAccess(user([]), 'table', 'orders', ctx)).toBe(false);
  });

  it('refuses a deactivated analyst their granted tables', () => {
    expect(canAccess(user(['finance'], false), 'table', 'orders', ctx)).toBe(false);
  });

  it('compares table ids case-insensitively in both the grant and the request', () => {
    expect(canAccess(user(['finance']), 'table', 'ORDERS', ctx)).toBe(true);
    expect(canAccess(user(['finance']), 'table', 'invoices', ctx)).toBe(true);
  });

  it('compares ids of other resource types exactly', () => {
    expect(canAccess(user(['finance']), 'dashboard', 'dash-1', ctx)).toBe(true);
    expect(canAccess(user(['finance']), 'dashboard', 'DASH-1', ctx)).toBe(false);
  });

  it('does not let a grant of one resource type stand in for another', () => {
    expect(canAccess(user(['finance']), 'table', 'dash-1', ctx)).toBe(false);
    expect(canAccess(user(['finance']), 'dashboard', 'orders', ctx)).toBe(false);
  });
});

describe('visibleTables', () => {
  const tables = ['Orders', 'invoices', 'salaries', 'customers'];

  it('returns every table to an admin', () => {
    expect(visibleTables(user(['Admin']), tables, ctx)).toEqual(tables);
  });

  it('returns nothing to a deactivated principal, admin or not', () => {
    expect(visibleTables(user(['Admin'], false), tables, ctx)).toEqual([]);
    expect(visibleTables(user(['finance'], false), tables, ctx)).toEqual([]);
  });

  it('returns the granted tables in input order, with the caller’s spelling', () => {
    expect(visibleTables(user(['finance']), tables, ctx)).toEqual(['Orders', 'invoices']);
  });

  it('filters objects by id and returns the same objects', () => {
    const rows = [{ id: 'salaries', rows: 3 }, { id: 'orders', rows: 9 }];
    const visible = visibleTables(user(['finance']), rows, ctx);
    expect(visible).toEqual([{ id: 'orders', rows: 9 }]);
    expect(visible[0]).toBe(rows[1]);
  });

  it('ignores table grants held by groups the user is not in', () => {
    expect(visibleTables(user(['marketing']), tables, ctx)).toEqual([]);
  });

  it('filters 2,000 tables against 1,000 grants to exactly the granted ones', () => {
    const many = Array.from({ length: 2000 }, (_, i) => `t_${i}`);
    const grants = Array.from({ length: 1000 }, (_, i) => grant(i % 2 === 0 ? 'mine' : 'other', `T_${i * 2}`));
    const visible = visibleTables(user(['mine']), many, { adminGroupId: ADMIN_GROUP, grants });
    const expected = many.filter((_, i) => i % 4 === 0);
    expect(visible).toEqual(expected);
  });
});

describe('resolveTableAccess / admitsTable', () => {
  it('resolves once and then answers per table like canAccess', () => {
    const access = resolveTableAccess(user(['finance']), ctx);
    expect(access.kind).toBe('granted');
    expect(admitsTable(access, 'ORDERS')).toBe(true);
    expect(admitsTable(access, 'salaries')).toBe(false);
  });

  it('resolves to all for an admin and none for a deactivated principal', () => {
    expect(resolveTableAccess(user(['Admin']), ctx)).toEqual({ kind: 'all' });
    expect(resolveTableAccess(user(['Admin'], false), ctx)).toEqual({ kind: 'none' });
  });
});
