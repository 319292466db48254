import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackCases } from '../../test/attack-generator.js';
import { buildFixture, SECRET_MARKER, testPolicy } from '../../test/fixtures.js';
import { rebuild } from '../rebuild/rebuild.js';
import { QueryEngine } from './engine.js';
import { QueryError } from './query-error.js';

/** Generated cases per run (the issue asks for at least 5,000 in CI). `AGNES_ATTACK_RUNS` raises it locally. */
const RUNS = Math.max(5_000, Number(process.env.AGNES_ATTACK_RUNS ?? 0));
/** Reproduce a failure with the seed fast-check printed: `AGNES_ATTACK_SEED=<seed>`. */
const SEED = process.env.AGNES_ATTACK_SEED === undefined ? undefined : Number(process.env.AGNES_ATTACK_SEED);

const GRANTED = ['orders', 'customers', 'wh_sales'];
const authorize = (tables: string[]) => {
  const denied = tables.filter((t) => !GRANTED.includes(t.toLowerCase()));
  if (denied.length) throw new QueryError('forbidden', `table "${denied[0]}" does not exist or you have no access to it`);
};
const readable = (published: readonly string[]) => published.filter((t) => GRANTED.includes(t.toLowerCase()));

let f: Awaited<ReturnType<typeof buildFixture>>;
let engine: QueryEngine;

beforeAll(async () => {
  f = await buildFixture();
  await rebuild({ extractsDir: f.extractsDir, target: f.target, remote: testPolicy, env: { KBC_TOKEN: 't' } });
  engine = new QueryEngine({ analyticsPath: f.target, extractsDir: f.extractsDir, remote: testPolicy, env: { KBC_TOKEN: 't' }, timeoutMs: 5_000 });
});
afterAll(() => engine.close());

const outcome = (p: Promise<unknown>) =>
  p.then(
    (result) => ({ ran: true as const, result }),
    (error: unknown) => ({ ran: false as const, error }),
  );

describe('generated attacks', () => {
  it(`admits none of ${RUNS} generated nestings of forbidden references, and admits each one's granted twin`, async () => {
    let controlsRan = 0;
    let refusedByGuard = 0;
    await fc.assert(
      fc.asyncProperty(attackCases(f.extractsDir), async ({ attack, control }) => {
        // The control: the same shape over a granted view must pass the guard (it may still fail to bind).
        const c = await outcome(engine.query(control, { authorize, readable }));
        if (!c.ran && c.error instanceof QueryError && (c.error.code === 'refused' || c.error.code === 'forbidden')) {
          throw new Error(`the control was refused (${c.error.message}): ${control}`);
        }
        if (c.ran) controlsRan++;
        // The parse-tree guard alone, on the instance that can read every view.
        const a = await outcome(engine.query(attack, { authorize }));
        if (a.ran) throw new Error(`admitted by the guard: ${attack}\n→ ${JSON.stringify(a.result).slice(0, 300)}`);
        if (!(a.error instanceof QueryError) || !['refused', 'forbidden', 'invalid'].includes(a.error.code)) {
          throw new Error(`not refused but ${String(a.error)}: ${attack}`);
        }
        if (a.error.code !== 'invalid') refusedByGuard++;
        // Both walls, as the API runs it: refused, and no data of the forbidden table in the message
        // (which may echo names from the query itself).
        const b = await outcome(engine.query(attack, { authorize, readable }));
        const text = b.ran ? JSON.stringify(b.result) : String((b.error as Error).message);
        if (b.ran || text.includes(SECRET_MARKER)) throw new Error(`leaked through both walls: ${attack}\n→ ${text.slice(0, 300)}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The generator is worth something only if its shapes are real queries: most controls run.
    expect(controlsRan / RUNS).toBeGreaterThan(0.8);
    // And the attacks are refused for what they reference, not for not parsing.
    expect(refusedByGuard / RUNS).toBeGreaterThan(0.95);
  });
});
