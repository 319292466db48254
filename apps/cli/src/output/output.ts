import type { Writable } from 'node:stream';

/** Where a command writes: results to stdout, messages to stderr, JSON when asked. */
export interface Output {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Prints a command's result: `data` as JSON with --json, else `human()`'s lines. */
  result(data: unknown, human: () => string | readonly string[]): void;
  /** A line for a person on stderr (suppressed with --json). */
  info(line: string): void;
  /** A warning on stderr (kept with --json: stderr is not parsed). */
  warn(line: string): void;
}

/** JSON with bigints as exact strings. */
export function toJson(data: unknown): string {
  return JSON.stringify(data, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2);
}

/** The output of one invocation. */
export function createOutput(options: { json: boolean; interactive: boolean; stdout: Writable; stderr: Writable }): Output {
  const { json, stdout, stderr } = options;
  return {
    json,
    interactive: options.interactive && !json,
    stdout,
    stderr,
    result(data, human) {
      if (json) {
        stdout.write(`${toJson(data)}\n`);
        return;
      }
      const lines = human();
      const text = typeof lines === 'string' ? lines : lines.join('\n');
      if (text !== '') stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    info(line) {
      if (!json) stderr.write(`${line}\n`);
    },
    warn(line) {
      stderr.write(`warning: ${line}\n`);
    },
  };
}

/** Left-aligned columns with a header rule; for lists in human output. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
