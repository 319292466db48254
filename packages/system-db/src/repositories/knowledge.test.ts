import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';

describeBackends('knowledge repository', (backend) => {
  it('inserts and lists items, optionally by status', async () => {
    const db = await backend.open();
    const item = await db.knowledge.insert({ title: 'Revenue excludes VAT', content: 'Always net.', tags: ['finance', 'metrics'], sourceUser: 'ada' });
    expect(item).toMatchObject({ title: 'Revenue excludes VAT', status: 'pending', tags: ['finance', 'metrics'], category: null });
    await db.knowledge.insert({ title: 'Fiscal year starts in April', status: 'approved' });
    expect((await db.knowledge.list()).map((i) => i.title).sort()).toEqual(['Fiscal year starts in April', 'Revenue excludes VAT']);
    expect((await db.knowledge.list({ status: 'approved' })).map((i) => i.title)).toEqual(['Fiscal year starts in April']);
    await expect(db.knowledge.insert({ title: '' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(db.knowledge.insert({ title: 'x', status: 'draft' as 'pending' })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('keeps one vote per user and item', async () => {
    const db = await backend.open();
    const item = await db.knowledge.insert({ title: 'Revenue excludes VAT' });
    await db.knowledge.vote(item.id, 'ada', 1);
    await db.knowledge.vote(item.id, 'bob', 1);
    await db.knowledge.vote(item.id, 'ada', -1);
    expect((await db.knowledge.votes(item.id)).map((v) => [v.userId, v.vote])).toEqual([
      ['ada', -1],
      ['bob', 1],
    ]);
    await expect(db.knowledge.vote('missing', 'ada', 1)).rejects.toMatchObject({ code: 'not_found' });
    await expect(db.knowledge.vote(item.id, 'ada', 2 as 1)).rejects.toMatchObject({ code: 'invalid' });
  });
});
