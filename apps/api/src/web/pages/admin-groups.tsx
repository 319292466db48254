import type { Context } from 'hono';
import { ApiError } from '../../http/api-error.js';
import type { AppEnv } from '../../http/env.js';
import { ActionButton, CsrfField, Layout, type Notice } from '../layout.js';
import { field, frameOf, pageStatus, requireAdmin, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';
import type { CatalogTable } from './catalog.js';

interface GroupRow {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly is_system: boolean;
}
interface MemberRow {
  readonly user: { id: string; email: string; name: string | null };
}
interface GrantRow {
  readonly id: string;
  readonly group_id: string;
  readonly resource_id: string;
}

const DONE: Record<string, string> = {
  group: 'Group created.',
  'group-removed': 'Group deleted.',
  member: 'Member added.',
  'member-removed': 'Member removed.',
  grant: 'Access granted.',
  'grant-removed': 'Access revoked.',
};

/** `/admin/groups`: groups, their members, and their table grants — who sees which table. */
export function adminGroupPages({ app, api }: Web): void {
  const show = async (c: Context<AppEnv>, notice?: Notice, status?: number) => {
    requireAdmin(c);
    const [groups, grants, catalog] = await Promise.all([
      api<GroupRow[]>(c, 'GET', '/api/admin/groups'),
      api<GrantRow[]>(c, 'GET', '/api/admin/grants'),
      api<{ tables: CatalogTable[] }>(c, 'GET', '/api/catalog/tables'),
    ]);
    if (!groups.ok) throw new ApiError('unavailable', groups.message);
    if (!grants.ok) throw new ApiError('unavailable', grants.message);
    const members = new Map<string, MemberRow[]>();
    for (const g of groups.data) {
      const list = await api<MemberRow[]>(c, 'GET', `/api/admin/groups/${encodeURIComponent(g.id)}/members`);
      members.set(g.id, list.ok ? list.data : []);
    }
    const tables = catalog.ok ? catalog.data.tables.map((t) => t.name) : [];
    const groupName = new Map(groups.data.map((g) => [g.id, g.name]));
    const done = DONE[c.req.query('done') ?? ''];
    const frame = frameOf(c, 'Groups and access', notice ?? (done ? { kind: 'ok', text: done } : undefined));
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>Groups and access</h1>
        <p>Users see the tables granted to their groups; members of Admin see every table.</p>
        <section class="card" aria-labelledby="new-group-heading">
          <h2 id="new-group-heading">Create a group</h2>
          <form method="post" action="/admin/groups" class="row">
            <CsrfField csrf={frame.csrf} />
            <label>
              Name
              <input type="text" name="name" required maxlength={100} />
            </label>
            <label>
              Description
              <input type="text" name="description" maxlength={1000} />
            </label>
            <button type="submit" class="primary">
              Create group
            </button>
          </form>
        </section>
        <h2 id="who-sees">Who sees which table</h2>
        <div class="table-wrap">
          <table aria-labelledby="who-sees">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Groups with access (besides Admin)</th>
              </tr>
            </thead>
            <tbody>
              {tables.map((t) => {
                const holders = grants.data.filter((g) => g.resource_id.toLowerCase() === t.toLowerCase()).map((g) => groupName.get(g.group_id) ?? g.group_id);
                return (
                  <tr>
                    <th scope="row">{t}</th>
                    <td>{holders.length > 0 ? holders.join(', ') : <span class="muted">admins only</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {groups.data.map((g) => {
          const base = `/admin/groups/${encodeURIComponent(g.id)}`;
          const groupGrants = grants.data.filter((x) => x.group_id === g.id);
          const headingId = `group-${g.id}`;
          return (
            <section class="card" aria-labelledby={headingId} data-group={g.name}>
              <h2 id={headingId}>
                {g.name}
                {g.is_system ? <span class="pill">system</span> : null}
              </h2>
              {g.description ? <p>{g.description}</p> : null}
              <h3>Members</h3>
              <ul>
                {(members.get(g.id) ?? []).map((m) => (
                  <li>
                    {m.user.name ? `${m.user.name} ` : ''}
                    <span class="muted">{m.user.email}</span>{' '}
                    <ActionButton action={`${base}/members/${encodeURIComponent(m.user.id)}/remove`} csrf={frame.csrf} label="Remove" danger accessibleLabel={`Remove ${m.user.email} from ${g.name}`} />
                  </li>
                ))}
              </ul>
              <form method="post" action={`${base}/members`} class="row">
                <CsrfField csrf={frame.csrf} />
                <label>
                  Add member by email
                  <input type="email" name="email" required />
                </label>
                <button type="submit">Add member</button>
              </form>
              {g.id === 'admin' ? null : (
                <>
                  <h3>Tables</h3>
                  <ul>
                    {groupGrants.map((x) => (
                      <li>
                        {x.resource_id}{' '}
                        <ActionButton action={`/admin/grants/${encodeURIComponent(x.id)}/revoke`} csrf={frame.csrf} label="Revoke" danger accessibleLabel={`Revoke ${g.name} access to ${x.resource_id}`} />
                      </li>
                    ))}
                  </ul>
                  <form method="post" action="/admin/grants" class="row">
                    <CsrfField csrf={frame.csrf} />
                    <input type="hidden" name="group_id" value={g.id} />
                    <label>
                      Grant access to table
                      <input type="text" name="table" required list="published-tables" />
                    </label>
                    <button type="submit">Grant</button>
                  </form>
                  {g.is_system ? null : (
                    <p>
                      <ActionButton action={`${base}/delete`} csrf={frame.csrf} label="Delete group" danger confirm={`Delete the group ${g.name} with its memberships and grants?`} accessibleLabel={`Delete group ${g.name}`} />
                    </p>
                  )}
                </>
              )}
            </section>
          );
        })}
        <datalist id="published-tables">
          {tables.map((t) => (
            <option value={t} />
          ))}
        </datalist>
      </Layout>,
      status === undefined ? 200 : pageStatus(status),
    );
  };

  const act = (run: (c: Context<AppEnv>, form: Record<string, unknown>) => Promise<{ ok: boolean; status: number; message?: string }>, done: string) => async (c: Context<AppEnv>) => {
    requireAdmin(c);
    const form = await c.req.parseBody();
    const result = await run(c, form);
    if (!result.ok) return show(c, { kind: 'error', text: result.message ?? 'failed' }, result.status);
    return c.redirect(`/admin/groups?done=${done}`, 303);
  };
  const id = (c: Context<AppEnv>, name: string) => encodeURIComponent(c.req.param(name) ?? '');

  app.get('/admin/groups', (c) => show(c));
  app.post('/admin/groups', act((c, form) => api(c, 'POST', '/api/admin/groups', { name: field(form, 'name'), description: field(form, 'description') || null }), 'group'));
  app.post('/admin/groups/:id/delete', act((c) => api(c, 'DELETE', `/api/admin/groups/${id(c, 'id')}`), 'group-removed'));
  app.post('/admin/groups/:id/members', act((c, form) => api(c, 'POST', `/api/admin/groups/${id(c, 'id')}/members`, { email: field(form, 'email') }), 'member'));
  app.post('/admin/groups/:id/members/:user/remove', act((c) => api(c, 'DELETE', `/api/admin/groups/${id(c, 'id')}/members/${id(c, 'user')}`), 'member-removed'));
  app.post('/admin/grants', act((c, form) => api(c, 'POST', '/api/admin/grants', { group_id: field(form, 'group_id'), resource_type: 'table', resource_id: field(form, 'table').trim() }), 'grant'));
  app.post('/admin/grants/:id/revoke', act((c) => api(c, 'DELETE', `/api/admin/grants/${id(c, 'id')}`), 'grant-removed'));
}
