import type { Context } from 'hono';
import { ApiError } from '../../http/api-error.js';
import type { AppEnv } from '../../http/env.js';
import { when } from '../format.js';
import { CsrfField, Layout, type Notice } from '../layout.js';
import { field, frameOf, pageStatus, requireAdmin, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';

interface Registered {
  readonly id: string;
  readonly source: string;
  readonly source_table: string | null;
  readonly strategy: string;
  readonly query_mode: string;
  readonly schedule: string | null;
  readonly description: string | null;
  readonly updated_at: string | null;
  readonly registered_at: string;
}
interface Discovered {
  readonly source: string;
  readonly name: string;
  readonly description: string | null;
  readonly query_mode: string;
  readonly registered: boolean;
  readonly columns: readonly { name: string }[];
}
interface SourceRow {
  readonly name: string;
  readonly connector: string;
  readonly enabled: boolean;
}
interface Job {
  readonly id: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly phase: string;
  readonly started_at: string;
  readonly tables: readonly { source: string; table: string; status: string; rows: number; reason: string | null }[];
  readonly error: string | null;
}

const DONE: Record<string, string> = { registered: 'Table registered; it is extracted on the next sync.', saved: 'Changes saved.' };

function jobLines(job: Job): string {
  return job.tables.map((t) => `${t.source}.${t.table}: ${t.status} (${t.rows} rows)${t.reason ? ` — ${t.reason}` : ''}`).join('\n') || 'no tables yet';
}

/** `/admin/tables`: discover a source's tables, register, edit schedule/description, sync and watch it. */
export function adminTablePages({ app, api }: Web): void {
  const show = async (c: Context<AppEnv>, notice?: Notice, status?: number) => {
    requireAdmin(c);
    const [registry, sources] = await Promise.all([api<{ tables: Registered[] }>(c, 'GET', '/api/admin/registry'), api<SourceRow[]>(c, 'GET', '/api/admin/sources')]);
    if (!registry.ok) throw new ApiError('unavailable', registry.message);
    if (!sources.ok) throw new ApiError('unavailable', sources.message);
    const discoverSource = c.req.query('discover') ?? '';
    const discovered = discoverSource ? await api<Discovered[]>(c, 'GET', `/api/admin/discover-tables?source=${encodeURIComponent(discoverSource)}`) : undefined;
    const jobId = c.req.query('job');
    const job = jobId ? await api<Job>(c, 'GET', `/api/sync/jobs/${encodeURIComponent(jobId)}`) : undefined;
    const done = DONE[c.req.query('done') ?? ''];
    const frame = frameOf(c, 'Tables', notice ?? (discovered && !discovered.ok ? { kind: 'error', text: discovered.message } : done ? { kind: 'ok', text: done } : undefined));
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>Tables</h1>
        <section class="card" aria-labelledby="sync-heading">
          <h2 id="sync-heading">Sync</h2>
          <form method="post" action="/admin/tables/sync" class="row">
            <CsrfField csrf={frame.csrf} />
            <label>
              Source
              <select name="source">
                <option value="">All enabled sources</option>
                {sources.data.map((s) => (
                  <option value={s.name}>{s.name}</option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary">
              Sync now
            </button>
          </form>
          {job?.ok ? (
            <div data-job-id={job.data.id} data-status={job.data.status} aria-live="polite">
              <p>
                Job <code>{job.data.id.slice(0, 8)}</code> started {when(job.data.started_at)}: <strong id="job-status">{job.data.status}</strong>, phase <span id="job-phase">{job.data.phase}</span>
              </p>
              <pre class="code" id="job-tables">
                {jobLines(job.data)}
              </pre>
              {job.data.error ? <p class="notice error">{job.data.error}</p> : null}
            </div>
          ) : job ? (
            <p class="notice error">{job.message}</p>
          ) : null}
        </section>
        <section class="card" aria-labelledby="discover-heading">
          <h2 id="discover-heading">Discover tables</h2>
          <form method="get" action="/admin/tables" class="row">
            <label>
              Source
              <select name="discover" required>
                {sources.data.map((s) => (
                  <option value={s.name} selected={s.name === discoverSource}>
                    {s.name} ({s.connector})
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Discover</button>
          </form>
          {discovered?.ok ? (
            <div class="table-wrap">
              <table>
                <caption class="offscreen">Tables {discoverSource} offers</caption>
                <thead>
                  <tr>
                    <th scope="col">Table</th>
                    <th scope="col">Columns</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Registered</th>
                  </tr>
                </thead>
                <tbody>
                  {discovered.data.map((t) => (
                    <tr data-discovered={t.name}>
                      <th scope="row">{t.name}</th>
                      <td>{t.columns.map((col) => col.name).join(', ')}</td>
                      <td>{t.query_mode}</td>
                      <td>
                        {t.registered ? (
                          'yes'
                        ) : (
                          <form method="post" action="/admin/tables/register" class="inline">
                            <CsrfField csrf={frame.csrf} />
                            <input type="hidden" name="source" value={t.source} />
                            <input type="hidden" name="source_table" value={t.name} />
                            <label class="check">
                              <span class="offscreen">Published name for {t.name}</span>
                              <input type="text" name="name" value={t.name} required />
                            </label>{' '}
                            <button type="submit" aria-label={`Register ${t.name}`}>
                              Register
                            </button>
                          </form>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
        <h2 id="registered-heading">Registered tables</h2>
        <div class="table-wrap">
          <table aria-labelledby="registered-heading">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Source</th>
                <th scope="col">Strategy</th>
                <th scope="col">Schedule and description</th>
              </tr>
            </thead>
            <tbody>
              {registry.data.tables.map((t) => (
                <tr data-registered={t.id}>
                  <th scope="row">
                    <a href={`/tables/${encodeURIComponent(t.id)}`}>{t.id}</a>
                  </th>
                  <td>
                    {t.source}
                    {t.source_table && t.source_table !== t.id ? <span class="muted"> ({t.source_table})</span> : null}
                  </td>
                  <td>
                    {t.strategy}, {t.query_mode}
                  </td>
                  <td>
                    <form method="post" action={`/admin/tables/${encodeURIComponent(t.id)}/edit`} class="row">
                      <CsrfField csrf={frame.csrf} />
                      <label>
                        Schedule (cron) for {t.id}
                        <input type="text" name="schedule" value={t.schedule ?? ''} placeholder="source schedule" />
                      </label>
                      <label>
                        Description of {t.id}
                        <input type="text" name="description" value={t.description ?? ''} maxlength={5000} />
                      </label>
                      <button type="submit" aria-label={`Save ${t.id}`}>
                        Save
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
      status === undefined ? 200 : pageStatus(status),
    );
  };

  app.get('/admin/tables', (c) => show(c));

  app.post('/admin/tables/sync', async (c) => {
    requireAdmin(c);
    const form = await c.req.parseBody();
    const source = field(form, 'source');
    const result = await api<{ job_id: string }>(c, 'POST', '/api/sync/trigger', source ? { sources: [source] } : {});
    if (result.ok) return c.redirect(`/admin/tables?job=${encodeURIComponent(result.data.job_id)}`, 303);
    const running = result.details?.job_id;
    if (result.code === 'sync_running' && typeof running === 'string') return c.redirect(`/admin/tables?job=${encodeURIComponent(running)}`, 303);
    return show(c, { kind: 'error', text: result.message }, result.status);
  });

  app.post('/admin/tables/register', async (c) => {
    requireAdmin(c);
    const form = await c.req.parseBody();
    const result = await api(c, 'POST', '/api/admin/register-table', { id: field(form, 'name').trim(), source: field(form, 'source'), source_table: field(form, 'source_table') || null });
    if (!result.ok) return show(c, { kind: 'error', text: result.message }, result.status);
    return c.redirect('/admin/tables?done=registered', 303);
  });

  app.post('/admin/tables/:id/edit', async (c) => {
    requireAdmin(c);
    const form = await c.req.parseBody();
    const schedule = field(form, 'schedule').trim();
    const description = field(form, 'description').trim();
    const result = await api(c, 'PUT', `/api/admin/registry/${encodeURIComponent(c.req.param('id'))}`, { schedule: schedule || null, description: description || null });
    if (!result.ok) return show(c, { kind: 'error', text: result.message }, result.status);
    return c.redirect('/admin/tables?done=saved', 303);
  });
}
