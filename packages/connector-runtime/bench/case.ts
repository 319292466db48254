/*
 * One benchmark measurement in its own process (peak RSS is per process).
 * Usage: case.ts native|runtime <rows> <outDir>. Prints one JSON line.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, vectorFromArray } from 'apache-arrow';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime, readExtractContents } from '@agnes/connector-runtime';

const [mode, rowsArg, outDir] = process.argv.slice(2);
const rows = Number(rowsArg);
const BATCH = 10_000;
const POOL = 50;

/** The five columns of MEASURED-FACTS §3: i BIGINT, b BIGINT, s VARCHAR, d DOUBLE, t TIMESTAMPTZ. */
const schema = new Schema([
  new Field('i', new Int64(), false),
  new Field('b', new Int64(), false),
  new Field('s', new Utf8(), false),
  new Field('d', new Float64(), false),
  new Field('t', new TimestampMicrosecond('UTC'), false),
]);

function pool(): RecordBatch[] {
  const now = BigInt(Date.now()) * 1000n;
  return Array.from({ length: POOL }, (_, p) => {
    const i = new BigInt64Array(BATCH);
    const b = new BigInt64Array(BATCH);
    const d = new Float64Array(BATCH);
    const t = new BigInt64Array(BATCH).fill(now);
    const s: string[] = [];
    for (let r = 0; r < BATCH; r++) {
      const v = p * BATCH + r;
      i[r] = BigInt(v);
      b[r] = BigInt(v * 2);
      d[r] = v / 3;
      s.push(`str${v}`);
    }
    const children = [
      makeData({ type: new Int64(), data: i }),
      makeData({ type: new Int64(), data: b }),
      vectorFromArray(s, new Utf8()).data[0]!,
      makeData({ type: new Float64(), data: d }),
      makeData({ type: new TimestampMicrosecond('UTC'), data: t }),
    ];
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: BATCH, children }));
  });
}

async function main(): Promise<void> {
  mkdirSync(outDir!, { recursive: true });
  let secs: number;
  let file: string;
  let arrowBytes: number;
  if (mode === 'native') {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    file = join(outDir!, `native-${rows}.parquet`);
    const t0 = performance.now();
    await conn.run(
      `COPY (SELECT i, i*2 AS b, 'str'||i AS s, i::DOUBLE/3 AS d, now() AS t FROM range(${rows}) r(i)) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    secs = (performance.now() - t0) / 1000;
    arrowBytes = (pool()[0]!.data.byteLength / BATCH) * rows;
  } else {
    const batches = pool();
    const perRow = batches[0]!.data.byteLength / BATCH;
    arrowBytes = perRow * rows;
    const dir = join(outDir!, 'extracts', `bench_${rows}`);
    const runtime = new ConnectorRuntime(dir);
    const t0 = performance.now();
    const stats = await runtime.run({
      capabilities: Cap.DISCOVER | Cap.READ,
      discover: async () => [{ name: 't', schema, capabilities: Cap.READ }],
      async *read() {
        for (let k = 0; k * BATCH < rows; k++) yield batches[k % POOL]!;
      },
    });
    secs = (performance.now() - t0) / 1000;
    if (stats.totalRows !== rows) throw new Error(`wrote ${stats.totalRows} rows, expected ${rows}`);
    file = join(dir, (await readExtractContents(dir)).meta[0]!.dataPath!);
  }
  const out = {
    mode,
    rows,
    secs,
    rowsPerSec: rows / secs,
    mbPerSec: arrowBytes / secs / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    fileMb: statSync(file).size / 1e6,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
