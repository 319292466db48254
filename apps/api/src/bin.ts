#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from './server/config.js';
import { createLogger } from './server/logger.js';
import { startServer } from './server/start-server.js';
import { VERSION } from './server/version.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535 (0 picks a free one)');
  return n;
}

const program = new Command('agnes-server')
  .description('The Agnes API server: users, grants, syncs, manifest, downloads and sandboxed SQL over one data folder.')
  .version(VERSION)
  .option('--data-dir <dir>', 'data folder (extracts, analytics, state); env DATA_DIR', undefined)
  .option('--port <port>', 'port to listen on, 0 for a free one; env PORT (default 8000)', port)
  .option('--host <host>', 'address to listen on; env HOST (default 127.0.0.1)')
  .option('--demo', 'add the demo source (vega-datasets), run a first sync and create admin@localhost')
  .option('--no-scheduler', 'do not run scheduled syncs in this process')
  .addHelpText(
    'after',
    `
Environment:
  DATABASE_URL           PostgreSQL system database (default: embedded DuckDB in the data folder)
  JWT_SECRET_KEY         token signing secret; generated under the data folder when unset,
                         required with DATABASE_URL (replicas must share it)
  AGNES_ADMIN_EMAIL, AGNES_ADMIN_PASSWORD
                         create this admin at start-up while no admin exists
  TRUSTED_PROXIES        comma-separated proxy addresses whose X-Forwarded-For is believed
  JIRA_WEBHOOK_SECRET    shared secret of POST /api/jira/webhook (unset: it refuses all)
  SYNC_INTERVAL_MINUTES  sync sources without a schedule this often (default 0: never)
  QUERY_WORKERS          query processes, each one query at a time (default: the cores)
  QUERY_MAX_PER_USER     concurrent queries of one user (default 2); past either cap: 429
  QUERY_MEMORY_LIMIT     memory of all queries together, e.g. 6GB or 25% (default 25%)
  QUERY_MAX_BYTES        result size of one query, past it truncated (default 64MiB)
  QUERY_THREADS          DuckDB threads of each query worker (default: the cores)
  LOG_LEVEL              debug, info (default), warn, error

Examples:
  agnes-server --demo                       try it with demo data
  DATABASE_URL=postgres://… JWT_SECRET_KEY=… agnes-server --host 0.0.0.0`,
  )
  .action(async (opts: { dataDir?: string; port?: number; host?: string; demo?: boolean; scheduler: boolean }) => {
    const config = loadConfig({ dataDir: opts.dataDir, port: opts.port, host: opts.host, demo: opts.demo ?? false, scheduler: opts.scheduler });
    const logger = createLogger(config.logLevel);
    const server = await startServer(config, { logger });
    if (server.demoAdmin) {
      process.stdout.write(
        `\nDemo admin created (shown once, also saved 0600 in ${config.dataDir}/state/demo-admin-password):\n  email:    ${server.demoAdmin.email}\n  password: ${server.demoAdmin.password}\n\n`,
      );
    }
    process.stdout.write(`Listening on ${server.url}\n`);
    // The query workers start now, so the first query does not wait for them (tests start them lazily).
    server.deps.queries.warm().catch((error: unknown) => logger.warn('query workers did not start', { error: error instanceof Error ? error.message : String(error) }));
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(1);
      stopping = true;
      process.stdout.write('Stopping…\n');
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`agnes-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
