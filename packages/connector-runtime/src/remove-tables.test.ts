import { Field, Int64, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Cap } from '@agnes/connector-kit';
import { ConnectorRuntime, openExtract, readExtractContents } from './index.js';
import { extractDir, memoryConnector, Schema } from './test-fixtures.js';

const schema = new Schema([new Field('id', new Int64(), false), new Field('v', new Utf8(), true)]);
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: BigInt(i), v: `v${i}` }));

describe('ConnectorRuntime.removeTables', () => {
  it('drops the named tables (any letter case) in one commit and keeps the others answering', async () => {
    const dir = extractDir('shop');
    const { connector } = memoryConnector([
      { info: { name: 'orders', schema, capabilities: Cap.READ, primaryKey: ['id'] }, rows: rows(5) },
      { info: { name: 'old_orders', schema, capabilities: Cap.READ, primaryKey: ['id'] }, rows: rows(3) },
    ]);
    const rt = new ConnectorRuntime(dir);
    await rt.run(connector);
    expect(await rt.removeTables(['OLD_ORDERS', 'never_existed'])).toEqual(['old_orders']);
    const contents = await readExtractContents(dir);
    expect(contents.meta.map((m) => m.tableName)).toEqual(['orders']);
    expect(contents.state.map((s) => s.tableName)).not.toContain('old_orders');
    const reader = await openExtract(dir);
    try {
      expect(await reader.query('SELECT count(*)::INTEGER AS n FROM orders')).toEqual([{ n: 5 }]);
      await expect(reader.query('SELECT * FROM old_orders')).rejects.toThrow(/old_orders/);
    } finally {
      reader.close();
    }
    expect(await rt.removeTables(['old_orders'])).toEqual([]);
  });
});
