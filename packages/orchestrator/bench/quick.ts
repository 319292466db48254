import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { rebuild } from '../src/index.js';
import { writeSyntheticExtracts } from '../test/synthetic-extracts.js';
const root = mkdtempSync(join(tmpdir(), 'orch-'));
let t0 = performance.now();
await writeSyntheticExtracts(join(root, 'extracts'), 50, 40);
console.log('generate', ((performance.now() - t0) / 1000).toFixed(2));
for (let i = 0; i < 2; i++) {
  t0 = performance.now();
  const r = await rebuild({ extractsDir: join(root, 'extracts'), target: join(root, 'analytics', 'server.duckdb') });
  console.log('rebuild', r.tables.length, r.problems.length, ((performance.now() - t0) / 1000).toFixed(2));
}
