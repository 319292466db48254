import type { FileAccess } from '../files/file-access.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import type { Connector } from '../protocol/connector.js';
import { anySignal, fetchWithRetry } from '../retry/retry.js';

/** What the host hands a connector factory besides its config. */
export interface ConnectorContext {
  /** The manifest's auth variables, resolved by the host. Connectors never read `process.env`. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The host's logger, already carrying the connector's name. */
  readonly logger: Logger;
  /**
   * {@link fetchWithRetry} bound to this context: it logs retries to `logger` and stops
   * when `signal` aborts (in addition to any signal passed per call).
   */
  readonly fetch: typeof fetchWithRetry;
  /** Aborted when the host cancels the run. */
  readonly signal?: AbortSignal;
  /**
   * Where the host lets this connector read local files; a connector that reads files
   * checks every path with `filePathProblem`. Unset: the host does not restrict.
   */
  readonly fileAccess?: FileAccess;
}

/**
 * The default export of a connector package's entrypoint: builds the connector from its
 * validated config and the host's context.
 *
 * @example
 * const factory: ConnectorFactory<{ url: string }> = ({ url }, ctx) =>
 *   defineConnector({ capabilities: Cap.DISCOVER, discover: async () => [] });
 * export default factory;
 */
export type ConnectorFactory<C = Record<string, unknown>> = (config: C, ctx: ConnectorContext) => Connector | Promise<Connector>;

/** What {@link createContext} needs; everything but the secrets is optional. */
export interface CreateContextOptions {
  secrets?: Readonly<Record<string, string>>;
  logger?: Logger;
  signal?: AbortSignal;
  fileAccess?: FileAccess;
}

/**
 * Builds a {@link ConnectorContext}: frozen secrets, the logger (silent by default) and a
 * `fetch` bound to that logger and signal. Hosts and tests use it to call a factory.
 *
 * @example
 * const ctx = createContext({ secrets: { API_TOKEN: 't0k' }, logger, signal: controller.signal });
 * const connector = await factory({ url: 'https://api.example.com' }, ctx);
 */
export function createContext(options: CreateContextOptions = {}): ConnectorContext {
  const logger = options.logger ?? silentLogger;
  const signal = options.signal;
  const boundFetch: typeof fetchWithRetry = (input, init, retry = {}) => {
    const combined = anySignal(signal, retry.signal);
    return fetchWithRetry(input, init, { logger, ...retry, ...(combined ? { signal: combined } : {}) });
  };
  return Object.freeze({
    secrets: Object.freeze({ ...options.secrets }),
    logger,
    fetch: boundFetch,
    ...(signal ? { signal } : {}),
    ...(options.fileAccess ? { fileAccess: Object.freeze({ ...options.fileAccess }) } : {}),
  });
}
