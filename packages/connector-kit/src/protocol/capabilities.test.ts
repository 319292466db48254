import { describe, expect, it } from 'vitest';
import { Cap, capNames, hasCap, parseCaps } from './capabilities.js';

describe('Cap', () => {
  it('combines, tests, lists and parses flags', () => {
    const caps = Cap.DISCOVER | Cap.READ;
    expect(hasCap(caps, Cap.READ)).toBe(true);
    expect(hasCap(caps, Cap.STREAM)).toBe(false);
    expect(hasCap(caps, Cap.DISCOVER | Cap.READ)).toBe(true);
    expect(hasCap(caps, 0)).toBe(false);
    expect(capNames(Cap.REMOTE | Cap.DISCOVER)).toEqual(['discover', 'remote']);
    expect(parseCaps(['Discover', ' read ', 'write'])).toBe(Cap.DISCOVER | Cap.READ | Cap.WRITE);
  });

  it('names the unknown capability and the valid ones', () => {
    expect(() => parseCaps(['read', 'reed'])).toThrow("unknown capability 'reed'; valid: discover, read, stream, remote, write");
  });
});
