import { describe, expect, it } from 'vitest';
import { formatBytes, quoteBq, readQuery } from './materialize.js';

describe('readQuery', () => {
  it('runs the configured SQL unchanged without projection or cursor', () => {
    expect(readQuery('SELECT 1 AS n;', undefined, undefined)).toEqual({ query: 'SELECT 1 AS n;' });
  });

  it('wraps the SQL for a projection and a typed cursor parameter, closing trailing comments and semicolons', () => {
    const spec = readQuery('SELECT * FROM t -- all rows\n;', ['a', 'we`ird'], { key: { name: 'n', type: 'INTEGER' }, value: '42' });
    expect(spec.query).toBe('SELECT `a`, `we\\`ird` FROM (\nSELECT * FROM t -- all rows\n) WHERE `n` >= @agnes_cursor');
    expect(spec.parameters).toEqual([{ name: 'agnes_cursor', parameterType: { type: 'INT64' }, parameterValue: { value: '42' } }]);
  });
});

describe('helpers', () => {
  it('quotes identifiers and formats byte counts', () => {
    expect(quoteBq('x\\y')).toBe('`x\\\\y`');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10.0 GiB');
  });
});
