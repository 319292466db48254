import type { Options } from 'tsup';

/** The one build shape every publishable package uses: ESM, d.ts, sourcemaps, node20. */
export function packageBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    // tsup's d.ts build sets baseUrl, which TypeScript 6 flags as deprecated.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
  };
}
