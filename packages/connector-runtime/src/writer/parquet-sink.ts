import duckdb from '@duckdb/node-bindings';
import { type DuckDBConnection, DuckDBTableFunction } from '@duckdb/node-api';
import type { RecordBatch, Schema } from 'apache-arrow';
import { quoteLiteral } from '@agnes/connector-kit';
import { duckdbTypeOf } from './duckdb-types.js';
import { fillVector } from './fill-vector.js';

/** Rows DuckDB takes per output chunk. */
const CHUNK_ROWS = duckdb.vector_size();

let functionCounter = 0;

/** Parquet options every file of an extract is written with. */
export const PARQUET_OPTIONS = 'FORMAT parquet, COMPRESSION zstd';

/**
 * Streams record batches from a synchronous `pull` into a parquet file through a
 * DuckDB table function consumed by `COPY … TO`. DuckDB asks for one chunk at a
 * time, so memory stays at a few batches whatever the table's size.
 *
 * `pull` returns the next batch, or `null` at the end; it may block (the worker
 * waits on a shared counter) and may throw to abort the write.
 * Returns the number of rows written.
 */
export async function copyBatchesToParquet(
  connection: DuckDBConnection,
  schema: Schema,
  pull: () => RecordBatch | null,
  targetPath: string,
): Promise<number> {
  const name = `agnes_batches_${process.pid}_${++functionCounter}`;
  const types = schema.fields.map((f) => duckdbTypeOf(f.type, f.name));
  let batch: RecordBatch | null = null;
  let offset = 0;
  let done = false;
  let rows = 0;
  const fn = DuckDBTableFunction.create({
    name,
    bindFunction: (info) => {
      schema.fields.forEach((f, i) => info.addResultColumn(f.name, types[i]!));
    },
    initFunction: (info) => info.setMaxThreads(1),
    mainFunction: (info, output) => {
      try {
        while (!done && (batch === null || offset >= batch.numRows)) {
          batch = pull();
          offset = 0;
          if (batch === null) done = true;
        }
        const chunk = output.chunk;
        if (done || batch === null) {
          duckdb.data_chunk_set_size(chunk, 0);
          return;
        }
        const n = Math.min(CHUNK_ROWS, batch.numRows - offset);
        duckdb.data_chunk_set_size(chunk, n);
        const children = batch.data.children;
        for (let c = 0; c < types.length; c++) {
          fillVector(duckdb.data_chunk_get_vector(chunk, c), children[c]!, offset, n);
        }
        offset += n;
        rows += n;
      } catch (error) {
        info.setError(error instanceof Error ? error.message : String(error));
      }
    },
  });
  connection.registerTableFunction(fn);
  await connection.run(`COPY (SELECT * FROM ${name}()) TO ${quoteLiteral(targetPath)} (${PARQUET_OPTIONS})`);
  return rows;
}
