import type { QueryErrorCode } from './query-error.js';

/** How a query worker process starts: the engine's options, all serializable. */
export interface WorkerInit {
  kind: 'init';
  analyticsPath: string;
  extractsDir: string;
  env: Record<string, string | undefined>;
  /** Remote trust policy without attachers (functions cannot cross the process boundary). */
  remote?: { extensions?: readonly string[]; tokenEnvs?: readonly string[] };
  threads?: number;
  memoryLimit?: string;
  maxTempSize?: string;
  sandboxDir?: string;
}

/** One query for a worker. */
export interface WorkerQuery {
  kind: 'query';
  id: number;
  sql: string;
  /** Names of the views the caller may read; absent: every view. */
  readable?: readonly string[];
  /** Rows to return at most; past it the answer is `truncated`. */
  limitRows: number;
  /** JSON bytes of values to return at most; past it the answer is `truncated`. */
  limitBytes: number;
  timeoutMs: number;
}

/** A worker's answer to one query. */
export type WorkerAnswer =
  | {
      kind: 'result';
      id: number;
      columns: { name: string; type: string }[];
      values: unknown[][];
      tables: string[];
      truncated: boolean;
    }
  | { kind: 'error'; id: number; code: QueryErrorCode; message: string; fatal?: boolean };

/** What a worker says: ready once its engine is configured, then answers. */
export type WorkerMessage = { kind: 'ready' } | WorkerAnswer;
