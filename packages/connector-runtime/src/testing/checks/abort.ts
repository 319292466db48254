import { Cap, type Connector, hasCap } from '@agnes/connector-kit';
import type { ContractOptions } from '../options.js';
import { tablesUnderTest } from '../read-sample.js';
import { ContractViolation } from '../violation.js';

/** Batches a connector may still yield after the abort signal fires. */
export const MAX_BATCHES_AFTER_ABORT = 2;

/**
 * After the signal aborts, read() yields at most two more batches (counted, not
 * timed). Uses batchSize 1 so a table of a few rows spans several batches.
 */
export async function checkAbort(connector: Connector, options: ContractOptions = {}): Promise<void> {
  const check = 'abort';
  for (const t of await tablesUnderTest(connector, options.tables)) {
    if (!hasCap(t.capabilities, Cap.READ)) continue;
    const ctrl = new AbortController();
    let after = 0;
    let aborted = false;
    try {
      for await (const _ of connector.read!(t.name, { batchSize: 1, signal: ctrl.signal })) {
        if (aborted) after++;
        else {
          aborted = true;
          ctrl.abort();
        }
        if (after > MAX_BATCHES_AFTER_ABORT) break;
      }
    } catch {
      // Throwing the abort reason is a fine way to stop.
    }
    if (after > MAX_BATCHES_AFTER_ABORT) {
      throw new ContractViolation(check, `table ${t.name}: read() kept yielding batches after the signal aborted; check options.signal between batches`);
    }
  }
}
