import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  discardDatabaseFile,
  EXTRACT_DB_FILE,
  identifierProblem,
  type Logger,
  META_TABLE,
  parseSchemaJson,
  publishDatabaseFile,
  type QueryMode,
  quoteIdent,
  quoteLiteral,
  REMOTE_ATTACH_TABLE,
  REMOTE_TABLES_TABLE,
  type RemoteAttachRow,
  type SchemaJson,
  silentLogger,
} from '@agnes/connector-kit';
import { attachStatements, type RemotePolicy, remoteRowProblems } from '../remote/remote-policy.js';
import { withFileLock } from './lock.js';

/** Catalog tables the orchestrator keeps inside the analytics file. */
export const CATALOG = {
  tables: '_agnes_tables',
  owners: '_agnes_owners',
  remoteAttach: '_agnes_remote_attach',
} as const;

/**
 * What a published view reads: its parquet file (a glob for partitioned tables), or a
 * table of an attached remote catalog. Kept in {@link CATALOG}.tables so that readers
 * (the query engine's per-caller sandboxes) know each view's files without parsing SQL.
 */
export type ViewTarget = { kind: 'local'; path: string } | { kind: 'remote'; alias: string; schema: string; table: string };

/** The SELECT behind a published view of `target`. */
export function viewSelectSql(target: ViewTarget): string {
  if (target.kind === 'local') return `SELECT * FROM read_parquet(${quoteLiteral(target.path)}${target.path.includes('*') ? ', union_by_name = true' : ''})`;
  return `SELECT * FROM ${quoteIdent(target.alias)}.${quoteIdent(target.schema)}.${quoteIdent(target.table)}`;
}

/** The published views of an analytics file, as {@link rebuild} recorded them. */
export interface PublishedViews {
  /** View names: lower case → as published. */
  names: Map<string, string>;
  /** What each view reads, by lower-case name. */
  targets: Map<string, ViewTarget>;
  /** Remote catalogs by lower-case alias. */
  attach: Map<string, RemoteAttachRow>;
}

/** Reads {@link PublishedViews} from a connection to an analytics file. */
export async function readPublishedViews(conn: DuckDBConnection): Promise<PublishedViews> {
  const attach = new Map<string, RemoteAttachRow>();
  for (const r of (await conn.runAndReadAll(`SELECT alias, extension, url, token_env FROM ${CATALOG.remoteAttach}`)).getRowObjectsJson()) {
    attach.set(String(r.alias).toLowerCase(), { alias: String(r.alias), extension: String(r.extension), url: String(r.url), tokenEnv: String(r.token_env) });
  }
  const names = new Map<string, string>();
  const targets = new Map<string, ViewTarget>();
  for (const r of (await conn.runAndReadAll(`SELECT table_name, data_path, remote_alias, remote_schema, remote_table FROM ${CATALOG.tables}`)).getRowObjectsJson()) {
    const name = String(r.table_name);
    names.set(name.toLowerCase(), name);
    targets.set(
      name.toLowerCase(),
      r.data_path !== null
        ? { kind: 'local', path: String(r.data_path) }
        : { kind: 'remote', alias: String(r.remote_alias), schema: String(r.remote_schema), table: String(r.remote_table) },
    );
  }
  return { names, targets, attach };
}

/** Options of {@link rebuild}. */
export interface RebuildOptions {
  /** The folder holding `<source>/extract.duckdb` folders. */
  extractsDir: string;
  /** The analytics file to replace, e.g. `<data>/analytics/server.duckdb`. */
  target: string;
  /** Environment values (token variables for remote catalogs). The library never reads `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Trust policy for `_remote_attach` rows. */
  remote?: RemotePolicy;
  logger?: Logger;
  /** How long to wait for another rebuild to finish. Default 60 s. */
  lockWaitMs?: number;
}

/** One published table. */
export interface BuiltTable {
  table: string;
  source: string;
  queryMode: QueryMode;
  rows: number | null;
  sizeBytes: number | null;
  /** `_meta.content_hash` as the runtime wrote it — never recomputed here. */
  contentHash: string | null;
  schema: SchemaJson | null;
  extractedAt: string | null;
  description: string | null;
}

/** Something that was not published, and why. */
export interface RebuildProblem {
  source: string;
  table?: string;
  reason: string;
}

/** What a rebuild published. */
export interface RebuildResult {
  tables: BuiltTable[];
  problems: RebuildProblem[];
  durationMs: number;
}

interface Candidate extends BuiltTable {
  dataPath: string | null;
  remote: { alias: string; schema: string; table: string } | null;
}

