import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ConfigError, EXTRACT_DB_FILE, type MetaRow, quoteLiteral } from '@agnes/connector-kit';
import { readExtractContents } from './extract-db.js';

/** A read-only view of one extract folder. */
export interface ExtractReader {
  /** The extract folder. */
  readonly dir: string;
  /** The `_meta` rows. */
  meta(): Promise<MetaRow[]>;
  /** Runs SQL with the extract attached and in use; values come back as JS values (BIGINT as bigint). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/**
 * Opens an extract folder for reading, the way every reader must: the file
 * attached read-only and `file_search_path` set to the folder, so its relative
 * views work wherever the folder was moved or copied.
 */
export async function openExtract(folder: string): Promise<ExtractReader> {
  const dir = resolve(folder);
  const file = join(dir, EXTRACT_DB_FILE);
  if (!existsSync(file)) throw new ConfigError(`no ${EXTRACT_DB_FILE} in ${dir}: run the connector first`);
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const conn = await instance.connect();
  await conn.run(`SET file_search_path = ${quoteLiteral(dir)}`);
  await conn.run(`SET TimeZone = 'UTC'`);
  await conn.run(`ATTACH ${quoteLiteral(file)} AS extract (READ_ONLY)`);
  await conn.run('USE extract');
  return {
    dir,
    meta: async () => (await readExtractContents(dir)).meta,
    query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
