import { describe, expect, it } from 'vitest';
import { CsvParser } from './csv.js';

function parseChunks(chunks: string[]): string[][] {
  const p = new CsvParser();
  const rows = chunks.flatMap((c) => p.push(c));
  return [...rows, ...p.end()];
}

const TEXT = '"1","Acme ""Rockets"", Inc.\nline 2",""\r\n2,plain,x\n"3","",\n"4","a\r\nb","""q"""';
const EXPECTED = [
  ['1', 'Acme "Rockets", Inc.\nline 2', ''],
  ['2', 'plain', 'x'],
  ['3', '', ''],
  ['4', 'a\r\nb', '"q"'],
];

describe('CsvParser', () => {
  it('parses quotes, escaped quotes, commas and line breaks inside quotes, CRLF and a last line without break', () => {
    expect(parseChunks([TEXT])).toEqual(EXPECTED);
  });

  it('gives the same rows however the text is split', () => {
    for (let i = 0; i <= TEXT.length; i++) {
      for (const j of [i, Math.min(TEXT.length, i + 1), Math.min(TEXT.length, i + 3)]) {
        expect(parseChunks([TEXT.slice(0, i), TEXT.slice(i, j), TEXT.slice(j)]), `split at ${i},${j}`).toEqual(EXPECTED);
      }
    }
    expect(parseChunks([...TEXT])).toEqual(EXPECTED);
  });

  it('skips blank lines, keeps a trailing empty field, and refuses an unterminated quote', () => {
    expect(parseChunks(['a,b\n\n\nc,\n'])).toEqual([['a', 'b'], ['c', '']]);
    const p = new CsvParser();
    p.push('"open');
    expect(() => p.end()).toThrow(SyntaxError);
  });
});
