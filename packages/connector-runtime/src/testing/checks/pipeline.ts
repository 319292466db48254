import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cap, type Connector, hasCap, quoteIdent } from '@agnes/connector-kit';
import { hashFile } from '../../extract/hash.js';
import { openExtract } from '../../extract/reader.js';
import { ConnectorRuntime, type TableRunConfig } from '../../runtime.js';
import type { ContractOptions } from '../options.js';
import { canonicalDbRow, canonicalRows, canonicalSql, multiset, multisetDifference } from '../rows.js';
import { readSample, tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';

/** A fresh `<tmp>/extracts/contract_src` folder and its remover. */
export function scratchExtract(): { dir: string; dispose: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'agnes-contract-'));
  return { dir: join(root, 'extracts', 'contract_src'), dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * The full pipeline: runtime.run writes a valid extract, `_meta` agrees with the
 * files, and each view returns exactly the rows read() yields (as a multiset).
 */
export async function checkPipeline(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const check = 'pipeline';
  const tables = (await tablesUnderTest(connector, options.tables)).filter((t) => hasCap(t.capabilities, Cap.READ));
  if (tables.length === 0) return;
  // Replace strategy: a plain full read, the same read the expectation below does.
  const configs: Record<string, TableRunConfig> = Object.fromEntries(tables.map((t) => [t.name, { strategy: 'replace' }]));
  const scratch = scratchExtract();
  try {
    const stats = await new ConnectorRuntime(scratch.dir).run(connector, { tables: configs });
    if (stats.errors.length) {
      const e = stats.errors[0]!;
      throw new ContractViolation(check, `runtime.run failed table ${e.table} (${e.code}): ${e.message}`);
    }
    const reader = await openExtract(scratch.dir);
    try {
      const meta = await reader.meta();
      for (const t of tables) {
        const m = meta.find((x) => x.tableName === t.name);
        if (!m) throw new ContractViolation(check, `_meta has no row for table ${t.name}`);
        if (m.queryMode !== 'local' || !m.dataPath) throw new ContractViolation(check, `_meta row of ${t.name} is not a local table with a data_path`);
        if (!/^sha256-[0-9a-f]{64}$/.test(m.contentHash ?? '')) throw new ContractViolation(check, `_meta.content_hash of ${t.name} is not sha256-<hex>`);
        if (!m.dataPath.includes('*')) {
          const file = join(scratch.dir, m.dataPath);
          if (!existsSync(file)) throw new ContractViolation(check, `data_path ${m.dataPath} of ${t.name} does not exist`);
          if ((await hashFile(file)) !== m.contentHash) throw new ContractViolation(check, `content_hash of ${t.name} does not match its file`);
        }
        const expected = multiset((await readSample(check, connector, t, undefined)).flatMap(canonicalRows));
        const total = [...expected.values()].reduce((a, b) => a + b, 0);
        if (m.rows !== total) throw new ContractViolation(check, `_meta.rows of ${t.name} is ${m.rows}, read() yields ${total} rows`);
        const select = t.schema.fields.map((f) => `${canonicalSql(f)} AS ${quoteIdent(f.name)}`).join(', ');
        const rows = await reader.query(`SELECT ${select} FROM ${quoteIdent(t.name)}`);
        const diff = multisetDifference(expected, multiset(rows.map((r) => canonicalDbRow(t.schema, r))));
        if (diff) {
          throw new ContractViolation(check, `view ${t.name} differs from what read() yields: ${diff}. If read() is not deterministic, make two full reads return the same rows`);
        }
      }
    } finally {
      reader.close();
    }
  } finally {
    scratch.dispose();
  }
}
