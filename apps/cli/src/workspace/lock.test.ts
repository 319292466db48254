import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockWorkspace } from './lock.js';

describe('lockWorkspace', () => {
  it('refuses a second sync while the first holds the lock, and frees it on release', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'da-lock-'));
    const release = await lockWorkspace(dir);
    await expect(lockWorkspace(dir)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/another da sync/) });
    await release();
    await (await lockWorkspace(dir))();
  });

  it('takes over a lock left by a process that was killed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'da-lock-'));
    // pid 2^22 + 1 is above Linux's pid_max default and cannot be running.
    await writeFile(join(dir, 'sync.lock'), String(2 ** 22 + 1));
    const release = await lockWorkspace(dir);
    expect(await readFile(join(dir, 'sync.lock'), 'utf8')).toBe(String(process.pid));
    await release();
  });
});
