import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env.js';
import type { AppDeps } from './deps.js';

const SECRET_KEY = /pass|secret|token|key|authorization|credential/i;

/** Copies request parameters for the audit log with every secret-looking value replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4) return '…';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]),
    );
  }
  if (typeof value === 'string' && value.length > 500) return `${value.slice(0, 500)}…`;
  return value;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** POST routes that only read: audited when refused, not on every success. */
const READS = new Set(['/api/query']);

/**
 * Writes every mutating call and every denied call (401/403) to the audit log: who, what
 * route, which parameters (secrets redacted), the status and how long it took.
 */
export function auditTrail(deps: Pick<AppDeps, 'db' | 'logger'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const denied = status === 401 || status === 403;
    if (!denied && (!MUTATING.has(c.req.method) || (READS.has(c.req.path) && status < 400))) return;
    const path = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : c.req.path;
    let body: unknown;
    if ((c.req.header('content-type') ?? '').includes('application/json')) body = await c.req.json().catch(() => undefined);
    const caller = c.get('caller');
    try {
      await deps.db.audit.append({
        actor: caller?.user.id ?? null,
        action: `${c.req.method} ${path}`,
        target: c.req.path,
        details: {
          status,
          result: status < 400 ? 'ok' : denied ? 'denied' : 'error',
          duration_ms: Math.round(performance.now() - started),
          ip: c.get('clientIp'),
          params: redact({ ...c.req.param(), ...c.req.query(), ...(body && typeof body === 'object' ? body : {}) }),
        },
      });
    } catch (error) {
      deps.logger.error('cannot write the audit log', { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
