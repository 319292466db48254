import { RecordBatch } from 'apache-arrow';
import type { Connector, ReadOptions, TableInfo } from '@agnes/connector-kit';
import { ContractViolation, describeError, isContractViolation } from './violation.js';

/** Rows per table the cheap checks read unless `sampleRows` says otherwise. */
export const DEFAULT_SAMPLE_ROWS = 10_000;

/** An apache-arrow RecordBatch, also from another copy of apache-arrow than ours. */
export function isRecordBatch(value: unknown): value is RecordBatch {
  if (value instanceof RecordBatch) return true;
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Partial<RecordBatch>;
  return typeof b.numRows === 'number' && typeof b.schema === 'object' && Array.isArray(b.schema?.fields) && typeof b.getChildAt === 'function';
}

/** `connector.read(table, options)` as an async iterable, or a violation saying why it is not one. */
export function startRead(check: string, connector: Connector, table: string, options: ReadOptions): AsyncIterable<RecordBatch> {
  if (typeof connector.read !== 'function') throw new ContractViolation(check, 'the connector has no read() method; implement it or drop Cap.READ');
  let iterable: AsyncIterable<RecordBatch>;
  try {
    iterable = connector.read(table, options);
  } catch (error) {
    throw new ContractViolation(check, `read('${table}') threw before yielding (${describeError(error)})`, { cause: error });
  }
  if (!iterable || typeof (iterable as Partial<AsyncIterable<RecordBatch>>)[Symbol.asyncIterator] !== 'function') {
    throw new ContractViolation(check, `read('${table}') must return an AsyncIterable of RecordBatch; write it as an async generator (async *read)`);
  }
  return iterable;
}

/**
 * Reads up to `limit` rows of a table (all when undefined), leaving the loop early
 * so the iterator's `return()` stops the connector. Anything the connector throws
 * becomes a violation of `check` with the error as `cause`.
 */
export async function readSample(
  check: string,
  connector: Connector,
  table: TableInfo,
  limit: number | undefined,
  options: Partial<ReadOptions> = {},
): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  let rows = 0;
  const iterable = startRead(check, connector, table.name, { batchSize: 1000, ...options });
  try {
    for await (const batch of iterable) {
      if (!isRecordBatch(batch)) {
        throw new ContractViolation(check, `read('${table.name}') yielded ${describeValue(batch)}, not an apache-arrow RecordBatch`);
      }
      batches.push(batch);
      rows += batch.numRows;
      if (limit !== undefined && rows >= limit) break;
    }
  } catch (error) {
    if (isContractViolation(error)) throw error;
    throw new ContractViolation(check, `read('${table.name}') threw ${describeError(error)}; a source that works must read without errors`, {
      cause: error,
    });
  }
  return batches;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return `a ${typeof v}`;
  return `an object (${Object.getPrototypeOf(v)?.constructor?.name ?? 'no prototype'})`;
}

/** `connector.discover()`, with a missing method or a throw turned into a violation of `check`. */
export async function discoverTables(check: string, connector: Connector): Promise<TableInfo[]> {
  if (typeof connector.discover !== 'function') {
    throw new ContractViolation(check, 'the connector has no discover(); the runtime finds tables and schemas through it, so declare Cap.DISCOVER and implement it');
  }
  let tables: unknown;
  try {
    tables = await connector.discover();
  } catch (error) {
    throw new ContractViolation(check, `discover() threw ${describeError(error)}`, { cause: error });
  }
  if (!Array.isArray(tables)) throw new ContractViolation(check, 'discover() must resolve to an array of TableInfo');
  return tables as TableInfo[];
}

/** The tables to exercise: the discovered ones, narrowed to `names` when given. */
export async function tablesUnderTest(check: string, connector: Connector, names?: string[]): Promise<TableInfo[]> {
  const all = await discoverTables(check, connector);
  if (!names) return all;
  const missing = names.filter((n) => !all.some((t) => t.name === n));
  if (missing.length) {
    throw new ContractViolation(
      check,
      `options.tables names ${missing.join(', ')}, which discover() does not return (discovered: ${all.map((t) => t.name).join(', ') || 'none'})`,
    );
  }
  return all.filter((t) => names.includes(t.name));
}
