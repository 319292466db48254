import { describe, expect, it } from 'vitest';
import { identifierProblem, isValidIdentifier, quoteIdent, quoteLiteral } from './identifiers.js';

describe('identifiers', () => {
  it('accepts the documented pattern', () => {
    for (const ok of ['a', 'orders', 'Orders_2026', 'x'.repeat(64), 'A1_b2']) expect(isValidIdentifier(ok, 'table')).toBe(true);
  });

  it('refuses bad names with a message naming the name and the rule', () => {
    for (const bad of ['', '1abc', 'a-b', 'a b', 'x'.repeat(65), 'žluť', 'tablé', 'données_2026', 'a;drop', 'a"b', 'a\n']) {
      expect(isValidIdentifier(bad, 'table')).toBe(false);
    }
    expect(identifierProblem('1abc', 'source')).toBe(
      'source name "1abc" is invalid: it must be a letter or underscore, then letters, digits or underscores, at most 64 characters, not starting with "_" (reserved)',
    );
  });

  it('reserves a leading underscore for contract tables, for sources and tables only', () => {
    expect(identifierProblem('_meta', 'table')).toMatch(/reserved for contract tables/);
    expect(identifierProblem('_x', 'source')).toMatch(/reserved/);
    expect(identifierProblem('_x', 'column')).toBeUndefined();
  });

  it('quotes identifiers and literals', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});
