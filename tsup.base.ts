import type { Options } from 'tsup';

/** The one build shape every publishable package uses: ESM, d.ts, sourcemaps, node20. */
export function packageBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
  };
}
