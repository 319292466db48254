/*
 * The query worker process: one QueryEngine, one query at a time, answers over IPC. Runs
 * apart from the API so that a heavy query uses this process's thread pool and memory, and a
 * query that crashes DuckDB or will not stop ends this process, not the server.
 */
import { QueryEngine } from './engine.js';
import { isQueryError } from './query-error.js';
import type { WorkerAnswer, WorkerInit, WorkerMessage, WorkerQuery } from './worker-protocol.js';

let engine: QueryEngine | undefined;

const send = (message: WorkerMessage) => process.send?.(message);

async function answer(q: WorkerQuery): Promise<WorkerAnswer> {
  if (!engine) return { kind: 'error', id: q.id, code: 'failed', message: 'the query worker was not initialised' };
  const readable = q.readable;
  const columns: { name: string; type: string }[] = [];
  const values: unknown[][] = [];
  let tables: string[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    const stream = engine.stream(q.sql, {
      maxRows: Number.MAX_SAFE_INTEGER,
      timeoutMs: q.timeoutMs,
      ...(readable ? { readable: () => readable } : {}),
    });
    for await (const chunk of stream) {
      if (columns.length === 0) columns.push(...chunk.columns);
      tables = chunk.tables;
      for (const row of chunk.values) {
        // JSON size of the row, as the API will send it: the byte cap is about what leaves the server.
        const size = JSON.stringify(row).length + 1;
        if (values.length >= q.limitRows || bytes + size > q.limitBytes) {
          truncated = true;
          break;
        }
        bytes += size;
        values.push(row);
      }
      if (truncated) break;
    }
    return { kind: 'result', id: q.id, columns, values, tables, truncated };
  } catch (error) {
    if (isQueryError(error)) return { kind: 'error', id: q.id, code: error.code, message: error.message, ...(error.fatal ? { fatal: true } : {}) };
    return { kind: 'error', id: q.id, code: 'failed', message: 'the query failed' };
  }
}

process.on('message', (message: WorkerInit | WorkerQuery) => {
  if (message.kind === 'init') {
    const { kind: _kind, ...options } = message;
    engine = new QueryEngine(options);
    send({ kind: 'ready' });
    return;
  }
  void answer(message).then(send);
});

// The parent going away ends the worker.
process.on('disconnect', () => {
  engine?.close();
  process.exit(0);
});
