import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { identifierProblem } from '../contract/identifiers.js';
import { ConfigError } from '../errors/errors.js';
import { CAP_NAMES, type CapName, type Caps, parseCaps } from '../protocol/capabilities.js';

const ENV_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

const configField = z.object({
  type: z.enum(['string', 'number', 'integer', 'boolean', 'array', 'object']),
  required: z.boolean().default(false),
  default: z.unknown().optional(),
  description: z.string().optional(),
  format: z.string().optional(),
  /** The value is a secret: never logged, never written to an extract. */
  secret: z.boolean().default(false),
});

const manifestSchema = z.object({
  name: z.string().superRefine((v, ctx) => {
    const p = identifierProblem(v, 'source');
    if (p) ctx.addIssue({ code: 'custom', message: `${p}; use e.g. "my_source"` });
  }),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, 'must be a semantic version such as "1.0.0" (quote it in YAML)'),
  description: z.string().default(''),
  entrypoint: z
    .string()
    .min(1)
    .refine((v) => v.startsWith('./') || v.startsWith('../'), 'must be a module path relative to connector.yaml, e.g. "./dist/index.js"'),
  capabilities: z
    .array(z.string())
    .min(1, `list at least one of: ${CAP_NAMES.join(', ')}`)
    .superRefine((names, ctx) => {
      names.forEach((n, i) => {
        if (!CAP_NAMES.includes(n.toLowerCase() as CapName)) {
          ctx.addIssue({ code: 'custom', path: [i], message: `unknown capability '${n}'; valid: ${CAP_NAMES.join(', ')}` });
        }
      });
    }),
  auth: z
    .object({
      type: z.enum(['token', 'oauth', 'basic', 'service_account', 'none']).default('none'),
      env_vars: z
        .array(
          z.object({
            name: z.string().regex(ENV_NAME, 'must be an environment variable name such as "MY_API_TOKEN" (A-Z, 0-9, _)'),
            required: z.boolean().default(true),
            description: z.string().optional(),
          }),
        )
        .default([]),
    })
    .default({ type: 'none', env_vars: [] }),
  config: z.record(z.string(), configField).default({}),
  health_check: z
    .object({
      endpoint: z.string(),
      method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
      headers: z.record(z.string(), z.string()).default({}),
      expect_status: z.number().int().default(200),
      timeout_seconds: z.number().positive().default(10),
    })
    .optional(),
});

/** A validated `connector.yaml`. */
export type ConnectorManifest = z.infer<typeof manifestSchema> & {
  /** The capability names as a bit set. */
  caps: Caps;
  /** Absolute path of the manifest file, when loaded from disk. */
  file?: string;
};

/** One field of a connector's `config` section. */
export type ConfigFieldSpec = z.infer<typeof configField>;

function formatIssues(fileName: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((i) => {
    const path = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)';
    const message = i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message;
    return `  - ${path}: ${message}`;
  });
  return `${fileName} is not a valid connector manifest:\n${lines.join('\n')}`;
}

/**
 * Validates manifest text. Throws a ConfigError naming the file and listing every
 * problem (field path, what is wrong, how to fix).
 */
export function parseManifest(text: string, fileName = 'connector.yaml'): ConnectorManifest {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${fileName} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(formatIssues(fileName, parsed.error.issues));
  return { ...parsed.data, caps: parseCaps(parsed.data.capabilities) };
}

/**
 * Reads and validates a `connector.yaml`.
 *
 * @example
 * const manifest = await loadManifest('node_modules/@agnes/connector-csv/connector.yaml');
 * manifest.caps; // Cap.DISCOVER | Cap.READ
 */
export async function loadManifest(path: string): Promise<ConnectorManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read connector manifest ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { ...parseManifest(text, path), file: path };
}

function typeOk(spec: ConfigFieldSpec, v: unknown): boolean {
  switch (spec.type) {
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

/**
 * Checks a connector's configuration against its manifest's `config` section and
 * applies defaults. Throws a ConfigError listing every missing, mistyped or unknown field.
 */
export function validateConnectorConfig(
  manifest: Pick<ConnectorManifest, 'name' | 'config'>,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(manifest.config)) {
    const v = config[key];
    if (v === undefined || v === null) {
      if (spec.default !== undefined) out[key] = spec.default;
      else if (spec.required) problems.push(`${key}: is required (${spec.type}${spec.description ? `: ${spec.description}` : ''})`);
      continue;
    }
    if (!typeOk(spec, v)) problems.push(`${key}: must be ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}, got ${JSON.stringify(v)}`);
  }
  for (const key of Object.keys(config)) {
    if (!(key in manifest.config)) {
      problems.push(`${key}: unknown field; known fields: ${Object.keys(manifest.config).join(', ') || '(none)'}`);
    }
  }
  if (problems.length) {
    throw new ConfigError(`configuration of connector ${manifest.name} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return out;
}
