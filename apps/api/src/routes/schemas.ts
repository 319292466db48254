import { z } from '@hono/zod-openapi';
import type { AccessToken, User } from '@agnes/system-db';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A user as the API shows it. */
export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(['admin', 'analyst']),
    active: z.boolean(),
    deactivated_at: z.string().nullable(),
    created_at: z.string(),
    groups: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
  })
  .openapi('User');

/** Serializes a user. */
export function userJson(user: User, isAdmin: boolean, groups?: readonly { id: string; name: string }[]): z.infer<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: isAdmin ? 'admin' : 'analyst',
    active: user.active,
    deactivated_at: iso(user.deactivatedAt),
    created_at: user.createdAt.toISOString(),
    ...(groups ? { groups: groups.map((g) => ({ id: g.id, name: g.name })) } : {}),
  };
}

/** A personal access token as listed (never the token itself). */
export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    user_id: z.string(),
    user_email: z.string().optional(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    last_used_ip: z.string().nullable(),
    status: z.enum(['active', 'revoked', 'expired']),
  })
  .openapi('AccessToken');

/** The short, shown-everywhere handle of a token: the first characters of its id. */
export function tokenPrefix(id: string): string {
  return id.replace(/-/g, '').slice(0, 8);
}

/** Serializes a token. */
export function tokenJson(token: AccessToken, now: Date, email?: string): z.infer<typeof TokenSchema> {
  const status = token.revokedAt ? 'revoked' : token.expiresAt && token.expiresAt <= now ? 'expired' : 'active';
  return {
    id: token.id,
    name: token.name,
    prefix: tokenPrefix(token.id),
    user_id: token.userId,
    ...(email === undefined ? {} : { user_email: email }),
    created_at: token.createdAt.toISOString(),
    expires_at: iso(token.expiresAt),
    revoked_at: iso(token.revokedAt),
    last_used_at: iso(token.lastUsedAt),
    last_used_ip: token.lastUsedIp,
    status,
  };
}
