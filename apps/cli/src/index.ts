/**
 * `da`, the Agnes analyst CLI, as a library: the command tree, the runner and the
 * pieces other tools reuse (sync planning, the exit-code table).
 *
 * @example
 * import { run, loadEnv } from '@agnes/cli';
 * const code = await run(['status', '--json'], { env: loadEnv(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, version: '0.1.0' });
 */
export { run, buildProgram, processRuntime } from './program.js';
export { loadEnv, type CliEnv } from './config.js';
export type { Runtime } from './commands/context.js';
export { CliError, isCliError, EXIT_CODES, EXIT_CODE_DOCS, type CliErrorCode } from './errors/cli-error.js';
export { planSync, type Manifest, type ManifestTable, type SyncPlan, type PlannedTable } from './sync/plan.js';
export { runSync, type SyncReport, type SyncOptions } from './sync/sync.js';
export { renderCliDocs } from './docs/cli-docs.js';
export { VERSION } from './version.js';
