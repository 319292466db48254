import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks `X-Hub-Signature: sha256=<hex>` against the HMAC-SHA256 of the raw body, in
 * constant time. Without a secret nothing verifies: an unconfigured endpoint refuses all.
 */
export function verifySignature(secret: string | undefined, rawBody: Uint8Array, header: string | undefined): boolean {
  if (!secret || !header) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The signature header value for a body (for senders and tests). */
export function signBody(secret: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