interface SourceRead {
  source: string;
  tables: Candidate[];
  attach: RemoteAttachRow[];
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

async function hasTable(conn: DuckDBConnection, catalog: string, name: string): Promise<boolean> {
  const r = await conn.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = ${quoteLiteral(catalog)} AND table_name = ${quoteLiteral(name)}`,
  );
  return Number(r.getRowObjectsJson()[0]?.n ?? 0) > 0;
}

/** Lists source folders in name order, reporting those that cannot be sources. */
function listSources(extractsDir: string, problems: RebuildProblem[]): string[] {
  if (!existsSync(extractsDir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(extractsDir).sort()) {
    const dir = join(extractsDir, name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, EXTRACT_DB_FILE))) continue;
    const problem = identifierProblem(name, 'source');
    if (problem) {
      problems.push({ source: name, reason: problem });
      continue;
    }
    out.push(name);
  }
  return out;
}

/** A data path inside the extract folder, or a reason it is not one. */
function resolveDataPath(extractsDir: string, source: string, dataPath: string): string | { problem: string } {
  if (isAbsolute(dataPath) || normalize(dataPath).startsWith('..') || dataPath.includes('\0')) {
    return { problem: `data_path ${JSON.stringify(dataPath)} is not a path inside the extract folder` };
  }
  const abs = resolve(extractsDir, source, dataPath);
  if (dataPath.includes('*')) {
    const dir = dirname(abs);
    const hasFiles = existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.parquet'));
    return hasFiles ? abs : { problem: `no parquet files match data_path ${dataPath}` };
  }
  return existsSync(abs) ? abs : { problem: `data file ${dataPath} is missing` };
}

async function readSource(conn: DuckDBConnection, extractsDir: string, source: string, problems: RebuildProblem[]): Promise<SourceRead | null> {
  const alias = `__extract_${source}`;
  const file = join(extractsDir, source, EXTRACT_DB_FILE);
  try {
    await conn.run(`ATTACH ${quoteLiteral(file)} AS ${quoteIdent(alias)} (READ_ONLY)`);
  } catch (error) {
    problems.push({ source, reason: `cannot open ${EXTRACT_DB_FILE}: ${(error as Error).message.split('\n')[0]}` });
    return null;
  }
  try {
    if (!(await hasTable(conn, alias, META_TABLE))) {
      problems.push({ source, reason: `${EXTRACT_DB_FILE} has no ${META_TABLE} table` });
      return null;
    }
    const cat = quoteIdent(alias);
    const meta = (
      await conn.runAndReadAll(
        `SELECT table_name, description, rows::VARCHAR AS rows, size_bytes::VARCHAR AS size_bytes,
                strftime(extracted_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS extracted_at, query_mode, schema_json, content_hash, data_path
         FROM ${cat}.${META_TABLE} ORDER BY table_name`,
      )
    ).getRowObjectsJson();
    const remoteTables = (await hasTable(conn, alias, REMOTE_TABLES_TABLE))
      ? (await conn.runAndReadAll(`SELECT table_name, alias, remote_schema, remote_table FROM ${cat}.${REMOTE_TABLES_TABLE}`)).getRowObjectsJson()
      : [];
    const attach = (await hasTable(conn, alias, REMOTE_ATTACH_TABLE))
      ? (await conn.runAndReadAll(`SELECT alias, extension, url, token_env FROM ${cat}.${REMOTE_ATTACH_TABLE}`))
          .getRowObjectsJson()
          .map((r) => ({ alias: String(r.alias), extension: String(r.extension), url: String(r.url), tokenEnv: String(r.token_env) }))
      : [];
    const tables: Candidate[] = [];
    for (const m of meta) {
      const table = String(m.table_name);
      const problem = identifierProblem(table, 'table');
      if (problem) {
        problems.push({ source, table, reason: problem });
        continue;
      }
      const queryMode: QueryMode = m.query_mode === 'remote' ? 'remote' : 'local';
      const rt = remoteTables.find((r) => String(r.table_name).toLowerCase() === table.toLowerCase());
      tables.push({
        table,
        source,
        queryMode,
        rows: m.rows === null ? null : Number(m.rows),
        sizeBytes: m.size_bytes === null ? null : Number(m.size_bytes),
        contentHash: str(m.content_hash),
        schema: parseSchemaJson(str(m.schema_json)),
        extractedAt: str(m.extracted_at),
        description: str(m.description),
        dataPath: str(m.data_path),
        remote: rt ? { alias: String(rt.alias), schema: String(rt.remote_schema), table: String(rt.remote_table) } : null,
      });
    }
    return { source, tables, attach };
  } catch (error) {
    problems.push({ source, reason: `cannot read ${EXTRACT_DB_FILE}: ${(error as Error).message.split('\n')[0]}` });
    return null;
  } finally {
    await conn.run(`DETACH ${quoteIdent(alias)}`).catch(() => undefined);
  }
}

async function previousOwners(target: string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  if (!existsSync(target)) return owners;
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(target, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
    const conn = await instance.connect();
    if (await hasTable(conn, (await conn.runAndReadAll('SELECT current_database() AS d')).getRowObjectsJson()[0]!.d as string, CATALOG.owners)) {
      for (const r of (await conn.runAndReadAll(`SELECT table_name, source FROM ${CATALOG.owners}`)).getRowObjectsJson()) {
        owners.set(String(r.table_name).toLowerCase(), String(r.source));
      }
    }
    conn.closeSync();
  } catch {
    // An unreadable previous file only loses ownership memory; the rebuild replaces it.
  } finally {
    instance?.closeSync();
  }
  return owners;
}

/**
 * Publishes every extract under `extractsDir` as one view per table in a new
 * analytics file, renamed over `target`. Problems (bad names, a corrupt extract, a
 * missing data file, a refused `_remote_attach` row, a table name another source
 * owns) are reported and skipped; the rest publishes. One rebuild at a time, also
 * across processes; queries on the previous file are not disturbed. Temp files of
 * rebuilds killed earlier (in any process) are removed first.
 *
 * @example
 * const { tables, problems } = await rebuild({ extractsDir: 'data/extracts', target: 'data/analytics/server.duckdb' });
 */
export async function rebuild(options: RebuildOptions): Promise<RebuildResult> {
  const started = performance.now();
  const target = resolve(options.target);
  const extractsDir = resolve(options.extractsDir);
  const logger = options.logger ?? silentLogger;
  await mkdir(dirname(target), { recursive: true });
  return withFileLock(`${target}.rebuild`, options.lockWaitMs ?? 60_000, async () => {
    await removeLeftovers(target, logger);
    const problems: RebuildProblem[] = [];
    const owners = await previousOwners(target);
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const instance = await DuckDBInstance.create(tmp, { autoinstall_known_extensions: 'false' });
    const conn = await instance.connect();
    const published: BuiltTable[] = [];
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      const reads: SourceRead[] = [];
      for (const source of listSources(extractsDir, problems)) {
        const read = await readSource(conn, extractsDir, source, problems);
        if (read) reads.push(read);
      }
      await conn.run(`CREATE TABLE ${CATALOG.owners} (table_name VARCHAR, source VARCHAR)`);
      await conn.run(`CREATE TABLE ${CATALOG.remoteAttach} (source VARCHAR, alias VARCHAR, extension VARCHAR, url VARCHAR, token_env VARCHAR)`);
      await conn.run(
        `CREATE TABLE ${CATALOG.tables} (table_name VARCHAR, source VARCHAR, query_mode VARCHAR, rows BIGINT, size_bytes BIGINT,
           content_hash VARCHAR, schema_json VARCHAR, extracted_at VARCHAR, description VARCHAR,
           data_path VARCHAR, remote_alias VARCHAR, remote_schema VARCHAR, remote_table VARCHAR)`,
      );
      const attachedAliases = new Set<string>();
      for (const read of reads) {
        for (const row of read.attach) {
          const refused = remoteRowProblems(row, options.remote);
          if (refused.length) {
            problems.push({ source: read.source, reason: `_remote_attach row refused: ${refused.join('; ')}` });
            logger.warn('refused _remote_attach row', { source: read.source, alias: row.alias, problems: refused });
            continue;
          }
          if (attachedAliases.has(row.alias.toLowerCase())) {
            problems.push({ source: read.source, reason: `remote alias ${row.alias} is already attached by another source` });
            continue;
          }
          try {
            for (const sql of attachStatements(row, options.env ?? {}, options.remote)) await conn.run(sql);
            attachedAliases.add(row.alias.toLowerCase());
            await conn.run(`INSERT INTO ${CATALOG.remoteAttach} VALUES (?, ?, ?, ?, ?)`, [read.source, row.alias, row.extension, row.url, row.tokenEnv]);
          } catch (error) {
            problems.push({ source: read.source, reason: `cannot attach remote catalog ${row.alias} (${row.extension}): ${firstLine(error)}` });
          }
        }
      }
      // Which tables can publish at all (data present, catalog attached), with their view SQL.
      const ready = new Map<SourceRead, { t: Candidate; sql: string; from: ViewTarget }[]>();
      for (const read of reads) {
        const list: { t: Candidate; sql: string; from: ViewTarget }[] = [];
        for (const t of read.tables) {
          let from: ViewTarget;
          if (t.queryMode === 'local') {
            if (!t.dataPath) {
              problems.push({ source: read.source, table: t.table, reason: 'local table without data_path' });
              continue;
            }
            const abs = resolveDataPath(extractsDir, read.source, t.dataPath);
            if (typeof abs !== 'string') {
              problems.push({ source: read.source, table: t.table, reason: abs.problem });
              continue;
            }
            from = { kind: 'local', path: abs };
          } else {
            if (!t.remote || !attachedAliases.has(t.remote.alias.toLowerCase())) {
              problems.push({ source: read.source, table: t.table, reason: 'remote table whose catalog is not attached' });
              continue;
            }
            from = { kind: 'remote', ...t.remote };
          }
          list.push({ t, from, sql: `CREATE VIEW ${quoteIdent(t.table)} AS ${viewSelectSql(from)};` });
        }
        ready.set(read, list);
      }
      // Ownership: a previous owner that can still publish the table keeps it; otherwise the first source by name.
      const claims = new Map<string, string>();
      for (const [read, list] of ready) {
        for (const { t } of list) {
          const key = t.table.toLowerCase();
          const prev = owners.get(key);
          const prevCanPublish = prev !== undefined && [...ready].some(([r, l]) => r.source === prev && l.some((x) => x.t.table.toLowerCase() === key));
          if (prevCanPublish) claims.set(key, prev);
          else if (!claims.has(key)) claims.set(key, read.source);
        }
      }
      const ownerRows: string[] = [];
      const tableRows: string[] = [];
      for (const [read, list] of ready) {
        const views = list.filter(({ t }) => {
          const owner = claims.get(t.table.toLowerCase());
          if (owner === read.source) return true;
          problems.push({ source: read.source, table: t.table, reason: `table name ${t.table} is already published by source ${owner}` });
          return false;
        });
        for (const { t, from } of await createViews(conn, views, (t, error) =>
          problems.push({ source: read.source, table: t.table, reason: `cannot create the view: ${firstLine(error)}` }),
        )) {
          ownerRows.push(`(${quoteLiteral(t.table)}, ${quoteLiteral(read.source)})`);
          tableRows.push(
            `(${[t.table, read.source, t.queryMode].map(quoteLiteral).join(', ')}, ${t.rows ?? 'NULL'}, ${t.sizeBytes ?? 'NULL'}, ` +
              `${[t.contentHash, t.schema ? JSON.stringify(t.schema) : null, t.extractedAt, t.description].map(literalOrNull).join(', ')}, ` +
              `${(from.kind === 'local' ? [from.path, null, null, null] : [null, from.alias, from.schema, from.table]).map(literalOrNull).join(', ')})`,
          );
          const { dataPath: _d, remote: _r, ...built } = t;
          published.push(built);
        }
      }
      // One statement per catalog table: a statement costs ~0.5 ms of round trip.
      if (ownerRows.length) await conn.run(`INSERT INTO ${CATALOG.owners} VALUES ${ownerRows.join(', ')}`);
      if (tableRows.length) await conn.run(`INSERT INTO ${CATALOG.tables} VALUES ${tableRows.join(', ')}`);
      await conn.run('CHECKPOINT');
    } catch (error) {
      conn.closeSync();
      instance.closeSync();
      await discardDatabaseFile(tmp);
      throw error;
    }
    conn.closeSync();
    instance.closeSync();
    await publishDatabaseFile(tmp, target);
    for (const p of problems) logger.warn(`not published: ${p.reason}`, { source: p.source, table: p.table });
    return { tables: published, problems, durationMs: performance.now() - started };
  });
}

/**
 * Removes what killed rebuilds left beside `target`: `<target>.tmp-*` files, their WAL and
 * DuckDB's spill folder. Called holding the rebuild lock, and a rebuild creates its temp
 * files only while holding it, so none can belong to a live rebuild in any process. The
 * lock decides, not the PID in the name: replicas in containers do not share PIDs.
 */
async function removeLeftovers(target: string, logger: Logger): Promise<void> {
  const prefix = `${basename(target)}.tmp-`;
  for (const name of await readdir(dirname(target))) {
    if (!name.startsWith(prefix)) continue;
    await rm(join(dirname(target), name), { recursive: true, force: true });
    logger.info('removed a killed rebuild’s temp file', { file: name });
  }
}

function literalOrNull(v: string | null): string {
  return v === null ? 'NULL' : quoteLiteral(v);
}

/**
 * Creates a source's views in one transaction and one round trip; if any fails,
 * rolls back and creates them one by one, reporting the failures. Returns those created.
 */
async function createViews<T extends { sql: string }>(
  conn: DuckDBConnection,
  views: T[],
  onError: (t: T extends { t: infer C } ? C : never, error: unknown) => void,
): Promise<T[]> {
  if (views.length === 0) return [];
  try {
    await conn.run(`BEGIN;\n${views.map((v) => v.sql).join('\n')}\nCOMMIT;`);
    return views;
  } catch {
    // Undo the batch, then find the culprits one by one.
    await conn.run('ROLLBACK').catch(() => undefined);
  }
  const created: T[] = [];
  for (const v of views) {
    try {
      await conn.run(v.sql);
      created.push(v);
    } catch (error) {
      onError((v as unknown as { t: never }).t, error);
    }
  }
  return created;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
