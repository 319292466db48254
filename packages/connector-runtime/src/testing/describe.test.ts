import { Field, Int64, Schema, Utf8 } from 'apache-arrow';
import { Cap, type Connector } from '@agnes/connector-kit';
import { batchOf } from '../test-fixtures.js';
import { describeConnectorContract } from './index.js';

const schema = new Schema([new Field('id', new Int64(), false), new Field('v', new Utf8(), true)]);
const source = [1n, 2n, 3n];

function connector(): Connector {
  return {
    capabilities: Cap.DISCOVER | Cap.READ,
    discover: async () => [{ name: 'things', schema, capabilities: Cap.READ, primaryKey: ['id'], incrementalKey: 'id' }],
    async *read(_t, o) {
      const from = o.incrementalValue === undefined ? -Infinity : Number(o.incrementalValue);
      for (const id of source.filter((x) => Number(x) >= from)) {
        o.signal?.throwIfAborted();
        yield batchOf(schema, { id: [id], v: [`v${id}`] });
      }
    },
  };
}

describeConnectorContract('in-memory things', connector, {
  addRows: async (_t, n) => {
    for (let i = 0; i < n; i++) source.push(BigInt(source.length + 1));
  },
});
