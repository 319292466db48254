import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Where a host lets connectors read local files. Hosts that run sources configured by
 * other people (the Agnes server) pass one in the connector's context; without one a
 * connector reads wherever its config points (a developer's own machine).
 */
export interface FileAccess {
  /** Folders whose contents sources may read. */
  readonly roots: readonly string[];
  /** Folders never readable, even under a root (the host's own state). */
  readonly denied: readonly string[];
  /** What an operator changes to allow another folder, named in every refusal, e.g. `AGNES_SOURCE_ROOTS`. */
  readonly setting: string;
}

/**
 * The absolute path with every symlink resolved. For a path that does not exist (yet), the
 * longest existing ancestor is resolved and the rest appended, so a missing folder below a
 * symlink still resolves to where it would be created.
 */
export function resolvedPath(path: string): string {
  const absolute = resolve(path);
  const missing: string[] = [];
  for (let at = absolute; ; at = dirname(at)) {
    try {
      return join(realpathSync.native(at), ...missing.reverse());
    } catch {
      if (dirname(at) === at) return absolute;
      missing.push(basename(at));
    }
  }
}

function within(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * Why a source may not read `path` under `access`, or `undefined` when it may: the path, with
 * symlinks resolved, must lie under one of `access.roots`, and neither lie in nor contain a
 * denied folder. Relative paths resolve against the working directory. The message names the
 * resolved path, the setting and the allowed roots.
 *
 * @example
 * const access = { roots: ['/srv/agnes/files'], denied: ['/srv/agnes/state'], setting: 'AGNES_SOURCE_ROOTS' };
 * filePathProblem('/etc', access);
 * // '/etc is outside the folders sources may read (AGNES_SOURCE_ROOTS: /srv/agnes/files); …'
 */
export function filePathProblem(path: string, access: FileAccess): string | undefined {
  const real = resolvedPath(path);
  const shown = real === path ? path : `${path} (resolved: ${real})`;
  const roots = access.roots.map(resolvedPath);
  const allowed = `${access.setting}: ${roots.join(', ') || 'none'}`;
  if (!roots.some((root) => within(real, root))) {
    return `${shown} is outside the folders sources may read (${allowed}); move the files under one of them, or add the folder to ${access.setting}`;
  }
  for (const denied of access.denied.map(resolvedPath)) {
    if (within(real, denied) || within(denied, real)) {
      return `${shown} ${within(real, denied) ? 'is in' : 'contains'} ${denied}, which sources may never read (the host's own state), whatever ${access.setting} allows; point it at a folder of data files (${allowed})`;
    }
  }
  return undefined;
}
