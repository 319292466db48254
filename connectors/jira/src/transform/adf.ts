import { obj, objects, str, type Json } from './values.js';

const BLOCKS = new Set(['paragraph', 'heading', 'blockquote', 'codeBlock', 'listItem', 'tableRow', 'panel', 'rule', 'mediaSingle']);

/**
 * Plain text of a rich-text value: the REST API v3 sends Atlassian Document Format
 * (a JSON tree), webhooks send the v2 wiki-markup string. Strings pass through;
 * documents become their text with one line per block. Null when absent.
 *
 * @example
 * adfToText({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hi' }] }] }); // 'Hi'
 */
export function adfToText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  const doc = obj(value);
  if (!doc) return null;
  const lines: string[] = [];
  let line = '';
  const walk = (node: Json): void => {
    const type = str(node.type);
    const attrs = obj(node.attrs) ?? {};
    if (type === 'text') line += str(node.text) ?? '';
    else if (type === 'hardBreak') line += '\n';
    else if (type === 'mention' || type === 'emoji' || type === 'status' || type === 'date') {
      line += str(attrs.text) ?? str(attrs.shortName) ?? str(attrs.timestamp) ?? '';
    } else if (type === 'inlineCard' || type === 'blockCard') line += str(attrs.url) ?? '';
    for (const child of objects(node.content)) walk(child);
    if (type && BLOCKS.has(type)) {
      if (line !== '') lines.push(line);
      line = '';
    }
  };
  walk(doc);
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
