import { describe, expect, it } from 'vitest';
import { adfToText } from './adf.js';

describe('adfToText', () => {
  it('keeps one line per block and the text of inline nodes', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Hi ' }, { type: 'mention', attrs: { id: '5b10', text: '@Marie' } }] },
        { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] }] },
        { type: 'paragraph', content: [{ type: 'inlineCard', attrs: { url: 'https://x.example' } }, { type: 'hardBreak' }, { type: 'text', text: 'end' }] },
      ],
    };
    expect(adfToText(doc)).toBe('Hi @Marie\none\nhttps://x.example\nend');
  });

  it('passes webhook wiki markup through and maps absence to null', () => {
    expect(adfToText('*bold* text')).toBe('*bold* text');
    expect(adfToText(null)).toBeNull();
    expect(adfToText(undefined)).toBeNull();
  });
});
