import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { identifierProblem } from '../contract/identifiers.js';
import { ENV_VAR_PATTERN } from '../contract/remote.js';
import { ConfigError } from '../errors/errors.js';
import { type FileAccess, filePathProblem } from '../files/file-access.js';
import { CAP_NAMES, type CapName, type Caps, parseCaps } from '../protocol/capabilities.js';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const AUTH_TYPES = ['token', 'oauth', 'basic', 'service_account', 'none'] as const;
const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;

/** How YAML would spell the value the user wrote, for "got …" in messages. */
function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a text value',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list ([a, b] or "- a" lines)',
  record: 'a mapping (key: value lines)',
};

/**
 * Plain-language messages for the issues no field spells out itself; field-specific
 * errors (given where the fix is specific) take precedence over this map.
 */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      return `must be ${EXPECTED[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'invalid_value':
      return `unknown value ${describeValue(iss.input)}; valid: ${iss.values.map(String).join(', ')}`;
    case 'too_small':
      return iss.origin === 'number' ? `must be at least ${String(iss.minimum)}` : undefined;
    default:
      return undefined;
  }
};

/** A mapping that refuses unknown keys (typos such as `helth_check` would otherwise vanish). */
function strict<S extends z.core.$ZodLooseShape>(shape: S, what: string) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const keys = iss.keys.map((k) => `'${k}'`).join(', ');
        return `unknown field${iss.keys.length > 1 ? 's' : ''} ${keys} in ${what}; valid fields: ${fields}`;
      }
      if (iss.code === 'invalid_type' && iss.input !== undefined) {
        return `${what} must be a mapping with the fields ${fields}, got ${describeValue(iss.input)}`;
      }
      return undefined;
    },
  });
}

/** "is required: <hint>" when missing, "must be <hint>, got …" when of the wrong kind. */
function hinted(hint: string): z.core.$ZodErrorMap {
  return (iss) => (iss.input === undefined ? `is required: ${hint}` : `must be ${hint}, got ${describeValue(iss.input)}`);
}

function invalidChoice(input: unknown, what: string, valid: readonly string[]): string | undefined {
  if (input === undefined) return undefined;
  const shown = typeof input === 'string' ? `'${input}'` : describeValue(input);
  return `unknown ${what} ${shown}; valid: ${valid.join(', ')}`;
}

const configField = strict(
  {
    type: z.enum(FIELD_TYPES, { error: (iss) => invalidChoice(iss.input, 'type', FIELD_TYPES) }),
    required: z.boolean().default(false),
    default: z.unknown().optional(),
    description: z.string().optional(),
    /**
     * A hint for people and tools, e.g. `uri`. `path` marks a local file or folder the
     * connector reads: a host that restricts file access checks it (see `FileAccess`).
     */
    format: z.string().optional(),
    /** The value is a secret: never echoed in messages or logs. */
    secret: z.boolean().default(false),
  },
  'a config field',
).superRefine((field, ctx) => {
  if (field.default !== undefined && !matchesType(field.type, field.default)) {
    ctx.addIssue({ code: 'custom', path: ['default'], message: `must be ${typeWording(field.type)} to match type: ${field.type}` });
  }
});

const envVar = strict(
  {
    name: z
      .string()
      .regex(ENV_VAR_PATTERN, 'must be an environment variable name such as "MY_API_TOKEN" (A-Z, 0-9 and _, starting with a letter)'),
    required: z.boolean().default(true),
    description: z.string().optional(),
  },
  'an auth variable',
);

const manifestSchema = strict(
  {
    name: z.string({ error: hinted('a source name such as "my_source"') }).superRefine((v, ctx) => {
      const problem = identifierProblem(v, 'source');
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; use e.g. "my_source"` });
    }),
    version: z
      .string({ error: hinted('a semantic version such as "1.0.0" (quote it in YAML)') })
      .regex(SEMVER, { error: 'must be a semantic version such as "1.0.0" or "1.2.0-beta.1"' }),
    description: z.string({ error: hinted('one line saying what the connector reads') }).default(''),
    entrypoint: z
      .string({ error: hinted('a module path relative to connector.yaml, e.g. "./dist/index.js"') })
      .refine((v) => v.startsWith('./') || v.startsWith('../'), {
        error: 'must be a module path relative to connector.yaml starting with "./", e.g. "./dist/index.js"',
      }),
    capabilities: z
      .array(z.string(), { error: hinted(`a list of capabilities such as [discover, read] (valid: ${CAP_NAMES.join(', ')})`) })
      .min(1, `must list at least one of: ${CAP_NAMES.join(', ')}`)
      .superRefine((names, ctx) => {
        names.forEach((n, i) => {
          if (!CAP_NAMES.includes(n.trim().toLowerCase() as CapName)) {
            ctx.addIssue({ code: 'custom', path: [i], message: `unknown capability '${n}'; valid: ${CAP_NAMES.join(', ')}` });
          }
        });
      })
      .transform((names) => [...new Set(names.map((n) => n.trim().toLowerCase() as CapName))]),
    auth: strict(
      {
        type: z.enum(AUTH_TYPES, { error: (iss) => invalidChoice(iss.input, 'auth type', AUTH_TYPES) }).default('none'),
        env_vars: z.array(envVar).default([]),
      },
      'auth',
    ).default({ type: 'none', env_vars: [] }),
    config: z.record(z.string(), configField).default({}),
    health_check: strict(
      {
        /** May reference config fields and auth variables as `${name}`. */
        endpoint: z.string({ error: hinted('the URL to call, e.g. "${url}/health"') }),
        method: z
          .enum(['GET', 'HEAD', 'POST'], { error: (iss) => invalidChoice(iss.input, 'method', ['GET', 'HEAD', 'POST']) })
          .default('GET'),
        /** Values may reference auth variables as `${NAME}`; never write a token here. */
        headers: z.record(z.string(), z.string()).default({}),
        expect_status: z.number().int().min(100).max(599).default(200),
        timeout_seconds: z.number().positive().default(10),
      },
      'health_check',
    ).optional(),
  },
  'the manifest',
);

