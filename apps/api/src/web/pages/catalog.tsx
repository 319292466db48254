import type { Child } from 'hono/jsx';
import { ApiError } from '../../http/api-error.js';
import { ago, bytes, count, when } from '../format.js';
import { Layout } from '../layout.js';
import { frameOf, sendPage } from '../respond.js';
import type { Web } from '../web-context.js';
import type { TableProfileData } from '../../sync/profiler.js';

/** A table of the catalog, as `GET /api/catalog/tables` lists it. */
export interface CatalogTable {
  readonly name: string;
  readonly source: string;
  readonly description: string | null;
  readonly query_mode: 'local' | 'remote';
  readonly rows: number | null;
  readonly size_bytes: number | null;
  readonly updated: string | null;
  readonly columns: readonly { name: string; type: string; nullable: boolean }[];
  readonly profile: Record<string, unknown> | null;
}

interface Health {
  readonly tables: number;
  readonly last_sync: string | null;
  readonly sync_running: boolean;
  readonly version: string;
}

/** One column of a stored profile (written by the sync's profiler). */
type ProfileColumn = TableProfileData['columns'][number];

interface QueryResult {
  readonly columns: string[];
  readonly rows: unknown[][];
  readonly truncated: boolean;
}

const SAMPLE_ROWS = 20;

function profileColumns(profile: Record<string, unknown> | null): ProfileColumn[] {
  const columns = profile?.columns;
  return Array.isArray(columns) ? (columns as ProfileColumn[]) : [];
}

function cell(value: unknown): Child {
  if (value === null || value === undefined) return <span class="muted">NULL</span>;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `/` (the dashboard: last sync and the tables the user may read) and `/tables/:name`. */
export function catalogPages({ app, deps, api }: Web): void {
  app.get('/', async (c) => {
    const [catalog, health] = await Promise.all([api<{ tables: CatalogTable[] }>(c, 'GET', '/api/catalog/tables'), api<Health>(c, 'GET', '/api/health')]);
    if (!catalog.ok) throw new ApiError('unavailable', catalog.message);
    const tables = catalog.data.tables;
    const now = deps.clock();
    const lastSync = health.ok ? health.data.last_sync : null;
    const frame = frameOf(c, 'Dashboard');
    return sendPage(
      c,
      <Layout {...frame}>
        <h1>Dashboard</h1>
        <ul class="stats" aria-label="Summary">
          <li>
            <span class="muted">Last sync</span>
            <strong>{ago(lastSync, now)}</strong>
            <span class="muted">{when(lastSync)}</span>
          </li>
          <li>
            <span class="muted">Tables you can read</span>
            <strong data-testid="table-count">{count(tables.length)}</strong>
          </li>
          {health.ok && health.data.sync_running ? (
            <li>
              <span class="muted">Sync</span>
              <strong>running</strong>
            </li>
          ) : null}
        </ul>
        <p>
          New machine? <a href="/install">Install da and sign it in</a>.
        </p>
        <h2>Your tables</h2>
        {tables.length === 0 ? (
          <p class="card">No tables yet. {frame.viewer?.isAdmin ? <a href="/admin/tables">Register and sync some.</a> : 'Ask an admin to grant your group access to the tables you need.'}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="offscreen">Tables you can read</caption>
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col">Source</th>
                  <th scope="col">Description</th>
                  <th scope="col" class="num">Rows</th>
                  <th scope="col" class="num">Size</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {tables.map((t) => (
                  <tr>
                    <th scope="row">
                      <a href={`/tables/${encodeURIComponent(t.name)}`}>{t.name}</a>
                      {t.query_mode === 'remote' ? <span class="pill">remote</span> : null}
                    </th>
                    <td>{t.source}</td>
                    <td>{t.description ?? ''}</td>
                    <td class="num">{count(t.rows)}</td>
                    <td class="num">{bytes(t.size_bytes)}</td>
                    <td title={when(t.updated)}>{ago(t.updated, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Layout>,
    );
  });

  app.get('/tables/:name', async (c) => {
    const name = c.req.param('name');
    const catalog = await api<{ tables: CatalogTable[] }>(c, 'GET', '/api/catalog/tables');
    if (!catalog.ok) throw new ApiError('unavailable', catalog.message);
    const table = catalog.data.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!table) throw new ApiError('not_found', `no table ${name} that you can read`);
    const sample =
      table.query_mode === 'local'
        ? await api<QueryResult>(c, 'POST', '/api/query', { sql: `SELECT * FROM ${quoteIdentifier(table.name)} LIMIT ${SAMPLE_ROWS}`, limit: SAMPLE_ROWS })
        : undefined;
    const profile = profileColumns(table.profile);
    const byName = new Map(profile.map((p) => [p.name, p]));
    const now = deps.clock();
    return sendPage(
      c,
      <Layout {...frameOf(c, table.name)}>
        <p>
          <a href="/">← Dashboard</a>
        </p>
        <h1>{table.name}</h1>
        {table.description ? <p>{table.description}</p> : null}
        <ul class="stats" aria-label="Facts">
          <li>
            <span class="muted">Rows</span>
            <strong>{count(table.rows)}</strong>
          </li>
          <li>
            <span class="muted">Size</span>
            <strong>{bytes(table.size_bytes)}</strong>
          </li>
          <li>
            <span class="muted">Updated</span>
            <strong>{ago(table.updated, now)}</strong>
            <span class="muted">{when(table.updated)}</span>
          </li>
          <li>
            <span class="muted">Source</span>
            <strong>{table.source}</strong>
            <span class="muted">{table.query_mode === 'remote' ? 'queried remotely' : 'synced locally'}</span>
          </li>
        </ul>
        <h2 id="schema">Schema and profile</h2>
        <div class="table-wrap">
          <table aria-labelledby="schema">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Type</th>
                <th scope="col">Nullable</th>
                <th scope="col" class="num">Nulls</th>
                <th scope="col" class="num">Distinct (approx.)</th>
                <th scope="col">Min</th>
                <th scope="col">Max</th>
              </tr>
            </thead>
            <tbody>
              {table.columns.map((col) => {
                const p = byName.get(col.name);
                return (
                  <tr>
                    <th scope="row">{col.name}</th>
                    <td>{col.type}</td>
                    <td>{col.nullable ? 'yes' : 'no'}</td>
                    <td class="num">{p?.nullPercent === null || p?.nullPercent === undefined ? '—' : `${p.nullPercent.toFixed(1)} %`}</td>
                    <td class="num">{count(p?.distinct)}</td>
                    <td>{p?.min ?? '—'}</td>
                    <td>{p?.max ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {profile.length === 0 ? <p class="muted">No profile yet: it is computed after a sync of a local table.</p> : null}
        <h2 id="sample">Sample</h2>
        {sample === undefined ? (
          <p class="muted">A remote table has no local copy; query it with <code>da query</code>.</p>
        ) : !sample.ok ? (
          <p class="notice error" role="alert">
            {sample.message}
          </p>
        ) : (
          <div class="table-wrap">
            <table aria-labelledby="sample">
              <thead>
                <tr>
                  {sample.data.columns.map((col) => (
                    <th scope="col">{col}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sample.data.rows.map((row) => (
                  <tr>
                    {row.map((v) => (
                      <td>{cell(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted">The first {sample.data.rows.length} rows.</p>
          </div>
        )}
      </Layout>,
    );
  });
}
