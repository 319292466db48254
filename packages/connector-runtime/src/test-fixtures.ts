/* Test-only helpers: small connectors and batches built from plain JS rows. Not exported. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DataType, type Field, makeData, RecordBatch, Schema, Struct, vectorFromArray } from 'apache-arrow';
import { Cap, type Connector, type ReadOptions, type TableInfo } from '@agnes/connector-kit';

/** A fresh `<tmp>/extracts/<source>` path (not created). */
export function extractDir(source = 'src'): string {
  return join(mkdtempSync(join(tmpdir(), 'agnes-rt-')), 'extracts', source);
}

/** A record batch from column arrays of JS values. */
export function batchOf(schema: Schema, columns: Record<string, unknown[]>): RecordBatch {
  const length = Object.values(columns)[0]?.length ?? 0;
  const children = schema.fields.map((f: Field) => vectorFromArray(columns[f.name] ?? [], f.type as DataType).data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, children }));
}

/** An in-memory table: rows as objects, with an optional cursor filter. */
export interface MemTable {
  info: TableInfo;
  rows: Record<string, unknown>[];
  /** Throw this on read (once per listed read). */
  failWith?: Error[];
  /** Rows per batch. */
  batchRows?: number;
}

/** A connector over in-memory tables; records every ReadOptions it got. */
export function memoryConnector(tables: MemTable[], extra: Partial<Connector> = {}) {
  const reads: { table: string; options: ReadOptions }[] = [];
  const connector: Connector = {
    capabilities: Cap.DISCOVER | Cap.READ,
    async discover() {
      return tables.map((t) => t.info);
    },
    async *read(table, options) {
      reads.push({ table, options });
      const t = tables.find((x) => x.info.name === table)!;
      const failure = t.failWith?.shift();
      if (failure) throw failure;
      const key = options.incrementalKey;
      const from = options.incrementalValue;
      const rows = t.rows.filter((r) => !key || from === undefined || String(r[key]) >= from);
      const size = t.batchRows ?? 1000;
      for (let i = 0; i < rows.length; i += size) {
        options.signal?.throwIfAborted();
        const slice = rows.slice(i, i + size);
        const cols: Record<string, unknown[]> = {};
        for (const f of t.info.schema.fields) cols[f.name] = slice.map((r) => r[f.name] ?? null);
        yield batchOf(t.info.schema, cols);
      }
    },
    ...extra,
  };
  return { connector, reads };
}

export { Schema };
