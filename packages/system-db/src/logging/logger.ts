/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The small logger interface the system database accepts (the same shape as the
 * connector kit's, so an app passes one pino child to every library).
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that drops everything: the default. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
