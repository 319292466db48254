const ORIGIN = 'http://agnes.invalid';

/**
 * Where to go after signing in: `raw` when it is a same-site relative path, `fallback`
 * otherwise. Refused: absolute and protocol-relative URLs (`http://…`, `//evil`), the
 * backslash forms browsers read as `//` (`/\evil`), schemes (`javascript:`), control
 * characters (browsers drop tabs and newlines inside URLs, turning `/\t/evil` into `//evil`),
 * paths that normalise to `//…` (`/..//evil`), and `/login` itself (a loop).
 */
export function safeNextPath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//')) return fallback;
  // Backslashes and control characters: browsers fold them into paths in surprising ways.
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || path.startsWith('//')) return fallback;
  if (url.pathname === '/login' || url.pathname === '/logout') return fallback;
  return path;
}
