import type { Command } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { resolve } from 'node:path';
import type { CliEnv } from '../config.js';
import { createOutput, type Output } from '../output/output.js';
import { openSession, type Session } from '../auth/session.js';
import { createPrompter, type Prompter } from '../auth/prompt.js';
import { type Workspace, workspaceAt } from '../workspace/workspace.js';

/** What a command's action gets: environment, output, workspace, session. */
export interface Context {
  readonly env: CliEnv;
  readonly out: Output;
  readonly workspace: Workspace;
  readonly version: string;
  session(options?: { needToken?: boolean; server?: string | undefined }): Promise<Session>;
  prompter(): Prompter;
}

/** The process-level pieces every invocation shares. */
export interface Runtime {
  readonly env: CliEnv;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly version: string;
}

/** Builds the context of the command being run, from its (and the global) options. */
export function contextOf(runtime: Runtime, command: Command): Context {
  const opts = command.optsWithGlobals<{ json?: boolean; dir?: string }>();
  const out = createOutput({ json: Boolean(opts.json), interactive: runtime.env.interactive, stdout: runtime.stdout, stderr: runtime.stderr });
  const workspace = workspaceAt(opts.dir ? resolve(runtime.env.workspace, opts.dir) : runtime.env.workspace);
  let prompter: Prompter | undefined;
  return {
    env: runtime.env,
    out,
    workspace,
    version: runtime.version,
    session: (options = {}) => openSession(runtime.env, { ...(options.needToken === undefined ? {} : { needToken: options.needToken }), ...(options.server ? { server: options.server } : {}) }),
    prompter() {
      prompter ??= createPrompter(runtime.stdin as Readable & { isTTY?: boolean }, runtime.stderr);
      return prompter;
    },
  };
}

/** Help examples, shown by `--help` and in docs/cli.md. */
export const EXAMPLES = new WeakMap<Command, readonly string[]>();

/** Adds examples to a command's help. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  EXAMPLES.set(command, examples);
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}

/** Wraps an action so it receives the context and its own arguments. */
export function action<A extends unknown[]>(runtime: Runtime, fn: (ctx: Context, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    await fn(contextOf(runtime, command), ...(args.slice(0, -1) as A));
  };
}
