import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogFields } from '../logging/logger.js';
import { createContext } from './context.js';

describe('createContext', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      if (hits === 1) res.writeHead(503).end();
      else res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('freezes a copy of the secrets', () => {
    const secrets = { API_TOKEN: 't' };
    const ctx = createContext({ secrets });
    secrets.API_TOKEN = 'changed';
    expect(ctx.secrets).toEqual({ API_TOKEN: 't' });
    expect(Object.isFrozen(ctx.secrets)).toBe(true);
  });

  it('binds fetch to the context logger', async () => {
    const warnings: LogFields[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_m: string, f?: LogFields) => void warnings.push(f ?? {}) };
    const ctx = createContext({ logger });
    const res = await ctx.fetch(`${base}/x`, {}, { sleep: async () => {} });
    expect(await res.text()).toBe('ok');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.error).toBe(`${base}/x answered HTTP 503`);
  });

  it('binds fetch to the context signal', async () => {
    const reason = new Error('run cancelled');
    const ctx = createContext({ signal: AbortSignal.abort(reason) });
    const before = hits;
    await expect(ctx.fetch(`${base}/x`)).rejects.toBe(reason);
    await expect(ctx.fetch(`${base}/x`, {}, { signal: new AbortController().signal })).rejects.toBe(reason);
    expect(hits).toBe(before);
  });
});
