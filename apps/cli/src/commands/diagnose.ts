import { existsSync } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { createApiClient, unwrap } from '../api/client.js';
import { readToken } from '../auth/credentials.js';
import { resolveServer } from '../auth/session.js';
import { MANAGED_TABLE, openLocalDb } from '../database/local-db.js';
import { CliError, isCliError } from '../errors/cli-error.js';
import { formatBytes } from '../output/output.js';
import { action, type Context, type Runtime, withExamples } from './context.js';
import { quoteIdent } from '@agnes/connector-kit';

/** One line of `da diagnose`. */
export interface Check {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
  readonly fix?: string;
}

/** "1.4.2" vs "1.5.0": differing major (or minor before 1.0) is skew worth a warning. */
export function versionSkew(cli: string, server: string): boolean {
  const [a0, a1] = cli.split('.').map(Number);
  const [b0, b1] = server.split('.').map(Number);
  if (a0 === undefined || b0 === undefined || Number.isNaN(a0) || Number.isNaN(b0)) return false;
  return a0 !== b0 || (a0 === 0 && a1 !== b1);
}

const MIN_FREE = 1024 ** 3;

async function diagnose(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  const saved = await readToken(ctx.env.configDir).catch((error: unknown) => (isCliError(error) ? error : undefined));
  if (saved instanceof CliError) checks.push({ name: 'config', status: 'fail', detail: saved.message, ...(saved.hint ? { fix: saved.hint } : {}) });
  else {
    const tokenFile = join(ctx.env.configDir, 'token.json');
    const mode = saved ? (await stat(tokenFile)).mode & 0o777 : undefined;
    if (mode !== undefined && (mode & 0o077) !== 0) checks.push({ name: 'config', status: 'fail', detail: `${tokenFile} is readable by others (mode ${mode.toString(8)})`, fix: `chmod 600 ${tokenFile}` });
    else checks.push({ name: 'config', status: 'ok', detail: `${ctx.env.configDir}${saved ? ' (token saved)' : ctx.env.token ? ' (token from DA_TOKEN)' : ' (no token saved)'}` });
  }
  const server = await resolveServer(ctx.env).catch(() => undefined);
  let serverVersion: string | undefined;
  if (!server) {
    checks.push({ name: 'server', status: 'fail', detail: 'no server configured', fix: 'run `da login --server https://…` or set DA_SERVER' });
  } else {
    const api = createApiClient({ server, retries: 0 });
    try {
      const health = await unwrap(server, api.GET('/api/health'));
      serverVersion = health.version;
      checks.push({ name: 'server', status: health.status === 'ok' ? 'ok' : 'warn', detail: `${server} answers: ${health.status}, version ${health.version}, ${health.tables} tables, last sync ${health.last_sync ?? 'never'}`, ...(health.status === 'ok' ? {} : { fix: 'the server reports a degraded system database; tell an admin' }) });
    } catch (error) {
      const e = isCliError(error) ? error : new CliError('failure', String(error));
      checks.push({ name: 'server', status: 'fail', detail: e.message, fix: e.hint ?? 'check the URL and your network' });
    }
  }
  const token = ctx.env.token ?? (saved instanceof CliError ? undefined : saved?.access_token);
  if (!server || serverVersion === undefined) checks.push({ name: 'token', status: 'skip', detail: 'the server is not reachable' });
  else if (!token) checks.push({ name: 'token', status: 'fail', detail: 'not logged in', fix: 'run `da login` or `da auth import-token --token …`' });
  else {
    try {
      const me = await unwrap(server, createApiClient({ server, token, retries: 0 }).GET('/auth/me'));
      checks.push({ name: 'token', status: 'ok', detail: `valid: ${me.email} (${me.role}, ${me.auth === 'pat' ? 'personal access token' : 'session'})` });
    } catch (error) {
      const e = isCliError(error) ? error : new CliError('failure', String(error));
      checks.push({ name: 'token', status: 'fail', detail: `refused: ${e.message}`, fix: 'run `da login` again (or import a new token)' });
    }
  }
  const ws = ctx.workspace;
  if (!existsSync(ws.database)) checks.push({ name: 'database', status: 'warn', detail: `no local database in ${ws.root}`, fix: 'run `da sync` here (or pass --dir to your workspace)' });
  else {
    try {
      const db = await openLocalDb(ws, { readOnly: true });
      try {
        const views = (await db.connection.runAndReadAll(`SELECT name FROM ${MANAGED_TABLE} WHERE kind = 'local'`)).getRowObjectsJson().map((r) => String(r.name));
        const broken: string[] = [];
        for (const v of views) await db.connection.run(`SELECT * FROM ${quoteIdent(v)} LIMIT 0`).catch(() => broken.push(v));
        const size = (await stat(ws.database)).size;
        checks.push(
          broken.length === 0
            ? { name: 'database', status: 'ok', detail: `${ws.database}: ${views.length} views readable, ${formatBytes(size)}` }
            : { name: 'database', status: 'fail', detail: `views over missing or damaged parquet: ${broken.join(', ')}`, fix: 'run `da sync` (it re-downloads missing files)' },
        );
      } finally {
        db.close();
      }
    } catch (error) {
      const e = isCliError(error) ? error : new CliError('failure', (error as Error).message);
      checks.push({ name: 'database', status: 'fail', detail: e.message, fix: e.hint ?? 'move the file away and run `da sync`' });
    }
  }
  try {
    const fs = await statfs(existsSync(ws.root) ? ws.root : '.');
    const free = fs.bavail * fs.bsize;
    checks.push(free < MIN_FREE ? { name: 'disk', status: 'warn', detail: `${formatBytes(free)} free in ${ws.root}`, fix: 'free some space before the next `da sync`' } : { name: 'disk', status: 'ok', detail: `${formatBytes(free)} free` });
  } catch (error) {
    checks.push({ name: 'disk', status: 'warn', detail: `cannot read free space: ${(error as Error).message}` });
  }
  if (serverVersion === undefined) checks.push({ name: 'version', status: 'skip', detail: `da ${ctx.version}; server unknown` });
  else if (versionSkew(ctx.version, serverVersion)) checks.push({ name: 'version', status: 'warn', detail: `da ${ctx.version}, server ${serverVersion}`, fix: 'update da to the version of the server' });
  else checks.push({ name: 'version', status: 'ok', detail: `da ${ctx.version}, server ${serverVersion}` });
  return checks;
}

