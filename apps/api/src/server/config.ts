import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { vegaDataDir } from './demo.js';
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
  /** QUERY_MAX_BYTES: JSON bytes of one query's result at most (then truncated). */
  readonly queryMaxBytes: number;
  readonly queryTimeoutMs: number;
  /** QUERY_MEMORY_LIMIT: memory all queries together may use, in bytes. */
  readonly queryMemoryBytes: number;
  /** QUERY_WORKERS: query processes, each one query at a time (the global cap). */
  readonly queryWorkers: number;
  /** QUERY_MAX_PER_USER: concurrent queries of one user. */
  readonly queryMaxPerUser: number;
  /** QUERY_THREADS: DuckDB threads of each query worker. */
  readonly queryThreads: number;
  readonly secureCookies: boolean;
  readonly logLevel: string;
  /** The `da` tarball served at `/cli/da.tgz`; by default the one built beside the server in the monorepo. */
  readonly cliTarball: string | undefined;
  /**
   * AGNES_SOURCE_ROOTS: the folders file-reading sources may read (symlinks resolved; the
   * data dir's `state/` never). Default: `<data-dir>/files` and the demo data folder.
   */
  readonly sourceRoots: readonly string[];
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

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** A size such as `6GB`, `512MiB`, `1000000` or a share of the machine's memory such as `25%`. */
function bytes(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw);
  if (percent && Number(percent[1]) > 0 && Number(percent[1]) <= 100) return Math.floor((totalmem() * Number(percent[1])) / 100);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new Error(`${name} must be a size such as 512MB, 6GiB or 25% of the machine's memory (got ${JSON.stringify(raw)})`);
  }
  return Math.floor(Number(m[1]) * unit);
}

/** The vega-datasets folder the `--demo` source reads, when installed. */
function demoData(): string[] {
  try {
    return [vegaDataDir()];
  } catch {
    return [];
  }
}

/** Reads the configuration from flags and the environment, with the documented defaults. */
export function loadConfig(flags: ServerFlags = {}, env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  const jwtSecret = env.JWT_SECRET_KEY || undefined;
  if (databaseUrl && !jwtSecret) {
    throw new Error('JWT_SECRET_KEY is required when DATABASE_URL is set: every replica must sign and check tokens with the same secret (e.g. `openssl rand -hex 32`)');
  }
  const dataDir = resolve(flags.dataDir ?? env.DATA_DIR ?? './data');
  const sourceRoots = (env.AGNES_SOURCE_ROOTS ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((p) => resolve(p));
  return {
    dataDir,
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
    queryMaxBytes: bytes(env, 'QUERY_MAX_BYTES', 64 * 2 ** 20),
    queryTimeoutMs: int(env, 'QUERY_TIMEOUT_SECONDS', 30) * 1000,
    queryMemoryBytes: bytes(env, 'QUERY_MEMORY_LIMIT', Math.floor(totalmem() / 4)),
    queryWorkers: Math.max(1, int(env, 'QUERY_WORKERS', availableParallelism())),
    queryMaxPerUser: Math.max(1, int(env, 'QUERY_MAX_PER_USER', 2)),
    queryThreads: Math.max(1, int(env, 'QUERY_THREADS', availableParallelism())),
    secureCookies: env.SECURE_COOKIES === 'true',
    logLevel: env.LOG_LEVEL || 'info',
    cliTarball: env.AGNES_CLI_TARBALL || (PACKAGE_ROOT ? join(PACKAGE_ROOT, '..', 'cli', 'standalone', 'da.tgz') : undefined),
    sourceRoots: sourceRoots.length > 0 ? sourceRoots : [join(dataDir, 'files'), ...demoData()],
    env,
  };
}
