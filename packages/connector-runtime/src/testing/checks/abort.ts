import { Cap, type Connector, hasCap } from '@agnes/connector-kit';
import type { ContractOptions } from '../options.js';
import { startRead, tablesUnderTest } from '../read-sample.js';
import { ContractViolation, describeError } from '../violation.js';

const CHECK = 'abort';

/** Batches a connector may still yield after the abort signal fires. */
export const MAX_BATCHES_AFTER_ABORT = 2;

/**
 * After `options.signal` aborts, read() yields at most {@link MAX_BATCHES_AFTER_ABORT}
 * more batches, then returns or throws (throwing the abort reason is fine). Batches
 * are counted, never timed. The read asks for `batchSize: 1`, so a table of a few
 * rows spans several batches; a table read in a single batch passes trivially.
 *
 * @example
 * await checkAbort(connector);
 */
export async function checkAbort(connector: Connector, options: ContractOptions = {}): Promise<void> {
  for (const t of await tablesUnderTest(CHECK, connector, options.tables)) {
    if (!hasCap(t.capabilities, Cap.READ)) continue;
    const controller = new AbortController();
    let after = 0;
    try {
      for await (const _batch of startRead(CHECK, connector, t.name, { batchSize: 1, signal: controller.signal })) {
        if (controller.signal.aborted) after++;
        else controller.abort();
        // Stop consuming a connector that never stops: one batch past the limit proves it.
        if (after > MAX_BATCHES_AFTER_ABORT) break;
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        throw new ContractViolation(CHECK, `table ${t.name}: read() threw ${describeError(error)} before the signal aborted`, { cause: error });
      }
    }
    if (after > MAX_BATCHES_AFTER_ABORT) {
      throw new ContractViolation(
        CHECK,
        `table ${t.name}: read() yielded more than ${MAX_BATCHES_AFTER_ABORT} batches after the signal aborted; check options.signal (signal.throwIfAborted() or return) before each fetch and batch`,
      );
    }
  }
}
