import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from './csrf.js';
import { ASSET_PATHS } from './assets/index.js';

/** Who is looking at a page, as the header shows them. */
export interface Viewer {
  readonly email: string;
  readonly name: string | null;
  readonly isAdmin: boolean;
}

/** A one-line message at the top of a page after an action. */
export interface Notice {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/** What every page passes to the layout. */
export interface PageFrame {
  readonly title: string;
  /** The path of the page, to mark the current nav entry. */
  readonly path: string;
  readonly viewer: Viewer | undefined;
  readonly csrf: string;
  readonly notice?: Notice | undefined;
}

const NAV: readonly { href: string; label: string; admin: boolean }[] = [
  { href: '/', label: 'Dashboard', admin: false },
  { href: '/install', label: 'Install', admin: false },
  { href: '/admin/users', label: 'Users', admin: true },
  { href: '/admin/groups', label: 'Groups', admin: true },
  { href: '/admin/tables', label: 'Tables', admin: true },
  { href: '/admin/tokens', label: 'All tokens', admin: true },
];

function current(path: string, href: string): boolean {
  return href === '/' ? path === '/' || path.startsWith('/tables/') : path === href || path.startsWith(`${href}/`);
}

/** The hidden CSRF field every cookie-authenticated form carries. */
export function CsrfField(props: { csrf: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.csrf} />;
}

/** A one-button form posting to `action`, optionally confirmed first by the page script. */
export function ActionButton(props: { action: string; csrf: string; label: string; confirm?: string; danger?: boolean; fields?: Record<string, string>; accessibleLabel?: string }) {
  return (
    <form method="post" action={props.action} class="inline" data-confirm={props.confirm}>
      <CsrfField csrf={props.csrf} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.danger ? 'button danger' : 'button'} aria-label={props.accessibleLabel}>
        {props.label}
      </button>
    </form>
  );
}

/** The shared page: header with navigation, the notice, the content. */
export function Layout(props: PageFrame & { children?: Child }) {
  const { viewer } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={props.csrf} />
        <title>{`${props.title} · Agnes`}</title>
        <link rel="icon" href={ASSET_PATHS.favicon} type="image/svg+xml" />
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script src={ASSET_PATHS.js} defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="app-header">
          <a class="brand" href="/">
            Agnes
          </a>
          {viewer ? (
            <nav aria-label="Main">
              <ul>
                {NAV.filter((n) => !n.admin || viewer.isAdmin).map((n) => (
                  <li>
                    <a href={n.href} aria-current={current(props.path, n.href) ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : (
            <nav aria-label="Main">
              <ul>
                <li>
                  <a href="/install" aria-current={props.path === '/install' ? 'page' : undefined}>
                    Install
                  </a>
                </li>
              </ul>
            </nav>
          )}
          <div class="account">
            {viewer ? (
              <>
                <span class="who" title={viewer.email}>
                  {viewer.name ?? viewer.email}
                  {viewer.isAdmin ? <span class="pill">admin</span> : null}
                </span>
                <a href="/tokens" aria-current={props.path === '/tokens' ? 'page' : undefined}>
                  My tokens
                </a>
                <form method="post" action="/logout" class="inline">
                  <CsrfField csrf={props.csrf} />
                  <button type="submit" class="button link">
                    Sign out
                  </button>
                </form>
              </>
            ) : props.path === '/login' ? null : (
              <a href={`/login?next=${encodeURIComponent(props.path)}`}>Sign in</a>
            )}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {props.notice ? (
            <p class={`notice ${props.notice.kind}`} role={props.notice.kind === 'error' ? 'alert' : 'status'}>
              {props.notice.text}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}
