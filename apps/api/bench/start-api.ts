/* The built server (dist/bin.js) in its own process for the benchmarks, with an admin to sign in as. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The admin every benchmark server is started with. */
export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench password' };

/** Starts `agnes-server` on a free port over `dataDir` and resolves with its URL once it listens. */
export async function startApi(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--port', '0', '--no-scheduler'], {
    env: { ...process.env, AGNES_ADMIN_EMAIL: BENCH_ADMIN.email, AGNES_ADMIN_PASSWORD: BENCH_ADMIN.password, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening on (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  return { child, url };
}
