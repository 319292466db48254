import { type Connector, type ConnectorManifest, capNames, identifierProblem, loadManifest } from '@agnes/connector-kit';
import { ContractViolation } from '../violation.js';

const CHECK = 'manifest';

/**
 * `connector.yaml` is valid (every problem the kit's manifest validation finds),
 * its `name` is a valid source identifier, and its `capabilities` are exactly the
 * connector's capability bits.
 *
 * @example
 * await checkManifest(connector, fileURLToPath(new URL('../connector.yaml', import.meta.url)));
 */
export async function checkManifest(connector: Connector, manifestPath: string): Promise<void> {
  let manifest: ConnectorManifest;
  try {
    manifest = await loadManifest(manifestPath);
  } catch (error) {
    throw new ContractViolation(CHECK, (error as Error).message, { cause: error });
  }
  const problem = identifierProblem(manifest.name, 'source');
  if (problem) throw new ContractViolation(CHECK, `${manifestPath}: ${problem}`);
  if (manifest.caps !== connector.capabilities) {
    throw new ContractViolation(
      CHECK,
      `${manifestPath} declares capabilities [${capNames(manifest.caps).join(', ')}] but the connector has [${capNames(connector.capabilities).join(', ')}]; make them the same`,
    );
  }
}
