import { Argument, Command, Option } from 'commander';
import { type ApiClient, unwrap } from '../api/client.js';
import { CliError } from '../errors/cli-error.js';
import { renderTable } from '../output/output.js';
import { action, type Context, type Runtime, withExamples } from './context.js';

type Api = { server: string; api: ApiClient };

async function userId(s: Api, who: string): Promise<{ id: string; email: string }> {
  const users = await unwrap(s.server, s.api.GET('/api/users', { params: { query: { search: who } } }));
  const found = users.find((u) => u.id === who || u.email.toLowerCase() === who.toLowerCase());
  if (!found) throw new CliError('not_found', `no user ${who}`, { hint: 'list users with `da admin user list`' });
  return found;
}

async function groupOf(s: Api, name: string): Promise<{ id: string; name: string }> {
  const groups = await unwrap(s.server, s.api.GET('/api/admin/groups'));
  const found = groups.find((g) => g.id === name || g.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new CliError('not_found', `no group ${name}`, { hint: 'list groups with `da admin group list`, create one with `da admin group create`' });
  return found;
}

async function newPassword(ctx: Context, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  const prompter = ctx.prompter();
  try {
    return await prompter.ask('New password: ', { secret: true });
  } finally {
    prompter.close();
  }
}

const userRow = (u: { id: string; email: string; role: string; active: boolean; name: string | null }) => [u.email, u.role, u.active ? 'active' : 'deactivated', u.name ?? '', u.id];

/** da admin …: users, groups, grants, tables, server sync. */
export function adminCommand(runtime: Runtime): Command {
  const admin = new Command('admin').description('Administer the server (needs the Admin group)');
  const run = <A extends unknown[]>(fn: (ctx: Context, s: Api, ...args: A) => Promise<void>) =>
    action<A>(runtime, async (ctx, ...args) => fn(ctx, await ctx.session(), ...args));

  const user = admin.command('user').description('Users');
  withExamples(
    user
      .command('add')
      .description('Create a user; prompts for a password unless --password or --no-password')
      .argument('<email>')
      .option('--name <name>')
      .addOption(new Option('--role <role>').choices(['analyst', 'admin']).default('analyst'))
      .option('--password <password>', 'initial password (visible in shell history: prefer the prompt)')
      .option('--no-password', 'no password (the user signs in another way)')
      .action(
        run(async (ctx, s, email: string, opts: { name?: string; role: 'analyst' | 'admin'; password?: string | false }) => {
          const password = opts.password === false ? undefined : await newPassword(ctx, opts.password);
          const created = await unwrap(s.server, s.api.POST('/api/users', { body: { email, role: opts.role, ...(opts.name ? { name: opts.name } : {}), ...(password ? { password } : {}) } }));
          ctx.out.result(created, () => `User ${created.email} (${created.role}) created with id ${created.id}.`);
        }),
      ),
    ['da admin user add ana@example.com --role analyst', 'da admin user add ops@example.com --role admin --no-password'],
  );
  withExamples(
    user
      .command('list')
      .description('List users')
      .option('--search <text>')
      .action(
        run(async (ctx, s, opts: { search?: string }) => {
          const users = await unwrap(s.server, s.api.GET('/api/users', { params: { query: opts.search ? { search: opts.search } : {} } }));
          ctx.out.result(users, () => renderTable(['EMAIL', 'ROLE', 'STATUS', 'NAME', 'ID'], users.map(userRow)));
        }),
      ),
    ['da admin user list', 'da admin user list --search example.com --json'],
  );
  withExamples(
    user
      .command('set-role')
      .description("Change a user's role")
      .argument('<user>', 'email or id')
      .addArgument(new Argument('<role>', 'analyst or admin').choices(['analyst', 'admin']))
      .action(
        run(async (ctx, s, who: string, role: 'analyst' | 'admin') => {
          const u = await userId(s, who);
          const updated = await unwrap(s.server, s.api.PATCH('/api/users/{id}', { params: { path: { id: u.id } }, body: { role } }));
          ctx.out.result(updated, () => `${updated.email} is now ${updated.role}.`);
        }),
      ),
    ['da admin user set-role ana@example.com admin'],
  );
  for (const verb of ['activate', 'deactivate'] as const) {
    withExamples(
      user
        .command(verb)
        .description(verb === 'activate' ? 'Reactivate a user' : 'Deactivate a user (they can no longer sign in or use tokens)')
        .argument('<user>', 'email or id')
        .action(
          run(async (ctx, s, who: string) => {
            const u = await userId(s, who);
            const updated = await unwrap(s.server, s.api.POST('/api/users/{id}/{action}', { params: { path: { id: u.id, action: verb } } }));
            ctx.out.result(updated, () => `${updated.email} is ${updated.active ? 'active' : 'deactivated'}.`);
          }),
        ),
      [`da admin user ${verb} ana@example.com`],
    );
  }
  withExamples(
    user
      .command('set-password')
      .description("Set a user's password (prompted)")
      .argument('<user>', 'email or id')
      .option('--password <password>', 'the password (visible in shell history: prefer the prompt)')
      .action(
        run(async (ctx, s, who: string, opts: { password?: string }) => {
          const u = await userId(s, who);
          const password = await newPassword(ctx, opts.password);
          const updated = await unwrap(s.server, s.api.POST('/api/users/{id}/{action}', { params: { path: { id: u.id, action: 'set-password' } }, body: { password } }));
          ctx.out.result({ id: updated.id, email: updated.email, password_set: true }, () => `Password of ${updated.email} set.`);
        }),
      ),
    ['da admin user set-password ana@example.com'],
  );

  const group = admin.command('group').description('Groups and members');
  withExamples(
    group
      .command('list')
      .description('List groups')
      .action(
        run(async (ctx, s) => {
          const groups = await unwrap(s.server, s.api.GET('/api/admin/groups'));
          ctx.out.result(groups, () => renderTable(['NAME', 'ID', 'SYSTEM', 'DESCRIPTION'], groups.map((g) => [g.name, g.id, g.is_system ? 'yes' : '', g.description ?? ''])));
        }),
      ),
    ['da admin group list'],
  );
  withExamples(
    group
      .command('create')
      .description('Create a group')
      .argument('<name>')
      .option('--description <text>')
      .action(
        run(async (ctx, s, name: string, opts: { description?: string }) => {
          const created = await unwrap(s.server, s.api.POST('/api/admin/groups', { body: { name, ...(opts.description ? { description: opts.description } : {}) } }));
          ctx.out.result(created, () => `Group ${created.name} created (id ${created.id}).`);
        }),
      ),
    ['da admin group create sales --description "Sales team"'],
  );
  withExamples(
    group
      .command('add-member')
      .description('Add a user to a group')
      .argument('<group>', 'group name or id')
      .argument('<user>', 'email or id')
      .action(
        run(async (ctx, s, groupName: string, who: string) => {
          const g = await groupOf(s, groupName);
          const body = who.includes('@') ? { email: who } : { user_id: who };
          const res = await unwrap(s.server, s.api.POST('/api/admin/groups/{id}/members', { params: { path: { id: g.id } }, body }));
          ctx.out.result({ group: g.name, user: who, ...res }, () => (res.added ? `${who} added to ${g.name}.` : `${who} was already in ${g.name}.`));
        }),
      ),
    ['da admin group add-member sales ana@example.com'],
  );
  withExamples(
    group
      .command('remove-member')
      .description('Remove a user from a group')
      .argument('<group>', 'group name or id')
      .argument('<user>', 'email or id')
      .action(
        run(async (ctx, s, groupName: string, who: string) => {
          const g = await groupOf(s, groupName);
          const u = await userId(s, who);
          await unwrap(s.server, s.api.DELETE('/api/admin/groups/{id}/members/{user_id}', { params: { path: { id: g.id, user_id: u.id } } }));
          ctx.out.result({ group: g.name, user: u.email, removed: true }, () => `${u.email} removed from ${g.name}.`);
        }),
      ),
    ['da admin group remove-member sales ana@example.com'],
  );

  withExamples(
    admin
      .command('grant')
      .description('Let a group read a table')
      .argument('<group>', 'group name or id')
      .argument('<table>', 'published table name')
      .action(
        run(async (ctx, s, groupName: string, table: string) => {
          const g = await groupOf(s, groupName);
          const grant = await unwrap(s.server, s.api.POST('/api/admin/grants', { body: { group_id: g.id, resource_type: 'table', resource_id: table } }));
          ctx.out.result(grant, () => `${g.name} may now read ${table}.`);
        }),
      ),
    ['da admin grant sales orders'],
  );
  withExamples(
    admin
      .command('revoke')
      .description("Take back a group's read access to a table")
      .argument('<group>', 'group name or id')
      .argument('<table>', 'published table name')
      .action(
        run(async (ctx, s, groupName: string, table: string) => {
          const g = await groupOf(s, groupName);
          await unwrap(s.server, s.api.DELETE('/api/admin/grants/{id}', { params: { path: { id: `${g.id}:table:${table}` } } }));
          ctx.out.result({ group: g.name, table, revoked: true }, () => `${g.name} may no longer read ${table}.`);
        }),
      ),
    ['da admin revoke sales orders'],
  );

  const table = admin.command('table').description('The table registry');
  withExamples(
    table
      .command('discover')
      .description("Tables the sources' connectors offer, and whether they are registered")
      .option('--source <name>', 'only this source')
      .action(
        run(async (ctx, s, opts: { source?: string }) => {
          const found = await unwrap(s.server, s.api.GET('/api/admin/discover-tables', { params: { query: opts.source ? { source: opts.source } : {} } }));
          ctx.out.result(found, () => renderTable(['SOURCE', 'TABLE', 'MODE', 'REGISTERED', 'COLUMNS', 'DESCRIPTION'], found.map((t) => [t.source, t.name, t.query_mode, t.registered ? 'yes' : 'no', String(t.columns.length), t.description ?? ''])));
        }),
      ),
    ['da admin table discover --source shop'],
  );
  withExamples(
    table
      .command('register')
      .description('Register a table to publish')
      .argument('<name>', 'published table name')
      .requiredOption('--source <name>', 'the source it comes from')
      .option('--source-table <name>', "the source's own name for it")
      .option('--query <sql>', 'a query instead of a source table')
      .addOption(new Option('--query-mode <mode>').choices(['local', 'remote']))
      .addOption(new Option('--strategy <strategy>').choices(['replace', 'append', 'upsert']))
      .option('--primary-key <columns>', 'comma-separated')
      .option('--description <text>')
      .option('--schedule <cron>')
      .action(
        run(async (ctx, s, name: string, o: { source: string; sourceTable?: string; query?: string; queryMode?: 'local' | 'remote'; strategy?: 'replace' | 'append' | 'upsert'; primaryKey?: string; description?: string; schedule?: string }) => {
          const created = await unwrap(
            s.server,
            s.api.POST('/api/admin/register-table', {
              body: {
                id: name,
                source: o.source,
                ...(o.sourceTable ? { source_table: o.sourceTable } : {}),
                ...(o.query ? { query: o.query } : {}),
                ...(o.queryMode ? { query_mode: o.queryMode } : {}),
                ...(o.strategy ? { strategy: o.strategy } : {}),
                ...(o.primaryKey ? { primary_key: o.primaryKey.split(',').map((c) => c.trim()) } : {}),
                ...(o.description ? { description: o.description } : {}),
                ...(o.schedule ? { schedule: o.schedule } : {}),
              },
            }),
          );
          ctx.out.result(created, () => `Table ${created.id} registered from ${created.source}; it is published by the next sync (\`da admin sync\`).`);
        }),
      ),
    ['da admin table register events --source shop --query-mode local --description "Webhook events"'],
  );
  withExamples(
    table
      .command('list')
      .description('Registered tables')
      .option('--source <name>')
      .action(
        run(async (ctx, s, opts: { source?: string }) => {
          const { tables } = await unwrap(s.server, s.api.GET('/api/admin/registry', { params: { query: opts.source ? { source: opts.source } : {} } }));
          ctx.out.result(tables, () => renderTable(['TABLE', 'SOURCE', 'MODE', 'STRATEGY', 'SCHEDULE', 'DESCRIPTION'], tables.map((t) => [t.id, t.source, t.query_mode, t.strategy, t.schedule ?? '', t.description ?? ''])));
        }),
      ),
    ['da admin table list --json'],
  );
  withExamples(
    table
      .command('remove')
      .description('Unregister a table (with its grants, state and profile)')
      .argument('<name>')
      .action(
        run(async (ctx, s, name: string) => {
          await unwrap(s.server, s.api.DELETE('/api/admin/registry/{id}', { params: { path: { id: name } } }));
          ctx.out.result({ removed: name }, () => `Table ${name} unregistered.`);
        }),
      ),
    ['da admin table remove old_orders'],
  );

  withExamples(
    admin
      .command('sync')
      .description('Start a server-side sync of all sources (or some); --wait follows it to the end')
      .option('--source <name...>', 'only these sources', (v: string, p: string[] = []) => [...p, v])
      .option('--wait', 'poll until the job finishes; exit 1 if it failed')
      .option('--poll-ms <ms>', 'poll interval with --wait', '1000')
      .action(
        run(async (ctx, s, opts: { source?: string[]; wait?: boolean; pollMs: string }) => {
          const started = await unwrap(s.server, s.api.POST('/api/sync/trigger', { body: opts.source ? { sources: opts.source } : {} }));
          let job = started.job;
          if (opts.wait) {
            ctx.out.info(`Sync ${started.job_id} started; waiting…`);
            let phase = job.phase;
            while (job.status === 'running') {
              await new Promise((r) => setTimeout(r, Number(opts.pollMs) || 1000));
              job = await unwrap(s.server, s.api.GET('/api/sync/jobs/{id}', { params: { path: { id: started.job_id } } }));
              if (job.phase !== phase) ctx.out.info(`  ${job.phase}`);
              phase = job.phase;
            }
          }
          ctx.out.result(job, () => [
            `Sync ${job.id}: ${job.status}${job.published === null ? '' : `, ${job.published} tables published`}`,
            ...job.tables.map((t) => `  ${t.source}.${t.table}: ${t.status}${t.reason ? ` (${t.reason})` : ''}`),
            ...job.problems.map((p) => `  problem: ${p.source}${p.table ? `.${p.table}` : ''}: ${p.reason}`),
            ...(opts.wait ? [] : [`Follow it with: da admin sync --wait, or GET /api/sync/jobs/${job.id}`]),
          ]);
          if (opts.wait && job.status === 'failed') throw new CliError('failure', `the server sync failed: ${job.error ?? 'see the problems above'}`, { hint: 'fix the source (see `da admin table discover`) and run `da admin sync --wait` again' });
        }),
      ),
    ['da admin sync', 'da admin sync --source shop --wait'],
  );

  return admin;
}
