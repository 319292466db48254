import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors/cli-error.js';

/** token.json: the saved credential (mode 0600). */
export interface SavedToken {
  readonly access_token: string;
  readonly server: string;
  readonly email: string | null;
  readonly role: string | null;
  readonly saved_at: string;
}

/** config.json: settings that are not secret. */
export interface SavedConfig {
  readonly server?: string | undefined;
}

const TOKEN_FILE = 'token.json';
const CONFIG_FILE = 'config.json';

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CliError('failure', `${file} is not valid JSON`, { hint: `delete it and run \`da login\` again`, cause: error });
  }
}

/** Writes via a temp file so a crash never leaves half a token; `mode` applies before any byte is visible. */
async function writeJson(file: string, data: unknown, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(data, null, 2)}\n`, { mode });
  await chmod(temp, mode);
  await rename(temp, file);
}

/** The saved token, if any. */
export async function readToken(configDir: string): Promise<SavedToken | undefined> {
  return readJson<SavedToken>(join(configDir, TOKEN_FILE));
}

/** Saves the token, readable by the owner only. */
export async function writeToken(configDir: string, token: SavedToken): Promise<string> {
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const file = join(configDir, TOKEN_FILE);
  await writeJson(file, token, 0o600);
  return file;
}

/** Forgets the token; true when there was one. */
export async function deleteToken(configDir: string): Promise<boolean> {
  const file = join(configDir, TOKEN_FILE);
  const existed = (await readToken(configDir).catch(() => 'broken')) !== undefined;
  await rm(file, { force: true });
  return existed;
}

/** The saved settings. */
export async function readConfig(configDir: string): Promise<SavedConfig> {
  return (await readJson<SavedConfig>(join(configDir, CONFIG_FILE))) ?? {};
}

/** Merges settings into config.json. */
export async function writeConfig(configDir: string, changes: SavedConfig): Promise<void> {
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await writeJson(join(configDir, CONFIG_FILE), { ...(await readConfig(configDir)), ...changes }, 0o644);
}

/** The claims of a JWT without verifying it (for display only; the server verifies). */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `https://agnes.example.com/` → `https://agnes.example.com`; refuses what is not http(s). */
export function normalizeServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('usage', `${JSON.stringify(url)} is not a URL`, { hint: 'give the server as e.g. --server https://agnes.example.com' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError('usage', `the server URL must start with http:// or https:// (got ${url})`);
  }
  return parsed.toString().replace(/\/+$/, '');
}