/** A validated `connector.yaml` (defaults applied, capability names lower-cased). */
export type ConnectorManifest = z.output<typeof manifestSchema> & {
  /** The capability names as a bit set. */
  caps: Caps;
  /** Absolute path of the manifest file, when loaded with {@link loadManifest}. */
  file?: string;
};

/** One field of a connector's `config` section. */
export type ConfigFieldSpec = z.output<typeof configField>;

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function problemList(problems: readonly string[]): string {
  return problems.map((p) => `  - ${p}`).join('\n');
}

/**
 * Validates the text of a `connector.yaml`. Throws a {@link ConfigError} that names
 * `fileName` and lists every problem as `field.path: what is wrong and how to fix it`.
 *
 * @example
 * const manifest = parseManifest(await readFile('connector.yaml', 'utf8'), 'connector.yaml');
 */
export function parseManifest(text: string, fileName = 'connector.yaml'): ConnectorManifest {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => (e.message.split('\n')[0] ?? e.message).replace(/:$/, ''));
    throw new ConfigError(`${fileName} is not valid YAML:\n${problemList(problems)}`);
  }
  const parsed = manifestSchema.safeParse(doc.toJS() ?? {}, { error: errorMap });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new ConfigError(`${fileName} is not a valid connector manifest:\n${problemList(problems)}`);
  }
  return { ...parsed.data, caps: parseCaps(parsed.data.capabilities) };
}

/**
 * Reads and validates a `connector.yaml` (see {@link parseManifest} for the errors).
 *
 * @example
 * const manifest = await loadManifest('connectors/csv/connector.yaml');
 * hasCap(manifest.caps, Cap.READ); // true
 */
export async function loadManifest(path: string): Promise<ConnectorManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read connector manifest ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { ...parseManifest(text, path), file: resolve(path) };
}

function matchesType(type: ConfigFieldSpec['type'], v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

function typeWording(type: ConfigFieldSpec['type']): string {
  return type === 'integer' ? 'an integer' : type === 'array' ? 'an array' : type === 'object' ? 'an object' : `a ${type}`;
}

/**
 * The problems of a config's `format: path` fields under a host's {@link FileAccess}, one
 * `field: why` line each (empty when every path may be read).
 *
 * @example
 * pathFieldProblems(manifest, { path: '/etc' }, access); // ['path: /etc is outside the folders …']
 */
export function pathFieldProblems(
  manifest: Pick<ConnectorManifest, 'config'>,
  config: Readonly<Record<string, unknown>>,
  access: FileAccess,
): string[] {
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(manifest.config)) {
    const v = config[key] ?? spec.default;
    if (spec.format !== 'path' || typeof v !== 'string' || v === '') continue;
    const problem = filePathProblem(v, access);
    if (problem) problems.push(`${key}: ${problem}`);
  }
  return problems;
}

/** Options of {@link validateConnectorConfig}. */
export interface ValidateConfigOptions {
  /** The host's file access: `format: path` fields must name a folder or file it allows. */
  readonly fileAccess?: FileAccess | undefined;
}

/**
 * Checks a connector's configuration against its manifest's `config` section and returns
 * a copy with defaults applied. Throws a {@link ConfigError} listing every missing,
 * mistyped or unknown field, and with `options.fileAccess` every `format: path` field
 * outside it; values of `secret` fields are never echoed.
 *
 * @example
 * const config = validateConnectorConfig(manifest, { url: 'https://connection.keboola.com' });
 */
export function validateConnectorConfig(
  manifest: Pick<ConnectorManifest, 'name' | 'config'>,
  config: Readonly<Record<string, unknown>>,
  options: ValidateConfigOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  const problems: string[] = [];
  if (options.fileAccess) problems.push(...pathFieldProblems(manifest, config, options.fileAccess));
  for (const [key, spec] of Object.entries(manifest.config)) {
    const v = config[key];
    if (v === undefined || v === null) {
      if (spec.default !== undefined) out[key] = structuredClone(spec.default);
      else if (spec.required) problems.push(`${key}: is required (${spec.type}${spec.description ? `: ${spec.description}` : ''})`);
      continue;
    }
    if (!matchesType(spec.type, v)) {
      const got = spec.secret ? `a ${Array.isArray(v) ? 'list' : typeof v} (value not shown: secret)` : describeValue(v);
      problems.push(`${key}: must be ${typeWording(spec.type)}, got ${got}`);
    }
  }
  const known = Object.keys(manifest.config);
  for (const key of Object.keys(config)) {
    if (!Object.hasOwn(manifest.config, key)) {
      problems.push(`${key}: unknown field; remove it or fix the spelling (known fields: ${known.join(', ') || 'none'})`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`configuration of connector ${manifest.name} is invalid:\n${problemList(problems)}`);
  }
  return out;
}
