import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../app/deps.js';
import { ApiError } from '../http/api-error.js';
import type { AppEnv } from '../http/env.js';
import { json, route } from '../http/openapi.js';
import { verifySignature } from '../webhooks/signature.js';

/** Signed webhook intake (Jira). */
export function webhookRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    route('public', {
      method: 'post',
      path: '/api/jira/webhook',
      tags: ['webhooks'],
      summary: 'Jira webhook: `X-Hub-Signature: sha256=<hex>` = HMAC-SHA256 of the raw body with JIRA_WEBHOOK_SECRET',
      request: { headers: z.object({ 'x-hub-signature': z.string().optional() }) },
      responses: { 202: json(z.object({ accepted: z.literal(true) })) },
    }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!deps.webhooks || !verifySignature(deps.settings.webhookSecret, raw, c.req.header('x-hub-signature'))) {
        throw new ApiError('unauthenticated', 'the webhook signature is missing or wrong (X-Hub-Signature: sha256=<HMAC-SHA256 of the body with the shared secret>)');
      }
      let event: unknown;
      try {
        event = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        throw new ApiError('invalid_request', 'the webhook body is not JSON');
      }
      await deps.webhooks.accept(event);
      return c.json({ accepted: true as const }, 202);
    },
  );
}
