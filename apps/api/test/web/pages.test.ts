import { expect, it } from 'vitest';
import { ADMIN, describeApi } from '../harness.js';
import { getPage, postForm, sessionFromSetCookie, sessionOf } from './session.js';

const PAGES = ['/', '/tokens', '/admin/tokens', '/admin/users', '/admin/groups', '/admin/tables', '/install', '/login'];

describeApi('web pages over HTTP', { listen: true, sample: false, config: { trustedProxies: ['127.0.0.1', '::1'] } }, (api) => {
  it('redirects a signed-out browser to /login?next=…, while API and /auth routes keep their 401 JSON', async () => {
    const page = await getPage(api(), '/admin/users?search=a');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/admin/users?search=a')}`);
    for (const path of ['/api/catalog/tables', '/auth/me', '/auth/tokens']) {
      const res = await getPage(api(), path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
    // A client that does not ask for HTML gets the JSON 401 on page paths too.
    expect((await fetch(`${api().server.url}/tokens`, { redirect: 'manual' })).status).toBe(401);
  });

  it('drops a dead session cookie on the way to /login', async () => {
    const res = await getPage(api(), '/', sessionOf('not-a-jwt'));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login');
    expect(res.headers.getSetCookie().join('\n')).toMatch(/agnes_session=;.*Max-Age=0/);
  });

  it('serves every page with CSP (scripts from self only), nosniff, no-store and no inline script or style', async () => {
    const session = sessionOf(api().adminToken);
    for (const path of PAGES) {
      const res = await getPage(api(), path, path === '/login' ? undefined : session);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html.startsWith('<!doctype html>'), path).toBe(true);
      expect(html, path).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html, path).not.toMatch(/\sstyle=/);
      expect(html, path).not.toMatch(/\son[a-z]+=/i);
    }
    const script = await fetch(`${api().server.url}/assets/agnes.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('keeps the pages out of the OpenAPI document', async () => {
    const doc = (await api().call('GET', '/api/openapi.json')) as { paths: Record<string, unknown> };
    const paths = Object.keys(doc.paths);
    for (const page of ['/', '/login', '/logout', '/tokens', '/install', '/admin/users', '/admin/tables', '/assets/agnes.js']) expect(paths).not.toContain(page);
    expect(paths).toContain('/auth/tokens');
  });

  it('signs in through the form: an HttpOnly SameSite=Lax cookie and a redirect to the sanitised next', async () => {
    const good = await postForm(api(), '/login', { email: ADMIN.email, password: ADMIN.password, next: '/tokens?x=1' });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/tokens?x=1');
    const cookie = good.headers.getSetCookie().find((l) => l.startsWith('agnes_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const evil = await postForm(api(), '/login', { email: ADMIN.email, password: ADMIN.password, next: '//evil.example/x' });
    expect(evil.headers.get('location')).toBe('/');
    const wrong = await postForm(api(), '/login', { email: ADMIN.email, password: 'nope', next: '/tokens' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('wrong email or password');
  });

  it('marks the cookie Secure when a trusted proxy says the browser used HTTPS', async () => {
    // This suite trusts 127.0.0.1 as a proxy, so the test stands in for one.
    const res = await postForm(api(), '/login', { email: ADMIN.email, password: ADMIN.password, next: '/' }, undefined, { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((l) => l.startsWith('agnes_session='))).toMatch(/Secure/);
  });

  it('requires the CSRF token for cookie-authenticated mutations, and leaves Bearer clients alone', async () => {
    const session = sessionOf(api().adminToken);
    const json = (headers: Record<string, string>) =>
      fetch(`${api().server.url}/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'csrf-check', expires_in_days: 1 }) });
    const noToken = await json({ cookie: session.cookie });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { message: string } }).error.message).toMatch(/CSRF/);
    expect((await json({ cookie: session.cookie, 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await json({ cookie: session.cookie, 'x-csrf-token': session.csrf })).status).toBe(201);
    expect((await json({ authorization: `Bearer ${api().adminToken}` })).status).toBe(201);
    // Bearer wins even with a cookie and a hostile Origin: a browser never adds Authorization itself.
    expect((await json({ authorization: `Bearer ${api().adminToken}`, cookie: session.cookie, origin: 'https://evil.example' })).status).toBe(201);

    const form = await postForm(api(), '/tokens', { name: 'no-csrf', expires: '7' }, session);
    expect(form.status).toBe(403);
    expect(form.headers.get('content-type')).toMatch(/text\/html/);
    const ok = await postForm(api(), '/tokens', { name: 'with-csrf', expires: '7', _csrf: session.csrf }, session);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('shown only this once');
  });

  it('refuses cross-site form posts, including sign-in (login CSRF)', async () => {
    const session = sessionOf(api().adminToken);
    const crossSite = await postForm(api(), '/tokens', { name: 'x', expires: '7', _csrf: session.csrf }, session, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const login = await fetch(`${api().server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', accept: 'text/html' },
      body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(403);
    expect(sessionFromSetCookie(login)).toBeUndefined();
  });

  it('escapes user-supplied strings in pages', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    await api().call('POST', '/api/users', { token: api().adminToken, body: { email: 'xss-http@example.com', name: evil, password: 'pw-1234567' } });
    const html = await (await getPage(api(), '/admin/users', sessionOf(api().adminToken))).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(evil);
  });

  it('shows analysts an error page for admin pages and HTML 404s for unknown pages', async () => {
    const analyst = await api().user('pages-analyst@example.com');
    const session = sessionOf(analyst.token);
    for (const path of ['/admin/users', '/admin/tokens', '/admin/groups', '/admin/tables']) {
      const res = await getPage(api(), path, session);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('for admins');
    }
    const dashboard = await (await getPage(api(), '/', session)).text();
    expect(dashboard).not.toContain('href="/admin/users"');
    expect(dashboard).toContain('No tables yet');
    const missing = await getPage(api(), '/no/such/page', session);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/text\/html/);
    expect((await getPage(api(), '/tables/orders', session)).status).toBe(404);
    expect((await getPage(api(), '/tables/orders', sessionOf(api().adminToken))).status).toBe(404);
  });

  it('applies the API safeguards to the user admin forms: never yourself; set password, admin toggle and reactivation work', async () => {
    const session = sessionOf(api().adminToken);
    const me = (await api().call('GET', '/auth/me', { token: api().adminToken })) as { id: string };
    const self = await postForm(api(), `/admin/users/${me.id}/deactivate`, { _csrf: session.csrf }, session);
    expect(self.status).toBe(403);
    expect(await self.text()).toContain('you cannot deactivate yourself');
    const demote = await postForm(api(), `/admin/users/${me.id}/remove-admin`, { _csrf: session.csrf }, session);
    expect(demote.status).toBe(403);

    const bob = await api().user('bob-pages@example.com');
    const step = async (action: string, fields: Record<string, string> = {}) => {
      const res = await postForm(api(), `/admin/users/${bob.id}/${action}`, { _csrf: session.csrf, ...fields }, session);
      expect(res.status, action).toBe(303);
      return (await api().call('GET', `/api/users/${bob.id}`, { token: api().adminToken })) as { role: string; active: boolean };
    };
    expect((await step('make-admin')).role).toBe('admin');
    expect((await step('remove-admin')).role).toBe('analyst');
    expect((await step('deactivate')).active).toBe(false);
    expect((await api().request('GET', '/auth/me', { token: bob.token })).status).toBe(401);
    expect((await step('activate')).active).toBe(true);
    await step('set-password', { password: 'a brand new password' });
    expect((await api().login('bob-pages@example.com', 'a brand new password')).length).toBeGreaterThan(20);
    const unknown = await postForm(api(), `/admin/users/${bob.id}/explode`, { _csrf: session.csrf }, session);
    expect(unknown.status).toBe(404);
  });
});
