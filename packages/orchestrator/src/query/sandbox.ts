import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Logger, quoteIdent, quoteLiteral, type RemoteAttachRow, silentLogger } from '@agnes/connector-kit';
import { type ViewTarget, viewSelectSql } from '../rebuild/rebuild.js';
import { attachStatements, type RemotePolicy, remoteRowProblems } from '../remote/remote-policy.js';

/** Settings every query instance takes before its configuration is locked. */
export interface InstanceSettings {
  threads?: number;
  memoryLimit?: string;
  /** Disk a query may spill to, e.g. `'4GiB'` (DuckDB's `max_temp_directory_size`). */
  maxTempSize?: string;
  env?: Readonly<Record<string, string | undefined>>;
  remote?: RemotePolicy;
  logger?: Logger;
}

/** What one caller may read: published views, each with what it reads. */
export interface SandboxSpec extends InstanceSettings {
  /** The folder to build the sandbox in (a private folder is made inside). Default: the OS temp folder. */
  parentDir?: string;
  /** The catalog name queries see, as in the analytics file (so `server.main.orders` means the same in both). */
  catalog?: string;
  views: readonly { name: string; from: ViewTarget }[];
  /** `_agnes_remote_attach` rows of the remote catalogs those views read. */
  attach: readonly RemoteAttachRow[];
}

/**
 * Applies the per-instance settings, attaches remote catalogs, then closes the door:
 * file access limited to `paths`/`directories`, external access off, configuration
 * locked. Order matters: nothing can be changed once locked.
 */
export async function lockDown(
  conn: DuckDBConnection,
  settings: InstanceSettings,
  attach: readonly RemoteAttachRow[],
  files: { paths: readonly string[]; directories: readonly string[] },
): Promise<void> {
  const logger = settings.logger ?? silentLogger;
  await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
  if (settings.threads) await conn.run(`SET threads = ${Math.max(1, Math.floor(settings.threads))}`);
  if (settings.memoryLimit) await conn.run(`SET memory_limit = ${quoteLiteral(settings.memoryLimit)}`);
  if (settings.maxTempSize) await conn.run(`SET max_temp_directory_size = ${quoteLiteral(settings.maxTempSize)}`);
  for (const row of attach) {
    const problems = remoteRowProblems(row, settings.remote);
    if (problems.length) {
      logger.warn('remote catalog not attached', { alias: row.alias, problems });
      continue;
    }
    try {
      for (const sql of attachStatements(row, settings.env ?? {}, settings.remote)) await conn.run(sql);
    } catch (error) {
      logger.warn('remote catalog not attached', { alias: row.alias, error: (error as Error).message.split('\n')[0] });
    }
  }
  await conn.run(`SET allowed_paths = [${files.paths.map(quoteLiteral).join(', ')}]`);
  await conn.run(`SET allowed_directories = [${files.directories.map(quoteLiteral).join(', ')}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
}

/** The files a set of views reads: exact parquet files, and the folder of each glob. */
export function filesOf(views: readonly { from: ViewTarget }[]): { paths: string[]; directories: string[] } {
  const paths = new Set<string>();
  const directories = new Set<string>();
  for (const { from } of views) {
    if (from.kind !== 'local') continue;
    const star = from.path.indexOf('*');
    if (star < 0) paths.add(from.path);
    else directories.add(dirname(from.path.slice(0, star) + 'x') + sep);
  }
  return { paths: [...paths], directories: [...directories] };
}

/**
 * The second wall around untrusted SQL, independent of the parse-tree guard: a DuckDB
 * database of its own for one caller's set of readable views, holding only those views,
 * opened read-only, that may open only the parquet files of those views (and attach only
 * the remote catalogs they read). A query that slipped past the guard still finds no
 * other view in its catalog, cannot read another table's files, and cannot write.
 * Built once per analytics generation and readable set, then shared by every query of
 * callers with that set.
 */
export class Sandbox {
  readonly instance: DuckDBInstance;
  /** Queries running on it. */
  active = 0;
  /** Out of service (DuckDB invalidated it): closed once its last query ends. */
  retired = false;
  lastUsed = Date.now();
  readonly #dir: string;
  #closed = false;

  private constructor(instance: DuckDBInstance, dir: string) {
    this.instance = instance;
    this.#dir = dir;
  }

  /** Builds the sandbox database for `spec` in a private temporary folder and opens it locked down. */
  static async open(spec: SandboxSpec): Promise<Sandbox> {
    const dir = mkdtempSync(join(spec.parentDir ?? tmpdir(), 'agnes-sandbox-'));
    const file = join(dir, `${basename(spec.catalog ?? 'views')}.duckdb`);
    try {
      const builder = await DuckDBInstance.create(file, { autoinstall_known_extensions: 'false' });
      try {
        const conn = await builder.connect();
        try {
          const attached = await attachAll(conn, spec);
          // A remote view whose catalog cannot be attached is left out, as the main instance leaves its catalog out.
          const views = spec.views.filter((v) => v.from.kind === 'local' || attached.has(v.from.alias.toLowerCase()));
          if (views.length > 0) {
            // One transaction, one round trip: binding each view reads its parquet footer.
            await conn.run(`BEGIN;\n${views.map((v) => `CREATE VIEW ${quoteIdent(v.name)} AS ${viewSelectSql(v.from)};`).join('\n')}\nCOMMIT;`);
          }
          await conn.run('CHECKPOINT');
        } finally {
          conn.closeSync();
        }
      } finally {
        builder.closeSync();
      }
      const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
      try {
        const conn = await instance.connect();
        try {
          await lockDown(conn, spec, spec.attach, filesOf(spec.views));
        } finally {
          conn.closeSync();
        }
      } catch (error) {
        instance.closeSync();
        throw error;
      }
      return new Sandbox(instance, dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the database and removes its folder (spill files included). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.instance.closeSync();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * Attaches the remote catalogs while the views over them are created (DuckDB binds a
 * view on creation); returns the aliases attached (lower case).
 */
async function attachAll(conn: DuckDBConnection, spec: SandboxSpec): Promise<Set<string>> {
  const attached = new Set<string>();
  for (const row of spec.attach) {
    if (remoteRowProblems(row, spec.remote).length) continue;
    try {
      for (const sql of attachStatements(row, spec.env ?? {}, spec.remote)) await conn.run(sql);
      attached.add(row.alias.toLowerCase());
    } catch {
      // Reported by lockDown when the sandbox opens; the views over it are left out.
    }
  }
  return attached;
}
