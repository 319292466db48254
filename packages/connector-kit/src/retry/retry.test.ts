import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, TransientSourceError } from '../errors/errors.js';
import { fetchWithRetry, parseRetryAfter, withRetry } from './retry.js';

describe('withRetry', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };

  it('retries transient errors with backoff and honours retryAfterMs', async () => {
    sleeps.length = 0;
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw new TransientSourceError('429', { retryAfterMs: 5000 });
        if (calls === 2) throw new TransientSourceError('503');
        return 'ok';
      },
      { sleep, random: () => 1, baseDelayMs: 100 },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([5000, 200]);
  });

  it('does not retry config or auth errors', async () => {
    for (const error of [new ConfigError('bad'), new AuthError('refused'), new Error('bug')]) {
      let calls = 0;
      await expect(
        withRetry(
          async () => {
            calls++;
            throw error;
          },
          { sleep },
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('gives up after the retries with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TransientSourceError(`try ${calls}`);
        },
        { retries: 2, sleep },
      ),
    ).rejects.toThrow('try 3');
    expect(calls).toBe(3);
  });

  it('stops at once when the signal aborts, also while waiting', async () => {
    const ctrl = new AbortController();
    const started = withRetry(
      async () => {
        throw new TransientSourceError('busy', { retryAfterMs: 60_000 });
      },
      { signal: ctrl.signal },
    );
    setTimeout(() => ctrl.abort(new Error('cancelled by user')), 20);
    await expect(started).rejects.toThrow('cancelled by user');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = new Date('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('fetchWithRetry against a real server', () => {
  let server: Server;
  let base: string;
  const hits: Record<string, number> = {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      if (path === '/flaky' && hits[path] === 1) {
        res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      } else if (path === '/auth') {
        res.writeHead(401).end('no');
      } else if (path === '/missing') {
        res.writeHead(404).end('nope');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('retries a 429 and returns the next answer', async () => {
    const res = await fetchWithRetry(`${base}/flaky`, {}, { baseDelayMs: 1 });
    expect(await res.json()).toEqual({ ok: true });
    expect(hits['/flaky']).toBe(2);
  });

  it('maps 401 to an AuthError without leaking headers or query strings', async () => {
    const err = await fetchWithRetry(`${base}/auth?token=s3cr3t`, { headers: { authorization: 'Bearer s3cr3t' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toContain('s3cr3t');
  });

  it('returns other statuses to the caller', async () => {
    expect((await fetchWithRetry(`${base}/missing`)).status).toBe(404);
  });

  it('turns a refused connection into a transient error and retries it', async () => {
    const err = await fetchWithRetry('http://127.0.0.1:1/', {}, { retries: 1, baseDelayMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientSourceError);
  });
});
