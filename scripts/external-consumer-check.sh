#!/usr/bin/env bash
# Proves a project outside the monorepo can install the packed kit + runtime,
# write a small connector and run the contract suite against it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$root/packages/connector-kit" && pnpm pack --pack-destination "$work" >/dev/null)
(cd "$root/packages/connector-runtime" && pnpm pack --pack-destination "$work" >/dev/null)
kit="$(ls "$work"/agnes-connector-kit-*.tgz)"
runtime="$(ls "$work"/agnes-connector-runtime-*.tgz)"

mkdir -p "$work/my-connector/src"
cd "$work/my-connector"
cat > package.json <<'JSON'
{ "name": "my-connector", "private": true, "type": "module", "scripts": { "test": "vitest run" } }
JSON
npm install --no-audit --no-fund --loglevel=error "$kit" "$runtime" apache-arrow@^21 vitest@^4 >/dev/null

cat > src/connector.test.ts <<'TS'
import { Field, Int64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from 'apache-arrow';
import { Cap, defineConnector } from '@agnes/connector-kit';
import { describeConnectorContract } from '@agnes/connector-runtime/testing';

const schema = new Schema([new Field('id', new Int64(), false), new Field('name', new Utf8(), true)]);

function batch(): RecordBatch {
  const children = [vectorFromArray([1n, 2n, 3n], new Int64()).data[0]!, vectorFromArray(['a', 'b', null], new Utf8()).data[0]!];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 3, children }));
}

const connector = defineConnector({
  capabilities: Cap.DISCOVER | Cap.READ,
  async discover() {
    return [{ name: 'things', schema, capabilities: Cap.READ, primaryKey: ['id'] }];
  },
  async *read(_table: string, options: { signal?: AbortSignal }) {
    options.signal?.throwIfAborted();
    yield batch();
  },
});

describeConnectorContract('external things', () => connector);

// The packaged parquet worker thread (dist/parquet-worker.js) must load from the tarball.
import { it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorRuntime, openExtract } from '@agnes/connector-runtime';
it('writes through the worker thread of the installed package', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ext-')), 'extracts', 'things');
  const stats = await new ConnectorRuntime(dir, { writer: { readAheadBytes: 1 } }).run(connector);
  expect(stats.errors).toEqual([]);
  const reader = await openExtract(dir);
  expect(await reader.query('SELECT count(*) AS n FROM things')).toEqual([{ n: 3n }]);
  reader.close();
});
TS
npx vitest run

# A connector scaffolded by the packaged runtime passes its own contract suite unchanged.
cd "$work"
node --input-type=module -e "
  const { scaffoldConnector } = await import('$work/my-connector/node_modules/@agnes/connector-runtime/dist/index.js');
  await scaffoldConnector('$work/scaffolded', { name: 'acme_crm', capabilities: ['discover', 'read', 'stream', 'remote'] });
"
cd "$work/scaffolded"
npm install --no-audit --no-fund --loglevel=error "$kit" "$runtime" >/dev/null
npm install --no-audit --no-fund --loglevel=error >/dev/null
npm run build >/dev/null
npx vitest run

# The `da` tarball the server offers at /cli/da.tgz installs with plain npm (our packages
# bundled, DuckDB and the rest from the registry) and runs.
(cd "$root/apps/cli" && node scripts/pack-standalone.mjs >/dev/null)
npm install -g --prefix "$work/da-prefix" --no-audit --no-fund --loglevel=error "$root/apps/cli/standalone/da.tgz" >/dev/null
"$work/da-prefix/bin/da" --version >/dev/null
"$work/da-prefix/bin/da" connector new tarball_check --out "$work/tarball-check" --json >/dev/null
test -f "$work/tarball-check/connector.yaml"
echo "da tarball check: ok"
echo "external consumer check: ok"
