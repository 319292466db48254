import { connect } from 'node:net';
import { expect, it, vi } from 'vitest';
import { ADMIN, describeApi, errorOf, type Api } from './harness.js';

type LogLine = { level: string; message: string; [field: string]: unknown };
const logLines = (api: Api): LogLine[] => api.logger.lines.map((l) => JSON.parse(l) as LogLine);
const errorLines = (api: Api) => logLines(api).filter((l) => l.level === 'error');

/** Sends raw bytes to the server and answers the response text (or '' when the server closes first). */
function rawRequest(api: Api, head: string, body: string, options: { hangUp?: boolean } = {}): Promise<string> {
  const url = new URL(api.server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`${head}\r\nHost: ${url.host}\r\n\r\n${body}`);
      // Gone mid-body: the declared Content-Length is never reached.
      if (options.hangUp) socket.destroy();
    });
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describeApi('client mistakes at the API edge', { listen: true, sample: false }, (api) => {
  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${api().server.url}${path}`, { method: 'POST', headers, body });

  it('answers malformed JSON with 400 invalid_json saying what is wrong, and logs no error', async () => {
    const before = errorLines(api()).length;
    const publicRoute = await post('/auth/token', '{"email": "a@example.com", "password": ', { 'content-type': 'application/json' });
    expect(publicRoute.status).toBe(400);
    const error = await errorOf(publicRoute);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).toMatch(/end of JSON input/);
    // Where it breaks, without echoing what was sent (it may hold a password).
    const echoed = await errorOf(await post('/auth/token', '{"password": "hunter2" x}', { 'content-type': 'application/json' }));
    expect(echoed.message).toMatch(/position 23/);
    expect(echoed.message).not.toContain('hunter2');
    const bare = await errorOf(await post('/auth/token', 'hunter2 is the password', { 'content-type': 'application/json' }));
    expect(bare.message).toMatch(/Unexpected token/);
    expect(bare.message).not.toContain('hunter2');
    const signedIn = await post('/api/users', "{ email: 'x@example.com' }", { 'content-type': 'application/json', authorization: `Bearer ${api().adminToken}` });
    expect(signedIn.status).toBe(400);
    expect((await errorOf(signedIn)).code).toBe('invalid_json');
    expect(errorLines(api()).slice(before)).toEqual([]);
  });

  it('answers a body that is not JSON on a JSON route with 415 naming application/json', async () => {
    const before = errorLines(api()).length;
    const text = await post('/auth/token', 'email=a@example.com&password=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const error = await errorOf(text);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('application/json');
    const form = await post('/api/users', 'email=x@example.com&password=long+enough+pw', {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Bearer ${api().adminToken}`,
    });
    expect(form.status).toBe(415);
    expect((await errorOf(form)).code).toBe('unsupported_media_type');
    expect(errorLines(api()).slice(before)).toEqual([]);
  });

  it('answers a form that does not parse with 400, on the sign-in page too', async () => {
    const before = errorLines(api()).length;
    const res = await post('/login', 'not a multipart body', { accept: 'text/html', 'content-type': 'multipart/form-data; boundary=xyz', 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('could not be read');
    expect(errorLines(api()).slice(before)).toEqual([]);
  });

  it('logs a client that hangs up mid-body as one info line, not an error stack', async () => {
    const before = api().logger.lines.length;
    // A JSON route, and a page whose form is read by the route itself.
    await rawRequest(api(), 'POST /auth/token HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 4096', '{"email": "gone@example.com", "pass', { hangUp: true });
    await rawRequest(api(), 'POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 4096', 'email=gone%40example.com&pass', { hangUp: true });
    await vi.waitFor(
      () => {
        const lines = logLines(api()).slice(before);
        expect(lines.filter((l) => l.level === 'error')).toEqual([]);
        const closed = lines.filter((l) => l.level === 'info' && /closed the connection/.test(l.message));
        expect(closed.map((l) => l.path).sort()).toEqual(['/auth/token', '/login']);
      },
      { timeout: 20_000, interval: 50 },
    );
    // The server is unharmed and still answers on a fresh connection.
    expect((await fetch(`${api().server.url}/api/health`)).status).toBe(200);
  });

  it('documents invalid_json and the 415 of routes that take a body in the OpenAPI document', async () => {
    const doc = await api().call('GET', '/api/openapi.json');
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(expect.arrayContaining(['invalid_json', 'unsupported_media_type', 'rate_limited']));
    expect(doc.paths['/auth/token'].post.responses['415']).toBeDefined();
    expect(doc.paths['/auth/me'].get.responses['415']).toBeUndefined();
  });

  it('sends nosniff and a referrer policy on JSON answers, and no-store when the caller is signed in', async () => {
    const anonymous = await fetch(`${api().server.url}/api/health`);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/json/);
    expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
    expect(anonymous.headers.get('referrer-policy')).toBe('same-origin');
    const me = await api().request('GET', '/auth/me', { token: api().adminToken });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-content-type-options')).toBe('nosniff');
    expect(me.headers.get('referrer-policy')).toBe('same-origin');
    expect(me.headers.get('cache-control')).toBe('no-store');
    // Errors of signed-in callers too.
    const missing = await api().request('GET', '/api/users/no-such-user', { token: api().adminToken });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describeApi('sign-in limit', { sample: false }, (api) => {
  const signIn = (email: string, password: string) => api().request('POST', '/auth/token', { body: { email, password } });

  it('never counts a successful sign-in', async () => {
    for (let i = 0; i < 15; i += 1) {
      const res = await signIn(ADMIN.email, ADMIN.password);
      expect(res.status, `sign-in ${i + 1}`).toBe(200);
    }
  });

  it('refuses an email after 5 failures from one address with 429 and Retry-After, but not other emails', async () => {
    const victim = await api().user('victim@example.com');
    expect(victim.token).toBeTruthy();
    for (let i = 0; i < 5; i += 1) expect((await signIn('victim@example.com', `guess-${i}`)).status).toBe(401);
    const limited = await signIn('victim@example.com', 'guess-5');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(limited)).code).toBe('rate_limited');
    // The limit holds for the right password too: it stops the guessing, not only wrong guesses.
    expect((await signIn('victim@example.com', 'still guessing')).status).toBe(429);
    expect((await signIn(ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('applies the same rule to the web sign-in form', async () => {
    const form = (password: string) =>
      api().server.app.request('/login', {
        method: 'POST',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ email: 'form-user@example.com', password, next: '/' }).toString(),
      });
    for (let i = 0; i < 5; i += 1) expect((await form(`guess-${i}`)).status).toBe(401);
    const page = await form('guess-5');
    expect(page.status).toBe(429);
    expect(await page.text()).toMatch(/wait \d+ s/);
    // One set of counters: failures on the form count for the API as well.
    expect((await signIn('form-user@example.com', 'guess-6')).status).toBe(429);
  });
});
