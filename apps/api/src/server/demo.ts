import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ADMIN_GROUP_ID } from '@agnes/system-db';
import { hashPassword } from '../auth/passwords.js';
import type { AppDeps } from '../app/deps.js';
import { persistedSecret } from './secrets.js';
import { randomPassword } from './start-server.js';

/** The demo source's name. */
export const DEMO_SOURCE = 'demo';
/** The demo admin created on the first demo start. */
export const DEMO_ADMIN_EMAIL = 'admin@localhost';

/** The `data/` folder of the installed vega-datasets package. */
export function vegaDataDir(): string {
  const dir = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data');
  if (!existsSync(join(dir, 'airports.csv'))) throw new Error(`the vega-datasets files were not found at ${dir}; reinstall (pnpm install)`);
  return dir;
}

/**
 * `--demo`: adds the demo source (the CSV connector over the vega-datasets files), creates
 * `admin@localhost` with a random password on the first start (saved 0600 in the data
 * folder, returned to be printed once) and starts a first sync when nothing is published yet.
 */
export async function setUpDemo(deps: AppDeps, dataDir: string): Promise<{ email: string; password: string } | undefined> {
  const { db, logger } = deps;
  if (!(await db.sources.get(DEMO_SOURCE))) {
    await db.sources.create({ name: DEMO_SOURCE, connector: '@agnes/connector-csv', config: { path: vegaDataDir() } });
    logger.info('added the demo source (vega-datasets through the CSV connector)');
  }
  let created: { email: string; password: string } | undefined;
  if (!(await db.users.getByEmail(DEMO_ADMIN_EMAIL))) {
    const { value: password, created: fresh } = await persistedSecret(join(dataDir, 'state', 'demo-admin-password'), randomPassword);
    const user = await db.users.create({ email: DEMO_ADMIN_EMAIL, name: 'Demo admin', passwordHash: await hashPassword(password) });
    await db.groups.addMember(ADMIN_GROUP_ID, user.id, { source: 'system' });
    if (fresh) created = { email: DEMO_ADMIN_EMAIL, password };
  }
  if (!deps.tables.list().some((t) => t.source === DEMO_SOURCE)) {
    const job = await deps.sync.trigger({ sources: [DEMO_SOURCE], trigger: 'demo' });
    logger.info('first demo sync started', { job: job.id });
  }
  return created;
}
