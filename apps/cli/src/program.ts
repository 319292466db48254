import { Command, CommanderError } from 'commander';
import type { CliEnv } from './config.js';
import { EXIT_CODES, isCliError } from './errors/cli-error.js';
import { adminCommand } from './commands/admin.js';
import { authCommands } from './commands/auth.js';
import { connectorCommand } from './commands/connector.js';
import type { Runtime } from './commands/context.js';
import { withExamples } from './commands/context.js';
import { dataCommands } from './commands/data.js';
import { diagnoseCommand } from './commands/diagnose.js';

/** Every command in the tree, depth first. */
export function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

/** The `da` command tree. Actions run against `runtime`; building it has no effects. */
export function buildProgram(runtime: Runtime): Command {
  const program = new Command('da')
    .description('The Agnes analyst CLI: sign in, sync the tables you may read into a local DuckDB, query them offline, administer the server.')
    .version(runtime.version, '-V, --version')
    .option('--json', 'machine-readable output on stdout (errors as JSON on stderr)')
    .option('--dir <path>', 'the workspace folder (default: DA_LOCAL_DIR or the current directory)');
  withExamples(program, ['da login --server https://agnes.example.com', 'da sync', 'da query "SELECT count(*) FROM orders"', 'da diagnose']);
  for (const command of [...authCommands(runtime), ...dataCommands(runtime), adminCommand(runtime), connectorCommand(runtime), diagnoseCommand(runtime)]) program.addCommand(command);
  for (const command of allCommands(program)) {
    command
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (s) => runtime.stdout.write(s),
        writeErr: (s) => runtime.stderr.write(s),
      });
    if (command !== program && command.commands.length > 0) command.action(() => command.help({ error: true }));
  }
  return program;
}

/** The exit code of a commander error: help and version are fine, the rest is usage. */
function commanderExit(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
  return EXIT_CODES.usage;
}

/**
 * Runs `da` with `argv` (without node and script) and resolves to the exit code.
 * The one place errors become exit codes and messages.
 */
export async function run(argv: readonly string[], runtime: Runtime): Promise<number> {
  const program = buildProgram(runtime);
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error);
    if (isCliError(error)) {
      const code = EXIT_CODES[error.code];
      if (json) runtime.stderr.write(`${JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint ?? null, exit_code: code } })}\n`);
      else runtime.stderr.write(`error: ${error.message}\n${error.hint ? `  next: ${error.hint}\n` : ''}`);
      return code;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    runtime.stderr.write(`internal error, please report it (with \`da diagnose\` output):\n${message}\n`);
    return 1;
  }
}

/** Builds the runtime of this process. */
export function processRuntime(env: CliEnv, version: string): Runtime {
  return { env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, version };
}
