import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connector, ExtractStats } from '@agnes/connector-kit';
import type { ConnectorRuntime, RunOptions } from '../../runtime.js';
import { ContractViolation } from '../violation.js';

/** Source name of the extracts the contract checks write. */
export const CONTRACT_SOURCE = 'contract_src';

/** A fresh, not yet created `<tmp>/agnes-contract-…/extracts/contract_src` folder and its remover. */
export function scratchExtract(): { dir: string; dispose: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'agnes-contract-'));
  return { dir: join(root, 'extracts', CONTRACT_SOURCE), dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * `runtime.run`, where a refusal (thrown) or a failed table (in `stats.errors`) is a
 * violation of `check`: with a source that works, every table must extract.
 */
export async function runOrViolation(
  check: string,
  what: string,
  runtime: ConnectorRuntime,
  connector: Connector,
  options: RunOptions,
): Promise<ExtractStats> {
  let stats: ExtractStats;
  try {
    stats = await runtime.run(connector, options);
  } catch (error) {
    throw new ContractViolation(check, `${what}: runtime.run refused the connector: ${(error as Error).message}`, { cause: error });
  }
  const failure = stats.errors[0];
  if (failure) {
    const more = stats.errors.length > 1 ? ` (and ${stats.errors.length - 1} more failed table(s))` : '';
    throw new ContractViolation(check, `${what}: runtime.run failed table ${failure.table} (${failure.code}): ${failure.message}${more}`);
  }
  return stats;
}
