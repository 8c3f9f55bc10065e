// Loads the config: the file named by --config, else ./sovereign.yaml if present, else built-in defaults.
// Every error names the file, the path inside it and what is allowed; the result is deeply frozen.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or undefined for built-in defaults. */
  source: string | undefined;
}

export function resolveConfigPath(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) return resolve(cwd, explicit);
  const fallback = resolve(cwd, 'sovereign.yaml');
  return existsSync(fallback) ? fallback : undefined;
}

export function loadConfig(explicit: string | undefined, cwd = process.cwd()): LoadedConfig {
  const source = resolveConfigPath(explicit, cwd);
  if (source === undefined) return { config: parseConfig({}, '<built-in defaults>'), source };
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${source}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  return { config: parseConfigText(text, source), source };
}

export function parseConfigText(text: string, sourceName: string): Config {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const where = first.linePos?.[0] ? `line ${first.linePos[0].line}, column ${first.linePos[0].col}` : 'somewhere';
    throw new ConfigError(`${sourceName}: not valid YAML at ${where}: ${first.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // The yaml library refuses alias expansion past its budget ("billion laughs") with a ReferenceError: a config
    // error like any other, naming the file.
    throw new ConfigError(`${sourceName}: not valid YAML: ${(error as Error).message}`);
  }
  return parseConfig(value ?? {}, sourceName);
}

export function parseConfig(input: unknown, sourceName: string): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${describeIssue(issue)}`);
    throw new ConfigError(`${sourceName}: invalid config\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (allowed keys are listed in docs/config-reference.md)`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(' | ')}`;
    default:
      return issue.message;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The JSON Schema for editors (`sovereign config schema`). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
