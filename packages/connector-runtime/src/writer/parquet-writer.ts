import { setTimeout as delay } from 'node:timers/promises';
import { MessageChannel, Worker } from 'node:worker_threads';
import { DuckDBInstance } from '@duckdb/node-api';
import { type RecordBatch, type Schema, Table, tableToIPC } from 'apache-arrow';
import { FatalSourceError } from '@agnes/connector-kit';
import { duckdbTypeOf } from './duckdb-types.js';
import { copyBatchesToParquet } from './parquet-sink.js';
import type { BatchMessage, WriteRequest, WriteResult } from './protocol.js';

/** Options of a {@link ParquetWriter}. */
export interface ParquetWriterOptions {
  /**
   * A table whose batches all arrive within this many bytes is written on the
   * calling thread; larger ones stream through the worker thread. Default 8 MiB.
   */
  readAheadBytes?: number;
  /** Batches posted to the worker and not yet consumed, at most. Default 4. */
  maxInFlight?: number;
  /**
   * Start the worker thread at once (its start-up, ~0.3 s, then overlaps the first
   * reads) instead of when the first large table needs it. Default false.
   */
  prewarm?: boolean;
}

/** What one write produced. */
export interface ParquetWriteProgress {
  rows: number;
  bytes: number;
}

function workerUrl(): { url: URL; execArgv: string[] } {
  // In the source tree (tests) the worker is TypeScript and runs under tsx;
  // published packages ship it as dist/parquet-worker.js beside the entry.
  if (import.meta.url.endsWith('.ts')) {
    return { url: new URL('./parquet-worker-dev.mjs', import.meta.url), execArgv: ['--conditions=@agnes/source'] };
  }
  return { url: new URL('./parquet-worker.js', import.meta.url), execArgv: [] };
}

/**
 * Writes streams of Arrow record batches to parquet (zstd) at bounded memory.
 * One instance serves a whole run; call {@link ParquetWriter.close} at the end.
 */
export class ParquetWriter {
  private readonly readAheadBytes: number;
  private readonly maxInFlight: number;
  private worker: Worker | undefined;
  private workerError: Error | undefined;
  private local: Promise<DuckDBInstance> | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (r: WriteResult) => void>();

  constructor(options: ParquetWriterOptions = {}) {
    this.readAheadBytes = options.readAheadBytes ?? 8 * 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 4;
    if (options.prewarm) this.ensureWorker();
  }

