import type { Context } from 'hono';
import { ApiError } from '../../http/api-error.js';
import type { AppEnv } from '../../http/env.js';
import { ago, when } from '../format.js';
import { ActionButton, CsrfField, Layout, type Notice } from '../layout.js';
import { field, frameOf, pageStatus, requireAdmin, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';

/** A token as `GET /auth/tokens` lists it. */
interface TokenRow {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly user_id: string;
  readonly user_email?: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
  readonly last_used_ip: string | null;
  readonly status: 'active' | 'revoked' | 'expired';
}

const EXPIRY_CHOICES: readonly { value: string; label: string }[] = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
];

const DONE: Record<string, string> = { revoked: 'Token revoked; it stops working at once.' };

function TokenTable(props: { tokens: readonly TokenRow[]; owner: boolean; csrf: string; revokeBase: string; now: Date; label: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="offscreen">{props.label}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {props.owner ? <th scope="col">Owner</th> : null}
            <th scope="col">Prefix</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="offscreen">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((t) => (
            <tr data-token-id={t.id}>
              <th scope="row">{t.name}</th>
              {props.owner ? <td>{t.user_email ?? t.user_id}</td> : null}
              <td>
                <code>{t.prefix}</code>
              </td>
              <td>
                <span class={`pill ${t.status}`}>{t.status}</span>
              </td>
              <td>{when(t.created_at)}</td>
              <td>{t.expires_at ? when(t.expires_at) : 'never'}</td>
              <td>
                {ago(t.last_used_at, props.now)}
                {t.last_used_ip ? <span class="muted"> from {t.last_used_ip}</span> : null}
              </td>
              <td>
                {t.status === 'active' ? (
                  <ActionButton
                    action={`${props.revokeBase}/${encodeURIComponent(t.id)}/revoke`}
                    csrf={props.csrf}
                    label="Revoke"
                    danger
                    confirm={`Revoke the token "${t.name}"? Anything using it stops working.`}
                    accessibleLabel={`Revoke token ${t.name}`}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `/tokens` (own PATs: create, reveal once, revoke) and `/admin/tokens` (everyone's). */
export function tokenPages({ app, deps, api }: Web): void {
  const showOwn = async (c: Context<AppEnv>, options: { notice?: Notice; status?: number; created?: { name: string; token: string } } = {}) => {
    const list = await api<TokenRow[]>(c, 'GET', '/auth/tokens');
    if (!list.ok) throw new ApiError('unavailable', list.message);
    const done = DONE[c.req.query('done') ?? ''];
    const frame = frameOf(c, 'My tokens', options.notice ?? (done ? { kind: 'ok', text: done } : undefined));
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>My tokens</h1>
        <p>
          Personal access tokens let <code>da</code>, scripts and agents call the API as you. Treat them like passwords.
        </p>
        {options.created ? (
          <section class="card" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">Your new token "{options.created.name}"</h2>
            <p>Copy it now: it is shown only this once.</p>
            <div class="copy-row">
              <label class="grow">
                <span class="offscreen">New token</span>
                <input id="new-token" class="secret" type="text" readonly value={options.created.token} />
              </label>
              <button type="button" data-copy="new-token" hidden>
                Copy
              </button>
            </div>
            <p>
              Next: <a href="/install">set up a machine with it</a>.
            </p>
          </section>
        ) : null}
        <section class="card" aria-labelledby="create-heading">
          <h2 id="create-heading">Create a token</h2>
          <form method="post" action="/tokens" class="row">
            <CsrfField csrf={frame.csrf} />
            <label>
              Name
              <input type="text" name="name" required maxlength={100} placeholder="laptop" />
            </label>
            <label>
              Expires in
              <select name="expires">
                {EXPIRY_CHOICES.map((e) => (
                  <option value={e.value} selected={e.value === '90'}>
                    {e.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary">
              Create token
            </button>
          </form>
        </section>
        <h2>Your tokens</h2>
        {list.data.length === 0 ? (
          <p class="muted">You have no tokens yet.</p>
        ) : (
          <TokenTable tokens={list.data} owner={false} csrf={frame.csrf} revokeBase="/tokens" now={deps.clock()} label="Your tokens" />
        )}
      </Layout>,
      options.status === undefined ? 200 : pageStatus(options.status),
    );
  };

  app.get('/tokens', (c) => showOwn(c));

  app.post('/tokens', async (c) => {
    const form = await c.req.parseBody();
    const expires = field(form, 'expires');
    const days = expires === 'never' ? null : Number(expires || '90');
    const created = await api<{ token: string; name: string }>(c, 'POST', '/auth/tokens', { name: field(form, 'name'), expires_in_days: days });
    if (!created.ok) return showOwn(c, { notice: { kind: 'error', text: created.message }, status: created.status });
    return showOwn(c, { created: created.data, notice: { kind: 'ok', text: `Token "${created.data.name}" created.` } });
  });

  app.post('/tokens/:id/revoke', async (c) => {
    const result = await api(c, 'DELETE', `/auth/tokens/${encodeURIComponent(c.req.param('id'))}`);
    if (!result.ok) return showOwn(c, { notice: { kind: 'error', text: result.message }, status: result.status });
    return c.redirect('/tokens?done=revoked', 303);
  });

  const showAll = async (c: Context<AppEnv>, notice?: Notice, status?: number) => {
    requireAdmin(c);
    const list = await api<TokenRow[]>(c, 'GET', '/auth/admin/tokens');
    if (!list.ok) throw new ApiError('unavailable', list.message);
    const statusFilter = c.req.query('status') ?? '';
    const userFilter = (c.req.query('user') ?? '').trim().toLowerCase();
    const tokens = list.data.filter((t) => (!statusFilter || t.status === statusFilter) && (!userFilter || (t.user_email ?? '').toLowerCase().includes(userFilter)));
    const counts = { active: 0, revoked: 0, expired: 0 };
    for (const t of list.data) counts[t.status] += 1;
    const done = DONE[c.req.query('done') ?? ''];
    const frame = frameOf(c, 'All tokens', notice ?? (done ? { kind: 'ok', text: done } : undefined));
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>All tokens</h1>
        <ul class="stats" aria-label="Token counts">
          <li>
            <span class="muted">Active</span>
            <strong>{counts.active}</strong>
          </li>
          <li>
            <span class="muted">Revoked</span>
            <strong>{counts.revoked}</strong>
          </li>
          <li>
            <span class="muted">Expired</span>
            <strong>{counts.expired}</strong>
          </li>
        </ul>
        <form method="get" action="/admin/tokens" class="row card" role="search">
          <label>
            Status
            <select name="status">
              {['', 'active', 'revoked', 'expired'].map((s) => (
                <option value={s} selected={s === statusFilter}>
                  {s === '' ? 'Any' : s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Owner email
            <input type="search" name="user" value={c.req.query('user') ?? ''} />
          </label>
          <button type="submit">Filter</button>
        </form>
        <p class="muted" role="status">
          {tokens.length} of {list.data.length} tokens
        </p>
        <TokenTable tokens={tokens} owner csrf={frame.csrf} revokeBase="/admin/tokens" now={deps.clock()} label="All tokens" />
      </Layout>,
      status === undefined ? 200 : pageStatus(status),
    );
  };

  app.get('/admin/tokens', (c) => showAll(c));

  app.post('/admin/tokens/:id/revoke', async (c) => {
    requireAdmin(c);
    const result = await api(c, 'DELETE', `/auth/admin/tokens/${encodeURIComponent(c.req.param('id'))}`);
    if (!result.ok) return showAll(c, { kind: 'error', text: result.message }, result.status);
    return c.redirect('/admin/tokens?done=revoked', 303);
  });
}
