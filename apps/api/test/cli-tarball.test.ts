import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeApi, errorOf } from './harness.js';

const tarball = join(tmpdir(), `agnes-da-${process.pid}.tgz`);
writeFileSync(tarball, Buffer.from('not really gzip, but bytes to serve'));

describeApi('the CLI tarball', { sample: false, config: { cliTarball: tarball } }, (api) => {
  it('serves da.tgz without sign-in, for npm i -g', async () => {
    const res = await api().request('GET', '/cli/da.tgz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('not really gzip, but bytes to serve');
  });
});

describeApi('a server without the CLI tarball', { sample: false, config: { cliTarball: join(tmpdir(), 'no-such-da.tgz') } }, (api) => {
  it('says how to build it', async () => {
    const res = await api().request('GET', '/cli/da.tgz');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/pack:standalone/);
  });
});
