import type { SystemDb } from '@agnes/system-db';
import type { AuthProvider } from './session.js';
import { verifyPassword } from './passwords.js';

/** Email + password against the argon2id hash; an unknown email costs the same time as a wrong password. */
export function passwordProvider(db: SystemDb): AuthProvider<{ email: string; password: string }> {
  return {
    name: 'password',
    async authenticate({ email, password }) {
      const user = await db.users.getByEmail(email.trim()).catch(() => undefined);
      const ok = await verifyPassword(user ? await db.users.getPasswordHash(user.id) : null, password);
      return user && ok ? user : undefined;
    },
  };
}
