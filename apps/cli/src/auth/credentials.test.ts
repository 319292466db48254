import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCliError } from '../errors/cli-error.js';
import { decodeJwtClaims, deleteToken, normalizeServer, readToken, writeToken } from './credentials.js';

describe('credentials', () => {
  it('writes the token readable by the owner only and reads it back', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'da-cred-')), 'da');
    const token = { access_token: 't', server: 'http://x', email: null, role: null, saved_at: 'now' };
    const file = await writeToken(dir, token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readToken(dir)).toEqual(token);
    expect(await deleteToken(dir)).toBe(true);
    expect(await readToken(dir)).toBeUndefined();
    await expect(readFile(file)).rejects.toThrow();
  });

  it('normalizes server URLs and refuses what is not http(s)', () => {
    expect(normalizeServer('https://agnes.example.com/')).toBe('https://agnes.example.com');
    expect(normalizeServer('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000');
    for (const bad of ['agnes.example.com', 'ftp://x']) {
      try {
        normalizeServer(bad);
        expect.unreachable();
      } catch (error) {
        expect(isCliError(error) && error.code).toBe('usage');
      }
    }
  });

  it('reads JWT claims without trusting them, and tolerates opaque tokens', () => {
    const jwt = `x.${Buffer.from(JSON.stringify({ email: 'a@b.c' })).toString('base64url')}.y`;
    expect(decodeJwtClaims(jwt)).toEqual({ email: 'a@b.c' });
    expect(decodeJwtClaims('opaque')).toBeUndefined();
  });
});
