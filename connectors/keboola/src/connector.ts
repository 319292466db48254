import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { type Field, type RecordBatch, Schema, Type } from 'apache-arrow';
import {
  AuthError,
  Cap,
  ConfigError,
  type Connector,
  type ConnectorContext,
  FatalSourceError,
  isConnectorError,
  type ReadOptions,
  RecordError,
  type RemoteAttachInfo,
  type TableInfo,
  TransientSourceError,
} from '@agnes/connector-kit';
import { type KbcJob, StorageClient, TOKEN_ENV } from './api.js';
import { type KeboolaConfig, parseConfig } from './config.js';
import { batchFromRows, parseDateDay, parseTimestampMicros } from './convert.js';
import { CsvParser } from './csv.js';
import { sanitizeTableName, uniqueNames } from './naming.js';
import { fieldFor } from './types.js';

/** DuckDB catalog alias of the attached Keboola project. */
export const REMOTE_ALIAS = 'kbc';

/** First wait between job polls; it grows ×1.5 up to {@link JOB_POLL_MAX_MS}. */
export const JOB_POLL_START_MS = 200;
/** Longest wait between job polls. */
export const JOB_POLL_MAX_MS = 5_000;
/** An export job still unfinished after this long fails the table. */
export const JOB_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** What discover() learned about a published table. */
interface TableEntry {
  info: TableInfo;
  /** Upstream id, e.g. `in.c-crm.orders`. */
  tableId: string;
}

/**
 * The Keboola Storage connector.
 *
 * - `discover()` lists the buckets (all, or `config.buckets`) and their tables with
 *   column metadata; each table becomes `<stage>_<bucket>_<table>` with an exact
 *   Arrow schema from `KBC.datatype.basetype` and `Cap.READ | Cap.REMOTE`.
 * - `read()` runs an async table export, waits for the job, downloads the (sliced,
 *   gzipped) CSV from file storage and converts it exactly. A table named in
 *   `config.incremental_keys` declares that DATE/TIMESTAMP column as its
 *   `incrementalKey`; an incremental read asks the export for rows imported since
 *   the cursor (`changedSince`), a superset of the rows whose key is ≥ the cursor as
 *   long as a row's key is never later than its import into Keboola.
 * - `remote()` names the DuckDB `keboola` extension, the stack URL and the token
 *   variable `KEBOOLA_STORAGE_TOKEN`, never the token.
 *
 * @example
 * const connector = createKeboolaConnector({ url: 'https://connection.keboola.com' }, createContext({ secrets: { KEBOOLA_STORAGE_TOKEN: token } }));
 * const tables = await connector.discover!();
 */
