import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { Cap, type Connector, HASH_PREFIX, hasCap, type MetaRow, quoteIdent, type ReadOptions, type TableInfo } from '@agnes/connector-kit';
import { hashFile } from '../../extract/hash.js';
import { openExtract } from '../../extract/reader.js';
import { ConnectorRuntime, type TableRunConfig } from '../../runtime.js';
import type { ContractOptions } from '../options.js';
import { canonicalDbRow, canonicalRows, canonicalSql, multiset, multisetDifference } from '../rows.js';
import { isRecordBatch, tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';
import { runOrViolation, scratchExtract } from './scratch.js';

const CHECK = 'pipeline';
const HASH = new RegExp(`^${HASH_PREFIX}[0-9a-f]{64}$`);

/**
 * The connector as the runtime sees it, recording the canonical rows of the last
 * read() of each table. Only the last call counts: the runtime re-reads a table
 * from the start after a transient error.
 */
function recording(connector: Connector): { connector: Connector; rows: Map<string, string[]> } {
  const rows = new Map<string, string[]>();
  const wrapped: Connector = { capabilities: connector.capabilities };
  if (typeof connector.discover === 'function') wrapped.discover = () => connector.discover!();
  if (typeof connector.remote === 'function') wrapped.remote = () => connector.remote!();
  if (typeof connector.stream === 'function') wrapped.stream = (table, options) => connector.stream!(table, options);
  if (typeof connector.read === 'function') {
    wrapped.read = (table: string, options: ReadOptions) => {
      const seen: string[] = [];
      rows.set(table, seen);
      const source = connector.read!(table, options);
      return (async function* () {
        for await (const batch of source) {
          // Not-a-batch is the runtime's to refuse (and checkBatchesMatchSchema's to explain).
          if (isRecordBatch(batch)) seen.push(...canonicalRows(batch));
          yield batch as RecordBatch;
        }
      })();
    };
  }
  return { connector: wrapped, rows };
}

async function verifyMeta(dir: string, t: TableInfo, meta: MetaRow[], read: number): Promise<void> {
  const m = meta.find((x) => x.tableName === t.name);
  if (!m) throw new ContractViolation(CHECK, `_meta has no row for table ${t.name} although runtime.run reported no error`);
  if (m.queryMode !== 'local') throw new ContractViolation(CHECK, `_meta.query_mode of ${t.name} is '${m.queryMode}', expected 'local' for a table with Cap.READ`);
  if (!m.dataPath) throw new ContractViolation(CHECK, `_meta.data_path of ${t.name} is empty`);
  if (!HASH.test(m.contentHash ?? '')) throw new ContractViolation(CHECK, `_meta.content_hash of ${t.name} is ${String(m.contentHash)}, not ${HASH_PREFIX}<hex>`);
  if (!m.dataPath.includes('*')) {
    const file = join(dir, m.dataPath);
    if (!existsSync(file)) throw new ContractViolation(CHECK, `_meta.data_path ${m.dataPath} of ${t.name} does not exist in the extract folder`);
    if ((await hashFile(file)) !== m.contentHash) throw new ContractViolation(CHECK, `_meta.content_hash of ${t.name} is not the hash of ${m.dataPath}`);
  }
  if (m.rows !== read) throw new ContractViolation(CHECK, `_meta.rows of ${t.name} is ${String(m.rows)}, but read() yielded ${read} row(s) during the run`);
}

/**
 * The full pipeline: `ConnectorRuntime.run` (strategy `replace`) into a scratch
 * extract under the OS temp folder, then, per readable table: no error in
 * `stats.errors`; a `_meta` row with `query_mode` 'local', `rows` equal to the rows
 * read, a `sha256-<hex>` `content_hash` that matches the existing `data_path`; and a
 * view that returns exactly the rows read() yielded during the run (an
 * order-insensitive multiset of canonical rows). Rows are recorded as the runtime
 * reads them, so a source whose data changes between reads is fine.
 *
 * @example
 * await checkPipeline(connector, { tables: ['orders'] });
 */
export async function checkPipeline(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const tables = (await tablesUnderTest(CHECK, connector, options.tables)).filter((t) => hasCap(t.capabilities, Cap.READ));
  if (tables.length === 0) return;
  const configs: Record<string, TableRunConfig> = Object.fromEntries(tables.map((t) => [t.name, { strategy: 'replace' }]));
  const recorded = recording(connector);
  const scratch = scratchExtract();
  try {
    await runOrViolation(CHECK, 'full run', new ConnectorRuntime(scratch.dir), recorded.connector, { tables: configs });
    const reader = await openExtract(scratch.dir);
    try {
      const meta = await reader.meta();
      for (const t of tables) {
        const expected = multiset(recorded.rows.get(t.name) ?? []);
        const read = [...expected.values()].reduce((a, b) => a + b, 0);
        await verifyMeta(scratch.dir, t, meta, read);
        const select = t.schema.fields.map((f) => `${canonicalSql(f)} AS ${quoteIdent(f.name)}`).join(', ');
        let viewRows: Record<string, unknown>[];
        try {
          viewRows = await reader.query(`SELECT ${select} FROM ${quoteIdent(t.name)}`);
        } catch (error) {
          throw new ContractViolation(CHECK, `the view ${t.name} cannot be queried: ${(error as Error).message}`, { cause: error });
        }
        if (viewRows.length !== read) throw new ContractViolation(CHECK, `the view ${t.name} returns ${viewRows.length} row(s), read() yielded ${read}`);
        const diff = multisetDifference(expected, multiset(viewRows.map((r) => canonicalDbRow(t.schema, r))));
        if (diff) throw new ContractViolation(CHECK, `the view ${t.name} differs from what read() yielded: ${diff}`);
      }
    } finally {
      reader.close();
    }
  } finally {
    scratch.dispose();
  }
}
