import type { AppDeps } from './deps.js';
import { createApp } from './create-app.js';

/**
 * The OpenAPI document of the API without starting anything: routes only read their
 * dependencies when called, so a stub is enough. Used to generate the CLI's types.
 */
export async function openApiDocument(version = '0.0.0'): Promise<Record<string, unknown>> {
  const deps = { settings: { version, trustedProxies: new Set<string>() }, logger: { debug() {}, info() {}, warn() {}, error() {} } } as unknown as AppDeps;
  const res = await createApp(deps).request('/api/openapi.json');
  return (await res.json()) as Record<string, unknown>;
}
