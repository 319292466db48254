import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, TransientSourceError } from '../errors/errors.js';
import { fetchWithRetry, parseRetryAfter, withRetry } from './retry.js';

/** A sleep that records the waits and returns at once. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** Throws the given errors in order, then returns 'ok'. */
function failing(...errors: unknown[]) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    const error = errors[calls.length - 1];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { calls, fn };
}

/** The brand another copy of the kit sets; `unique symbol` so a class can declare it. */
const BRAND: unique symbol = Symbol.for('@agnes/connector-kit/ConnectorError');

describe('withRetry', () => {
  it('retries transient errors with exponential backoff and full jitter', async () => {
    const { waits, sleep } = recordingSleep();
    const { calls, fn } = failing(new TransientSourceError('a'), new TransientSourceError('b'), new TransientSourceError('c'));
    await expect(withRetry(fn, { sleep, random: () => 0.5, baseDelayMs: 100 })).resolves.toBe('ok');
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(waits).toEqual([50, 100, 200]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { waits, sleep } = recordingSleep();
    const { fn } = failing(...Array.from({ length: 4 }, () => new TransientSourceError('busy')));
    await withRetry(fn, { sleep, random: () => 1, baseDelayMs: 100, maxDelayMs: 300 });
    expect(waits).toEqual([100, 200, 300, 300]);
  });

  it('waits at least retryAfterMs, even beyond maxDelayMs', async () => {
    const { waits, sleep } = recordingSleep();
    const { fn } = failing(new TransientSourceError('429', { retryAfterMs: 5000 }), new TransientSourceError('503'));
    await withRetry(fn, { sleep, random: () => 1, baseDelayMs: 100, maxDelayMs: 1000 });
    expect(waits).toEqual([5000, 200]);
  });

  it('does not retry config, auth or unknown errors', async () => {
    for (const error of [new ConfigError('bad'), new AuthError('refused'), new Error('bug')]) {
      const { waits, sleep } = recordingSleep();
      const { calls, fn } = failing(error);
      await expect(withRetry(fn, { sleep })).rejects.toBe(error);
      expect(calls).toHaveLength(1);
      expect(waits).toEqual([]);
    }
  });

  it('retries a transient error thrown by another copy of the kit', async () => {
    class DuplicateTransient extends Error {
      readonly code = 'transient';
      readonly [BRAND] = true;
    }
    const { sleep } = recordingSleep();
    const { calls, fn } = failing(new DuplicateTransient('from a second copy'));
    await expect(withRetry(fn, { sleep })).resolves.toBe('ok');
    expect(calls).toHaveLength(2);
  });

  it('gives up after the retries and rethrows the last error', async () => {
    const { waits, sleep } = recordingSleep();
    const { calls, fn } = failing(...[1, 2, 3, 4].map((n) => new TransientSourceError(`try ${n}`)));
    await expect(withRetry(fn, { retries: 2, sleep })).rejects.toThrow('try 3');
    expect(calls).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('never calls fn when the signal is already aborted', async () => {
    const reason = new Error('cancelled before start');
    const { calls, fn } = failing();
    await expect(withRetry(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls).toEqual([]);
  });

  it('stops with the abort reason while waiting, even if the injected sleep ignores the signal', async () => {
    const ctrl = new AbortController();
    const reason = new Error('cancelled by user');
    const sleep = () => {
      ctrl.abort(reason);
      return new Promise<void>(() => {});
    };
    const { calls, fn } = failing(new TransientSourceError('busy', { retryAfterMs: 60_000 }));
    await expect(withRetry(fn, { signal: ctrl.signal, sleep })).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });

  it('stops with the abort reason when the attempt fails after an abort', async () => {
    const ctrl = new AbortController();
    const reason = new Error('run cancelled');
    const { waits, sleep } = recordingSleep();
    const fn = async () => {
      ctrl.abort(reason);
      throw new TransientSourceError('socket closed');
    };
    await expect(withRetry(fn, { signal: ctrl.signal, sleep })).rejects.toBe(reason);
    expect(waits).toEqual([]);
  });

  it('logs one warning per retry', async () => {
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields }),
    };
    const { sleep } = recordingSleep();
    await withRetry(failing(new TransientSourceError('HTTP 503')).fn, { sleep, logger, random: () => 0 });
    expect(lines).toEqual([
      { message: 'transient source error, retrying', fields: { error: 'HTTP 503', attempt: 1, retries: 5, waitMs: 0 } },
    ]);
  });

  it('refuses a retry count that is not a non-negative integer', async () => {
    await expect(withRetry(async () => 1, { retries: Number.NaN })).rejects.toBeInstanceOf(RangeError);
    await expect(withRetry(async () => 1, { retries: -1 })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-22T10:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads HTTP dates, a past date meaning now', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    for (const v of [null, undefined, '', 'soon', '-5', '1.5']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('fetchWithRetry against a real server', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  const seenAuth: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (req.headers.authorization) seenAuth.push(req.headers.authorization);
      if (path === '/rate-limited' && n === 1) res.writeHead(429, { 'retry-after': '2' }).end('slow down');
      else if (path === '/unavailable' && n === 1) res.writeHead(503).end('try later');
      else if (path === '/always-busy') res.writeHead(502).end('bad gateway');
      else if (path === '/unauthorized') res.writeHead(401).end('no');
      else if (path === '/forbidden') res.writeHead(403).end('no');
      else if (path === '/missing') res.writeHead(404).end('nope');
      else if (path === '/broken') res.writeHead(500).end('bug');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path, n }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('retries a 429 after its Retry-After and returns the next answer', async () => {
    const { waits, sleep } = recordingSleep();
    const res = await fetchWithRetry(`${base}/rate-limited`, {}, { sleep, random: () => 0 });
    expect(await res.json()).toEqual({ ok: true, path: '/rate-limited', n: 2 });
    expect(waits).toEqual([2000]);
  });

  it('retries a 503 with backoff', async () => {
    const { waits, sleep } = recordingSleep();
    const res = await fetchWithRetry(`${base}/unavailable`, {}, { sleep, random: () => 1, baseDelayMs: 10 });
    expect(res.status).toBe(200);
    expect(waits).toEqual([10]);
  });

  it('gives up on a source that stays busy with a TransientSourceError', async () => {
    const { sleep } = recordingSleep();
    const err = await fetchWithRetry(`${base}/always-busy`, {}, { retries: 2, sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientSourceError);
    expect((err as Error).message).toBe(`${base}/always-busy answered HTTP 502`);
    expect(hits.get('/always-busy')).toBe(3);
  });

  it('maps 401 and 403 to AuthError without leaking headers or query strings', async () => {
    for (const path of ['/unauthorized', '/forbidden']) {
      const err = await fetchWithRetry(`${base}${path}?token=s3cr3t`, { headers: { authorization: 'Bearer s3cr3t' } }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toMatch(/refused the credentials/);
      expect((err as Error).message).not.toContain('s3cr3t');
      expect(hits.get(path)).toBe(1);
    }
    expect(seenAuth).toContain('Bearer s3cr3t');
  });

  it('returns other 4xx and 5xx responses to the caller without retrying', async () => {
    expect((await fetchWithRetry(`${base}/missing`)).status).toBe(404);
    expect((await fetchWithRetry(`${base}/broken`)).status).toBe(500);
    expect(hits.get('/missing')).toBe(1);
    expect(hits.get('/broken')).toBe(1);
  });

  it('turns a refused connection into a TransientSourceError and retries it', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { waits, sleep } = recordingSleep();
    const err = await fetchWithRetry(`http://127.0.0.1:${port}/x`, {}, { retries: 1, sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientSourceError);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(waits).toHaveLength(1);
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const reason = new Error('stop');
    await expect(fetchWithRetry(`${base}/ok`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(fetchWithRetry(`${base}/ok`, {}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('refuses a relative URL without echoing it', async () => {
    const err = await fetchWithRetry('/v2/tables?token=s3cr3t').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('s3cr3t');
  });
});
