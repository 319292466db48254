import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig({
  ...packageBuild({
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    // Loaded by URL beside dist/index.js (see writer/parquet-writer.ts).
    'parquet-worker': 'src/writer/parquet-worker.ts',
  }),
  external: ['vitest', '@duckdb/node-api', '@duckdb/node-bindings', 'apache-arrow', '@agnes/connector-kit', 'proper-lockfile'],
});
