import { describe, expect, it } from 'vitest';
import { attachStatements, DEFAULT_TOKEN_ENVS, remoteRowProblems } from './remote-policy.js';

const row = { alias: 'kbc', extension: 'keboola', url: 'https://connection.keboola.com', tokenEnv: 'KBC_TOKEN' };

describe('remote attach policy', () => {
  it('accepts an allowlisted extension and token variable', () => {
    expect(remoteRowProblems(row)).toEqual([]);
    expect(DEFAULT_TOKEN_ENVS).toEqual(['KBC_TOKEN', 'KBC_STORAGE_TOKEN', 'KEBOOLA_STORAGE_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS']);
  });

  it('refuses a row that names any other variable, such as the server’s JWT secret', () => {
    expect(remoteRowProblems({ ...row, tokenEnv: 'JWT_SECRET_KEY' })).toEqual([
      'token variable "JWT_SECRET_KEY" is not on the allowlist (KBC_TOKEN, KBC_STORAGE_TOKEN, KEBOOLA_STORAGE_TOKEN, GOOGLE_APPLICATION_CREDENTIALS)',
    ]);
  });

  it('refuses extensions off the allowlist; a configured list replaces the default', () => {
    expect(remoteRowProblems({ ...row, extension: 'httpfs' }).join()).toMatch(/extension "httpfs" is not on the allowlist/);
    expect(remoteRowProblems(row, { extensions: ['bigquery'] }).join()).toMatch(/extension "keboola" is not on the allowlist \(bigquery\)/);
  });

  it('refuses aliases and extensions that are not identifiers', () => {
    expect(remoteRowProblems({ ...row, alias: 'kbc; DROP' }).join()).toMatch(/alias name "kbc; DROP" is invalid/);
  });

  it('escapes quotes in URLs and tokens and never installs anything', () => {
    const sql = attachStatements({ ...row, url: "https://x.com/'); ATTACH '/etc" }, { KBC_TOKEN: "t'ok" });
    expect(sql).toEqual([
      'LOAD keboola',
      `ATTACH 'https://x.com/''); ATTACH ''/etc' AS "kbc" (TYPE keboola, TOKEN 't''ok', READ_ONLY)`,
    ]);
    expect(sql.join(' ')).not.toMatch(/INSTALL/i);
  });
});
