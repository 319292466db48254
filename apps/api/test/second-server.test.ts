import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const API = fileURLToPath(new URL('..', import.meta.url));

/** `agnes-server` from source, as a real process on `dataDir`. */
function server(dataDir: string): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--conditions=@agnes/source', '--import', 'tsx', 'src/bin.ts', '--data-dir', dataDir, '--port', '0', '--no-scheduler'], {
    cwd: API,
    env: { ...process.env, DATABASE_URL: '', JWT_SECRET_KEY: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return Object.assign(child, { output: () => text });
}

describe('a second server on the same data dir', () => {
  it('refuses at once, naming the first server’s PID and the data dir, and leaves the first one serving', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'agnes-second-'));
    const first = server(dataDir);
    const firstExit = once(first, 'exit');
    try {
      let url: string | undefined;
      for await (const _ of first.stdout!) {
        url = /Listening on (\S+)/.exec(first.output())?.[1];
        if (url) break;
      }
      expect(url, first.output()).toBeDefined();
      const analytics = join(dataDir, 'analytics', 'server.duckdb');
      const before = await stat(analytics);

      const second = server(dataDir);
      const [code] = (await once(second, 'exit')) as [number | null];
      expect(code).not.toBe(0);
      expect(second.output()).toContain(`agnes-server: another Agnes server (PID ${first.pid}) is already using the data dir ${dataDir}`);
      expect(second.output()).toMatch(/Stop that server first, or give this one another --data-dir/);
      expect(second.output()).not.toMatch(/Listening on/);
      // Nothing else ran: no rebuild replaced the analytics file.
      const after = await stat(analytics);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);

      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', system_db: 'duckdb' });
    } finally {
      first.kill('SIGTERM');
      await firstExit;
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
