import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';

describeBackends('sources repository', (backend) => {
  it('creates, updates, lists and removes sources', async () => {
    const db = await backend.open();
    const crm = await db.sources.create({ name: 'crm', connector: '@agnes/connector-postgres', config: { host: 'db', tables: ['a', 'b'] }, schedule: '0 * * * *' });
    expect(crm).toMatchObject({ name: 'crm', config: { host: 'db', tables: ['a', 'b'] }, schedule: '0 * * * *', enabled: true, updatedAt: null });
    await db.sources.create({ name: 'billing', connector: '@agnes/connector-csv' });
    await expect(db.sources.create({ name: 'crm', connector: 'x' })).rejects.toMatchObject({ code: 'conflict' });
    const updated = await db.sources.update('crm', { enabled: false, config: { host: 'db2' }, schedule: null });
    expect(updated).toMatchObject({ enabled: false, config: { host: 'db2' }, schedule: null, connector: '@agnes/connector-postgres' });
    expect(updated.updatedAt).toBeInstanceOf(Date);
    expect((await db.sources.list()).map((s) => [s.name, s.config])).toEqual([
      ['billing', {}],
      ['crm', { host: 'db2' }],
    ]);
    await db.sources.remove('billing');
    expect(await db.sources.get('billing')).toBeUndefined();
    await expect(db.sources.update('billing', { enabled: true })).rejects.toMatchObject({ code: 'not_found' });
    await expect(db.sources.remove('billing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to remove a source that still has registered tables', async () => {
    const db = await backend.open();
    await db.sources.create({ name: 'crm', connector: '@agnes/connector-postgres' });
    await db.registry.register({ id: 'customers', source: 'crm', sourceTable: 'public.customers' });
    await expect(db.sources.remove('crm')).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('customers') });
    await db.registry.remove('customers');
    await db.sources.remove('crm');
    expect(await db.sources.list()).toEqual([]);
  });
});
