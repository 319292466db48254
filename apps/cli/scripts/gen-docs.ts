/**
 * Writes docs/cli.md from the command definitions:
 *   pnpm --filter @agnes/cli docs
 * `test/docs.test.ts` fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../src/config.js';
import { renderCliDocs } from '../src/docs/cli-docs.js';
import { buildProgram } from '../src/program.js';
import { VERSION } from '../src/version.js';

export const DOCS_FILE = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));

/** The reference as generated now (independent of the caller's environment). */
export function generateCliDocs(): string {
  const sink = new PassThrough();
  return renderCliDocs(buildProgram({ env: loadEnv({}, '/'), stdin: sink, stdout: sink, stderr: sink, version: VERSION }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(DOCS_FILE, generateCliDocs());
  console.log(`wrote ${DOCS_FILE}`);
}
