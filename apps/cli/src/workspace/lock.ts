import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors/cli-error.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `.da/sync.lock` so two syncs never write one workspace at once. A lock left by
 * a process that no longer runs (killed mid-sync) is taken over.
 */
export async function lockWorkspace(stateDir: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const file = join(stateDir, 'sync.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(file, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new CliError('conflict', `another da sync (pid ${pid}) is running in this workspace`, { hint: `wait for it to finish; if no such process exists, delete ${file}` });
      }
      await rm(file, { force: true });
    }
  }
  throw new CliError('conflict', `cannot take ${file}`, { hint: 'delete it and try again' });
}
