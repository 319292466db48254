import { ApiError } from './api-error.js';

/** How many failed attempts the sign-in limit allows per window. */
export interface SignInLimits {
  /** Failures per (client address, account), e.g. one email guessed from one address. */
  readonly perAccount: number;
  /** Failures per client address over all accounts (spraying one password over many emails). */
  readonly perAddress: number;
  readonly windowMs: number;
}

/** 5 failures per 15 minutes per address and account, 50 per address. */
export const SIGN_IN_LIMITS: SignInLimits = { perAccount: 5, perAddress: 50, windowMs: 15 * 60_000 };

/** One attempt counted by {@link RateLimiter.attempt}; a success gives it back. */
export interface SignInAttempt {
  succeeded(): void;
}

type Window = { count: number; resetAt: number };

/** Past this many counters, expired ones are dropped, then the oldest: memory stays bounded under a flood of addresses. */
const MAX_KEYS = 50_000;

/**
 * The sign-in limit: counts failed attempts only, per (client address, account) and per
 * address, in fixed windows, in memory. Each replica limits on its own, which bounds guessing
 * per replica; a shared limit would need the database on every try.
 */
export class RateLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly limits: SignInLimits = SIGN_IN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts an attempt for `account` (an email, or the name of the action) from `ip`, or
   * throws `rate_limited` with `Retry-After` when either counter is full. The attempt counts
   * before the password is checked, so parallel guesses cannot overtake the limit; call
   * `succeeded()` once it turns out right and it no longer counts.
   */
  attempt(ip: string, account: string): SignInAttempt {
    const now = this.now();
    this.#prune(now);
    const byAddress = this.#window(`ip\u0000${ip}`, now);
    const byAccount = this.#window(`account\u0000${ip}\u0000${account.trim().toLowerCase()}`, now);
    if (byAccount.count >= this.limits.perAccount) throw this.#refusal(byAccount, now, 'for this account from this address');
    if (byAddress.count >= this.limits.perAddress) throw this.#refusal(byAddress, now, 'from this address');
    byAddress.count += 1;
    byAccount.count += 1;
    let given = false;
    return {
      succeeded: () => {
        if (given) return;
        given = true;
        // A window that has rolled over since no longer holds this attempt.
        for (const w of [byAddress, byAccount]) if (w.count > 0 && w.resetAt > this.now()) w.count -= 1;
      },
    };
  }

  #window(key: string, now: number): Window {
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.limits.windowMs };
      this.#windows.delete(key);
      this.#windows.set(key, window);
    }
    return window;
  }

  #refusal(window: Window, now: number, scope: string): ApiError {
    const seconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
    return new ApiError('rate_limited', `too many failed sign-in attempts ${scope}; wait ${seconds} s and try again`, {
      headers: { 'Retry-After': String(seconds) },
    });
  }

  #prune(now: number): void {
    if (this.#windows.size < MAX_KEYS) return;
    for (const [key, window] of this.#windows) if (window.resetAt <= now || window.count === 0) this.#windows.delete(key);
    // Insertion order is window start order: the oldest go first.
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < MAX_KEYS * 0.9) break;
      this.#windows.delete(key);
    }
  }
}
