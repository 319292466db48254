import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../../auth/authenticate.js';
import { endSession } from '../../auth/session.js';
import { SESSION_TTL_SECONDS } from '../../auth/jwt.js';
import type { AppEnv } from '../../http/env.js';
import { CsrfField, Layout, type Notice } from '../layout.js';
import { safeNextPath } from '../next-path.js';
import { field, frameOf, overHttps, pageStatus, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';

function LoginForm(props: { next: string; email: string; csrf: string }) {
  return (
    <section class="card narrow">
      <form method="post" action="/login" class="stack">
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required value={props.email} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </section>
  );
}

/** `/login` (password sign-in with a sanitised `next`) and `/logout`. */
export function loginPages({ app, deps, api }: Web): void {
  const show = (c: Context<AppEnv>, next: string, email: string, notice?: Notice, status: number = 200) => {
    const frame = frameOf(c, 'Sign in', notice);
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>Sign in to Agnes</h1>
        <LoginForm next={next} email={email} csrf={frame.csrf} />
        <p class="muted">
          Using the command line? See <a href="/install">how to install da</a>.
        </p>
      </Layout>,
      status === 200 ? 200 : pageStatus(status),
    );
  };

  app.get('/login', (c) => {
    const next = safeNextPath(c.req.query('next'));
    if (c.get('caller')) return c.redirect(next, 302);
    return show(c, next, '');
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNextPath(field(form, 'next'));
    const email = field(form, 'email');
    const result = await api<{ access_token: string }>(c, 'POST', '/auth/token', { email, password: field(form, 'password') });
    if (!result.ok) return show(c, next, email, { kind: 'error', text: result.message }, result.status);
    setCookie(c, SESSION_COOKIE, result.data.access_token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: overHttps(c, deps.settings),
      maxAge: SESSION_TTL_SECONDS,
    });
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    await endSession(deps, c.get('caller'));
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: overHttps(c, deps.settings) });
    return c.redirect('/login', 303);
  });
}
