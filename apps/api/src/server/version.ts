import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// From src/server/ in the source tree and from dist/ when built.
const found = ['../package.json', '../../package.json']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)))
  .find((p) => existsSync(p) && (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === '@agnes/api');

/** The API package's version, reported by `/api/health`. */
export const VERSION: string = found ? (JSON.parse(readFileSync(found, 'utf8')) as { version: string }).version : '0.0.0';

/** The API package's folder (where its package.json is). */
export const PACKAGE_ROOT: string | undefined = found ? dirname(found) : undefined;
