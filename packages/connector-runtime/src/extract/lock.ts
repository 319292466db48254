import { mkdir } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { ConfigError } from '@agnes/connector-kit';

/** A holder that stops refreshing its lock (killed) loses it after this long. */
export const STALE_MS = 5_000;

/** The lock that serialises every commit of `extract.duckdb` in one folder (held briefly). */
export const COMMIT_LOCK = '.agnes.lock';
/** The lock a batch run holds from start to end, so two runs never interleave generations. */
export const RUN_LOCK = '.agnes.run.lock';

/**
 * Takes one of an extract folder's cross-process locks (a lock directory with a
 * heartbeat, so a killed holder's lock goes stale after STALE_MS and is taken over),
 * runs `fn`, releases. Waits up to `waitMs` for a holder to finish.
 */
export async function withExtractLock<T>(
  dir: string,
  fn: () => Promise<T>,
  options: { name?: string; waitMs?: number } = {},
): Promise<T> {
  const name = options.name ?? COMMIT_LOCK;
  const waitMs = options.waitMs ?? 120_000;
  await mkdir(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    // Each lock gets its own target path: proper-lockfile tracks locks by target.
    release = await lockfile.lock(`${dir}/${name.replace(/\.lock$/, '')}`, {
      realpath: false,
      stale: STALE_MS,
      update: STALE_MS / 5,
      retries: waitMs > 0 ? { retries: Math.ceil(waitMs / 100), factor: 1, minTimeout: 50, maxTimeout: 200, randomize: true } : 0,
    });
  } catch (error) {
    const what = name === RUN_LOCK ? 'another run of this source is in progress' : 'another writer holds the extract';
    throw new ConfigError(
      `${dir}: ${what} (lock ${name} not free after ${waitMs} ms); wait for it to finish, ` +
        `or remove ${name} if no writer is running`,
      { cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
