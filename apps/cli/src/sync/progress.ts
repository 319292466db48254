import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import { formatBytes } from '../output/output.js';

/** How a sync shows its downloads. */
export interface SyncProgress {
  start(key: string, label: string, totalBytes: number | null): void;
  bytes(key: string, delta: number): void;
  finish(key: string, outcome: string): void;
  stop(): void;
}

/** No output (--json). */
export const silentProgress: SyncProgress = { start() {}, bytes() {}, finish() {}, stop() {} };

/** One line per finished file: for CI logs and pipes. */
export function lineProgress(stream: Writable, now: () => number = Date.now): SyncProgress {
  const started = new Map<string, { at: number; bytes: number }>();
  return {
    start(key) {
      started.set(key, { at: now(), bytes: 0 });
    },
    bytes(key, delta) {
      const s = started.get(key);
      if (s) s.bytes += delta;
    },
    finish(key, outcome) {
      const s = started.get(key);
      const secs = s ? (now() - s.at) / 1000 : 0;
      stream.write(`${key}: ${outcome}${s && outcome === 'ok' ? ` (${formatBytes(s.bytes)} in ${secs.toFixed(1)} s)` : ''}\n`);
    },
    stop() {},
  };
}

/** Bars with bytes, speed and ETA, one per download, on a terminal. */
export function barProgress(stream: Writable): SyncProgress {
  const multi = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WriteStream,
      clearOnComplete: false,
      hideCursor: true,
      barsize: 20,
      format: ' {key} [{bar}] {percentage}% | {done}/{size} | {speed}/s | ETA {eta_formatted}',
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; value: number; total: number; at: number }>();
  const payload = (s: { value: number; total: number; at: number }, key: string) => ({
    key: key.padEnd(18).slice(0, 18),
    done: formatBytes(s.value),
    size: formatBytes(s.total),
    speed: formatBytes(Math.round(s.value / Math.max(0.001, (Date.now() - s.at) / 1000))),
  });
  return {
    start(key, _label, totalBytes) {
      const state = { value: 0, total: totalBytes ?? 0, at: Date.now(), bar: undefined as unknown as cliProgress.SingleBar };
      state.bar = multi.create(Math.max(1, state.total), 0, payload(state, key));
      bars.set(key, state);
    },
    bytes(key, delta) {
      const s = bars.get(key);
      if (!s) return;
      s.value += delta;
      s.bar.update(s.value, payload(s, key));
    },
    finish(key, outcome) {
      const s = bars.get(key);
      if (!s) return;
      if (outcome === 'ok') s.bar.update(Math.max(1, s.total), payload({ ...s, value: s.total || s.value }, key));
      s.bar.stop();
      if (outcome !== 'ok') multi.log(`${key}: ${outcome}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
