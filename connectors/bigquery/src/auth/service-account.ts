import { readFile } from 'node:fs/promises';
import { importPKCS8, SignJWT } from 'jose';
import { AuthError, isConnectorError } from '@agnes/connector-kit';
import { type HttpOptions, requestJson } from '../api/http.js';
import { CREDENTIALS_ENV } from '../config.js';

/** Scope of the access tokens: read data, run query jobs. */
export const BIGQUERY_SCOPE = 'https://www.googleapis.com/auth/bigquery';

/** Google's token endpoint, used when the key file names none. */
export const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** A token is renewed this long before it expires, so no request starts with one about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

/** Lifetime asked for in the assertion; Google caps it at one hour. */
const ASSERTION_LIFETIME_S = 3600;

/** The fields of a service-account JSON key file that the connector uses. */
interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
}

async function loadKey(path: string): Promise<ServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new AuthError(`${CREDENTIALS_ENV} names ${path}, which cannot be read${typeof code === 'string' ? ` (${code})` : ''}; set it to the path of a service-account JSON key file`);
  }
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // JSON.parse quotes the text it choked on, which may be the private key: say nothing of it.
    throw new AuthError(`${CREDENTIALS_ENV} names ${path}, which is not JSON; download a service-account key (JSON) from the Cloud console`);
  }
  const problems: string[] = [];
  if (key?.type !== 'service_account') problems.push(`its "type" is ${JSON.stringify(key?.type ?? null)}, expected "service_account"`);
  if (typeof key?.client_email !== 'string' || !key.client_email) problems.push('it has no client_email');
  if (typeof key?.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) problems.push('it has no PEM private_key');
  if (key?.token_uri !== undefined && typeof key.token_uri !== 'string') problems.push('its token_uri is not text');
  if (problems.length) throw new AuthError(`${CREDENTIALS_ENV} names ${path}, which is not a service-account key file: ${problems.join('; ')}`);
  return {
    client_email: key.client_email as string,
    private_key: key.private_key as string,
    ...(typeof key.private_key_id === 'string' ? { private_key_id: key.private_key_id } : {}),
    token_uri: (key.token_uri as string | undefined) ?? DEFAULT_TOKEN_URI,
  };
}

/**
 * OAuth 2.0 access tokens for a service account (the JWT bearer grant, RFC 7523):
 * an RS256 assertion signed with the key file's private key is exchanged at the key's
 * `token_uri`; the token is cached until shortly before it expires. The key and the
 * token never appear in an error message or a log line.
 */
export class ServiceAccountTokens {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  /**
   * @param keyPath the value of {@link CREDENTIALS_ENV}, or undefined when it is unset
   * @param http logger, retry tuning and timeout of the token request
   * @param now injectable clock (tests)
   */
  constructor(
    private readonly keyPath: string | undefined,
    private readonly http: HttpOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token, from the cache or a new exchange. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return this.cached.token;
    // Concurrent callers share one exchange.
    this.pending ??= this.exchange(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the cached token (after BigQuery refused it). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async exchange(signal: AbortSignal | undefined): Promise<string> {
    if (!this.keyPath) {
      throw new AuthError(`${CREDENTIALS_ENV} is not set; set it to the path of a service-account JSON key file with access to BigQuery`);
    }
    const key = await loadKey(this.keyPath);
    let assertion: string;
    try {
      const privateKey = await importPKCS8(key.private_key, 'RS256');
      const iat = Math.floor(this.now() / 1000);
      assertion = await new SignJWT({ scope: BIGQUERY_SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) })
        .setIssuer(key.client_email)
        .setSubject(key.client_email)
        .setAudience(key.token_uri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ASSERTION_LIFETIME_S)
        .sign(privateKey);
    } catch {
      throw new AuthError(`the private_key in the key file named by ${CREDENTIALS_ENV} is not a usable RSA key (PKCS#8 PEM); download a new key`);
    }
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    let answer: TokenResponse;
    try {
      answer = await requestJson<TokenResponse>(
        key.token_uri,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() },
        'token exchange',
        { ...this.http, ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      // The token endpoint answers a refused assertion with 400 invalid_grant.
      if (isConnectorError(error) && (error.code === 'config' || error.code === 'fatal' || error.code === 'auth')) {
        throw new AuthError(
          `the token endpoint refused the service account ${key.client_email} (${error.message}); check the key file named by ${CREDENTIALS_ENV} (deleted or disabled key, wrong project)`,
        );
      }
      throw error;
    }
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new AuthError(`the token endpoint gave no access_token for the service account of ${CREDENTIALS_ENV}`);
    }
    const expiresIn = Number(answer.expires_in);
    this.cached = { token: answer.access_token, expiresAt: this.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000 };
    return answer.access_token;
  }
}
