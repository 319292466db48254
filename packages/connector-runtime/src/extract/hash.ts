import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { HASH_PREFIX, partitionedContentHashInput } from '@agnes/connector-kit';

/** `sha256-<hex>` of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return HASH_PREFIX + hash.digest('hex');
}

/** Content hash of a partitioned table from its parts' hashes (CONTRACT.md). */
export function hashParts(parts: readonly { part: string; hash: string }[]): string {
  return HASH_PREFIX + createHash('sha256').update(partitionedContentHashInput(parts)).digest('hex');
}
