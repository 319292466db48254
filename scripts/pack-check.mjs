// Packs every publishable workspace package and lints it with publint.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const roots = ['packages', 'apps', 'connectors'];
const out = mkdtempSync(join(tmpdir(), 'agnes-pack-'));
let failed = 0;
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    const pkgFile = join(dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    if (pkg.private) continue;
    try {
      execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      execFileSync('pnpm', ['exec', 'publint', '--strict', dir], { stdio: 'inherit' });
      console.log(`pack ok: ${pkg.name}`);
    } catch {
      failed++;
      console.error(`pack FAILED: ${pkg.name}`);
    }
  }
}
rmSync(out, { recursive: true, force: true });
if (failed) process.exit(1);
