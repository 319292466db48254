import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openExtract } from './index.js';
import { extractDir } from './test-fixtures.js';

const child = fileURLToPath(new URL('./crash.fixture.ts', import.meta.url));

/** Starts the child; resolves after `commits` commits plus `extraMs`, then kills it with SIGKILL. */
function runAndKill(dir: string, commits: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@agnes/source', '--import', 'tsx', child, dir, '60000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    let seen = 0;
    p.stdout.on('data', (d: Buffer) => {
      seen += String(d).split('\n').filter((l) => l.startsWith('committed')).length;
      if (seen === commits) setTimeout(() => p.kill('SIGKILL'), extraMs);
    });
    p.on('error', reject);
    p.on('exit', () => resolve(seen));
  });
}

describe('crash safety', () => {
  it('leaves the previous extract complete when the writer is killed at any moment', async () => {
    const dir = extractDir('crash');
    // Kill points spread over a run: while reading, writing parquet, merging, committing.
    for (const extraMs of [0, 60, 200, 450, 800]) {
      const committed = await runAndKill(dir, 1, extraMs);
      expect(committed).toBeGreaterThanOrEqual(1);
      const reader = await openExtract(dir);
      const meta = await reader.meta();
      expect(meta.map((m) => m.tableName)).toEqual(['a', 'b']);
      for (const m of meta) {
        const bytes = readFileSync(join(dir, m.dataPath!));
        expect(m.contentHash).toBe(`sha256-${createHash('sha256').update(bytes).digest('hex')}`);
        const [r] = await reader.query(`SELECT count(*) AS n, count(DISTINCT run) AS runs FROM ${m.tableName}`);
        expect(r).toEqual({ n: 60_000n, runs: 1n });
      }
      reader.close();
    }
  }, 180_000);
});
