import { errorCode, loadConnector, type Logger } from '@agnes/connector-kit';
import { ConnectorRuntime, schemaJsonOf } from '@agnes/connector-runtime';
import type { WorkerMessage, WorkerRequest } from './worker-protocol.js';

// Runs one connector in its own process, so a crash, a hang or a leak in connector code
// cannot take the server down. The parent sends one request and kills us on timeout.

const send = (message: WorkerMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, () => resolve());
  });

const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`),
};

async function handle(request: WorkerRequest): Promise<WorkerMessage> {
  const { connector } = await loadConnector(request.manifestPath, { config: request.config, env: request.env, fileAccess: request.fileAccess, logger });
  if (request.kind === 'discover') {
    const tables = typeof connector.discover === 'function' ? await connector.discover() : [];
    return {
      kind: 'discovered',
      tables: tables.map((t) => ({
        name: t.name,
        description: t.description ?? null,
        primaryKey: t.primaryKey ?? [],
        incrementalKey: t.incrementalKey ?? null,
        remote: t.remote !== undefined,
        schema: schemaJsonOf(t.schema),
      })),
    };
  }
  const runtime = new ConnectorRuntime(request.extractDir, { logger });
  const stats = await runtime.run(connector, {
    ...(request.tables ? { tables: request.tables } : {}),
    onProgress: (event) => {
      if (event.phase !== 'read') void send({ kind: 'progress', event });
    },
  });
  return { kind: 'ran', stats };
}

process.once('message', (request: WorkerRequest) => {
  handle(request)
    .catch((error: unknown): WorkerMessage => ({ kind: 'failed', code: errorCode(error), message: error instanceof Error ? error.message : String(error) }))
    .then(send)
    .finally(() => process.exit(0));
});
