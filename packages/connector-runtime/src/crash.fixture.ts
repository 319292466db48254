/*
 * Child process for the kill -9 test: commits runs over and over into an extract
 * folder, each run writing rows stamped with its run number, until it is killed.
 */
import { Field, Int64, Utf8 } from 'apache-arrow';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime } from './runtime.js';
import { batchOf, Schema } from './test-fixtures.js';

const [dir, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const schema = new Schema([new Field('id', new Int64(), false), new Field('run', new Int64(), false), new Field('s', new Utf8(), false)]);
const runtime = new ConnectorRuntime(dir!, { writer: { readAheadBytes: 256 * 1024 } });
for (let run = 1; ; run++) {
  await runtime.run({
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: async () => ['a', 'b'].map((name) => ({ name, schema, capabilities: Cap.READ })),
    async *read() {
      for (let i = 0; i < rows; i += 10_000) {
        const n = Math.min(10_000, rows - i);
        yield batchOf(schema, {
          id: Array.from({ length: n }, (_, k) => BigInt(i + k)),
          run: Array.from({ length: n }, () => BigInt(run)),
          s: Array.from({ length: n }, (_, k) => `row ${i + k} of run ${run}`),
        });
      }
    },
  });
  process.stdout.write(`committed ${run}\n`);
}
