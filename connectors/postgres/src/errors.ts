import { AuthError, type ConnectorError, FatalSourceError, isConnectorError, TransientSourceError } from '@agnes/connector-kit';
import { URL_ENV_VAR } from './config.js';

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * SQLSTATE classes and codes worth a retry: connection exceptions (08), serialization
 * failures and deadlocks, too many connections, resource shortages, shutdown, cancelled
 * statements (a statement_timeout).
 */
function isTransientSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || ['40001', '40P01', '57P01', '57P02', '57P03', '57014'].includes(code);
}

/**
 * Maps a `pg` (or socket) error to the connector error that says what happens next.
 * Messages name the variable {@link URL_ENV_VAR}, never the URL or a password.
 */
export function mapPgError(error: unknown, what: string): ConnectorError {
  if (isConnectorError(error)) return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (code === '28P01' || code === '28000') {
    return new AuthError(`PostgreSQL refused the credentials while ${what} (SQLSTATE ${code}); check the user and password in ${URL_ENV_VAR}`, {
      cause: error,
    });
  }
  if (code === '42501') {
    return new FatalSourceError(`PostgreSQL denied access while ${what} (SQLSTATE 42501): grant SELECT to the user in ${URL_ENV_VAR}`, { cause: error });
  }
  if (code === '42P01' || code === '3F000') {
    return new FatalSourceError(`${what}: the table or schema does not exist (SQLSTATE ${code}); run discover again`, { cause: error });
  }
  if (code === '3D000') {
    return new FatalSourceError(`${what}: the database named in ${URL_ENV_VAR} does not exist (SQLSTATE 3D000)`, { cause: error });
  }
  if (
    TRANSIENT_NODE_CODES.has(code) ||
    isTransientSqlState(code) ||
    /timeout|terminated unexpectedly|Connection terminated/i.test(message)
  ) {
    return new TransientSourceError(`PostgreSQL unreachable or busy while ${what}: ${code || message}`, { cause: error });
  }
  return new FatalSourceError(`PostgreSQL failed while ${what}${code ? ` (SQLSTATE ${code})` : ''}: ${message}`, { cause: error });
}
