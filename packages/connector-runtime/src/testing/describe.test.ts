import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Int64, Schema, Utf8 } from 'apache-arrow';
import { afterAll } from 'vitest';
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
        yield batchOf(schema, { id: [id], v: id % 2n === 0n ? [null] : [`v${id}`] });
      }
    },
  };
}

const manifestDir = mkdtempSync(join(tmpdir(), 'agnes-describe-'));
afterAll(() => rmSync(manifestDir, { recursive: true, force: true }));
const manifestPath = join(manifestDir, 'connector.yaml');
writeFileSync(manifestPath, 'name: things\nversion: "0.1.0"\nentrypoint: ./dist/index.js\ncapabilities: [discover, read]\n');

// Registers one test per check; all of them must pass for this connector.
describeConnectorContract('in-memory things', connector, {
  manifestPath,
  addRows: async (_t, n) => {
    for (let i = 0; i < n; i++) source.push(BigInt(source.length + 1));
  },
});
