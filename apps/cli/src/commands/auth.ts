import { Command, Option } from 'commander';
import { createApiClient, unwrap } from '../api/client.js';
import { decodeJwtClaims, deleteToken, normalizeServer, readToken, type SavedToken, writeConfig, writeToken } from '../auth/credentials.js';
import { resolveServer } from '../auth/session.js';
import { CliError, isCliError } from '../errors/cli-error.js';
import { renderTable } from '../output/output.js';
import { action, type Context, type Runtime, withExamples } from './context.js';

async function serverFor(ctx: Context, flag: string | undefined): Promise<string> {
  const server = await resolveServer(ctx.env, flag);
  if (!server) throw new CliError('usage', 'which server? none is configured', { hint: 'pass --server https://agnes.example.com (it is remembered)' });
  return server;
}

async function save(ctx: Context, token: SavedToken): Promise<string> {
  const file = await writeToken(ctx.env.configDir, token);
  await writeConfig(ctx.env.configDir, { server: token.server });
  return file;
}

/** da login, da logout, da auth …. */
export function authCommands(runtime: Runtime): Command[] {
  const login = withExamples(
    new Command('login')
      .description('Sign in with email and password; saves a session token (0600) for this server')
      .option('--server <url>', 'the Agnes server (remembered for later commands)')
      .option('--email <email>', 'skip the email prompt')
      .action(
        action(runtime, async (ctx, opts: { server?: string; email?: string }) => {
          const server = await serverFor(ctx, opts.server);
          const prompter = ctx.prompter();
          try {
            const email = (opts.email ?? (await prompter.ask('Email: '))).trim();
            const password = await prompter.ask('Password: ', { secret: true });
            if (!email || !password) throw new CliError('usage', 'email and password are both needed');
            const api = createApiClient({ server, retryBaseMs: ctx.env.retryBaseMs });
            const session = await unwrap(server, api.POST('/auth/token', { body: { email, password } })).catch((error: unknown) => {
              if (isCliError(error) && error.code === 'unauthenticated') throw new CliError('unauthenticated', error.message, { hint: 'check the email and password (or ask an admin: `da admin user set-password`)' });
              throw error;
            });
            const me = await unwrap(server, createApiClient({ server, token: session.access_token }).GET('/auth/me'));
            const file = await save(ctx, { access_token: session.access_token, server, email: me.email, role: me.role, saved_at: new Date().toISOString() });
            ctx.out.result({ server, email: me.email, role: me.role, expires_at: session.expires_at, token_file: file }, () => [
              `Logged in to ${server} as ${me.email} (${me.role}); the session lasts until ${session.expires_at}.`,
              `For a long-lived token: da auth token create --name laptop`,
            ]);
          } finally {
            prompter.close();
          }
        }),
      ),
    ['da login --server https://agnes.example.com', 'da login --email me@example.com'],
  );

  const logout = withExamples(
    new Command('logout').description('Forget the saved token').action(
      action(runtime, async (ctx) => {
        const existed = await deleteToken(ctx.env.configDir);
        ctx.out.result({ logged_out: existed }, () => (existed ? 'Logged out: the saved token is deleted.' : 'No saved token; nothing to do.'));
      }),
    ),
    ['da logout'],
  );

  const auth = new Command('auth').description('Who you are, personal access tokens, importing a token');

  withExamples(
    auth
      .command('whoami')
      .description('Show the signed-in user and server')
      .action(
        action(runtime, async (ctx) => {
          const { server, api } = await ctx.session();
          const me = await unwrap(server, api.GET('/auth/me'));
          ctx.out.result({ server, ...me }, () => [
            `${me.email} (${me.role}) on ${server}`,
            `groups: ${(me.groups ?? []).map((g) => g.name).join(', ') || '-'}; signed in with a ${me.auth === 'pat' ? 'personal access token' : 'session'}`,
          ]);
        }),
      ),
    ['da auth whoami', 'da auth whoami --json'],
  );

  const token = auth.command('token').description('Personal access tokens (for scripts, CI, other machines)');
  withExamples(
    token
      .command('create')
      .description('Create a personal access token (shown once); needs a password login, not a token')
      .requiredOption('--name <name>', 'what the token is for')
      .addOption(new Option('--expires-in-days <days>', 'lifetime in days; "never" for no expiry').default('90'))
      .action(
        action(runtime, async (ctx, opts: { name: string; expiresInDays: string }) => {
          const days = opts.expiresInDays === 'never' ? null : Number(opts.expiresInDays);
          if (days !== null && (!Number.isInteger(days) || days <= 0)) throw new CliError('usage', `--expires-in-days must be a positive whole number or "never" (got ${opts.expiresInDays})`);
          const { server, api } = await ctx.session();
          const created = await unwrap(server, api.POST('/auth/tokens', { body: { name: opts.name, expires_in_days: days } }));
          ctx.out.result(created, () => [
            `Token ${created.prefix} "${created.name}" created${created.expires_at ? `, expires ${created.expires_at}` : ', never expires'}.`,
            `It is shown only now:`,
            created.token,
            `Use it elsewhere with: da auth import-token --token <token> --server ${server}`,
          ]);
        }),
      ),
    ['da auth token create --name laptop', 'da auth token create --name ci --expires-in-days 30 --json'],
  );
  withExamples(
    token
      .command('list')
      .description('List your tokens')
      .action(
        action(runtime, async (ctx) => {
          const { server, api } = await ctx.session();
          const tokens = await unwrap(server, api.GET('/auth/tokens'));
          ctx.out.result(tokens, () =>
            tokens.length === 0 ? 'No tokens.' : renderTable(['ID', 'PREFIX', 'NAME', 'STATUS', 'EXPIRES', 'LAST USED'], tokens.map((t) => [t.id, t.prefix, t.name, t.status, t.expires_at ?? 'never', t.last_used_at ?? '-'])),
          );
        }),
      ),
    ['da auth token list'],
  );
  withExamples(
    token
      .command('revoke')
      .description('Revoke one of your tokens by id or prefix')
      .argument('<id>', 'token id or its prefix, from `da auth token list`')
      .action(
        action(runtime, async (ctx, id: string) => {
          const { server, api } = await ctx.session();
          const tokens = await unwrap(server, api.GET('/auth/tokens'));
          const match = tokens.filter((t) => t.id === id || t.prefix === id || t.id.replace(/-/g, '').startsWith(id.replace(/-/g, '')));
          if (match.length === 0) throw new CliError('not_found', `you have no token ${id}`, { hint: 'list yours with `da auth token list`' });
          if (match.length > 1) throw new CliError('usage', `${id} matches ${match.length} tokens; give more of the id`);
          const target = match[0] as (typeof match)[number];
          await unwrap(server, api.DELETE('/auth/tokens/{id}', { params: { path: { id: target.id } } }));
          ctx.out.result({ revoked: target.id }, () => `Token ${target.prefix} "${target.name}" revoked.`);
        }),
      ),
    ['da auth token revoke 3f2a9c1b'],
  );

  withExamples(
    auth
      .command('import-token')
      .description('Save a token made elsewhere (e.g. `da auth token create` or the web UI); verified with the server first')
      .requiredOption('--token <token>', 'the token')
      .option('--server <url>', 'the Agnes server (remembered)')
      .option('--skip-verify', 'save without asking the server (offline set-up, CI)')
      .action(
        action(runtime, async (ctx, opts: { token: string; server?: string; skipVerify?: boolean }) => {
          const server = opts.server ? normalizeServer(opts.server) : await serverFor(ctx, undefined);
          const tokenValue = opts.token.trim();
          let email: string | null = null;
          let role: string | null = null;
          if (opts.skipVerify) {
            const claims = decodeJwtClaims(tokenValue);
            email = typeof claims?.email === 'string' ? claims.email : null;
            role = typeof claims?.role === 'string' ? claims.role : null;
          } else {
            try {
              const me = await unwrap(server, createApiClient({ server, token: tokenValue, retryBaseMs: ctx.env.retryBaseMs }).GET('/auth/me'));
              email = me.email;
              role = me.role;
            } catch (error) {
              if (isCliError(error) && error.code === 'unauthenticated') {
                const kept = await readToken(ctx.env.configDir).catch(() => undefined);
                throw new CliError('unauthenticated', `${server} refuses this token (${error.message})`, {
                  hint: `${kept ? 'your saved token is unchanged; ' : ''}create a new token with \`da auth token create\` or in the web UI`,
                });
              }
              throw error;
            }
          }
          const file = await save(ctx, { access_token: tokenValue, server, email, role, saved_at: new Date().toISOString() });
          ctx.out.result({ server, email, role, verified: !opts.skipVerify, token_file: file }, () =>
            opts.skipVerify ? `Token saved for ${server} without verification.` : `Token saved: ${email} (${role}) on ${server}.`,
          );
        }),
      ),
    ['da auth import-token --token eyJhbGciOi… --server https://agnes.example.com', 'da auth import-token --token "$AGNES_TOKEN" --skip-verify'],
  );

  return [login, logout, auth];
}
