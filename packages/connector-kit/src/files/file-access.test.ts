import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest, validateConnectorConfig } from '../manifest/manifest.js';
import { type FileAccess, filePathProblem, resolvedPath } from './file-access.js';

const base = resolvedPath(mkdtempSync(join(tmpdir(), 'kit-file-access-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const files = join(base, 'data', 'files');
const state = join(base, 'data', 'state');
const outside = join(base, 'elsewhere');
for (const dir of [files, state, outside, join(files, 'sales')]) mkdirSync(dir, { recursive: true });
writeFileSync(join(state, 'system.duckdb'), 'secret');
symlinkSync(outside, join(files, 'escape'));
symlinkSync(state, join(files, 'state-link'));
const access: FileAccess = { roots: [files], denied: [state], setting: 'AGNES_SOURCE_ROOTS' };

describe('filePathProblem', () => {
  it('allows a root, folders below it and folders not created yet', () => {
    for (const path of [files, join(files, 'sales'), join(files, 'later', 'deeper')]) expect(filePathProblem(path, access), path).toBeUndefined();
  });

  it('refuses paths outside the roots, naming the setting and the allowed roots', () => {
    for (const path of ['/', '/etc', outside, join(files, '..'), `${files}-sibling`, join(files, 'escape'), join(files, 'escape', 'not-yet')]) {
      const problem = filePathProblem(path, access);
      expect(problem, path).toContain(`outside the folders sources may read (AGNES_SOURCE_ROOTS: ${files})`);
    }
    expect(filePathProblem(join(files, 'escape'), access)).toContain(`(resolved: ${outside})`);
  });

  it('never allows the denied folder, even when a root covers it or a symlink leads into it', () => {
    const wide: FileAccess = { ...access, roots: ['/'] };
    for (const path of [state, join(state, 'system.duckdb'), join(files, 'state-link'), join(base, 'data'), '/']) {
      expect(filePathProblem(path, wide), path).toMatch(/which sources may never read .*AGNES_SOURCE_ROOTS/);
    }
    expect(filePathProblem(join(files, 'state-link'), access)).toContain(`(resolved: ${state}) is outside the folders`);
  });
});

describe('validateConnectorConfig with a file access', () => {
  const manifest = parseManifest(
    'name: files\nversion: "1.0.0"\nentrypoint: ./x.js\ncapabilities: [read]\nconfig:\n  path: { type: string, required: true, format: path }\n  label: { type: string }\n',
  );

  it('checks `format: path` fields only when the host restricts file access', () => {
    expect(validateConnectorConfig(manifest, { path: '/etc', label: '/etc' })).toEqual({ path: '/etc', label: '/etc' });
    expect(() => validateConnectorConfig(manifest, { path: '/etc', label: '/etc' }, { fileAccess: access })).toThrow(
      /path: \/etc is outside the folders sources may read \(AGNES_SOURCE_ROOTS: /,
    );
    expect(validateConnectorConfig(manifest, { path: join(files, 'sales'), label: '/etc' }, { fileAccess: access })).toMatchObject({ path: join(files, 'sales') });
  });
});
