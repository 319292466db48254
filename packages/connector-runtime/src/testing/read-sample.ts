import { RecordBatch } from 'apache-arrow';
import type { Connector, ReadOptions, TableInfo } from '@agnes/connector-kit';
import { ContractViolation } from './violation.js';

/** Reads up to `limit` rows of a table (all when undefined), stopping the iterator early. */
export async function readSample(
  check: string,
  connector: Connector,
  table: TableInfo,
  limit: number | undefined,
  options: Partial<ReadOptions> = {},
): Promise<RecordBatch[]> {
  if (typeof connector.read !== 'function') throw new ContractViolation(check, 'the connector has no read() method');
  const batches: RecordBatch[] = [];
  let rows = 0;
  const iterable = connector.read(table.name, { batchSize: 1000, ...options });
  if (!iterable || typeof (iterable as AsyncIterable<RecordBatch>)[Symbol.asyncIterator] !== 'function') {
    throw new ContractViolation(check, `read('${table.name}') must return an AsyncIterable of RecordBatch (use an async generator)`);
  }
  for await (const batch of iterable) {
    if (!(batch instanceof RecordBatch) && !(batch && typeof batch === 'object' && 'schema' in batch && 'numRows' in batch)) {
      throw new ContractViolation(check, `read('${table.name}') yielded something that is not an apache-arrow RecordBatch`);
    }
    batches.push(batch);
    rows += batch.numRows;
    if (limit !== undefined && rows >= limit) break;
  }
  return batches;
}

/** The tables to exercise: the discovered ones, narrowed to `names` when given. */
export async function tablesUnderTest(connector: Connector, names?: string[]): Promise<TableInfo[]> {
  if (typeof connector.discover !== 'function') return [];
  const all = await connector.discover();
  if (!names) return all;
  const missing = names.filter((n) => !all.some((t) => t.name === n));
  if (missing.length) throw new ContractViolation('discover', `tables ${missing.join(', ')} were asked for but not discovered`);
  return all.filter((t) => names.includes(t.name));
}
