import type { Connector } from '@agnes/connector-kit';

/** Options of the contract checks. */
export interface ContractOptions {
  /** `connector.yaml` to compare with the connector. */
  manifestPath?: string;
  /** Tables to exercise; default: every discovered table. */
  tables?: string[];
  /** Adds `n` new rows to the source table (enables the incremental checks). */
  addRows?: (table: string, n: number) => Promise<void>;
  /** Rows read per table by the cheap checks. Default 10,000. */
  sampleRows?: number;
}

/** A function returning a fresh connector. */
export type ConnectorFactoryFn = () => Connector | Promise<Connector>;
