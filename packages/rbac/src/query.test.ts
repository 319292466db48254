import { describe, it, expect } from 'vitest';
import type { AccessContext, Principal } from './model.js';
import { accessDeniedMessage, authorizeQuery, INACTIVE_MESSAGE } from './query.js';

const user = (groups: string[], active = true): Principal => ({ userId: 'u', active, groups });
const ctx: AccessContext = {
  adminGroupId: 'Admin',
  grants: [
    { groupId: 'finance', resourceType: 'table', resourceId: 'orders' },
    { groupId: 'hr', resourceType: 'table', resourceId: 'salaries' },
  ],
};

describe('authorizeQuery', () => {
  it('allows a query whose every table is granted', () => {
    expect(authorizeQuery(user(['finance']), ['orders', 'ORDERS'], ctx)).toEqual({ allowed: true });
  });

  it('allows an admin any table, including one that does not exist', () => {
    expect(authorizeQuery(user(['Admin']), ['salaries', 'nope'], ctx)).toEqual({ allowed: true });
  });

  it('refuses a query touching a forbidden table and names only that table', () => {
    expect(authorizeQuery(user(['finance']), ['orders', 'salaries'], ctx)).toEqual({
      allowed: false,
      reason: 'forbidden',
      denied: ['salaries'],
      message: 'table "salaries" does not exist or you have no access to it',
    });
  });

  it('refuses an unknown table exactly like one that exists but is not granted', () => {
    const existsElsewhere = authorizeQuery(user(['finance']), ['salaries'], ctx);
    const unknown = authorizeQuery(user(['finance']), ['salaries'], { ...ctx, grants: [] });
    expect(unknown).toEqual(existsElsewhere);
    expect(unknown).toEqual({
      allowed: false,
      reason: 'forbidden',
      denied: ['salaries'],
      message: 'table "salaries" does not exist or you have no access to it',
    });
  });

  it('lists each denied table once, first spelling kept, in query order', () => {
    const d = authorizeQuery(user(['finance']), ['Salaries', 'orders', 'zeta', 'SALARIES', 'alpha'], ctx);
    expect(d).toEqual({
      allowed: false,
      reason: 'forbidden',
      denied: ['Salaries', 'zeta', 'alpha'],
      message: 'tables "Salaries", "zeta", "alpha" do not exist or you have no access to them',
    });
  });

  it('allows a query that references no table for an active user', () => {
    expect(authorizeQuery(user([]), [], ctx)).toEqual({ allowed: true });
  });

  it('refuses a deactivated principal everything, even an admin and even a table-less query', () => {
    expect(authorizeQuery(user(['Admin'], false), ['orders'], ctx)).toEqual({
      allowed: false,
      reason: 'inactive',
      denied: ['orders'],
      message: INACTIVE_MESSAGE,
    });
    expect(authorizeQuery(user(['finance'], false), [], ctx)).toMatchObject({ allowed: false, reason: 'inactive', denied: [] });
  });
});

describe('accessDeniedMessage', () => {
  it('uses the singular form for one table', () => {
    expect(accessDeniedMessage(['x'])).toBe('table "x" does not exist or you have no access to it');
  });

  it('escapes quotes so a crafted name cannot forge the message', () => {
    expect(accessDeniedMessage(['a" or "b'])).toBe('table "a\\" or \\"b" does not exist or you have no access to it');
  });
});
