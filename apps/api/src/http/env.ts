import type { Group, User } from '@agnes/system-db';
import type { AccessContext, Principal } from '@agnes/rbac';
import type { TokenType } from '../auth/jwt.js';

/** Who is calling, as resolved by the auth middleware for each request. */
export interface Caller {
  readonly user: User;
  readonly tokenType: TokenType;
  /** The PAT's id when the call uses one. */
  readonly tokenId: string | null;
  /** The session token's `jti` and expiry when the call uses a session (for sign-out). */
  readonly session: { readonly jti: string; readonly expiresAt: Date } | null;
  readonly groups: readonly Group[];
  readonly isAdmin: boolean;
  readonly principal: Principal;
  /** Loads the caller's grants once per request. */
  access(): Promise<AccessContext>;
}

/** Hono environment of the API. */
export interface AppEnv {
  Variables: {
    caller: Caller | undefined;
    clientIp: string;
  };
}
