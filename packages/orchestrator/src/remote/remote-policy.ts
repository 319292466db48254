import { quoteIdent, quoteLiteral, remoteAttachProblems, type RemoteAttachRow } from '@agnes/connector-kit';

/** Extensions whose `_remote_attach` rows are honoured by default. */
export const DEFAULT_EXTENSIONS: readonly string[] = ['keboola', 'bigquery'];

/** Variables a `_remote_attach` row may name as its token by default. */
export const DEFAULT_TOKEN_ENVS: readonly string[] = [
  'KBC_TOKEN',
  'KBC_STORAGE_TOKEN',
  'KEBOOLA_STORAGE_TOKEN',
  'GOOGLE_APPLICATION_CREDENTIALS',
];

/**
 * Turns one validated attach row into the SQL that attaches it. Receives the token
 * value (from `env`), never logs it. Statements must not INSTALL anything.
 */
export type Attacher = (row: RemoteAttachRow, token: string | undefined) => string[];

/** How the real warehouse extensions attach (they cannot be installed on this machine). */
export const DEFAULT_ATTACHERS: Readonly<Record<string, Attacher>> = {
  keboola: (row, token) => [
    'LOAD keboola',
    `ATTACH ${quoteLiteral(row.url)} AS ${quoteIdent(row.alias)} (TYPE keboola, TOKEN ${quoteLiteral(token ?? '')}, READ_ONLY)`,
  ],
  bigquery: (row) => ['LOAD bigquery', `ATTACH ${quoteLiteral(row.url)} AS ${quoteIdent(row.alias)} (TYPE bigquery, READ_ONLY)`],
};

/** The trust policy for `_remote_attach` rows. */
export interface RemotePolicy {
  /** Allowed extensions; replaces the default list. */
  extensions?: readonly string[];
  /** Allowed token variable names; replaces the default list. */
  tokenEnvs?: readonly string[];
  /** Attach SQL per extension; merged over the defaults (tests add a DuckDB-file attacher). */
  attachers?: Readonly<Record<string, Attacher>>;
}

/**
 * Why a `_remote_attach` row must not be used, or an empty list. It is a trust
 * boundary: an extract is written by a connector, and a row naming, say,
 * `JWT_SECRET_KEY` as its token would hand the server's secret to a remote host.
 */
export function remoteRowProblems(row: RemoteAttachRow, policy: RemotePolicy = {}): string[] {
  const problems = remoteAttachProblems({ extension: row.extension, alias: row.alias, url: row.url, tokenEnv: row.tokenEnv });
  const extensions = policy.extensions ?? DEFAULT_EXTENSIONS;
  const tokenEnvs = policy.tokenEnvs ?? DEFAULT_TOKEN_ENVS;
  if (!extensions.includes(row.extension)) {
    problems.push(`extension ${JSON.stringify(row.extension)} is not on the allowlist (${extensions.join(', ')})`);
  }
  if (!tokenEnvs.includes(row.tokenEnv)) {
    problems.push(`token variable ${JSON.stringify(row.tokenEnv)} is not on the allowlist (${tokenEnvs.join(', ')})`);
  }
  const attachers = { ...DEFAULT_ATTACHERS, ...policy.attachers };
  if (!attachers[row.extension]) problems.push(`no attacher is configured for extension ${JSON.stringify(row.extension)}`);
  return problems;
}

/** The SQL that attaches a row (validate it with {@link remoteRowProblems} first). */
export function attachStatements(row: RemoteAttachRow, env: Readonly<Record<string, string | undefined>>, policy: RemotePolicy = {}): string[] {
  const attacher = { ...DEFAULT_ATTACHERS, ...policy.attachers }[row.extension];
  if (!attacher) return [];
  return attacher(row, env[row.tokenEnv]);
}
