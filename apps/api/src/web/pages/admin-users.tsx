import type { Context } from 'hono';
import { ApiError } from '../../http/api-error.js';
import type { AppEnv } from '../../http/env.js';
import { when } from '../format.js';
import { ActionButton, CsrfField, Layout, type Notice } from '../layout.js';
import { field, frameOf, pageStatus, requireAdmin, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';

/** A user as `GET /api/users` lists it. */
interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly role: 'admin' | 'analyst';
  readonly active: boolean;
  readonly created_at: string;
}

const DONE: Record<string, string> = {
  created: 'User created.',
  activated: 'User activated.',
  deactivated: 'User deactivated: their sessions and tokens stop working at once.',
  password: 'Password set.',
  admin: 'The user is now an admin.',
  analyst: 'The user is no longer an admin.',
};

type Action = { readonly method: 'POST' | 'PATCH'; readonly path: (id: string) => string; readonly body: (form: Record<string, unknown>) => unknown; readonly done: string };

const ACTIONS: Record<string, Action> = {
  activate: { method: 'POST', path: (id) => `/api/users/${id}/activate`, body: () => ({}), done: 'activated' },
  deactivate: { method: 'POST', path: (id) => `/api/users/${id}/deactivate`, body: () => ({}), done: 'deactivated' },
  'set-password': { method: 'POST', path: (id) => `/api/users/${id}/set-password`, body: (form) => ({ password: field(form, 'password') }), done: 'password' },
  'make-admin': { method: 'PATCH', path: (id) => `/api/users/${id}`, body: () => ({ role: 'admin' }), done: 'admin' },
  'remove-admin': { method: 'PATCH', path: (id) => `/api/users/${id}`, body: () => ({ role: 'analyst' }), done: 'analyst' },
};

/** `/admin/users`: list, search, create, activate/deactivate, set password, Admin toggle. */
export function adminUserPages({ app, api }: Web): void {
  const show = async (c: Context<AppEnv>, notice?: Notice, status?: number) => {
    requireAdmin(c);
    const search = (c.req.query('search') ?? '').trim();
    const list = await api<UserRow[]>(c, 'GET', `/api/users${search ? `?search=${encodeURIComponent(search)}` : ''}`);
    if (!list.ok) throw new ApiError('unavailable', list.message);
    const done = DONE[c.req.query('done') ?? ''];
    const frame = frameOf(c, 'Users', notice ?? (done ? { kind: 'ok', text: done } : undefined));
    const me = c.get('caller')?.user.id;
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>Users</h1>
        <section class="card" aria-labelledby="new-user-heading">
          <h2 id="new-user-heading">Add a user</h2>
          <form method="post" action="/admin/users" class="row">
            <CsrfField csrf={frame.csrf} />
            <label>
              Email
              <input type="email" name="email" required maxlength={320} autocomplete="off" />
            </label>
            <label>
              Name
              <input type="text" name="name" maxlength={200} autocomplete="off" />
            </label>
            <label>
              Password
              <input type="password" name="password" autocomplete="new-password" />
            </label>
            <label class="check">
              <input type="checkbox" name="admin" value="yes" />
              Admin
            </label>
            <button type="submit" class="primary">
              Add user
            </button>
          </form>
        </section>
        <form method="get" action="/admin/users" class="row" role="search">
          <label>
            Search by email or name
            <input type="search" name="search" value={search} />
          </label>
          <button type="submit">Search</button>
        </form>
        <h2>
          {list.data.length} user{list.data.length === 1 ? '' : 's'}
        </h2>
        <div class="table-wrap">
          <table>
            <caption class="offscreen">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((u) => {
                const label = u.name ? `${u.name} (${u.email})` : u.email;
                const base = `/admin/users/${encodeURIComponent(u.id)}`;
                return (
                  <tr data-user-email={u.email}>
                    <th scope="row">
                      <span class="user-name">{u.name ?? ''}</span>
                      <span class="muted"> {u.email}</span>
                      {u.id === me ? <span class="pill">you</span> : null}
                    </th>
                    <td>{u.role}</td>
                    <td>
                      <span class={`pill ${u.active ? 'active' : 'inactive'}`}>{u.active ? 'active' : 'deactivated'}</span>
                    </td>
                    <td>{when(u.created_at)}</td>
                    <td>
                      <div class="actions">
                        {u.active ? (
                          <ActionButton action={`${base}/deactivate`} csrf={frame.csrf} label="Deactivate" danger confirm={`Deactivate ${label}? Their sessions and tokens stop working at once.`} accessibleLabel={`Deactivate ${label}`} />
                        ) : (
                          <ActionButton action={`${base}/activate`} csrf={frame.csrf} label="Activate" accessibleLabel={`Activate ${label}`} />
                        )}
                        {u.role === 'admin' ? (
                          <ActionButton action={`${base}/remove-admin`} csrf={frame.csrf} label="Remove admin" confirm={`Remove the admin role from ${label}?`} accessibleLabel={`Remove admin role from ${label}`} />
                        ) : (
                          <ActionButton action={`${base}/make-admin`} csrf={frame.csrf} label="Make admin" confirm={`Make ${label} an admin?`} accessibleLabel={`Make ${label} an admin`} />
                        )}
                        <a class="button" href={`/admin/tokens?user=${encodeURIComponent(u.email)}`} aria-label={`Tokens of ${label}`}>
                          Tokens
                        </a>
                        <details>
                          <summary>Set password</summary>
                          <form method="post" action={`${base}/set-password`} class="row">
                            <CsrfField csrf={frame.csrf} />
                            <label>
                              New password for {label}
                              <input type="password" name="password" required autocomplete="new-password" />
                            </label>
                            <button type="submit">Set password</button>
                          </form>
                        </details>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Layout>,
      status === undefined ? 200 : pageStatus(status),
    );
  };

  app.get('/admin/users', (c) => show(c));

  app.post('/admin/users', async (c) => {
    requireAdmin(c);
    const form = await c.req.parseBody();
    const password = field(form, 'password');
    const name = field(form, 'name').trim();
    const result = await api(c, 'POST', '/api/users', {
      email: field(form, 'email'),
      name: name === '' ? null : name,
      ...(password === '' ? {} : { password }),
      role: field(form, 'admin') === 'yes' ? 'admin' : 'analyst',
    });
    if (!result.ok) return show(c, { kind: 'error', text: result.message }, result.status);
    return c.redirect('/admin/users?done=created', 303);
  });

  app.post('/admin/users/:id/:action', async (c) => {
    requireAdmin(c);
    const action = ACTIONS[c.req.param('action')];
    if (!action) throw new ApiError('not_found', `no user action ${c.req.param('action')}`);
    const form = await c.req.parseBody();
    const result = await api(c, action.method, action.path(encodeURIComponent(c.req.param('id'))), action.body(form));
    if (!result.ok) return show(c, { kind: 'error', text: result.message }, result.status);
    return c.redirect(`/admin/users?done=${action.done}`, 303);
  });
}
