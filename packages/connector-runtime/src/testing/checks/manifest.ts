import { type Connector, capNames, identifierProblem, loadManifest } from '@agnes/connector-kit';
import { ContractViolation } from '../violation.js';

/** connector.yaml is valid and declares the same capabilities as the connector. */
export async function checkManifest(connector: Connector, manifestPath: string): Promise<void> {
  const check = 'manifest';
  let manifest;
  try {
    manifest = await loadManifest(manifestPath);
  } catch (error) {
    throw new ContractViolation(check, (error as Error).message);
  }
  const p = identifierProblem(manifest.name, 'source');
  if (p) throw new ContractViolation(check, p);
  if (manifest.caps !== connector.capabilities) {
    throw new ContractViolation(
      check,
      `${manifestPath} declares capabilities [${capNames(manifest.caps).join(', ')}] but the connector has [${capNames(connector.capabilities).join(', ')}]`,
    );
  }
}
