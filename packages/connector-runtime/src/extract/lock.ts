import { mkdir } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { ConfigError } from '@agnes/connector-kit';

/** Name of the lock that serialises every commit to one extract folder. */
export const LOCK_NAME = '.agnes.lock';

/**
 * Takes the extract folder's cross-process lock (a lock directory with a heartbeat,
 * so a killed holder's lock goes stale and is taken over), runs `fn`, releases.
 */
export async function withExtractLock<T>(dir: string, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  await mkdir(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      lockfilePath: `${dir}/${LOCK_NAME}`,
      stale: 10_000,
      update: 2_000,
      retries: { retries: Math.ceil(waitMs / 100), factor: 1, minTimeout: 50, maxTimeout: 200, randomize: true },
    });
  } catch (error) {
    throw new ConfigError(
      `extract folder ${dir} is locked by another writer and did not free within ${waitMs} ms; ` +
        `wait for it to finish (or remove ${LOCK_NAME} if no writer is running)`,
      { cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
