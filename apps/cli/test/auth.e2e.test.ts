import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type DaHome, runDa, startTestServer, tempHome, type TestServer } from './helpers.js';

describe('da login, tokens and import-token against a real server', () => {
  let api: TestServer;
  let home: DaHome;
  const da = (args: string[], input?: string) => runDa(args, { env: home.env, cwd: home.workspace, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    api = await startTestServer();
    home = await tempHome();
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  it('logs in with prompted email and password, never echoing the password, and saves a 0600 token', async () => {
    const res = await da(['login', '--server', api.url], `${ADMIN.email}\n${ADMIN.password}\n`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).not.toContain(ADMIN.password);
    expect(res.stderr).toContain('Password: ');
    const file = join(home.configDir, 'token.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ server: api.url, email: ADMIN.email, role: 'admin' });
    const me = await da(['auth', 'whoami', '--json']);
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({ email: ADMIN.email, role: 'admin', auth: 'session' });
  });

  it('refuses a wrong password with exit code 3 and a next step', async () => {
    const res = await da(['login', '--server', api.url], `${ADMIN.email}\nwrong\n`);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/wrong email or password/);
    expect(res.stderr).toMatch(/next:/);
  });

  let pat = '';
  it('creates, lists and revokes personal access tokens', async () => {
    const created = await da(['auth', 'token', 'create', '--name', 'laptop', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const body = JSON.parse(created.stdout);
    pat = body.token;
    expect(body).toMatchObject({ name: 'laptop', prefix: expect.any(String) });
    const other = JSON.parse((await da(['auth', 'token', 'create', '--name', 'throwaway', '--json'])).stdout);
    const list = JSON.parse((await da(['auth', 'token', 'list', '--json'])).stdout);
    expect(list.map((t: { name: string }) => t.name).sort()).toEqual(['laptop', 'throwaway']);
    const revoked = await da(['auth', 'token', 'revoke', other.prefix]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = JSON.parse((await da(['auth', 'token', 'list', '--json'])).stdout);
    expect(after.find((t: { name: string }) => t.name === 'throwaway').status).toBe('revoked');
    const missing = await da(['auth', 'token', 'revoke', 'ffffffff']);
    expect(missing.code).toBe(4);
  });

  it('imports a token after verifying it, and never overwrites a working token with a refused one', async () => {
    const other = await tempHome();
    const run = (args: string[]) => runDa(args, { env: other.env, cwd: other.workspace });
    const ok = await run(['auth', 'import-token', '--token', pat, '--server', api.url, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ email: ADMIN.email, verified: true });
    const before = await readFile(join(other.configDir, 'token.json'), 'utf8');
    const bad = await run(['auth', 'import-token', '--token', 'not-a-real-token', '--server', api.url]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/refuses this token/);
    expect(bad.stderr).toMatch(/saved token is unchanged/);
    expect(await readFile(join(other.configDir, 'token.json'), 'utf8')).toBe(before);
    const whoami = await run(['auth', 'whoami', '--json']);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ email: ADMIN.email, auth: 'pat' });
    const skipped = await run(['auth', 'import-token', '--token', 'offline-token', '--skip-verify', '--json']);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(await readFile(join(other.configDir, 'token.json'), 'utf8')).access_token).toBe('offline-token');
    const refused = await run(['auth', 'whoami']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/da login/);
  });

  it('lets DA_TOKEN and DA_SERVER override the saved credentials', async () => {
    const empty = await tempHome({ DA_TOKEN: pat, DA_SERVER: api.url });
    const res = await runDa(['auth', 'whoami', '--json'], { env: empty.env, cwd: empty.workspace });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).email).toBe(ADMIN.email);
  });

  it('logs out by deleting the token and then asks to log in', async () => {
    expect((await da(['logout'])).code).toBe(0);
    const res = await da(['auth', 'whoami']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/not logged in/);
  });

  it('answers usage errors with exit code 2 and shows examples in help', async () => {
    expect((await da(['sync', '--no-such-flag'])).code).toBe(2);
    expect((await da(['frobnicate'])).code).toBe(2);
    const help = await da(['sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}\$ da sync/);
  });
});
