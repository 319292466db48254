// Source-tree entry of the query worker: registers tsx in this process, then loads the
// TypeScript worker. Built packages fork dist/query-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./query-worker.ts');
