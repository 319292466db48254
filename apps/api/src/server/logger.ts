import type { Logger } from '@agnes/connector-kit';
import { pino } from 'pino';

/** The server's logger: JSON lines (pino) on stderr, adapted to the libraries' Logger. */
export function createLogger(level: string = 'info'): Logger {
  return adapt(pino({ level, base: undefined }, pino.destination(2)));
}

function adapt(log: pino.Logger): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (fields) => adapt(log.child(fields)),
  };
}
