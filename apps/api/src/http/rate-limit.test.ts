import { describe, expect, it } from 'vitest';
import { isApiError } from './api-error.js';
import { RateLimiter, SIGN_IN_LIMITS } from './rate-limit.js';

const MINUTE = 60_000;

function limiterAt(start = 0) {
  const clock = { now: start };
  return { clock, limiter: new RateLimiter(SIGN_IN_LIMITS, () => clock.now) };
}

/** The refusal an attempt throws, or undefined when it is allowed (and then counted as failed). */
function refusal(limiter: RateLimiter, ip: string, account: string) {
  try {
    limiter.attempt(ip, account);
    return undefined;
  } catch (error) {
    if (!isApiError(error)) throw error;
    return error;
  }
}

describe('sign-in limit', () => {
  it('never counts attempts that succeed', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 200; i += 1) limiter.attempt('10.0.0.1', 'admin@example.com').succeeded();
    expect(refusal(limiter, '10.0.0.1', 'admin@example.com')).toBeUndefined();
  });

  it('refuses the 6th failure for one email from one address within 15 minutes, with Retry-After, and lets it try again after', () => {
    const { clock, limiter } = limiterAt();
    for (let i = 0; i < 5; i += 1) expect(refusal(limiter, '10.0.0.1', 'Alice@example.com ')).toBeUndefined();
    clock.now = 10 * MINUTE;
    const refused = refusal(limiter, '10.0.0.1', 'alice@example.com');
    expect(refused?.code).toBe('rate_limited');
    expect(refused?.headers?.['Retry-After']).toBe(String(5 * 60));
    // Another address, and another email from this address, are not affected.
    expect(refusal(limiter, '10.0.0.2', 'alice@example.com')).toBeUndefined();
    expect(refusal(limiter, '10.0.0.1', 'bob@example.com')).toBeUndefined();
    clock.now = 15 * MINUTE;
    expect(refusal(limiter, '10.0.0.1', 'alice@example.com')).toBeUndefined();
  });

  it('refuses an address after 50 failures over any emails', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 50; i += 1) expect(refusal(limiter, '10.0.0.1', `user${i}@example.com`), `failure ${i + 1}`).toBeUndefined();
    const refused = refusal(limiter, '10.0.0.1', 'fresh@example.com');
    expect(refused?.code).toBe('rate_limited');
    expect(refused?.message).toContain('from this address');
    expect(refusal(limiter, '10.0.0.9', 'fresh@example.com')).toBeUndefined();
  });

  it('counts attempts still in flight, so parallel guesses cannot pass the limit', () => {
    const { limiter } = limiterAt();
    const inFlight = Array.from({ length: 5 }, () => limiter.attempt('10.0.0.1', 'alice@example.com'));
    expect(refusal(limiter, '10.0.0.1', 'alice@example.com')?.code).toBe('rate_limited');
    // One of them turns out right: it gives its place back, once.
    inFlight[0]?.succeeded();
    inFlight[0]?.succeeded();
    expect(refusal(limiter, '10.0.0.1', 'alice@example.com')).toBeUndefined();
    expect(refusal(limiter, '10.0.0.1', 'alice@example.com')?.code).toBe('rate_limited');
  });
});
