import { expect, it } from 'vitest';
import { describeBackends } from '../../test/describe-backends.js';

describeBackends('audit repository', (backend) => {
  it('appends entries and lists the most recent first', async () => {
    const db = await backend.open();
    const first = await db.audit.append({ actor: 'ada', action: 'user.create', target: 'bob', details: { via: 'cli', roles: ['analyst'] } });
    expect(first).toMatchObject({ actor: 'ada', action: 'user.create', target: 'bob', details: { via: 'cli', roles: ['analyst'] } });
    expect(first.at).toBeInstanceOf(Date);
    await db.audit.append({ action: 'sync.start' });
    await db.audit.append({ actor: 'ada', action: 'token.revoke', target: 't1' });
    expect((await db.audit.listRecent()).map((e) => e.action)).toEqual(['token.revoke', 'sync.start', 'user.create']);
    expect((await db.audit.listRecent({ actor: 'ada' })).map((e) => e.action)).toEqual(['token.revoke', 'user.create']);
    expect((await db.audit.listRecent({ action: 'sync.start' }))[0]).toMatchObject({ actor: null, details: null });
    expect((await db.audit.listRecent({ target: 'bob' })).map((e) => e.id)).toEqual([first.id]);
    expect(await db.audit.listRecent({ limit: 1 })).toHaveLength(1);
  });

  it('pages back by time', async () => {
    const db = await backend.open();
    await db.audit.append({ action: 'a', at: new Date('2026-01-01T00:00:00Z') });
    await db.audit.append({ action: 'b', at: new Date('2026-01-02T00:00:00Z') });
    await db.audit.append({ action: 'c', at: new Date('2026-01-03T00:00:00Z') });
    expect((await db.audit.listRecent({ before: new Date('2026-01-03T00:00:00Z') })).map((e) => e.action)).toEqual(['b', 'a']);
  });

  it('refuses an entry without an action', async () => {
    const db = await backend.open();
    await expect(db.audit.append({ action: ' ' })).rejects.toMatchObject({ code: 'invalid' });
  });
});
