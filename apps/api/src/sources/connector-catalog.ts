import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type ConnectorManifest, loadManifest } from '@agnes/connector-kit';
import { ApiError } from '../http/api-error.js';

/** A connector package found on disk. */
export interface InstalledConnector {
  /** The npm package name, e.g. `@agnes/connector-csv`. */
  readonly package: string;
  readonly manifestPath: string;
  readonly manifest: ConnectorManifest;
}

const MANIFEST = 'connector.yaml';

/**
 * The connectors a source may use: installed packages that ship a `connector.yaml` at their
 * root, found in the `node_modules` folders Node would resolve from here and from the working
 * directory, plus any given explicitly (`extra`: package name → manifest path).
 */
export class ConnectorCatalog {
  #cache: Promise<Map<string, InstalledConnector>> | undefined;

  constructor(
    private readonly options: { readonly cwd: string; readonly extra?: Readonly<Record<string, string>> | undefined },
  ) {}

  /** Every installed connector, by package name. */
  async list(): Promise<InstalledConnector[]> {
    return [...(await this.#all()).values()].sort((a, b) => a.package.localeCompare(b.package));
  }

  /** The connector of `pkg`, or a 400 naming the installed ones. */
  async get(pkg: string): Promise<InstalledConnector> {
    const all = await this.#all();
    const found = all.get(pkg);
    if (found) return found;
    const names = [...all.keys()].sort().join(', ') || 'none';
    throw new ApiError('invalid_request', `no installed connector package ${JSON.stringify(pkg)} (installed: ${names}); npm install it beside the server`);
  }

  #all(): Promise<Map<string, InstalledConnector>> {
    this.#cache ??= this.#scan().catch((error: unknown) => {
      this.#cache = undefined;
      throw error;
    });
    return this.#cache;
  }

  async #scan(): Promise<Map<string, InstalledConnector>> {
    const found = new Map<string, InstalledConnector>();
    const add = async (pkg: string, manifestPath: string) => {
      if (found.has(pkg) || !existsSync(manifestPath)) return;
      found.set(pkg, { package: pkg, manifestPath, manifest: await loadManifest(manifestPath) });
    };
    for (const [pkg, path] of Object.entries(this.options.extra ?? {})) await add(pkg, path);
    const roots = new Set([...(createRequire(import.meta.url).resolve.paths('x') ?? []), join(this.options.cwd, 'node_modules')]);
    for (const root of roots) {
      for (const pkg of await packagesIn(root)) await add(pkg, join(root, pkg, MANIFEST));
    }
    return found;
  }
}

async function packagesIn(root: string): Promise<string[]> {
  const names: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return names;
  }
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      const scoped = await readdir(join(root, entry)).catch(() => [] as string[]);
      for (const name of scoped) names.push(`${entry}/${name}`);
    } else {
      names.push(entry);
    }
  }
  return names;
}

