import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CliError } from '../errors/cli-error.js';

/** Asks for input; `secret` answers are never echoed. */
export interface Prompter {
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
  close(): void;
}

type TtyIn = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };

/** Reads a line without echo from a terminal in raw mode. */
function readHidden(stdin: TtyIn, stderr: Writable): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError('failure', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Prompts on stderr; on a terminal the secret is typed blind, from a pipe it is read as a line. */
export function createPrompter(stdin: TtyIn, stderr: Writable): Prompter {
  let lines: AsyncIterator<string> | undefined;
  let rl: ReturnType<typeof createInterface> | undefined;
  const nextLine = async (): Promise<string> => {
    if (!lines) {
      rl = createInterface({ input: stdin, terminal: false });
      lines = rl[Symbol.asyncIterator]();
    }
    const next = await lines.next();
    if (next.done) throw new CliError('usage', 'no input: stdin closed before the answer', { hint: 'run interactively, or pipe the answers (one per line)' });
    return next.value;
  };
  return {
    async ask(question, options = {}) {
      stderr.write(question);
      if (options.secret && stdin.isTTY && stdin.setRawMode) return readHidden(stdin, stderr);
      const answer = await nextLine();
      if (options.secret && !stdin.isTTY) stderr.write('\n');
      return answer;
    },
    close() {
      rl?.close();
    },
  };
}
