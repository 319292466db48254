import { describe, expect, it } from 'vitest';
import { envVarProblem, remoteAttachProblems } from './remote.js';

describe('remote attach safety', () => {
  it('accepts a clean attach description', () => {
    expect(remoteAttachProblems({ extension: 'keboola', url: 'https://connection.keboola.com', tokenEnv: 'KBC_TOKEN', alias: 'kbc' })).toEqual([]);
    expect(remoteAttachProblems({ extension: 'bigquery', url: 'project=my-project', tokenEnv: 'GOOGLE_APPLICATION_CREDENTIALS' })).toEqual([]);
  });

  it('names every problem: bad identifiers, a token instead of a name, credentials in the URL', () => {
    const problems = remoteAttachProblems({ extension: 'kbc;drop', alias: '1x', url: 'https://u:p@x.com/?api_key=1', tokenEnv: 'sk-123' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/extension name "kbc;drop" is invalid/);
    expect(problems.join('\n')).toMatch(/alias name "1x" is invalid/);
    expect(problems.join('\n')).toMatch(/tokenEnv "sk-123" is not an environment variable name/);
    expect(problems.join('\n')).toMatch(/url carries credentials/);
    expect(problems.join('\n')).toMatch(/secret-looking parameter/);
  });

  it('checks environment variable names', () => {
    expect(envVarProblem('KBC_TOKEN')).toBeUndefined();
    expect(envVarProblem('kbc_token')).toMatch(/not an environment variable name/);
    expect(envVarProblem('X'.repeat(65))).toBeDefined();
  });
});
