import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import {
  discardDatabaseFile,
  EXTRACT_DB_FILE,
  META_DDL,
  META_TABLE,
  type MetaRow,
  parseSchemaJson,
  publishDatabaseFile,
  quoteIdent,
  quoteLiteral,
  REMOTE_ATTACH_DDL,
  REMOTE_ATTACH_TABLE,
  REMOTE_TABLES_DDL,
  REMOTE_TABLES_TABLE,
  type RemoteAttachRow,
  type RemoteTableRow,
  STATE_DDL,
  STATE_TABLE,
  type StateRow,
} from '@agnes/connector-kit';

/** Everything an `extract.duckdb` holds besides the views. */
export interface ExtractContents {
  meta: MetaRow[];
  remoteAttach: RemoteAttachRow[];
  remoteTables: RemoteTableRow[];
  state: StateRow[];
}

/** An empty extract. */
export function emptyContents(): ExtractContents {
  return { meta: [], remoteAttach: [], remoteTables: [], state: [] };
}

async function tableExists(conn: DuckDBConnection, name: string): Promise<boolean> {
  const r = await conn.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ${quoteLiteral(name)}`,
  );
  return Number(r.getRowObjectsJson()[0]?.n ?? 0) > 0;
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/**
 * Reads `_meta`, `_remote_attach`, `_remote_tables` and `_state` of the extract in
 * `dir`, or empty contents when there is none yet. Opens the file read-only.
 */
export async function readExtractContents(dir: string): Promise<ExtractContents> {
  const path = join(dir, EXTRACT_DB_FILE);
  if (!existsSync(path)) return emptyContents();
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
  const conn = await instance.connect();
  try {
    const out = emptyContents();
    if (await tableExists(conn, META_TABLE)) {
      const r = await conn.runAndReadAll(
        `SELECT table_name, description, rows::VARCHAR AS rows, size_bytes::VARCHAR AS size_bytes,
                strftime(extracted_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS extracted_at, query_mode, schema_json,
                content_hash, data_path FROM ${META_TABLE} ORDER BY table_name`,
      );
      out.meta = r.getRowObjectsJson().map((row) => ({
        tableName: String(row.table_name),
        description: str(row.description),
        rows: num(row.rows),
        sizeBytes: num(row.size_bytes),
        extractedAt: str(row.extracted_at),
        queryMode: row.query_mode === 'remote' ? 'remote' : 'local',
        schemaJson: parseSchemaJson(str(row.schema_json)),
        contentHash: str(row.content_hash),
        dataPath: str(row.data_path),
      }));
    }
    if (await tableExists(conn, REMOTE_ATTACH_TABLE)) {
      const r = await conn.runAndReadAll(`SELECT alias, extension, url, token_env FROM ${REMOTE_ATTACH_TABLE}`);
      out.remoteAttach = r.getRowObjectsJson().map((row) => ({
        alias: String(row.alias),
        extension: String(row.extension),
        url: String(row.url),
        tokenEnv: String(row.token_env),
      }));
    }
    if (await tableExists(conn, REMOTE_TABLES_TABLE)) {
      const r = await conn.runAndReadAll(`SELECT table_name, alias, remote_schema, remote_table FROM ${REMOTE_TABLES_TABLE}`);
      out.remoteTables = r.getRowObjectsJson().map((row) => ({
        tableName: String(row.table_name),
        alias: String(row.alias),
        remoteSchema: String(row.remote_schema),
        remoteTable: String(row.remote_table),
      }));
    }
    if (await tableExists(conn, STATE_TABLE)) {
      const r = await conn.runAndReadAll(
        `SELECT table_name, incremental_key, cursor_value, parts_json,
                strftime(updated_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS updated_at FROM ${STATE_TABLE}`,
      );
      out.state = r.getRowObjectsJson().map((row) => ({
        tableName: String(row.table_name),
        incrementalKey: str(row.incremental_key),
        cursorValue: str(row.cursor_value),
        parts: row.parts_json ? (JSON.parse(String(row.parts_json)) as Record<string, string>) : null,
        updatedAt: str(row.updated_at),
      }));
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function sqlValue(v: DuckDBValue, cast: string): string {
  if (v === null || v === undefined) return 'NULL';
  const text = typeof v === 'bigint' || typeof v === 'number' ? String(v) : quoteLiteral(String(v));
  return cast ? `CAST(${text} AS ${cast})` : text;
}

/** One INSERT for all rows: each statement is a round trip, and an extract may hold thousands of tables. */
async function insertRows(conn: DuckDBConnection, table: string, rows: readonly DuckDBValue[][], casts: string[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((row) => `(${row.map((v, i) => sqlValue(v, casts[i] ?? '')).join(', ')})`);
  await conn.run(`INSERT INTO ${table} VALUES ${values.join(', ')}`);
}

/**
 * Builds a new `extract.duckdb` beside the current one and renames it into place —
 * the single commit point of an extract. Views are written relative to the folder.
 */
export async function commitExtract(dir: string, contents: ExtractContents): Promise<void> {
  const target = join(dir, EXTRACT_DB_FILE);
  const tmp = join(dir, `${EXTRACT_DB_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const instance = await DuckDBInstance.create(tmp, { autoinstall_known_extensions: 'false' });
  const conn = await instance.connect();
  try {
    // Views are bound at creation: resolve their relative paths against the folder.
    await conn.run(`SET file_search_path = ${quoteLiteral(dir)}`);
    await conn.run('BEGIN');
    await conn.run(META_DDL);
    await insertRows(
      conn,
      META_TABLE,
      contents.meta.map((m) => [
        m.tableName,
        m.description,
        m.rows === null ? null : BigInt(m.rows),
        m.sizeBytes === null ? null : BigInt(m.sizeBytes),
        m.extractedAt,
        m.queryMode,
        m.schemaJson ? JSON.stringify(m.schemaJson) : null,
        m.contentHash,
        m.dataPath,
      ]),
      ['', '', '', '', 'TIMESTAMP', '', '', '', ''],
    );
    for (const m of contents.meta) {
      if (m.queryMode !== 'local' || !m.dataPath) continue;
      await conn.run(`CREATE VIEW ${quoteIdent(m.tableName)} AS SELECT * FROM read_parquet(${quoteLiteral(m.dataPath)})`);
    }
    if (contents.remoteAttach.length > 0 || contents.remoteTables.length > 0) {
      await conn.run(REMOTE_ATTACH_DDL);
      await conn.run(REMOTE_TABLES_DDL);
      await insertRows(
        conn,
        REMOTE_ATTACH_TABLE,
        contents.remoteAttach.map((r) => [r.alias, r.extension, r.url, r.tokenEnv]),
        ['', '', '', ''],
      );
      await insertRows(
        conn,
        REMOTE_TABLES_TABLE,
        contents.remoteTables.map((r) => [r.tableName, r.alias, r.remoteSchema, r.remoteTable]),
        ['', '', '', ''],
      );
    }
    await conn.run(STATE_DDL);
    await insertRows(
      conn,
      STATE_TABLE,
      contents.state.map((s) => [s.tableName, s.incrementalKey, s.cursorValue, s.parts ? JSON.stringify(s.parts) : null, s.updatedAt]),
      ['', '', '', '', 'TIMESTAMP'],
    );
    await conn.run('COMMIT');
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
}
