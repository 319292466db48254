import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/** The kinds of bearer token the server issues. */
export type TokenType = 'session' | 'pat';

/** The claims the server reads back from a token it issued. */
export interface VerifiedToken {
  readonly userId: string;
  readonly type: TokenType;
  readonly jti: string;
  /** Seconds since the epoch; absent for a PAT that never expires. */
  readonly expiresAt: number | undefined;
}

/** Default lifetime of a session token. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const ISSUER = 'agnes';

/**
 * Signs and verifies the server's JWTs (HS256 with the server secret). A session carries
 * `typ=session`; a PAT carries `typ=pat` and a `jti` whose hash the database keeps, and has
 * no `exp` claim when it never expires (the database row is the source of truth).
 */
export class TokenSigner {
  readonly #key: Uint8Array;
  readonly #now: () => Date;

  constructor(secret: string, now: () => Date = () => new Date()) {
    if (secret.length < 32) throw new Error('JWT_SECRET_KEY must have at least 32 characters');
    this.#key = new TextEncoder().encode(secret);
    this.#now = now;
  }

  /** A session JWT for a signed-in user. */
  async session(userId: string, ttlSeconds = SESSION_TTL_SECONDS): Promise<{ token: string; jti: string; expiresAt: Date }> {
    const jti = randomUUID();
    const iat = Math.floor(this.#now().getTime() / 1000);
    const token = await new SignJWT({ typ: 'session' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setJti(jti)
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.#key);
    return { token, jti, expiresAt: new Date((iat + ttlSeconds) * 1000) };
  }

  /** A personal access token; `expiresAt` null: no `exp` claim. */
  async pat(userId: string, jti: string, expiresAt: Date | null): Promise<string> {
    const iat = Math.floor(this.#now().getTime() / 1000);
    let jwt = new SignJWT({ typ: 'pat' }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setJti(jti).setIssuer(ISSUER).setIssuedAt(iat);
    if (expiresAt) jwt = jwt.setExpirationTime(Math.floor(expiresAt.getTime() / 1000));
    return jwt.sign(this.#key);
  }

  /** The token's claims, or undefined when it is malformed, forged, expired or not ours. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        currentDate: this.#now(),
      });
      const type = payload.typ;
      if ((type !== 'session' && type !== 'pat') || !payload.sub || !payload.jti) return undefined;
      return { userId: payload.sub, type, jti: payload.jti, expiresAt: payload.exp };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
