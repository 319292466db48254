/* Child process for the cross-process stream test: streams N events into a table. */
import { Field, Int64, Utf8 } from 'apache-arrow';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime } from './runtime.js';
import { batchOf, Schema } from './test-fixtures.js';

const [dir, table, startArg, countArg] = process.argv.slice(2);
const start = Number(startArg);
const count = Number(countArg);
const schema = new Schema([new Field('id', new Int64(), false), new Field('writer', new Utf8(), false)]);
async function* events() {
  for (let i = 0; i < count; i++) yield start + i;
}
const stats = await new ConnectorRuntime(dir!).runStream(
  {
    capabilities: Cap.DISCOVER | Cap.STREAM,
    discover: async () => [{ name: table!, schema, capabilities: Cap.STREAM, primaryKey: ['id'] }],
    async *stream(_t, { events: ev }) {
      for await (const id of ev) yield batchOf(schema, { id: [BigInt(id as number)], writer: [String(process.pid)] });
    },
  },
  table!,
  { events: events(), flushRows: 25 },
);
process.stdout.write(`${JSON.stringify(stats)}\n`);
