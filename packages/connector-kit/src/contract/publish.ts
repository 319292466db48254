import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

async function fsync(path: string, flags: string): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Publishes a closed DuckDB file built at `tmp` as `target`: drops its empty WAL,
 * flushes it to disk and renames it over `target` — the single commit point of an
 * extract (and of the analytics file). Readers of the old file keep their inode.
 */
export async function publishDatabaseFile(tmp: string, target: string): Promise<void> {
  await rm(`${tmp}.wal`, { force: true });
  await fsync(tmp, 'r+');
  await rename(tmp, target);
  await fsync(dirname(target), 'r').catch(() => undefined);
}

/** Removes a temp database file (and its WAL) after a failed build. */
export async function discardDatabaseFile(tmp: string): Promise<void> {
  await rm(tmp, { force: true });
  await rm(`${tmp}.wal`, { force: true });
}
