import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { unwrap } from '../api/client.js';
import { openLocalDb } from '../database/local-db.js';
import { CliError, isCliError } from '../errors/cli-error.js';
import { formatBytes, renderTable } from '../output/output.js';
import { runLocalQuery } from '../query/local-query.js';
import { formatResult, type QueryFormat, type QueryResult } from '../query/result.js';
import { fetchPlan, runSync, type SyncReport } from '../sync/sync.js';
import { barProgress, lineProgress, silentProgress } from '../sync/progress.js';
import { readState } from '../workspace/workspace.js';
import { action, type Runtime, withExamples } from './context.js';
import { quoteIdent } from '@agnes/connector-kit';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

function positiveInt(name: string, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new CliError('usage', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} whole number (got ${value})`);
  return n;
}

function summaryLines(report: SyncReport): string[] {
  const s = report.summary;
  const lines: string[] = [];
  const verb = report.dry_run ? 'would be' : '';
  for (const t of report.tables) {
    if (t.status === 'unchanged') continue;
    const detail = t.status === 'failed' ? `failed: ${t.error ?? ''}` : t.status === 'remote' ? 'remote (query with --remote)' : `${t.status}${t.rows === null ? '' : `, ${t.rows} rows`}${t.bytes ? `, ${formatBytes(t.bytes)}` : ''}`;
    lines.push(`  ${t.table}: ${detail}`);
  }
  lines.push(
    `${report.dry_run ? 'Plan' : 'Sync'}: ${s.new} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.removed} removed${verb ? ` ${verb}` : ''}, ${s.remote} remote, ${s.failed} failed` +
      (report.dry_run ? `; ${formatBytes(report.tables.reduce((n, t) => n + t.bytes, 0))} to download (nothing written)` : `; ${formatBytes(report.downloaded_bytes)} downloaded`),
  );
  return lines;
}

/** da sync, da query, da status, da explore. */
export function dataCommands(runtime: Runtime): Command[] {
  const sync = withExamples(
    new Command('sync')
      .description('Download the tables you may read into server/parquet and rebuild user/duckdb/analytics.duckdb (only what changed)')
      .option('--table <name...>', 'only these tables (repeat or comma-separate)', collect)
      .option('--dry-run', 'print the plan, write nothing')
      .option('--jobs <n>', 'parallel downloads', '4')
      .action(
        action(runtime, async (ctx, opts: { table?: string[]; dryRun?: boolean; jobs: string }) => {
          const jobs = positiveInt('--jobs', opts.jobs);
          const { server, api } = await ctx.session();
          const progress = ctx.out.json || opts.dryRun ? silentProgress : ctx.out.interactive ? barProgress(ctx.out.stderr) : lineProgress(ctx.out.stderr);
          const report = await runSync({
            api,
            server,
            workspace: ctx.workspace,
            ...(opts.table ? { only: opts.table } : {}),
            dryRun: Boolean(opts.dryRun),
            jobs,
            progress,
            warn: (line) => ctx.out.warn(line),
            retryBaseMs: ctx.env.retryBaseMs,
          });
          const body = report.dry_run
            ? { dry_run: true, download: report.tables.filter((t) => t.bytes > 0).map((t) => ({ table: t.table, status: t.status, rows: t.rows, bytes: t.bytes })), tables: report.tables, summary: report.summary }
            : report;
          ctx.out.result(body, () => summaryLines(report));
          if (report.summary.failed > 0) {
            const failed = report.tables.filter((t) => t.status === 'failed').map((t) => t.table);
            throw new CliError('partial_sync', `${failed.length} table${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}; their previous local copies are kept`, {
              hint: 'run `da sync` again (interrupted downloads resume); `da diagnose` if it keeps failing',
            });
          }
        }),
      ),
    ['da sync', 'da sync --table orders --table customers', 'da sync --dry-run --json', 'da sync --jobs 8'],
  );

  const query = withExamples(
    new Command('query')
      .description('Run SQL on the local analytics.duckdb (offline), or on the server with --remote')
      .argument('<sql>', 'the SQL (quote it)')
      .option('--remote', 'run on the server (POST /api/query): remote tables and fresh data')
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
      .option('--limit <n>', 'rows to return at most (0: all, local only)', '1000')
      .action(
        action(runtime, async (ctx, sql: string, opts: { remote?: boolean; format: QueryFormat; limit: string }) => {
          const limit = positiveInt('--limit', opts.limit, true);
          let result: QueryResult;
          if (opts.remote) {
            const { server, api } = await ctx.session();
            const data = await unwrap(server, api.POST('/api/query', { body: { sql, ...(limit > 0 ? { limit } : {}) }, headers: { accept: 'application/json' } }));
            // The server can also answer in Arrow; JSON is asked for, so anything else is a server fault.
            if (typeof data !== 'object' || data === null) throw new CliError('server_error', 'the server did not answer the query as JSON');
            result = data;
          } else {
            result = await runLocalQuery(ctx.workspace, sql, limit);
          }
          const format: QueryFormat = ctx.out.json ? 'json' : opts.format;
          ctx.out.stdout.write(`${formatResult(result, format)}\n`);
        }),
      ),
    [`da query "SELECT count(*) FROM orders"`, `da query "SELECT * FROM orders" --format csv --limit 0 > orders.csv`, `da query "CREATE TABLE mine AS SELECT * FROM orders WHERE amount > 100"`, `da query "SELECT * FROM big_remote LIMIT 10" --remote --json`],
  );

  const status = withExamples(
    new Command('status')
      .description('What you have locally and, unless --local, what the server has changed since your last sync')
      .option('--local', 'offline: only the local workspace')
      .action(
        action(runtime, async (ctx, opts: { local?: boolean }) => {
          const ws = ctx.workspace;
          const state = await readState(ws);
          const dbSize = existsSync(ws.database) ? (await stat(ws.database)).size : null;
          const local = {
            workspace: ws.root,
            last_sync: state.last_sync,
            server: state.server,
            database: existsSync(ws.database) ? ws.database : null,
            database_bytes: dbSize,
            tables: Object.entries(state.tables).map(([name, t]) => ({ name, query_mode: t.query_mode, rows: t.rows, size_bytes: t.size_bytes, synced_at: t.synced_at })),
          };
          let remote: { server: string; outdated: string[]; new: string[]; removed: string[]; tables: number } | { error: string } | undefined;
          if (!opts.local) {
            try {
              const { server, api } = await ctx.session();
              const { plan } = await fetchPlan({ api, server, workspace: ws });
              remote = {
                server,
                tables: plan.tables.filter((t) => t.action !== 'removed').length,
                new: plan.tables.filter((t) => t.action === 'new').map((t) => t.table),
                outdated: plan.tables.filter((t) => t.action === 'updated').map((t) => t.table),
                removed: plan.tables.filter((t) => t.action === 'removed').map((t) => t.table),
              };
            } catch (error) {
              if (!isCliError(error)) throw error;
              remote = { error: `${error.message}${error.hint ? ` (${error.hint})` : ''}` };
            }
          }
          ctx.out.result({ local, ...(remote ? { remote } : {}) }, () => {
            const lines = [
              `Workspace ${ws.root}`,
              `Last sync: ${state.last_sync ?? 'never (run `da sync`)'}${state.server ? ` from ${state.server}` : ''}; database ${dbSize === null ? 'not built yet' : formatBytes(dbSize)}`,
            ];
            if (local.tables.length > 0) lines.push(...renderTable(['TABLE', 'MODE', 'ROWS', 'SIZE', 'SYNCED'], local.tables.map((t) => [t.name, t.query_mode, t.rows === null ? '-' : String(t.rows), formatBytes(t.size_bytes), t.synced_at])));
            if (remote && 'error' in remote) lines.push(`Server: not checked: ${remote.error}`);
            else if (remote) {
              const pending = remote.new.length + remote.outdated.length + remote.removed.length;
              lines.push(
                pending === 0
                  ? `Server ${remote.server}: ${remote.tables} tables, all up to date.`
                  : `Server ${remote.server}: ${remote.new.length} new, ${remote.outdated.length} changed, ${remote.removed.length} removed; run \`da sync\`.`,
              );
            }
            return lines;
          });
        }),
      ),
    ['da status', 'da status --local --json'],
  );

  const explore = withExamples(
    new Command('explore')
      .description('Schema, profile and sample rows of a table (works offline from the last sync and cached profile)')
      .argument('<table>', 'table name')
      .option('--rows <n>', 'sample rows', '5')
      .action(
        action(runtime, async (ctx, table: string, opts: { rows: string }) => {
          const sampleRows = positiveInt('--rows', opts.rows, true);
          const ws = ctx.workspace;
          const state = await readState(ws);
          const known = Object.keys(state.tables).find((t) => t.toLowerCase() === table.toLowerCase());
          const cacheFile = join(ws.profilesDir, `${(known ?? table).toLowerCase()}.json`);
          let profile: { table: string; profile: Record<string, unknown> | null; updated_at: string | null; cached?: boolean } | undefined;
          let profileNote: string | undefined;
          try {
            const { server, api } = await ctx.session();
            profile = await unwrap(server, api.GET('/api/catalog/profile/{table}', { params: { path: { table: known ?? table } } }));
            await mkdir(ws.profilesDir, { recursive: true });
            await writeFile(cacheFile, JSON.stringify(profile, null, 2));
          } catch (error) {
            if (!isCliError(error)) throw error;
            if (error.code === 'not_found' && !known) throw new CliError('not_found', `no table ${table} on the server or locally`, { hint: 'list yours with `da status`' });
            const cached = await readFile(cacheFile, 'utf8').then((t) => JSON.parse(t) as typeof profile, () => undefined);
            if (cached) {
              profile = { ...cached, cached: true } as typeof profile;
              profileNote = `profile from the local cache (server: ${error.message})`;
            } else profileNote = `no profile: ${error.message}`;
          }
          let schema: { name: string; type: string; nullable: boolean }[] = [];
          let sample: QueryResult | undefined;
          if (existsSync(ws.database) && (known || !profile)) {
            const db = await openLocalDb(ws);
            try {
              const described = (await db.connection.runAndReadAll(`DESCRIBE ${quoteIdent(known ?? table)}`)).getRowObjectsJson();
              schema = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: r.null !== 'NO' }));
            } catch {
              schema = [];
            } finally {
              db.close();
            }
            if (schema.length > 0 && sampleRows > 0) sample = await runLocalQuery(ws, `SELECT * FROM ${quoteIdent(known ?? table)} LIMIT ${sampleRows}`, sampleRows).catch(() => undefined);
          }
          const mode = known ? state.tables[known]?.query_mode : undefined;
          ctx.out.result({ table: known ?? table, query_mode: mode ?? null, schema, profile: profile?.profile ?? null, profile_updated_at: profile?.updated_at ?? null, profile_cached: Boolean(profile?.cached), sample: sample ?? null }, () => {
            const lines = [`Table ${known ?? table}${mode ? ` (${mode})` : ''}`];
            if (schema.length > 0) lines.push('', ...renderTable(['COLUMN', 'TYPE', 'NULLABLE'], schema.map((c) => [c.name, c.type, c.nullable ? 'yes' : 'no'])));
            else lines.push(mode === 'remote' ? 'Remote table: no local copy; query it with `da query --remote`.' : 'No local copy: run `da sync`.');
            const p = profile?.profile as { rows?: unknown; columns?: { name: string; nulls?: unknown; distinct?: unknown; min?: unknown; max?: unknown }[] } | null | undefined;
            if (p) {
              lines.push('', `Profile${profile?.updated_at ? ` of ${profile.updated_at}` : ''}${profile?.cached ? ' (cached)' : ''}: ${String(p.rows ?? '?')} rows`);
              if (Array.isArray(p.columns)) lines.push(...renderTable(['COLUMN', 'NULLS', 'DISTINCT', 'MIN', 'MAX'], p.columns.map((c) => [c.name, String(c.nulls ?? '-'), String(c.distinct ?? '-'), String(c.min ?? '-'), String(c.max ?? '-')])));
            }
            if (profileNote) lines.push(profileNote);
            if (sample) lines.push('', 'Sample:', formatResult(sample, 'table'));
            return lines;
          });
        }),
      ),
    ['da explore orders', 'da explore orders --rows 20 --json'],
  );

  return [sync, query, status, explore];
}

