import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Logger } from '@agnes/connector-kit';
import { QueryPool } from '@agnes/orchestrator';
import { ADMIN_GROUP_ID, isSystemDbError, openSystemDb, type SystemDb } from '@agnes/system-db';
import { TokenSigner } from '../auth/jwt.js';
import { hashPassword } from '../auth/passwords.js';
import { PublishedTables } from '../catalog/published-tables.js';
import { createApp } from '../app/create-app.js';
import type { AppDeps } from '../app/deps.js';
import { RateLimiter } from '../http/rate-limit.js';
import { Scheduler } from '../schedule/scheduler.js';
import { ConnectorCatalog } from '../sources/connector-catalog.js';
import { SyncService } from '../sync/sync-service.js';
import { WebhookIngest } from '../webhooks/webhook-ingest.js';
import type { ServerConfig } from './config.js';
import { setUpDemo } from './demo.js';
import { persistedSecret } from './secrets.js';
import { VERSION } from './version.js';

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly deps: AppDeps;
  readonly app: ReturnType<typeof createApp>;
  /** The demo admin's password when this start created it (printed once). */
  readonly demoAdmin: { email: string; password: string } | undefined;
  close(): Promise<void>;
}

/** Extra wiring for tests: connectors by manifest path, a fixed clock. */
export interface StartOptions {
  readonly logger: Logger;
  readonly connectors?: Readonly<Record<string, string>> | undefined;
  readonly clock?: (() => Date) | undefined;
  /** Do not listen; build the app only (route tests use `app.request`). */
  readonly listen?: boolean | undefined;
}

/** Data folder layout. */
export function dataPaths(dataDir: string) {
  return {
    extracts: join(dataDir, 'extracts'),
    analytics: join(dataDir, 'analytics', 'server.duckdb'),
    state: join(dataDir, 'state'),
  };
}

async function ensureAdminFromEnv(db: SystemDb, config: ServerConfig, logger: Logger): Promise<void> {
  if (!config.adminEmail || !config.adminPassword) return;
  if ((await db.groups.members(ADMIN_GROUP_ID)).length > 0) return;
  const existing = await db.users.getByEmail(config.adminEmail);
  const user = existing ?? (await db.users.create({ email: config.adminEmail, passwordHash: await hashPassword(config.adminPassword) }));
  if (existing) await db.users.setPasswordHash(existing.id, await hashPassword(config.adminPassword));
  await db.groups.addMember(ADMIN_GROUP_ID, user.id, { source: 'system' });
  logger.info('created the admin from AGNES_ADMIN_EMAIL', { email: user.email });
}

/** The embedded system database is held by another process: the one message for it (the bin prints it and exits 1). */
function dataDirInUse(dataDir: string, pid: number | undefined, cause: unknown): Error {
  const who = pid === undefined ? 'another Agnes server' : `another Agnes server (PID ${pid})`;
  return new Error(
    `${who} is already using the data dir ${dataDir}; nothing was started or changed. ` +
      'Stop that server first, or give this one another --data-dir (replicas sharing data need DATABASE_URL).',
    { cause },
  );
}

/**
 * Starts the API: opens (and migrates) the system database, rebuilds the analytics
 * database from the extracts on disk, seeds the demo when asked, starts the scheduler and
 * listens. `close()` stops all of it.
 */
export async function startServer(config: ServerConfig, options: StartOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const paths = dataPaths(config.dataDir);
  for (const dir of [paths.extracts, join(config.dataDir, 'analytics'), paths.state]) await mkdir(dir, { recursive: true });

  // First, so that a second server on a held data dir stops before it writes anything.
  const db = await openSystemDb(
    config.databaseUrl ? { url: config.databaseUrl, schema: config.databaseSchema, logger } : { path: join(paths.state, 'system.duckdb'), logger },
  ).catch((error: unknown) => {
    throw isSystemDbError(error) && error.code === 'locked' ? dataDirInUse(config.dataDir, error.holderPid, error) : error;
  });
  let secret = config.jwtSecret;
  if (!secret) {
    const persisted = await persistedSecret(join(paths.state, 'jwt-secret'));
    secret = persisted.value;
    if (persisted.created) logger.info('generated JWT_SECRET_KEY and saved it (0600)', { path: join(paths.state, 'jwt-secret') });
  }
  // What has started so far, stopped again if start-up fails half-way (e.g. the port is taken).
  const started: { stop(): Promise<void> }[] = [];
  try {
    await ensureAdminFromEnv(db, config, logger);
    const tables = new PublishedTables(paths.extracts);
    const connectors = new ConnectorCatalog({ cwd: process.cwd(), extra: options.connectors });
    const queries = new QueryPool({
      analyticsPath: paths.analytics,
      extractsDir: paths.extracts,
      env: config.env,
      workers: config.queryWorkers,
      maxPerOwner: config.queryMaxPerUser,
      memoryBytes: config.queryMemoryBytes,
      threads: config.queryThreads,
      timeoutMs: config.queryTimeoutMs,
      logger,
    });
    started.push({ stop: () => queries.close() });
    const sync = new SyncService({
      db,
      tables,
      connectors,
      extractsDir: paths.extracts,
      analyticsPath: paths.analytics,
      env: config.env,
      fileAccess: { roots: config.sourceRoots, denied: [paths.state], setting: 'AGNES_SOURCE_ROOTS' },
      logger,
      clock,
      workerTimeoutMs: config.workerTimeoutMs,
    });
    started.push({ stop: () => sync.idle() });
    const rebuilt = await sync.rebuildAnalytics();
    logger.info('analytics database rebuilt from the extracts on disk', { tables: rebuilt.tables.length, problems: rebuilt.problems.length });
    await sync.warnSourcesOutsideRoots();
    const webhooks = new WebhookIngest({
      db,
      connectors,
      extractsDir: paths.extracts,
      source: config.webhookSource,
      env: config.env,
      logger,
      clock,
      rebuild: () => sync.rebuildAnalytics(),
    });
    const deps: AppDeps = {
      db,
      signer: new TokenSigner(secret, clock),
      tables,
      queries,
      sync,
      connectors,
      webhooks,
      loginLimiter: new RateLimiter(),
      settings: {
        version: VERSION,
        trustedProxies: new Set(config.trustedProxies),
        queryMaxRows: config.queryMaxRows,
        queryMaxBytes: config.queryMaxBytes,
        queryTimeoutMs: config.queryTimeoutMs,
        dataDir: config.dataDir,
        secureCookies: config.secureCookies,
        webhookSecret: config.webhookSecret,
        cliTarball: config.cliTarball,
      },
      clock,
      logger,
    };
    const app = createApp(deps);
    const demoAdmin = config.demo ? await setUpDemo(deps, config.dataDir) : undefined;
    const scheduler = config.scheduler ? new Scheduler({ db, sync, logger, clock, defaultIntervalMs: config.defaultSyncIntervalMs }) : undefined;
    await scheduler?.start();
    if (scheduler) started.push({ stop: async () => scheduler.stop() });

    let server: ReturnType<typeof serve> | undefined;
    let port = config.port;
    if (options.listen !== false) {
      server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
        const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
        s.once('error', reject);
      });
      port = (server.address() as AddressInfo).port;
    }
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      port,
      deps,
      app,
      demoAdmin,
      async close() {
        scheduler?.stop();
        if (server) {
          const s = server;
          await new Promise<void>((resolve) => {
            s.close(() => resolve());
            (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
        }
        await webhooks.close().catch(() => undefined);
        await sync.idle();
        await queries.close();
        await db.close();
      },
    };
  } catch (error) {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** A random password for the demo admin (printed once). */
export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
