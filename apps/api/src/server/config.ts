import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from './version.js';

/** Everything the server is started with. Only this module reads `process.env`. */
export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly demo: boolean;
  readonly scheduler: boolean;
  /** PostgreSQL system database; unset: embedded DuckDB under the data dir. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema for the system tables (tests use one each). */
  readonly databaseSchema: string | undefined;
  readonly jwtSecret: string | undefined;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly trustedProxies: readonly string[];
  readonly webhookSecret: string | undefined;
  /** The source that receives Jira webhook events. */
  readonly webhookSource: string;
  readonly workerTimeoutMs: number;
  readonly defaultSyncIntervalMs: number;
  readonly queryMaxRows: number;
  readonly queryTimeoutMs: number;
  readonly secureCookies: boolean;
  readonly logLevel: string;
  /** The `da` tarball served at `/cli/da.tgz`; by default the one built beside the server in the monorepo. */
  readonly cliTarball: string | undefined;
  /** The environment connectors' secrets are resolved from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Flags given on the command line; they win over the environment. */
export interface ServerFlags {
  readonly dataDir?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly demo?: boolean | undefined;
  readonly scheduler?: boolean | undefined;
}

function int(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer (got ${JSON.stringify(raw)})`);
  return value;
}

/** Reads the configuration from flags and the environment, with the documented defaults. */
export function loadConfig(flags: ServerFlags = {}, env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  const jwtSecret = env.JWT_SECRET_KEY || undefined;
  if (databaseUrl && !jwtSecret) {
    throw new Error('JWT_SECRET_KEY is required when DATABASE_URL is set: every replica must sign and check tokens with the same secret (e.g. `openssl rand -hex 32`)');
  }
  return {
    dataDir: resolve(flags.dataDir ?? env.DATA_DIR ?? './data'),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port: flags.port ?? int(env, 'PORT', 8000),
    demo: flags.demo ?? false,
    scheduler: flags.scheduler ?? true,
    databaseUrl,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    jwtSecret,
    adminEmail: env.AGNES_ADMIN_EMAIL || undefined,
    adminPassword: env.AGNES_ADMIN_PASSWORD || undefined,
    trustedProxies: (env.TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    webhookSecret: env.JIRA_WEBHOOK_SECRET || undefined,
    webhookSource: env.JIRA_WEBHOOK_SOURCE || 'jira',
    workerTimeoutMs: int(env, 'SYNC_TIMEOUT_SECONDS', 3600) * 1000,
    defaultSyncIntervalMs: int(env, 'SYNC_INTERVAL_MINUTES', 0) * 60_000,
    queryMaxRows: int(env, 'QUERY_MAX_ROWS', 10_000),
    queryTimeoutMs: int(env, 'QUERY_TIMEOUT_SECONDS', 30) * 1000,
    secureCookies: env.SECURE_COOKIES === 'true',
    logLevel: env.LOG_LEVEL || 'info',
    cliTarball: env.AGNES_CLI_TARBALL || (PACKAGE_ROOT ? join(PACKAGE_ROOT, '..', 'cli', 'standalone', 'da.tgz') : undefined),
    env,
  };
}
