import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, retryingFetch, unwrap } from './client.js';

describe('the API client', () => {
  let server: Server;
  let url = '';
  const hits = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const key = `${req.method} ${req.url}`;
      const n = (hits.get(key) ?? 0) + 1;
      hits.set(key, n);
      if (req.url === '/flaky' && n < 3) return res.writeHead(503).end();
      if (req.url === '/missing') return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no table x that you can read"}}');
      if (req.url === '/down') return res.writeHead(500).end();
      if (req.url === '/busy' && n < 2) return res.writeHead(429, { 'retry-after': '1' }).end();
      if (req.url === '/limited') return res.writeHead(429, { 'retry-after': '900' }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries 5xx answers of idempotent requests with backoff', async () => {
    const res = await retryingFetch(3, 1)(new Request(`${url}/flaky`));
    expect(res.status).toBe(200);
    expect(hits.get('GET /flaky')).toBe(3);
  });

  it('does not retry 4xx answers, nor POSTs', async () => {
    expect((await retryingFetch(3, 1)(new Request(`${url}/missing`))).status).toBe(404);
    expect(hits.get('GET /missing')).toBe(1);
    expect((await retryingFetch(3, 1)(new Request(`${url}/down`, { method: 'POST' }))).status).toBe(500);
    expect(hits.get('POST /down')).toBe(1);
  });

  it('waits out a short Retry-After of a 429, POSTs included (the server did not run them), but not a long one', async () => {
    const res = await retryingFetch(3, 1)(new Request(`${url}/busy`, { method: 'POST', body: '{}' }));
    expect(res.status).toBe(200);
    expect(hits.get('POST /busy')).toBe(2);
    expect((await retryingFetch(3, 1)(new Request(`${url}/limited`, { method: 'POST' }))).status).toBe(429);
    expect(hits.get('POST /limited')).toBe(1);
  });

  it("maps an error answer to a CliError with the server's message and an exit-code class", async () => {
    const answer = fetch(`${url}/missing`).then(async (response) => ({ response, error: (await response.json()) as unknown }));
    await expect(unwrap(url, answer)).rejects.toMatchObject({ code: 'not_found', message: 'no table x that you can read' });
  });

  it('reports an unreachable server with what to check', async () => {
    const api = createApiClient({ server: 'http://127.0.0.1:9', retries: 0 });
    await expect(unwrap('http://127.0.0.1:9', api.GET('/api/health'))).rejects.toMatchObject({ code: 'unreachable', hint: expect.stringMatching(/da diagnose/) });
  });
});
