import pg from 'pg';
import type { Logger } from '@agnes/connector-kit';
import { mapPgError } from './errors.js';

/**
 * Every value arrives as PostgreSQL's text output: the decoders parse int8, numeric and
 * timestamps exactly, which pg's default parsers (JS numbers and Dates) cannot.
 */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/**
 * Session settings the text decoders rely on: UTC instants, ISO dates, hex bytea and
 * shortest exact float output.
 */
const SESSION_SETUP = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET bytea_output = 'hex'; SET extra_float_digits = 1";

/** Opens one client with raw-text parsing and the session settings; errors become connector errors. */
export async function connect(url: string, logger: Logger): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: RAW_TEXT, connectionTimeoutMillis: 15_000, application_name: 'agnes-connector-postgres' });
  // An idle client that loses its socket emits 'error'; without a listener Node would crash.
  client.on('error', (error) => logger.warn('postgres connection error', { code: (error as { code?: string }).code ?? 'unknown' }));
  try {
    await client.connect();
    await client.query(SESSION_SETUP);
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw mapPgError(error, 'connecting');
  }
}
