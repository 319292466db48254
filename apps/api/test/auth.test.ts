import { decodeJwt } from 'jose';
import { expect, it } from 'vitest';
import { ADMIN, describeApi, errorOf } from './harness.js';

describeApi('auth and tokens', { sample: false }, (api) => {
  it('refuses a second bootstrap once an admin exists', async () => {
    const res = await api().request('POST', '/auth/bootstrap', { body: { email: 'intruder@example.com', password: 'long enough pw' } });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('forbidden');
  });

  it('answers a wrong email and a wrong password with the same 401', async () => {
    const wrongEmail = await api().request('POST', '/auth/token', { body: { email: 'nobody@example.com', password: ADMIN.password } });
    const wrongPassword = await api().request('POST', '/auth/token', { body: { email: ADMIN.email, password: 'not the password' } });
    expect(wrongEmail.status).toBe(401);
    expect(wrongPassword.status).toBe(401);
    expect(await wrongEmail.json()).toEqual(await wrongPassword.json());
  });

  it('issues a session JWT with typ, jti and exp, and accepts it as Bearer', async () => {
    const claims = decodeJwt(api().adminToken);
    expect(claims.typ).toBe('session');
    expect(claims.jti).toBeTypeOf('string');
    expect(claims.exp).toBeTypeOf('number');
    const me = await api().call('GET', '/auth/me', { token: api().adminToken });
    expect(me).toMatchObject({ email: ADMIN.email, role: 'admin', auth: 'session' });
  });

  it('refuses requests without, or with a forged, token', async () => {
    expect((await api().request('GET', '/auth/me')).status).toBe(401);
    const forged = `${api().adminToken.slice(0, -4)}AAAA`;
    const res = await api().request('GET', '/auth/me', { token: forged });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/invalid or expired/);
  });

  it('validates expires_in_days: positive, at most 3650, or null for never (then no exp claim)', async () => {
    const token = api().adminToken;
    for (const bad of [0, -1, 3651, 1.5]) {
      const res = await api().request('POST', '/auth/tokens', { token, body: { name: 'x', expires_in_days: bad } });
      expect(res.status, `expires_in_days ${bad}`).toBe(400);
      expect((await errorOf(res)).message).toMatch(/expires_in_days/);
    }
    const never = await api().call('POST', '/auth/tokens', { token, body: { name: 'forever', expires_in_days: null } });
    expect(never.expires_at).toBeNull();
    const claims = decodeJwt(never.token);
    expect(claims).toMatchObject({ typ: 'pat', jti: never.id });
    expect(claims.exp).toBeUndefined();
    expect((await api().request('GET', '/auth/me', { token: never.token })).status).toBe(200);
  });

  it('lets a PAT list and revoke its own tokens but never create one; a revoked PAT is refused at once', async () => {
    const session = api().adminToken;
    const pat = await api().call('POST', '/auth/tokens', { token: session, body: { name: 'laptop', expires_in_days: 30 } });
    expect(pat.prefix).toHaveLength(8);
    const mint = await api().request('POST', '/auth/tokens', { token: pat.token, body: { name: 'child', expires_in_days: 1 } });
    expect(mint.status).toBe(403);
    expect((await errorOf(mint)).message).toMatch(/cannot create tokens/);
    const listed = await api().call('GET', '/auth/tokens', { token: pat.token });
    expect(listed.map((t: { id: string }) => t.id)).toContain(pat.id);
    expect(JSON.stringify(listed)).not.toContain(pat.token);
    const one = await api().call('GET', `/auth/tokens/${pat.id}`, { token: pat.token });
    expect(one.last_used_at).not.toBeNull();
    expect((await api().request('DELETE', `/auth/tokens/${pat.id}`, { token: pat.token })).status).toBe(204);
    const after = await api().request('GET', '/auth/me', { token: pat.token });
    expect(after.status).toBe(401);
    expect((await errorOf(after)).message).toMatch(/revoked/);
  });

  it("shows other users' tokens only to admins, with the owner's email, and lets admins revoke them", async () => {
    const analyst = await api().user('pat-owner@example.com');
    const pat = await api().call('POST', '/auth/tokens', { token: analyst.token, body: { name: 'ci', expires_in_days: 7 } });
    expect((await api().request('GET', '/auth/admin/tokens', { token: analyst.token })).status).toBe(403);
    expect((await api().request('GET', `/auth/tokens/${pat.id}`, { token: api().adminToken })).status).toBe(404);
    const all = await api().call('GET', '/auth/admin/tokens', { token: api().adminToken });
    expect(all.find((t: { id: string }) => t.id === pat.id)).toMatchObject({ user_email: 'pat-owner@example.com', user_id: analyst.id, status: 'active' });
    expect((await api().request('DELETE', `/auth/admin/tokens/${pat.id}`, { token: api().adminToken })).status).toBe(204);
    expect((await api().request('GET', '/auth/me', { token: pat.token })).status).toBe(401);
  });

  it('refuses a deactivated user at login and on the next request, and applies a role change at once', async () => {
    const password = 'analyst password';
    const created = await api().call('POST', '/api/users', { token: api().adminToken, body: { email: 'leaver@example.com', password } });
    const session = await api().login('leaver@example.com', password);
    expect((await api().request('GET', '/api/users', { token: session })).status).toBe(403);
    await api().call('PATCH', `/api/users/${created.id}`, { token: api().adminToken, body: { role: 'admin' } });
    expect((await api().request('GET', '/api/users', { token: session })).status).toBe(200);
    await api().call('POST', `/api/users/${created.id}/deactivate`, { token: api().adminToken });
    expect((await api().request('GET', '/auth/me', { token: session })).status).toBe(401);
    const login = await api().request('POST', '/auth/token', { body: { email: 'leaver@example.com', password } });
    expect(login.status).toBe(401);
    expect((await errorOf(login)).message).toMatch(/deactivated/);
    await api().call('POST', `/api/users/${created.id}/activate`, { token: api().adminToken });
    expect((await api().request('GET', '/auth/me', { token: session })).status).toBe(200);
  });

  it('refuses a signed-out session at once, and only that one', async () => {
    const first = await api().login(ADMIN.email, ADMIN.password);
    const second = await api().login(ADMIN.email, ADMIN.password);
    await api().call('POST', '/auth/logout', { token: first });
    const refused = await api().request('GET', '/auth/me', { token: first });
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toMatch(/signed out/);
    expect((await api().request('GET', '/auth/me', { token: second })).status).toBe(200);
  });

  it('rate-limits sign-in attempts per client address with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 14; i += 1) {
      const res = await api().request('POST', '/auth/token', { body: { email: 'brute@example.com', password: `guess-${i}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('audits mutating and denied calls without secrets', async () => {
    await api().call('POST', '/api/users', { token: api().adminToken, body: { email: 'audited@example.com', password: 'super secret value' } });
    await api().request('GET', '/api/users');
    const entries = await api().server.deps.db.audit.listRecent({ limit: 100 });
    const create = entries.find((e) => e.action === 'POST /api/users' && JSON.stringify(e.details).includes('audited@example.com'));
    expect(create?.details).toMatchObject({ status: 201, result: 'ok' });
    expect(JSON.stringify(create?.details)).not.toContain('super secret value');
    expect(entries.some((e) => e.action.startsWith('GET') && (e.details as { status?: number })?.status === 401)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(ADMIN.password);
  });
});

describeApi('first start without an admin', { sample: false, config: { adminEmail: undefined, adminPassword: undefined } }, (api) => {
  it('lets exactly one bootstrap create the first admin', async () => {
    expect((await api().request('POST', '/auth/bootstrap', { body: { email: 'first@example.com', password: 'short' } })).status).toBe(400);
    // Callers racing a fresh install: exactly one becomes the admin.
    const racers = await Promise.all(
      [1, 2, 3].map((n) => api().request('POST', '/auth/bootstrap', { body: { email: `racer${n}@example.com`, password: 'long enough password' } })),
    );
    const statuses = racers.map((r) => r.status);
    expect(statuses.filter((st) => st === 201)).toHaveLength(1);
    expect(statuses.filter((st) => st !== 201).every((st) => st === 403 || st === 409)).toBe(true);
    const winner = (await racers.find((r) => r.status === 201)!.json()) as { email: string };
    expect(winner.email).toMatch(/^racer\d@example.com$/);
    const again0 = await api().request('POST', '/auth/bootstrap', { body: { email: 'First@Example.com', password: 'long enough password', name: 'First' } });
    expect(again0.status).toBe(403);
    const again = await api().request('POST', '/auth/bootstrap', { body: { email: 'second@example.com', password: 'long enough password' } });
    expect(again.status).toBe(403);
    const token = await api().login(winner.email, 'long enough password');
    expect((await api().call('GET', '/auth/me', { token })).role).toBe('admin');
  });
});

describeApi('password reset tokens', { sample: false }, (api) => {
  it('works once, and refuses an expired token', async () => {
    const token = api().adminToken;
    const user = await api().call('POST', '/api/users', { token, body: { email: 'forgetful@example.com', password: 'old password 1' } });
    const { reset_token } = await api().call('POST', `/api/users/${user.id}/reset-password`, { token });
    expect(reset_token.length).toBeGreaterThan(30);
    await api().call('POST', '/auth/reset-password', { body: { token: reset_token, password: 'new password 2' } });
    expect(await api().login('forgetful@example.com', 'new password 2')).toBeTypeOf('string');
    const again = await api().request('POST', '/auth/reset-password', { body: { token: reset_token, password: 'third password 3' } });
    expect(again.status).toBe(400);
    expect((await errorOf(again)).message).toMatch(/already used or expired/);
    // An expired token is refused even though it was never used.
    const { hashToken } = await import('@agnes/system-db');
    await api().server.deps.db.users.setToken(user.id, 'reset', { hash: hashToken('expired-token-value'), expiresAt: new Date(Date.now() - 1000) });
    expect((await api().request('POST', '/auth/reset-password', { body: { token: 'expired-token-value', password: 'another password' } })).status).toBe(400);
  });
});
