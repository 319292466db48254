import type { Logger } from '@agnes/connector-kit';
import type { QueryPool } from '@agnes/orchestrator';
import type { SystemDb } from '@agnes/system-db';
import type { TokenSigner } from '../auth/jwt.js';
import type { PublishedTables } from '../catalog/published-tables.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { ConnectorCatalog } from '../sources/connector-catalog.js';
import type { SyncService } from '../sync/sync-service.js';
import type { WebhookIngest } from '../webhooks/webhook-ingest.js';

/** Settings the routes read; all come from the server's config. */
export interface ApiSettings {
  /** Reported by `/api/health`. */
  readonly version: string;
  /** Peers whose `X-Forwarded-For` is believed. */
  readonly trustedProxies: ReadonlySet<string>;
  /** Rows `/api/query` returns at most (a request's `limit` may lower it). */
  readonly queryMaxRows: number;
  /** Bytes of JSON values `/api/query` returns at most (past it: `truncated`). */
  readonly queryMaxBytes: number;
  readonly queryTimeoutMs: number;
  /** Folder whose free space `/api/health` reports. */
  readonly dataDir: string;
  /** `Secure` on the session cookie (behind HTTPS). */
  readonly secureCookies: boolean;
  /** The `da` tarball served at `/cli/da.tgz`, if any. */
  readonly cliTarball: string | undefined;
  /** JIRA_WEBHOOK_SECRET; unset: the webhook endpoint refuses everything. */
  readonly webhookSecret: string | undefined;
}

/** Everything `createApp` needs, injected so tests can build an app on real parts in a temp dir. */
export interface AppDeps {
  readonly db: SystemDb;
  readonly signer: TokenSigner;
  readonly tables: PublishedTables;
  /** Runs untrusted SQL in worker processes (both query walls, caps and bounds). */
  readonly queries: QueryPool;
  readonly sync: SyncService;
  readonly connectors: ConnectorCatalog;
  readonly webhooks: WebhookIngest | undefined;
  readonly loginLimiter: RateLimiter;
  readonly settings: ApiSettings;
  readonly clock: () => Date;
  readonly logger: Logger;
}
