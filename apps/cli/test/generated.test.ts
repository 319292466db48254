import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../scripts/gen-api-types.js';
import { DOCS_FILE, generateCliDocs } from '../scripts/gen-docs.js';

describe('generated files are current', () => {
  it('src/api/schema.d.ts matches the API OpenAPI document (regenerate: pnpm --filter @agnes/cli gen:api)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(await generateApiTypes());
  });

  it('docs/cli.md matches the command definitions (regenerate: pnpm --filter @agnes/cli docs)', async () => {
    expect(await readFile(DOCS_FILE, 'utf8')).toBe(generateCliDocs());
  });
});
