import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CapName, type Connector, loadManifest, parseCaps } from '@agnes/connector-kit';
import {
  checkAbort,
  checkBatchesMatchSchema,
  checkCapabilitiesTruthful,
  checkDiscover,
  checkIncremental,
  checkManifest,
  checkPipeline,
  checkPrimaryKeys,
  checkRemoteSafe,
} from '../testing/index.js';
import { connectorPackageName, scaffoldConnector } from './scaffold.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** An empty temp folder whose node_modules is this package's, so generated code resolves apache-arrow and the kit. */
function tempPackageRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'agnes-scaffold-'));
  roots.push(root);
  symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(root, 'node_modules'), 'dir');
  return root;
}

interface Generated {
  createMySourceConnector: (config: { rows: Row[]; page_size?: number }) => Connector;
}
type Row = { id: bigint; name: string | null; updatedAt: number };

describe('scaffoldConnector', () => {
  it.each<[CapName[]]>([[['discover', 'read']], [['discover', 'read', 'stream', 'remote']], [['remote', 'discover']]])(
    'generates a package for %j whose connector passes every contract check',
    async (caps) => {
      const dir = join(tempPackageRoot(), 'my-connector');
      const files = await scaffoldConnector(dir, { name: 'my_source', capabilities: caps, kitVersion: '^1.2.3' });
      expect([...files].sort()).toEqual(['.gitignore', 'README.md', 'connector.yaml', 'package.json', 'src/index.test.ts', 'src/index.ts', 'tsconfig.json']);
      for (const f of files) expect(existsSync(join(dir, f))).toBe(true);

      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
      expect(pkg.name).toBe('agnes-connector-my-source');
      expect(pkg.type).toBe('module');
      expect(pkg.scripts?.test).toBe('vitest run');
      expect(pkg.dependencies).toMatchObject({ '@agnes/connector-kit': '^1.2.3', 'apache-arrow': expect.any(String) });
      expect(Object.keys(pkg.devDependencies ?? {})).toEqual(expect.arrayContaining(['@agnes/connector-runtime', 'vitest', 'typescript']));

      const manifest = await loadManifest(join(dir, 'connector.yaml'));
      expect(manifest.name).toBe('my_source');
      expect(manifest.entrypoint).toBe('./dist/index.js');
      expect(manifest.caps).toBe(parseCaps(caps));
      expect(manifest.auth.env_vars.map((v) => v.name)).toEqual(caps.includes('remote') ? ['MY_SOURCE_TOKEN'] : []);

      // The generated source is TypeScript; vitest compiles it on import, as it does the package's own test.
      const mod = (await import(pathToFileURL(join(dir, 'src/index.ts')).href)) as Generated;
      const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({ id: BigInt(i + 1), name: i === 3 ? null : `n${i}`, updatedAt: Date.UTC(2026, 0, 1) + i * 1000 }));
      const make = () => mod.createMySourceConnector({ rows, page_size: 5 });
      expect(make().capabilities).toBe(parseCaps(caps));
      await checkCapabilitiesTruthful(make());
      await checkDiscover(make());
      await checkBatchesMatchSchema(make());
      await checkPrimaryKeys(make());
      await checkPipeline(make());
      if (caps.includes('read')) {
        await checkIncremental(make(), {
          addRows: async (_t, n) => {
            for (let i = 0; i < n; i++) rows.push({ id: BigInt(rows.length + 1), name: 'new', updatedAt: Date.UTC(2026, 0, 2) + i });
          },
        });
      }
      await checkRemoteSafe(make());
      await checkAbort(make());
      await checkManifest(make(), join(dir, 'connector.yaml'));
    },
  );

  it('generates a read() that honours columns, incrementalValue (≥) and the abort signal', async () => {
    const dir = join(tempPackageRoot(), 'c');
    await scaffoldConnector(dir, { name: 'shop' });
    const mod = (await import(pathToFileURL(join(dir, 'src/index.ts')).href)) as {
      createShopConnector: (config: { rows: Row[] }) => Connector;
    };
    const at = (m: number) => Date.UTC(2026, 0, 1, 0, m);
    const connector = mod.createShopConnector({ rows: [1, 2, 3].map((i) => ({ id: BigInt(i), name: `n${i}`, updatedAt: at(i) })) });
    const read = async (options: Parameters<NonNullable<Connector['read']>>[1]) => {
      const out = [];
      for await (const b of connector.read!('items', options)) out.push(b);
      return out;
    };
    const projected = await read({ batchSize: 10, columns: ['id'] });
    expect(projected[0]?.schema.fields.map((f) => f.name)).toEqual(['id']);
    const since = await read({ batchSize: 10, incrementalKey: 'updated_at', incrementalValue: '2026-01-01T00:02:00.000000Z' });
    expect(since.flatMap((b) => [...b.getChild('id')!])).toEqual([2n, 3n]);
    const aborted = new AbortController();
    aborted.abort();
    await expect(read({ batchSize: 1, signal: aborted.signal })).rejects.toThrow();
    await expect(read({ batchSize: 1, incrementalValue: 'yesterday' })).rejects.toThrow(/not an ISO 8601 timestamp/);
  });

  it('names the npm package in lower case', () => {
    expect(connectorPackageName('Acme_CRM')).toBe('agnes-connector-acme-crm');
  });

  it('refuses a bad name, a non-empty folder and capabilities it cannot generate, each with the fix', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agnes-scaffold-'));
    roots.push(base);
    await expect(scaffoldConnector(join(base, 'x'), { name: 'my-source' })).rejects.toThrow(/source name "my-source" is invalid/);
    await expect(scaffoldConnector(join(base, 'x'), { name: '_meta' })).rejects.toThrow(/reserved/);
    mkdirSync(join(base, 'full'));
    writeFileSync(join(base, 'full', 'keep.txt'), 'mine');
    await expect(scaffoldConnector(join(base, 'full'), { name: 'ok' })).rejects.toThrow(/is not empty; choose a new or empty folder/);
    expect(readFileSync(join(base, 'full', 'keep.txt'), 'utf8')).toBe('mine');
    await expect(scaffoldConnector(join(base, 'y'), { name: 'ok', capabilities: ['discover', 'write'] })).rejects.toThrow(
      /cannot generate capabilities write; it supports discover, read, stream, remote/,
    );
    await expect(scaffoldConnector(join(base, 'y'), { name: 'ok', capabilities: ['read'] })).rejects.toThrow(/lack 'discover'.*so add it/);
    await expect(scaffoldConnector(join(base, 'y'), { name: 'ok', capabilities: ['discover'] })).rejects.toThrow(/add at least one of read, stream, remote/);
    expect(existsSync(join(base, 'x'))).toBe(false);
    expect(existsSync(join(base, 'y'))).toBe(false);
    // An existing empty folder is fine.
    mkdirSync(join(base, 'empty'));
    await expect(scaffoldConnector(join(base, 'empty'), { name: 'ok' })).resolves.toContain('src/index.ts');
  });
});