  /**
   * Writes every batch of `batches` to `targetPath`. Each batch must match `schema`
   * (same column names and DuckDB types; dictionary columns may stand for their
   * value type). Throws on a mismatch, on a source error, or when `signal` aborts;
   * the caller removes the partial file.
   */
  async write(
    batches: AsyncIterable<RecordBatch>,
    schema: Schema,
    targetPath: string,
    options: { signal?: AbortSignal; onBatch?: (p: ParquetWriteProgress) => void } = {},
  ): Promise<number> {
    const check = schemaChecker(schema);
    const iterator = batches[Symbol.asyncIterator]();
    const buffered: RecordBatch[] = [];
    let bufferedBytes = 0;
    const progress = { rows: 0, bytes: 0 };
    const next = async (): Promise<RecordBatch | null> => {
      options.signal?.throwIfAborted();
      const r = await iterator.next();
      options.signal?.throwIfAborted();
      if (r.done) return null;
      check(r.value);
      progress.rows += r.value.numRows;
      progress.bytes += r.value.data.byteLength;
      options.onBatch?.({ ...progress });
      return r.value;
    };
    try {
      for (;;) {
        const batch = await next();
        if (batch === null) {
          const instance = await (this.local ??= DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' }));
          const connection = await instance.connect();
          try {
            let i = 0;
            return await copyBatchesToParquet(connection, schema, () => buffered[i++] ?? null, targetPath);
          } finally {
            connection.closeSync();
          }
        }
        buffered.push(batch);
        bufferedBytes += batch.data.byteLength;
        if (bufferedBytes >= this.readAheadBytes) break;
      }
      return await this.viaWorker(buffered, next, schema, targetPath);
    } catch (error) {
      await iterator.return?.();
      throw error;
    }
  }

  private async viaWorker(
    first: RecordBatch[],
    next: () => Promise<RecordBatch | null>,
    schema: Schema,
    targetPath: string,
  ): Promise<number> {
    const worker = this.ensureWorker();
    const id = ++this.nextId;
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(8));
    const result = new Promise<WriteResult>((resolve) => this.pending.set(id, resolve));
    const request: WriteRequest = {
      type: 'write',
      id,
      targetPath,
      schemaIpc: tableToIPC(new Table(schema), 'stream'),
      port: port2,
      signal,
    };
    // Keep the event loop alive while the worker holds a write (it is unref'd when idle).
    worker.ref();
    worker.postMessage(request, [port2]);
    let posted = 0;
    const post = (msg: BatchMessage, transfer: ArrayBuffer[] = []): void => {
      port1.postMessage(msg, transfer);
      posted++;
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    };
    const send = async (batch: RecordBatch): Promise<void> => {
      for (;;) {
        const consumed = Atomics.load(signal, 1);
        if (posted - consumed < this.maxInFlight) break;
        const waited = Atomics.waitAsync(signal, 1, consumed, 1000);
        // A pending waitAsync does not keep the event loop alive; the timer does.
        if (waited.async) await Promise.race([waited.value, delay(200)]);
        if (this.workerError) throw this.workerError;
      }
      const ipc = tableToIPC(new Table(batch), 'stream');
      post({ kind: 'batch', ipc }, [ipc.buffer as ArrayBuffer]);
    };
    try {
      for (const b of first) await send(b);
      first.length = 0;
      for (let b = await next(); b !== null; b = await next()) await send(b);
      post({ kind: 'end' });
    } catch (error) {
      post({ kind: 'abort', message: error instanceof Error ? error.message : String(error) });
      await result;
      if (this.pending.size === 0) this.worker?.unref();
      throw error;
    } finally {
      port1.close();
    }
    const r = await result.finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    });
    if (r.type === 'error') throw new FatalSourceError(`writing ${targetPath} failed: ${r.message}`);
    return r.rows;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const { url, execArgv } = workerUrl();
    const worker = new Worker(url, { execArgv });
    worker.unref();
    worker.on('message', (r: WriteResult) => {
      const resolve = this.pending.get(r.id);
      this.pending.delete(r.id);
      resolve?.(r);
    });
    worker.on('error', (error) => {
      this.workerError = error;
      for (const [id, resolve] of this.pending) resolve({ type: 'error', id, message: error.message });
      this.pending.clear();
      this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  /** Stops the worker thread and releases DuckDB. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
    const local = this.local;
    this.local = undefined;
    if (local) (await local).closeSync();
  }
}

/**
 * Returns a check that throws a FatalSourceError naming the first column whose
 * name or DuckDB type differs from the declared schema.
 */
function schemaChecker(declared: Schema): (batch: RecordBatch) => void {
  const want = declared.fields.map((f) => `${f.name}:${duckdbTypeOf(f.type, f.name).toString()}`);
  const ok = new WeakSet<Schema>([declared]);
  return (batch) => {
    if (ok.has(batch.schema)) return;
    const got = batch.schema.fields.map((f) => `${f.name}:${duckdbTypeOf(f.type, f.name).toString()}`);
    if (got.length !== want.length || got.some((g, i) => g !== want[i])) {
      const i = got.findIndex((g, k) => g !== want[k]);
      throw new FatalSourceError(
        `a batch does not match the declared schema: column ${i + 1} is ${got[i] ?? '(missing)'}, ` +
          `declared ${want[i] ?? '(none)'}; make read() yield batches with exactly the schema discover() returns`,
      );
    }
    ok.add(batch.schema);
  };
}