/** da diagnose. */
export function diagnoseCommand(runtime: Runtime): Command {
  return withExamples(
    new Command('diagnose').description('Check config, server, token, local database, disk and versions; says what to fix').action(
      action(runtime, async (ctx) => {
        const checks = await diagnose(ctx);
        const failed = checks.filter((c) => c.status === 'fail');
        const warned = checks.filter((c) => c.status === 'warn');
        const overall = failed.length === 0 ? (warned.length === 0 ? 'healthy' : 'healthy with warnings') : 'unhealthy';
        ctx.out.result({ overall, checks }, () => [
          ...checks.map((c) => `${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(8)}  ${c.detail}${c.fix && c.status !== 'ok' ? `\n                fix: ${c.fix}` : ''}`),
          failed.length === 0 ? `Overall: ${overall}` : `Overall: ${failed.length} problem${failed.length === 1 ? '' : 's'}: ${failed.map((c) => c.fix ?? c.name).join('; ')}`,
        ]);
        if (failed.length > 0) throw new CliError(failed.some((c) => c.name === 'server') ? 'unreachable' : failed.some((c) => c.name === 'token') ? 'unauthenticated' : 'failure', `${failed.length} check${failed.length === 1 ? '' : 's'} failed`);
      }),
    ),
    ['da diagnose', 'da diagnose --json'],
  );
}
