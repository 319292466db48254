import { ApiError } from './api-error.js';

/**
 * A fixed-window counter per key (client IP), in memory: each replica limits on its own,
 * which bounds guessing per replica; a shared limit would need the database on every try.
 */
export class RateLimiter {
  readonly #hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a try; throws `rate_limited` with `Retry-After` past the limit. */
  hit(key: string): void {
    const now = this.now();
    if (this.#hits.size > 10_000) for (const [k, v] of this.#hits) if (v.resetAt <= now) this.#hits.delete(k);
    let entry = this.#hits.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowMs };
      this.#hits.set(key, entry);
    }
    entry.count += 1;
    if (entry.count > this.limit) {
      const seconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
      throw new ApiError('rate_limited', `too many sign-in attempts from this address; wait ${seconds} s and try again`, {
        headers: { 'Retry-After': String(seconds) },
      });
    }
  }
}
