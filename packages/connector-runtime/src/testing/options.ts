import type { Connector } from '@agnes/connector-kit';

/** Options of {@link describeConnectorContract} and of the plain checks that read rows. */
export interface ContractOptions {
  /** `connector.yaml` to compare with the connector (enables the manifest check). */
  manifestPath?: string;
  /** Tables to exercise; default: every discovered table. */
  tables?: string[];
  /**
   * Adds `n` new rows to the source table, with cursor values at or after every
   * existing row's (enables the incremental check).
   */
  addRows?: (table: string, n: number) => Promise<void>;
  /** Rows read per table by the cheap checks (schema, keys). Default 10,000. */
  sampleRows?: number;
}

/** A function returning a fresh connector; each check gets its own. */
export type ConnectorFactoryFn = () => Connector | Promise<Connector>;
