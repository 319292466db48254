/** Messages between the runtime and its parquet worker thread. */
import type { MessagePort } from 'node:worker_threads';

/** Starts one file write; batches follow on `port`. */
export interface WriteRequest {
  type: 'write';
  id: number;
  targetPath: string;
  /** IPC bytes of an empty table carrying the schema. */
  schemaIpc: Uint8Array;
  port: MessagePort;
  /** [0] = messages posted on `port`, [1] = batches consumed by the worker. */
  signal: Int32Array;
}

/** One message on a write's port. */
export type BatchMessage = { kind: 'batch'; ipc: Uint8Array } | { kind: 'end' } | { kind: 'abort'; message: string };

/** The worker's answer to a write. */
export type WriteResult = { type: 'done'; id: number; rows: number } | { type: 'error'; id: number; message: string };
