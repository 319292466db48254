import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-path.js';

describe('safeNextPath', () => {
  it('keeps same-site relative paths with their query and fragment', () => {
    expect(safeNextPath('/tokens')).toBe('/tokens');
    expect(safeNextPath('/tables/orders?x=1#schema')).toBe('/tables/orders?x=1#schema');
    expect(safeNextPath('/admin/users?search=a%20b')).toBe('/admin/users?search=a%20b');
  });

  it.each([
    '//evil.example',
    '//evil.example/path',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    'http://evil.example/',
    'https://evil.example/',
    'HTTP://evil.example',
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,hi',
    'evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/..//evil.example',
    '/./\u0000evil',
    '',
    '/login',
    '/login?next=/tokens',
    '/logout',
  ])('refuses %j', (raw) => {
    expect(safeNextPath(raw)).toBe('/');
  });

  it('falls back for anything but a string, and for absurdly long values', () => {
    expect(safeNextPath(undefined)).toBe('/');
    expect(safeNextPath(['/tokens'])).toBe('/');
    expect(safeNextPath(`/${'a'.repeat(3000)}`)).toBe('/');
    expect(safeNextPath('//evil', '/install')).toBe('/install');
  });

  it('never returns something a browser would read as another host', () => {
    for (const raw of ['/%2F%2Fevil', '/%5Cevil', '/.%2E//evil', '/a/../..//evil']) {
      const out = safeNextPath(raw);
      expect(out.startsWith('/')).toBe(true);
      expect(out.startsWith('//')).toBe(false);
      expect(new URL(out, 'https://agnes.example').host).toBe('agnes.example');
    }
  });
});
