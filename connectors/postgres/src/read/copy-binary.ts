import { bitmapOf } from '@agnes/connector-kit';
import { type Data, makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ScalarKind } from '../catalog/type-mapping.js';
import type { ColumnDecoder } from './arrow-batch.js';
import { CellError } from './arrow-batch.js';

/*
 * `COPY (SELECT …) TO STDOUT (FORMAT binary)` decoded straight into Arrow buffers: no
 * text parsing and no JavaScript string per value. Used for tables whose columns are all
 * scalars (lists keep the text path); text-like columns are selected as `::text`, whose
 * binary form is the UTF-8 bytes themselves.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds and days between the PostgreSQL epoch (2000-01-01) and the Unix epoch. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const PG_EPOCH_DAYS = 10_957;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

/** A growable byte buffer for the values of one variable-width column. */
class Bytes {
  data = new Uint8Array(1 << 16);
  length = 0;
  push(source: Uint8Array, start: number, end: number): void {
    const need = this.length + (end - start);
    if (need > this.data.length) {
      const grown = new Uint8Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(source.subarray(start, end), this.length);
    this.length = need;
  }
}

/** One column of the batch being built. */
class Column {
  readonly valid: Uint8Array;
  readonly fixed: Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array | undefined;
  readonly offsets: Int32Array | undefined;
  readonly bytes: Bytes | undefined;

  constructor(
    readonly decoder: ColumnDecoder,
    readonly capacity: number,
  ) {
    this.valid = new Uint8Array(capacity);
    const kind = decoder.kind.scalar;
    this.fixed = fixedArray(kind, capacity);
    if (kind === 'text' || kind === 'bytea') {
      this.offsets = new Int32Array(capacity + 1);
      this.bytes = new Bytes();
    }
  }

  /** Stores the value at `row` from `buf[start, end)`; `start < 0` is NULL. */
  set(row: number, buf: Buffer, start: number, end: number): void {
    const { scalar, scale } = this.decoder.kind;
    if (start < 0) {
      if (this.offsets && this.bytes) this.offsets[row + 1] = this.bytes.length;
      return;
    }
    this.valid[row] = 1;
    switch (scalar) {
      case 'int16':
        (this.fixed as Int16Array)[row] = buf.readInt16BE(start);
        return;
      case 'int32':
        (this.fixed as Int32Array)[row] = buf.readInt32BE(start);
        return;
      case 'int64':
        (this.fixed as BigInt64Array)[row] = buf.readBigInt64BE(start);
        return;
      case 'float32':
        (this.fixed as Float32Array)[row] = buf.readFloatBE(start);
        return;
      case 'float64':
        (this.fixed as Float64Array)[row] = buf.readDoubleBE(start);
        return;
      case 'bool':
        (this.fixed as Uint8Array)[row] = buf[start] === 0 ? 0 : 1;
        return;
      case 'date': {
        const days = buf.readInt32BE(start);
        if (days === 0x7fffffff || days === -0x80000000) throw new CellError(row, this.decoder.field.name, `date ${days > 0 ? 'infinity' : '-infinity'} has no day number (infinite or unexpected format)`);
        (this.fixed as Int32Array)[row] = days + PG_EPOCH_DAYS;
        return;
      }
      case 'timestamp':
      case 'timestamptz': {
        const micros = buf.readBigInt64BE(start);
        if (micros === INT64_MAX || micros === INT64_MIN) {
          throw new CellError(row, this.decoder.field.name, `timestamp ${micros > 0n ? 'infinity' : '-infinity'} has no instant (infinite or unexpected format)`);
        }
        (this.fixed as BigInt64Array)[row] = micros + PG_EPOCH_MICROS;
        return;
      }
      case 'decimal': {
        const unscaled = numericUnscaled(buf, start, scale ?? 0, (message) => new CellError(row, this.decoder.field.name, message));
        const out = this.fixed as BigInt64Array;
        out[row * 2] = BigInt.asIntN(64, unscaled);
        out[row * 2 + 1] = BigInt.asIntN(64, unscaled >> 64n);
        return;
      }
      case 'text':
      case 'bytea':
        this.bytes?.push(buf, start, end);
        if (this.offsets && this.bytes) this.offsets[row + 1] = this.bytes.length;
        return;
    }
  }

  /** The value at `row` as text, for naming a bad row by its key. */
  text(row: number): string | null {
    if (this.valid[row] !== 1) return null;
    if (this.offsets && this.bytes) return Buffer.from(this.bytes.data.subarray(this.offsets[row], this.offsets[row + 1])).toString('utf8');
    const fixed = this.fixed;
    return fixed ? String(fixed[row]) : null;
  }

