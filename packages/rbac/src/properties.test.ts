import { describe, it, expect } from 'vitest';
import { canAccess, isAdmin, visibleTables } from './access.js';
import type { AccessContext, Grant, Principal } from './model.js';
import { ADMIN_GROUP, EVERYONE_GROUP } from './model.js';
import { accessDeniedMessage, authorizeQuery } from './query.js';

// Seeded so a failure reproduces: the failing seed is in the assertion message.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  principal: Principal;
  ctx: AccessContext;
  /** Tables that exist (the registry), in some spelling. */
  tables: string[];
  /** What a query references: existing, unknown and repeated names in mixed case. */
  referenced: string[];
}

const GROUPS = [ADMIN_GROUP, EVERYONE_GROUP, 'g0', 'g1', 'g2', 'g3', 'g4', 'g5'];
const NAMES = Array.from({ length: 16 }, (_, i) => `t${i}_data`);

function scenario(seed: number): Scenario {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const respell = (s: string) => [...s].map((c) => (rnd() < 0.3 ? c.toUpperCase() : c)).join('');

  // Admin membership is rarer than other groups, so most scenarios exercise grants.
  const groups = GROUPS.filter((g) => rnd() < (g === ADMIN_GROUP ? 0.15 : 0.35));
  const principal: Principal = { userId: `u${seed}`, active: rnd() < 0.8, groups };

  const existing = NAMES.filter(() => rnd() < 0.7);
  const grants: Grant[] = Array.from({ length: int(25) }, () => ({
    groupId: pick(GROUPS),
    // Non-table grants on table-like ids must never open a table.
    resourceType: rnd() < 0.85 ? 'table' : 'dashboard',
    // Grants may name tables that no longer exist.
    resourceId: respell(rnd() < 0.9 ? pick(NAMES) : `ghost_${int(3)}`),
  }));
  const tables = existing.map(respell);
  const referenced = Array.from({ length: int(7) }, () =>
    respell(rnd() < 0.75 ? pick(NAMES) : `unknown_${int(4)}`),
  );
  return { principal, ctx: { adminGroupId: ADMIN_GROUP, grants }, tables, referenced };
}

// Reference model: the rule as written, with nested loops and no sets.
function oracleSees(s: Scenario, table: string): boolean {
  if (!s.principal.active) return false;
  if (s.principal.groups.includes(ADMIN_GROUP)) return true;
  return s.ctx.grants.some(
    (g) =>
      g.resourceType === 'table' &&
      s.principal.groups.includes(g.groupId) &&
      g.resourceId.toLowerCase() === table.toLowerCase(),
  );
}

function firstSpellings(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) if (!out.some((o) => o.toLowerCase() === n.toLowerCase())) out.push(n);
  return out;
}

const RUNS = 500;
const scenarios = Array.from({ length: RUNS }, (_, i) => ({ seed: 1000 + i, s: scenario(1000 + i) }));

describe('access invariants over random users, groups and grants', () => {
  it('covers admins, inactive users, analysts, and allowed and refused queries', () => {
    const count = (f: (s: Scenario) => boolean) => scenarios.filter(({ s }) => f(s)).length;
    expect(count((s) => isAdmin(s.principal, s.ctx))).toBeGreaterThan(20);
    expect(count((s) => !s.principal.active)).toBeGreaterThan(20);
    expect(count((s) => s.principal.active && !isAdmin(s.principal, s.ctx) && visibleTables(s.principal, s.tables, s.ctx).length > 0)).toBeGreaterThan(50);
    expect(count((s) => s.referenced.length > 0 && authorizeQuery(s.principal, s.referenced, s.ctx).allowed)).toBeGreaterThan(20);
    expect(count((s) => !authorizeQuery(s.principal, s.referenced, s.ctx).allowed)).toBeGreaterThan(50);
  });

  it('shows an active admin every table and allows every query', () => {
    for (const { seed, s } of scenarios) {
      if (!isAdmin(s.principal, s.ctx)) continue;
      expect(visibleTables(s.principal, s.tables, s.ctx), `seed ${seed}`).toEqual(s.tables);
      expect(authorizeQuery(s.principal, s.referenced, s.ctx), `seed ${seed}`).toEqual({ allowed: true });
    }
  });

  it('gives an inactive principal nothing, whatever their groups', () => {
    for (const { seed, s } of scenarios) {
      if (s.principal.active) continue;
      expect(isAdmin(s.principal, s.ctx), `seed ${seed}`).toBe(false);
      expect(visibleTables(s.principal, s.tables, s.ctx), `seed ${seed}`).toEqual([]);
      for (const t of [...s.tables, ...s.referenced]) expect(canAccess(s.principal, 'table', t, s.ctx)).toBe(false);
      expect(authorizeQuery(s.principal, s.referenced, s.ctx), `seed ${seed}`).toMatchObject({ allowed: false, reason: 'inactive' });
    }
  });

  it('shows a table iff some group of the principal holds a table grant for it (case-insensitive)', () => {
    for (const { seed, s } of scenarios) {
      const visible = visibleTables(s.principal, s.tables, s.ctx);
      expect(visible, `seed ${seed}`).toEqual(s.tables.filter((t) => oracleSees(s, t)));
      for (const t of [...s.tables, ...s.referenced]) {
        expect(canAccess(s.principal, 'table', t, s.ctx), `seed ${seed} table ${t}`).toBe(oracleSees(s, t));
      }
    }
  });

  it('allows a query iff every referenced table is visible, and denies exactly the invisible ones', () => {
    for (const { seed, s } of scenarios) {
      if (!s.principal.active) continue;
      const decision = authorizeQuery(s.principal, s.referenced, s.ctx);
      const invisible = firstSpellings(s.referenced).filter((t) => !oracleSees(s, t));
      if (invisible.length === 0) {
        expect(decision, `seed ${seed}`).toEqual({ allowed: true });
      } else {
        expect(decision, `seed ${seed}`).toEqual({
          allowed: false,
          reason: 'forbidden',
          denied: invisible,
          message: accessDeniedMessage(invisible),
        });
      }
    }
  });

  it('refuses an unknown table with the same decision and message as a forbidden one', () => {
    for (const { seed, s } of scenarios) {
      if (!s.principal.active) continue;
      for (const t of s.referenced) {
        if (oracleSees(s, t)) continue;
        const asIs = authorizeQuery(s.principal, [t], s.ctx);
        // The same name once nothing anywhere mentions it: no grant, no registry entry.
        const key = t.toLowerCase();
        const erased: AccessContext = { ...s.ctx, grants: s.ctx.grants.filter((g) => g.resourceId.toLowerCase() !== key) };
        expect(authorizeQuery(s.principal, [t], erased), `seed ${seed} table ${t}`).toEqual(asIs);
        expect(asIs, `seed ${seed} table ${t}`).toMatchObject({
          message: `table ${JSON.stringify(t)} does not exist or you have no access to it`,
        });
      }
    }
  });

  it('never lets Everyone membership alone open a table no grant gives to Everyone', () => {
    for (const { seed, s } of scenarios) {
      const onlyEveryone: Principal = { ...s.principal, active: true, groups: [EVERYONE_GROUP] };
      const toEveryone = new Set(
        s.ctx.grants.filter((g) => g.groupId === EVERYONE_GROUP && g.resourceType === 'table').map((g) => g.resourceId.toLowerCase()),
      );
      expect(visibleTables(onlyEveryone, s.tables, s.ctx), `seed ${seed}`).toEqual(
        s.tables.filter((t) => toEveryone.has(t.toLowerCase())),
      );
    }
  });
});
