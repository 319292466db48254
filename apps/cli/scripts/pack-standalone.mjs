#!/usr/bin/env node
// Builds `standalone/da.tgz`: the CLI with our own packages (@agnes/connector-kit,
// @agnes/connector-runtime) bundled inside it, so `npm i -g http://<server>/cli/da.tgz`
// works without a registry that has them. Third-party dependencies (DuckDB, Arrow, …)
// stay normal dependencies that npm installs. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(cli, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'da-standalone-'));
const out = join(cli, 'standalone');

const pack = (dir) => {
  execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(work).find((f) => f.startsWith(pkg.name.replace('@', '').replace('/', '-')) && f.endsWith('.tgz'));
  if (!file) throw new Error(`pnpm pack of ${pkg.name} wrote nothing`);
  const into = join(work, `x-${pkg.name.replace(/[@/]/g, '_')}`);
  mkdirSync(into);
  execFileSync('tar', ['-xzf', join(work, file), '-C', into]);
  return { pkg: JSON.parse(readFileSync(join(into, 'package', 'package.json'), 'utf8')), dir: join(into, 'package') };
};

try {
  const bundled = [pack(join(root, 'packages', 'connector-kit')), pack(join(root, 'packages', 'connector-runtime'))];
  const main = pack(cli);
  const stage = main.dir;
  const names = new Set(bundled.map((b) => b.pkg.name));
  const deps = { ...main.pkg.dependencies };
  for (const b of bundled) {
    cpSync(b.dir, join(stage, 'node_modules', ...b.pkg.name.split('/')), { recursive: true });
    // The bundled packages' own dependencies are installed by npm beside the CLI's.
    for (const [name, range] of Object.entries(b.pkg.dependencies ?? {})) if (!names.has(name)) deps[name] ??= range;
  }
  // npm bundles a dependency only when it is also listed as one, at the version bundled.
  for (const b of bundled) deps[b.pkg.name] = b.pkg.version;
  const { devDependencies: _dev, ...rest } = main.pkg;
  const pkg = { ...rest, dependencies: deps, bundleDependencies: [...names] };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The bundled copies declare no dependencies: npm would take theirs for part of the bundle
  // and leave them empty. Node finds them one level up, where the CLI's own install puts them.
  for (const b of bundled) {
    const path = join(stage, 'node_modules', ...b.pkg.name.split('/'), 'package.json');
    const { dependencies: _deps, devDependencies: _devDeps, peerDependencies: _peers, ...inner } = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, `${JSON.stringify(inner, null, 2)}\n`);
  }
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: stage, encoding: 'utf8' }).trim().split('\n').at(-1);
  // A running server may be streaming da.tgz (`pnpm start` packs before it starts one): the
  // file is never truncated or removed. The same bytes leave it alone; new bytes go to a
  // temp file beside it, renamed over it, so a download in progress keeps the old inode.
  const target = join(out, 'da.tgz');
  const fresh = readFileSync(join(work, tarball));
  if (existsSync(target) && readFileSync(target).equals(fresh)) {
    console.log(`${target} is up to date (${pkg.name}@${pkg.version})`);
  } else {
    mkdirSync(out, { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, fresh);
    renameSync(tmp, target);
    console.log(`wrote ${target} (${pkg.name}@${pkg.version}, bundling ${[...names].join(', ')})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