export function createKeboolaConnector(rawConfig: KeboolaConfig, ctx: ConnectorContext): Connector & {
  discover(): Promise<TableInfo[]>;
  read(table: string, options: ReadOptions): AsyncIterable<RecordBatch>;
  remote(): RemoteAttachInfo;
} {
  const config = parseConfig(rawConfig);
  const tables = new Map<string, TableEntry>();
  let client: StorageClient | undefined;

  const storage = (): StorageClient => {
    if (client) return client;
    const token = ctx.secrets[TOKEN_ENV];
    if (!token) throw new AuthError(`${TOKEN_ENV} is not set; it must hold a Keboola Storage API token`);
    client = new StorageClient(config.url, token, ctx, { timeoutMs: config.timeoutMs });
    return client;
  };

  async function discover(): Promise<TableInfo[]> {
    const api = storage();
    const signal = ctx.signal;
    let buckets = await api.listBuckets(signal);
    if (config.buckets) {
      const known = new Set(buckets.map((b) => b.id));
      const missing = config.buckets.filter((b) => !known.has(b));
      if (missing.length) {
        throw new ConfigError(
          `buckets ${missing.join(', ')} not found or not readable with ${TOKEN_ENV}; readable buckets: ${[...known].sort().join(', ') || '(none)'}`,
        );
      }
      const wanted = new Set(config.buckets);
      buckets = buckets.filter((b) => wanted.has(b.id));
    }
    buckets = [...buckets].sort((a, b) => a.id.localeCompare(b.id));
    const found: { name: string; entry: TableEntry }[] = [];
    for (const bucket of buckets) {
      const listed = await api.listTables(bucket.id, signal);
      for (const t of [...listed].sort((a, b) => a.id.localeCompare(b.id))) {
        const columns = t.columns ?? [];
        if (columns.length === 0) {
          ctx.logger.warn('skipping a table without columns', { tableId: t.id });
          continue;
        }
        const fields: Field[] = columns.map((c) => fieldFor(c, t.columnMetadata?.[c]));
        const pk = (t.primaryKey ?? []).filter((c) => columns.includes(c));
        const info: TableInfo = {
          name: sanitizeTableName(bucket.stage, bucket.name, t.name),
          schema: new Schema(fields),
          capabilities: Cap.READ | Cap.REMOTE,
          description: `Keboola table ${t.id}`,
          remote: { alias: REMOTE_ALIAS, schema: bucket.id, table: t.name },
          ...(pk.length ? { primaryKey: pk } : {}),
        };
        found.push({ name: info.name, entry: { info, tableId: t.id } });
      }
    }
    const names = uniqueNames(found.map((f) => f.name));
    const problems: string[] = [];
    const result = found.map(({ entry }, i) => {
      const name = names[i]!;
      const key = config.incrementalKeys[name];
      if (key === undefined) return { info: { ...entry.info, name }, tableId: entry.tableId };
      const field = entry.info.schema.fields.find((f) => f.name === key);
      if (!field) problems.push(`incremental_keys.${name}: ${entry.tableId} has no column ${key}`);
      else if (!isTimeType(field)) problems.push(`incremental_keys.${name}: column ${key} is ${String(field.type)}, not a DATE or TIMESTAMP (KBC.datatype.basetype)`);
      if (!entry.info.primaryKey) problems.push(`incremental_keys.${name}: ${entry.tableId} has no primary key in Keboola, so re-read rows could not be deduplicated`);
      return { info: { ...entry.info, name, incrementalKey: key }, tableId: entry.tableId };
    });
    const unknown = Object.keys(config.incrementalKeys).filter((n) => !names.includes(n));
    for (const n of unknown) problems.push(`incremental_keys.${n}: no such table; discovered: ${names.join(', ') || '(none)'}`);
    if (problems.length) throw new ConfigError(`keboola config: ${problems.join('; ')}`);
    tables.clear();
    for (const entry of result) tables.set(entry.info.name, entry);
    return result.map((e) => e.info);
  }

  async function lookup(table: string): Promise<TableEntry> {
    if (!tables.has(table)) await discover();
    const entry = tables.get(table);
    if (!entry) throw new ConfigError(`unknown table ${table}; discover() lists ${[...tables.keys()].join(', ') || 'no tables'}`);
    return entry;
  }

  async function waitForJob(job: KbcJob, tableId: string, signal: AbortSignal | undefined): Promise<KbcJob> {
    const started = Date.now();
    let delay = JOB_POLL_START_MS;
    let current = job;
    for (;;) {
      if (current.status === 'success') return current;
      if (current.status === 'error') {
        throw new FatalSourceError(`Keboola export of ${tableId} failed (job ${current.id}): ${current.error?.message ?? 'no message'}`);
      }
      if (Date.now() - started > JOB_TIMEOUT_MS) {
        throw new FatalSourceError(`Keboola export of ${tableId} (job ${current.id}) did not finish within ${JOB_TIMEOUT_MS / 60_000} minutes`);
      }
      await sleep(delay, undefined, signal ? { signal } : {});
      delay = Math.min(JOB_POLL_MAX_MS, Math.round(delay * 1.5));
      current = await storage().job(current.id, signal);
    }
  }

  async function* read(table: string, options: ReadOptions): AsyncGenerator<RecordBatch> {
    const signal = options.signal ?? ctx.signal;
    const { info, tableId } = await lookup(table);
    const byName = new Map(info.schema.fields.map((f) => [f.name, f]));
    let fields = info.schema.fields;
    if (options.columns) {
      fields = options.columns.map((c) => {
        const f = byName.get(c);
        if (!f) throw new ConfigError(`table ${table} has no column ${c}`);
        return f;
      });
    }
    const schema = new Schema(fields);
    const batchSize = Math.max(1, Math.floor(options.batchSize || 10_000));
    const api = storage();

    const key = options.incrementalKey ?? info.incrementalKey;
    let changedSince: string | undefined;
    if (options.incrementalValue !== undefined) {
      const keyField = key ? byName.get(key) : undefined;
      if (!keyField || !isTimeType(keyField)) {
        throw new ConfigError(
          `table ${table}: incremental reads need a DATE or TIMESTAMP key column (Keboola filters exports by import time); ${key ?? '(none)'} is not one`,
        );
      }
      changedSince = String(epochSeconds(keyField, options.incrementalValue, table));
    }

    signal?.throwIfAborted();
    const job = await api.exportAsync(
      tableId,
      { ...(options.columns ? { columns: fields.map((f) => f.name) } : {}), ...(changedSince ? { changedSince } : {}) },
      signal,
    );
    ctx.logger.debug('export job started', { table, tableId, job: job.id, ...(changedSince ? { changedSince } : {}) });
    const done = await waitForJob(job, tableId, signal);
    const fileId = done.results?.file?.id;
    if (fileId === undefined || fileId === null) throw new FatalSourceError(`Keboola export of ${tableId} (job ${done.id}) finished without a file`);
    const file = await api.file(fileId, signal);
    const gzipped = file.isGzipped ?? /\.gz$/i.test(file.name ?? '');
    const urls = file.isSliced ? await api.manifest(file, signal) : [file.url];
    ctx.logger.debug('downloading export', { table, file: file.id, slices: urls.length });

    // Exports carry no header row (sliced or not): every line is data.
    let pending: string[][] = [];
    for (const url of urls) {
      signal?.throwIfAborted();
      const res = await api.download(file, url, signal);
      for await (const rows of csvRows(res, gzipped, api.idleTimeoutMs, signal)) {
        for (const row of rows) pending.push(row);
        while (pending.length >= batchSize) {
          signal?.throwIfAborted();
          const chunk = pending.slice(0, batchSize);
          pending = pending.slice(batchSize);
          yield batchFromRows(schema, chunk);
        }
      }
    }
    if (pending.length > 0) {
      signal?.throwIfAborted();
      yield batchFromRows(schema, pending);
    }
  }

  return {
    capabilities: Cap.DISCOVER | Cap.READ | Cap.REMOTE,
    discover,
    read,
    remote(): RemoteAttachInfo {
      return { extension: 'keboola', url: config.url, tokenEnv: TOKEN_ENV, alias: REMOTE_ALIAS };
    },
  };
}

