import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '@agnes/connector-kit';
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
import { scaffoldConnector } from './scaffold.js';

describe('scaffoldConnector', () => {
  afterAll(() => rmSync(fileURLToPath(new URL('../../.scaffold-test', import.meta.url)), { recursive: true, force: true }));
  it.each([[['discover', 'read'] as const], [['discover', 'read', 'stream', 'remote'] as const]])(
    'generates a package that passes every contract check (%s)',
    async (caps) => {
      // Inside this package, so the generated code resolves apache-arrow and the kit.
      const root = fileURLToPath(new URL('../../.scaffold-test', import.meta.url));
      mkdirSync(root, { recursive: true });
      const dir = join(mkdtempSync(join(root, 'gen-')), 'my-connector');
      const files = await scaffoldConnector(dir, { name: 'my_source', capabilities: [...caps] });
      expect(files.sort()).toEqual(['README.md', 'connector.yaml', 'package.json', 'src/index.test.ts', 'src/index.ts', 'tsconfig.json']);
      for (const f of files) expect(existsSync(join(dir, f))).toBe(true);
      const mod = (await import(pathToFileURL(join(dir, 'src/index.ts')).href)) as {
        createMySourceConnector: (c: { rows: unknown[] }) => Connector;
      };
      const rows = Array.from({ length: 12 }, (_, i) => ({ id: BigInt(i + 1), name: `n${i}`, updatedAt: Date.UTC(2026, 0, 1) + i * 1000 }));
      const make = () => mod.createMySourceConnector({ rows });
      await checkCapabilitiesTruthful(make());
      await checkDiscover(make());
      await checkBatchesMatchSchema(make());
      await checkPrimaryKeys(make());
      await checkPipeline(make());
      await checkIncremental(make(), {
        addRows: async (_t, n) => {
          for (let i = 0; i < n; i++) rows.push({ id: BigInt(rows.length + 1), name: 'new', updatedAt: Date.UTC(2026, 0, 2) + i });
        },
      });
      await checkRemoteSafe(make());
      await checkAbort(make());
      await checkManifest(make(), join(dir, 'connector.yaml'));
    },
  );

  it('refuses a bad name or a non-empty folder with a clear error', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agnes-scaffold-'));
    await expect(scaffoldConnector(join(base, 'x'), { name: 'my-source' })).rejects.toThrow(/source name "my-source" is invalid/);
    writeFileSync(join(base, 'keep.txt'), 'mine');
    await expect(scaffoldConnector(base, { name: 'ok' })).rejects.toThrow(/is not empty/);
    await expect(scaffoldConnector(join(base, 'y'), { name: 'ok', capabilities: ['write'] })).rejects.toThrow(/supports capabilities/);
  });
});
