import { describe, expect, it } from 'vitest';
import { ConfigError } from '@agnes/connector-kit';
import { resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('takes the URL from the AGNES_PG_URL secret and applies defaults', () => {
    expect(resolveConfig({}, { AGNES_PG_URL: 'postgres://u:p@h/db' })).toEqual({
      url: 'postgres://u:p@h/db',
      schemas: ['public'],
      tables: undefined,
      batchSize: 10_000,
    });
  });

  it('reports every problem at once without echoing the secret', () => {
    let error: unknown;
    try {
      resolveConfig({ schemas: 'public', batch_size: 0, extra: 1 }, { AGNES_PG_URL: 'mysql://u:hunter2@h/db' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('4 problems');
    for (const field of ['config.extra', 'AGNES_PG_URL', 'config.schemas', 'config.batch_size']) expect(message).toContain(field);
    expect(message).not.toContain('hunter2');
  });

  it('names the secret when no URL is given', () => {
    expect(() => resolveConfig({}, {})).toThrow(/AGNES_PG_URL/);
  });
});
