import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The client's address: the socket's peer, or — only when that peer is a trusted proxy —
 * the right-most address in `X-Forwarded-For` that is not itself a trusted proxy. A
 * client talking to the server directly cannot choose its address by sending the header.
 */
export function clientIp(c: Context, trustedProxies: ReadonlySet<string>): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined;
  }
  const socket = normalize(peer ?? 'unknown');
  if (!trustedProxies.has(socket)) return socket;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => normalize(h.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = hops[i];
    if (hop && !trustedProxies.has(hop)) return hop;
  }
  return socket;
}

function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
