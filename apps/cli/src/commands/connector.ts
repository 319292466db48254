import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { CapName, Connector } from '@agnes/connector-kit';
import { unwrap } from '../api/client.js';
import { CliError } from '../errors/cli-error.js';
import { renderTable } from '../output/output.js';
import { action, type Runtime, withExamples } from './context.js';

/** The manifest of a connector package folder (or the manifest itself). */
export function manifestPathOf(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new CliError('not_found', `${abs} does not exist`, { hint: 'give the folder of a connector package (with connector.yaml)' });
  const file = statSync(abs).isDirectory() ? join(abs, 'connector.yaml') : abs;
  if (!existsSync(file)) throw new CliError('not_found', `no connector.yaml in ${abs}`, { hint: 'give the folder of a connector package; `da connector new` creates one' });
  return file;
}

/** One contract check's outcome. */
export interface CheckOutcome {
  readonly check: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Runs the kit's contract checks (the same functions `describeConnectorContract`
 * registers with vitest) directly, each on a fresh connector: no test runner needed.
 */
export async function runContractChecks(factory: () => Promise<Connector>, manifestPath: string): Promise<CheckOutcome[]> {
  const t = await import('@agnes/connector-runtime/testing');
  const checks: [string, (c: Connector) => Promise<unknown>][] = [
    ['declares only capabilities it implements', (c) => t.checkCapabilitiesTruthful(c)],
    ['discovers valid, unique tables', (c) => t.checkDiscover(c)],
    ['yields batches that match the declared schema', (c) => t.checkBatchesMatchSchema(c)],
    ['yields unique, non-null primary keys', (c) => t.checkPrimaryKeys(c)],
    ['produces an extract whose _meta and views match the rows read', (c) => t.checkPipeline(c)],
    ['leaks no secret through remote()', (c) => t.checkRemoteSafe(c)],
    ['stops within two batches after the signal aborts', (c) => t.checkAbort(c)],
    ['agrees with its connector.yaml', (c) => t.checkManifest(c, manifestPath)],
  ];
  const results: CheckOutcome[] = [];
  for (const [check, fn] of checks) {
    try {
      await fn(await factory());
      results.push({ check, ok: true });
    } catch (error) {
      results.push({ check, ok: false, error: (error as Error).message });
    }
  }
  return results;
}

/** da connector list|discover|test|new. */
export function connectorCommand(runtime: Runtime): Command {
  const connector = new Command('connector').description('Connectors: installed ones, discovery, the contract suite, scaffolding');
  withExamples(
    connector
      .command('list')
      .description('Connector packages installed on the server (admin)')
      .action(
        action(runtime, async (ctx) => {
          const { server, api } = await ctx.session();
          const list = await unwrap(server, api.GET('/api/admin/connectors'));
          ctx.out.result(list, () => renderTable(['PACKAGE', 'NAME', 'VERSION', 'CAPABILITIES'], list.map((c) => [c.package, c.name, c.version, c.capabilities.join(',')])));
        }),
      ),
    ['da connector list'],
  );
  withExamples(
    connector
      .command('discover')
      .description("Tables a source's connector offers (admin; runs on the server)")
      .argument('<source>', 'source name')
      .action(
        action(runtime, async (ctx, source: string) => {
          const { server, api } = await ctx.session();
          const found = await unwrap(server, api.GET('/api/admin/discover-tables', { params: { query: { source } } }));
          ctx.out.result(found, () => renderTable(['TABLE', 'MODE', 'REGISTERED', 'PRIMARY KEY', 'COLUMNS'], found.map((t) => [t.name, t.query_mode, t.registered ? 'yes' : 'no', t.primary_key.join(','), t.columns.map((c) => `${c.name} ${c.type}`).join(', ')])));
        }),
      ),
    ['da connector discover shop'],
  );
  withExamples(
    connector
      .command('test')
      .description("Run the connector kit's contract suite against a connector package folder (offline)")
      .argument('<path>', 'connector package folder (with connector.yaml)')
      .option('--config <json>', 'the connector config as JSON', '{}')
      .action(
        action(runtime, async (ctx, path: string, opts: { config: string }) => {
          const manifestPath = manifestPathOf(path);
          let config: Record<string, unknown>;
          try {
            config = JSON.parse(opts.config) as Record<string, unknown>;
          } catch {
            throw new CliError('usage', '--config must be a JSON object, e.g. --config \'{"rows": 10}\'');
          }
          // Loaded on demand: the runtime pulls in DuckDB and Arrow, which other commands never need.
          const { loadConnector } = await import('@agnes/connector-kit');
          // Loading once up front turns a bad manifest or config into one clear error.
          await loadConnector(manifestPath, { config, env: ctx.env.connectorEnv });
          const results = await runContractChecks(async () => (await loadConnector(manifestPath, { config, env: ctx.env.connectorEnv })).connector, manifestPath);
          const failed = results.filter((r) => !r.ok);
          ctx.out.result({ manifest: manifestPath, passed: results.length - failed.length, failed: failed.length, checks: results }, () => [
            ...results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'}  ${r.check}${r.error ? `\n      ${r.error}` : ''}`),
            `${results.length - failed.length} passed, ${failed.length} failed`,
          ]);
          if (failed.length > 0) throw new CliError('failure', `${failed.length} contract check${failed.length === 1 ? '' : 's'} failed`, { hint: 'fix the connector; each failure above says what the contract expects' });
        }),
      ),
    ['da connector test ./connectors/my_source', `da connector test . --config '{"rows": 10}' --json`],
  );
  withExamples(
    connector
      .command('new')
      .description('Scaffold a connector package that passes its own contract suite')
      .argument('<name>', 'source name, e.g. my_source')
      .option('--caps <list>', 'capabilities: discover plus read, stream, remote', 'discover,read')
      .option('--out <folder>', 'where to create it (default ./<name>)')
      .action(
        action(runtime, async (ctx, name: string, opts: { caps: string; out?: string }) => {
          const target = resolve(ctx.workspace.root, opts.out ?? name);
          const capabilities = opts.caps.split(',').map((c) => c.trim()).filter(Boolean) as CapName[];
          const { scaffoldConnector } = await import('@agnes/connector-runtime');
          let files: string[];
          try {
            files = await scaffoldConnector(target, { name, capabilities });
          } catch (error) {
            throw new CliError('usage', (error as Error).message, { cause: error });
          }
          ctx.out.result({ path: target, files }, () => [`Created ${target}:`, ...files.map((f) => `  ${f}`), `Next: cd ${target} && npm install && npm test`]);
        }),
      ),
    ['da connector new my_source', 'da connector new events_api --caps discover,read,stream --out ./connectors/events_api'],
  );
  return connector;
}
