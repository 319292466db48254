// Source-tree entry of the sync worker: registers tsx in this process, then loads the
// TypeScript worker. Built packages fork dist/sync-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./sync-worker.ts');