  /** The Arrow data of the first `length` rows. */
  data(length: number): Data {
    const type = this.decoder.field.type;
    const valid = this.valid;
    let nullCount = 0;
    for (let i = 0; i < length; i++) if (valid[i] === 0) nullCount++;
    const validity = nullCount > 0 ? { nullCount, nullBitmap: bitmapOf(length, (i) => valid[i] === 1) } : { nullCount };
    const kind = this.decoder.kind.scalar;
    if (this.offsets && this.bytes) {
      return makeData({ type, length, ...validity, valueOffsets: this.offsets.slice(0, length + 1), data: this.bytes.data.slice(0, this.bytes.length) } as never);
    }
    if (kind === 'bool') {
      const bools = this.fixed as Uint8Array;
      return makeData({ type, length, ...validity, data: bitmapOf(length, (i) => bools[i] === 1) } as never);
    }
    if (kind === 'decimal') {
      const words = this.fixed as BigInt64Array;
      return makeData({ type, length, ...validity, data: new Uint32Array(words.slice(0, length * 2).buffer) } as never);
    }
    return makeData({ type, length, ...validity, data: this.fixed?.slice(0, length) } as never);
  }
}

function fixedArray(kind: ScalarKind, n: number): Column['fixed'] {
  switch (kind) {
    case 'int16':
      return new Int16Array(n);
    case 'int32':
    case 'date':
      return new Int32Array(n);
    case 'int64':
    case 'timestamp':
    case 'timestamptz':
      return new BigInt64Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'bool':
      return new Uint8Array(n);
    case 'decimal':
      return new BigInt64Array(n * 2);
    case 'text':
    case 'bytea':
      return undefined;
  }
}

const NUMERIC_SPECIAL: Record<number, string> = { 0xc000: 'NaN', 0xd000: 'Infinity', 0xf000: '-Infinity' };

/**
 * The value of a binary `numeric` (base-10000 digits, weight, sign, display scale) as an
 * integer of `scale` digits after the point. NaN and ±Infinity have no decimal value.
 */
export function numericUnscaled(buf: Buffer, at: number, scale: number, fail: (message: string) => Error): bigint {
  const ndigits = buf.readInt16BE(at);
  const weight = buf.readInt16BE(at + 2);
  const sign = buf.readUInt16BE(at + 4);
  const special = NUMERIC_SPECIAL[sign];
  if (special) throw fail(`numeric ${special} has no decimal value`);
  let digits = 0n;
  for (let i = 0; i < ndigits; i++) digits = digits * 10000n + BigInt(buf.readInt16BE(at + 8 + i * 2));
  // value = digits × 10000^(weight − ndigits + 1); unscaled = value × 10^scale
  const exponent = 4 * (weight - ndigits + 1) + scale;
  let unscaled: bigint;
  if (exponent >= 0) unscaled = digits * 10n ** BigInt(exponent);
  else {
    const divisor = 10n ** BigInt(-exponent);
    if (digits % divisor !== 0n) throw fail(`numeric has more than ${scale} digits after the point`);
    unscaled = digits / divisor;
  }
  return sign === 0x4000 ? -unscaled : unscaled;
}

/**
 * Runs `sql` through binary COPY and yields record batches of at most `batchSize` rows with
 * exactly `schema`. Stops (destroying the stream) when `aborted()` turns true.
 */
export async function* readBinaryCopy(
  client: pg.Client,
  sql: string,
  schema: Schema,
  decoders: readonly ColumnDecoder[],
  batchSize: number,
  aborted: () => boolean,
  /** Called with the first bad value of a row and the row's values of `keyIndexes`. */
  onBadValue: (error: CellError, key: (string | null)[]) => never,
  keyIndexes: readonly number[],
): AsyncGenerator<RecordBatch> {
  const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT (FORMAT binary)`));
  const newColumns = () => decoders.map((d) => new Column(d, batchSize));
  let columns = newColumns();
  let rows = 0;
  let pending: Buffer = Buffer.alloc(0);
  let headerDone = false;
  let finished = false;
  const batch = (): RecordBatch => {
    // Key columns appended only to name bad rows are not part of the batch.
    const children = columns.slice(0, schema.fields.length).map((c) => c.data(rows));
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, children }));
  };
  try {
    // Not destroyed on an early exit: the finally below cancels the COPY on the server
    // and drains it, so the connection is usable (and closable) afterwards.
    for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (aborted()) return;
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      if (!headerDone) {
        if (buf.length < 19) {
          pending = buf;
          continue;
        }
        if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY BINARY output does not start with the PGCOPY signature');
        at = 19 + buf.readInt32BE(15);
        headerDone = true;
      }
      for (;;) {
        if (buf.length - at < 2) break;
        const fields = buf.readInt16BE(at);
        if (fields === -1) {
          at += 2;
          break;
        }
        // Is the whole tuple here? Walk its field lengths first.
        let end = at + 2;
        let complete = true;
        for (let f = 0; f < fields; f++) {
          if (buf.length - end < 4) {
            complete = false;
            break;
          }
          const len = buf.readInt32BE(end);
          end += 4 + Math.max(0, len);
          if (end > buf.length) {
            complete = false;
            break;
          }
        }
        if (!complete) break;
        let p = at + 2;
        let bad: CellError | undefined;
        for (let f = 0; f < fields; f++) {
          const len = buf.readInt32BE(p);
          p += 4;
          const column = columns[f];
          try {
            column?.set(rows, buf, len < 0 ? -1 : p, len < 0 ? -1 : p + len);
          } catch (error) {
            if (!(error instanceof CellError)) throw error;
            bad ??= error;
          }
          p += Math.max(0, len);
        }
        // The whole row is read first, so the key columns are there to name it.
        if (bad) onBadValue(bad, keyIndexes.map((k) => columns[k]?.text(rows) ?? null));
        at = end;
        rows++;
        if (rows === batchSize) {
          yield batch();
          rows = 0;
          columns = newColumns();
          if (aborted()) return;
        }
      }
      pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
      buf = pending;
    }
    if (rows > 0) yield batch();
    finished = true;
  } finally {
    if (!finished) await cancelCopy(client, stream);
  }
}

/** Asks the server to stop a running COPY (a CancelRequest on a side connection) and drains what is in flight. */
async function cancelCopy(client: pg.Client, stream: ReturnType<typeof copyTo>): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
  });
  stream.on('data', () => undefined);
  stream.resume();
  const { host, port } = client as unknown as { host: string; port: number };
  // pg's own cancel: a fresh, unconnected Client sends the CancelRequest for `client`'s backend.
  const canceller = new pg.Client({ host, port }) as unknown as { cancel(target: pg.Client, query: unknown): void };
  canceller.cancel(client, stream);
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
}
