import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '@agnes/connector-kit';

/** Configuration of the files connector. */
export interface CsvConnectorConfig {
  /** Folder holding the files; relative paths resolve against the working directory. */
  path: string;
  /** Also look in sub-folders. Default false. */
  recursive?: boolean;
  /** Rows per batch when the host does not ask for a size. Default 10,000. */
  batchSize?: number;
  /** Primary key columns per table name, e.g. `{ airports: ['iata'] }`. Default: none. */
  primaryKeys?: Record<string, string[]>;
}

/** The spelling of each field in the caller's world: TypeScript options or `connector.yaml`. */
interface FieldNames {
  path: string;
  recursive: string;
  batchSize: string;
  primaryKeys: string;
}

const TS_NAMES: FieldNames = { path: 'path', recursive: 'recursive', batchSize: 'batchSize', primaryKeys: 'primaryKeys' };
const YAML_NAMES: FieldNames = { path: 'path', recursive: 'recursive', batchSize: 'batch_size', primaryKeys: 'primary_keys' };

function shown(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? 'an object' : String(v);
}

/** Every problem with a config at once, each naming the field and the fix. */
function problems(raw: Readonly<Record<string, unknown>>, names: FieldNames): string[] {
  const out: string[] = [];
  const path = raw[names.path];
  if (typeof path !== 'string' || path === '') {
    out.push(`config.${names.path} is required: set it to the folder holding the files${path === undefined ? '' : ` (got ${shown(path)})`}`);
  } else if (!existsSync(path) || !statSync(path).isDirectory()) {
    out.push(
      `config.${names.path} ${JSON.stringify(path)}${resolve(path) === path ? '' : ` (${resolve(path)})`} ${existsSync(path) ? 'is a file, not a folder' : 'does not exist'}; point it at the folder holding the files`,
    );
  }
  const recursive = raw[names.recursive];
  if (recursive !== undefined && typeof recursive !== 'boolean') {
    out.push(`config.${names.recursive} must be true or false, got ${shown(recursive)}`);
  }
  const batchSize = raw[names.batchSize];
  if (batchSize !== undefined && !(typeof batchSize === 'number' && Number.isInteger(batchSize) && batchSize > 0)) {
    out.push(`config.${names.batchSize} must be a whole number of rows above 0, got ${shown(batchSize)}`);
  }
  const pks = raw[names.primaryKeys];
  if (pks !== undefined) {
    if (typeof pks !== 'object' || pks === null || Array.isArray(pks)) {
      out.push(`config.${names.primaryKeys} must map table names to lists of column names, got ${shown(pks)}`);
    } else {
      for (const [table, cols] of Object.entries(pks)) {
        if (!Array.isArray(cols) || cols.length === 0 || !cols.every((c) => typeof c === 'string' && c !== '')) {
          out.push(`config.${names.primaryKeys}.${table} must be a non-empty list of column names, got ${shown(cols)}`);
        }
      }
    }
  }
  return out;
}

function throwIfAny(found: readonly string[]): void {
  if (found.length === 1) throw new ConfigError(`csv connector: ${found[0]}`);
  if (found.length > 1) throw new ConfigError(`csv connector: the configuration has ${found.length} problems:\n${found.map((p) => `  - ${p}`).join('\n')}`);
}

/** Throws one {@link ConfigError} listing every problem of a TypeScript config. */
export function checkConfig(config: CsvConnectorConfig): void {
  throwIfAny(problems(config as unknown as Record<string, unknown>, TS_NAMES));
}

/**
 * Reads the `connector.yaml` spelling (`batch_size`, `primary_keys`) into a
 * {@link CsvConnectorConfig}; throws one {@link ConfigError} listing every problem.
 */
export function parseManifestConfig(raw: Readonly<Record<string, unknown>>): CsvConnectorConfig {
  throwIfAny(problems(raw, YAML_NAMES));
  const config: CsvConnectorConfig = { path: raw.path as string };
  if (raw.recursive !== undefined) config.recursive = raw.recursive as boolean;
  if (raw.batch_size !== undefined) config.batchSize = raw.batch_size as number;
  if (raw.primary_keys !== undefined) config.primaryKeys = raw.primary_keys as Record<string, string[]>;
  return config;
}
