import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';

/**
 * Reads a secret kept in a 0600 file, or creates it: `created` says which, so the caller
 * can log it. The file is written with `wx` so two first starts never overwrite each other.
 */
export async function persistedSecret(path: string, make: () => string = () => randomBytes(32).toString('hex')): Promise<{ value: string; created: boolean }> {
  if (existsSync(path)) return { value: (await readFile(path, 'utf8')).trim(), created: false };
  const value = make();
  try {
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { value: (await readFile(path, 'utf8')).trim(), created: false };
    throw error;
  }
  await chmod(path, 0o600);
  return { value, created: true };
}
