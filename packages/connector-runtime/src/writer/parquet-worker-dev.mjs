// Source-tree entry of the parquet worker: registers tsx in this thread, then loads
// the TypeScript worker. Published packages use dist/parquet-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./parquet-worker.ts');
