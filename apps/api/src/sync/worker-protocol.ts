import type { ProgressEvent, TableRunConfig } from '@agnes/connector-runtime';
import type { ExtractStats, FileAccess, SchemaJson } from '@agnes/connector-kit';

/** What the server asks of a sync worker (a child process). */
export type WorkerRequest =
  | {
      readonly kind: 'run';
      readonly extractDir: string;
      readonly manifestPath: string;
      readonly config: Record<string, unknown>;
      readonly env: Record<string, string>;
      readonly fileAccess: FileAccess;
      readonly tables?: Record<string, TableRunConfig> | undefined;
    }
  | {
      readonly kind: 'discover';
      readonly manifestPath: string;
      readonly config: Record<string, unknown>;
      readonly env: Record<string, string>;
      readonly fileAccess: FileAccess;
    };

/** A table a connector offers, in JSON. */
export interface DiscoveredTable {
  readonly name: string;
  readonly description: string | null;
  readonly primaryKey: string[];
  readonly incrementalKey: string | null;
  readonly remote: boolean;
  readonly schema: SchemaJson;
}

/** What a sync worker reports back. */
export type WorkerMessage =
  | { readonly kind: 'progress'; readonly event: ProgressEvent }
  | { readonly kind: 'ran'; readonly stats: ExtractStats }
  | { readonly kind: 'discovered'; readonly tables: DiscoveredTable[] }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };
