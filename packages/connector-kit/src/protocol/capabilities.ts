/**
 * Capability bit flags. Combine with `|`, test with {@link hasCap}.
 *
 * @example
 * const caps = Cap.DISCOVER | Cap.READ;
 * hasCap(caps, Cap.READ); // true
 */
export const Cap = {
  DISCOVER: 1,
  READ: 2,
  STREAM: 4,
  REMOTE: 8,
  WRITE: 16,
} as const;

/** One capability flag. */
export type CapFlag = (typeof Cap)[keyof typeof Cap];
/** A bit set of capability flags. */
export type Caps = number;
/** The manifest spelling of a capability. */
export type CapName = 'discover' | 'read' | 'stream' | 'remote' | 'write';

const NAMES: readonly [CapName, CapFlag][] = [
  ['discover', Cap.DISCOVER],
  ['read', Cap.READ],
  ['stream', Cap.STREAM],
  ['remote', Cap.REMOTE],
  ['write', Cap.WRITE],
];

/** Every capability name, in flag order. */
export const CAP_NAMES: readonly CapName[] = NAMES.map(([n]) => n);

/** True when every bit of `flag` is set in `caps`. */
export function hasCap(caps: Caps, flag: Caps): boolean {
  return (caps & flag) === flag && flag !== 0;
}

/** The names of the flags set in `caps`, in flag order. */
export function capNames(caps: Caps): CapName[] {
  return NAMES.filter(([, f]) => (caps & f) !== 0).map(([n]) => n);
}

/**
 * Parses manifest names (case-insensitive) into a bit set.
 * Throws a `TypeError` naming the unknown entry and the valid names.
 */
export function parseCaps(names: readonly string[]): Caps {
  let caps = 0;
  for (const raw of names) {
    const hit = NAMES.find(([n]) => n === raw.trim().toLowerCase());
    if (!hit) {
      throw new TypeError(`unknown capability '${raw}'; valid: ${CAP_NAMES.join(', ')}`);
    }
    caps |= hit[1];
  }
  return caps;
}
