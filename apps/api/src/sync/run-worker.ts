import { fork } from 'node:child_process';
import type { WorkerMessage, WorkerRequest } from './worker-protocol.js';

function workerEntry(): { url: URL; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    return { url: new URL('./sync-worker-dev.mjs', import.meta.url), execArgv: ['--conditions=@agnes/source'] };
  }
  return { url: new URL('./sync-worker.js', import.meta.url), execArgv: [] };
}

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** Killed (SIGKILL) after this long. */
  readonly timeoutMs: number;
  readonly onProgress?: (message: Extract<WorkerMessage, { kind: 'progress' }>) => void;
  readonly signal?: AbortSignal | undefined;
  /** Lines the worker writes to stderr (its warnings). */
  readonly onStderr?: (line: string) => void;
  /** The host environment; the child gets only PATH, HOME and NODE_ENV from it. */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs one request in a fresh child process and resolves with its final message. A
 * worker that crashes, exits without answering or outlives the timeout resolves as
 * `failed` with a reason; this never rejects.
 */
export function runWorker(request: WorkerRequest, options: RunWorkerOptions): Promise<Exclude<WorkerMessage, { kind: 'progress' }>> {
  const { url, execArgv } = workerEntry();
  return new Promise((resolve) => {
    let settled = false;
    let answer: Exclude<WorkerMessage, { kind: 'progress' }> | undefined;
    // The child gets only what the connector needs: no server secrets in its environment.
    const child = fork(url, [], {
      execArgv,
      env: { PATH: options.hostEnv.PATH ?? '', HOME: options.hostEnv.HOME ?? '', NODE_ENV: options.hostEnv.NODE_ENV ?? 'production', TZ: 'UTC' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const finish = (message: Exclude<WorkerMessage, { kind: 'progress' }>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      resolve(message);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ kind: 'failed', code: 'timeout', message: `the connector did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped` });
    }, options.timeoutMs);
    const abort = () => {
      child.kill('SIGKILL');
      finish({ kind: 'failed', code: 'aborted', message: 'the sync was cancelled' });
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8192);
      for (const line of chunk.split('\n')) if (line.trim()) options.onStderr?.(line);
    });
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'progress') options.onProgress?.(message);
      else answer = message;
    });
    child.on('error', (error) => finish({ kind: 'failed', code: 'fatal', message: `cannot start the connector process: ${error.message}` }));
    child.on('exit', (code, signal) => {
      if (answer) return finish(answer);
      const last = stderr.trim().split('\n').at(-1) ?? '';
      finish({
        kind: 'failed',
        code: 'crashed',
        message: `the connector process ended without an answer (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last.slice(0, 500)}` : ''}`,
      });
    });
    child.send(request);
  });
}
