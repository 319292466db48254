/*
 * Worker thread that turns batches into parquet. DuckDB calls the table function
 * synchronously, so the thread that runs it must be able to block until the next
 * batch arrives; the connector's async iterator runs on the main thread and posts
 * batches here. `receiveMessageOnPort` plus `Atomics.wait` give a blocking pull
 * without ever blocking the main thread.
 */
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { DuckDBInstance } from '@duckdb/node-api';
import { type RecordBatch, tableFromIPC } from 'apache-arrow';
import { copyBatchesToParquet } from './parquet-sink.js';
import type { BatchMessage, WriteRequest, WriteResult } from './protocol.js';

const POLL_MS = 1000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('parquet-worker must run as a worker thread');
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  port.on('message', (req: WriteRequest) => {
    void write(instance, req).then((result) => port.postMessage(result));
  });
}

async function write(instance: DuckDBInstance, req: WriteRequest): Promise<WriteResult> {
  const connection = await instance.connect();
  try {
    const schema = tableFromIPC(req.schemaIpc).schema;
    const pull = (): RecordBatch | null => {
      for (;;) {
        const seen = Atomics.load(req.signal, 0);
        const got = receiveMessageOnPort(req.port);
        if (got) {
          Atomics.add(req.signal, 1, 1);
          Atomics.notify(req.signal, 1);
          const msg = got.message as BatchMessage;
          if (msg.kind === 'end') return null;
          if (msg.kind === 'abort') throw new Error(msg.message);
          const batch = tableFromIPC(msg.ipc).batches[0];
          if (batch && batch.numRows > 0) return batch;
          continue;
        }
        Atomics.wait(req.signal, 0, seen, POLL_MS);
      }
    };
    const rows = await copyBatchesToParquet(connection, schema, pull, req.targetPath);
    return { type: 'done', id: req.id, rows };
  } catch (error) {
    return { type: 'error', id: req.id, message: error instanceof Error ? error.message : String(error) };
  } finally {
    req.port.close();
    connection.closeSync();
  }
}

void main();
