import lockfile from 'proper-lockfile';

/**
 * Runs `fn` holding a cross-process lock on `path` (a `<path>.lock` directory with a
 * heartbeat; a killed holder's lock goes stale after 5 s). Waits up to `waitMs`.
 */
export async function withFileLock<T>(path: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      stale: 5_000,
      update: 1_000,
      retries: { retries: Math.ceil(waitMs / 100), factor: 1, minTimeout: 50, maxTimeout: 200, randomize: true },
    });
  } catch (error) {
    throw new Error(`another rebuild holds ${path}.lock and did not finish within ${waitMs} ms`, { cause: error });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