function isTimeType(field: Field): boolean {
  return field.type.typeId === Type.Date || field.type.typeId === Type.Timestamp;
}

/** Whole seconds since the epoch of a cursor value, rounded down so the export never starts after it. */
function epochSeconds(field: Field, value: string, table: string): number {
  try {
    if (field.type.typeId === Type.Date) return parseDateDay(value) * 86_400;
    const micros = parseTimestampMicros(value);
    return Number((micros - (((micros % 1_000_000n) + 1_000_000n) % 1_000_000n)) / 1_000_000n);
  } catch (error) {
    if (error instanceof RecordError) {
      throw new ConfigError(`table ${table}: the cursor ${JSON.stringify(value)} of ${field.name} is not a ${String(field.type)} value`, { cause: error });
    }
    throw error;
  }
}

/**
 * Parsed CSV rows of a response body, gunzipped when `gzipped`, chunk by chunk. A body
 * that sends nothing for `idleMs` is abandoned with a transient error.
 */
async function* csvRows(res: Response, gzipped: boolean, idleMs: number, signal: AbortSignal | undefined): AsyncGenerator<string[][]> {
  if (!res.body) return;
  const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>, signal ? { signal } : {});
  const stream: Readable = gzipped ? source.pipe(createGunzip()) : source;
  if (gzipped) source.on('error', (error) => stream.destroy(error));
  const decoder = new TextDecoder('utf-8');
  const parser = new CsvParser();
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TransientSourceError(`an export slice sent nothing for ${idleMs / 1000} s`)), idleMs);
      });
      const next = await Promise.race([chunks.next(), idle]).finally(() => clearTimeout(timer));
      if (next.done) break;
      const rows = parser.push(decoder.decode(next.value, { stream: true }));
      if (rows.length) yield rows;
    }
    const rows = parser.push(decoder.decode());
    rows.push(...parser.end());
    if (rows.length) yield rows;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (isConnectorError(error)) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new FatalSourceError(`an export slice is not valid gzip (${code})`, { cause: error });
    }
    if (error instanceof SyntaxError) throw new FatalSourceError(`an export slice is not valid CSV: ${error.message}`, { cause: error });
    throw new TransientSourceError(`downloading an export slice failed: ${(error as Error).message}`, { cause: error });
  } finally {
    source.destroy();
    if (stream !== source) stream.destroy();
  }
}
