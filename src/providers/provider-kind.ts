// What a provider kind is: the settings its config entry takes (a zod schema, from which the
// config's provider union is built) and a factory taking those settings and its dependencies.
// Adding a kind: one file beside this one exporting a ProviderKind, one line in registry.ts, and
// its harness in test/providers.test.ts (the contract every kind keeps).
import type { LookupFunction } from 'node:net';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { jurisdictionSchema, ownershipSchema } from '../core/description-schema.js';
import type { Provider, ProviderDescription } from '../core/provider.js';
import type { WeightsRegistry } from './verified-weights.js';

export const providerIdSchema = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes ([a-z0-9-])');
export const environmentNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export { jurisdictionSchema, ownershipSchema };

/** The default of limits.max_answer_bytes (16 MiB): far above any chat answer, a bound on what one call may buffer. */
export const defaultMaxAnswerBytes = 16 * 1024 * 1024;

/** The keys every kind takes: what the catalogue, the policy and the reports say of a provider. */
export const descriptionKeys = {
  jurisdiction: jurisdictionSchema,
  operator: z.string().min(1, 'must name who runs it'),
  ownership: ownershipSchema,
  models: z.array(z.string().min(1)).min(1, 'must list at least one model'),
  timeout_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Overrides routing.attempt_timeout_ms for this provider.'),
  retention_days: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('How long the provider keeps what it is sent (for the record; policy rules may use it later).'),
  trains_on_data: z.boolean().optional().describe('Whether the provider may train on what it is sent.'),
  cost_per_million_tokens: z
    .strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() })
    .optional()
    .describe("Price, for the dependency report's cost shares (any currency, the same for every provider)."),
};

/**
 * A kind's settings schema: `id`, `kind` (the kind's own name), the description keys, and its own keys. Unknown keys
 * are errors.
 */
export function kindSettings<Name extends string, Shape extends z.core.$ZodLooseShape>(kind: Name, shape: Shape) {
  return z.strictObject({ id: providerIdSchema, kind: z.literal(kind), ...descriptionKeys, ...shape });
}

/** What every kind's settings hold, whatever else they have. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is the empty shape of extra keys zod's strictObject takes
export type BaseSettings = z.output<ReturnType<typeof kindSettings<string, {}>>>;

/** What a provider is handed besides its own settings; the same for every kind, each takes what it needs. */
export interface ProviderDependencies {
  /** The gateway's one clock: `CallOptions.deadline` is on it, and every wait a provider makes is a sleep on it. */
  clock: Clock;
  /** Where the secrets the settings name (`api_key_env`) are read. */
  environment: Readonly<Record<string, string | undefined>>;
  /** routing.stream_idle_timeout_ms: the longest silence allowed between two SSE events of a stream (comments do not count). */
  streamIdleTimeoutMs: number;
  /** limits.max_answer_bytes: the most one upstream answer may carry (a body, or a whole stream); default defaultMaxAnswerBytes. */
  maxAnswerBytes?: number;
  /** The weights registry, for kinds that run registered weights (verified before every load). */
  weights?: WeightsRegistry;
  /** How upstream names are resolved before the SSRF guard checks them (default: the system's resolver). */
  resolve?: LookupFunction;
}

/** The registry names of the weights behind one served model name, for the ledger's digests. */
export interface ServedWeights {
  /** The name served (the part after `provider/`). */
  served: string;
  /** The registry entry of the weights, and the registry kind it must have. */
  model: { name: string; kind: 'gguf' | 'external' };
  /** A LoRA adapter's registry name, applied on top of `model`. */
  adapter?: string;
}

/** A registry entry as a kind sees it when it offers an implicit provider. */
export interface RegisteredName {
  name: string;
  kind: string;
}

// Methods, not function-valued properties: a kind of narrower settings is then usable where any
// kind is (the registry is looked up by name, and each entry was parsed by its own kind's schema).
export interface ProviderKind<
  Name extends string = string,
  Settings extends z.ZodObject<any, any> = z.ZodObject<any, any>,
> {
  readonly kind: Name;
  /** What the kind is, in a few words (config error messages use it). */
  readonly summary: string;
  /** The schema of its config entry (built with kindSettings). */
  readonly settings: Settings;
  create(settings: z.output<Settings>, dependencies: ProviderDependencies): Provider;
  /** The model names it serves; default: its `models`. */
  served?(settings: z.output<Settings>): string[];
  /** The registered weights behind each served name; default: each model, registered by digest as external. */
  weights?(settings: z.output<Settings>): ServedWeights[];
  /**
   * The config entry of a provider this kind adds on its own when the config declares none of this
   * kind (the embedded default), or undefined; `taken` tells which ids the config already uses.
   */
  implicit?(registered: readonly RegisteredName[], taken: (id: string) => boolean): Record<string, unknown> | undefined;
}

/** Keeps a kind's literal name and settings type (so the config union is typed kind by kind). */
export function defineProviderKind<Name extends string, Settings extends z.ZodObject<any, any>>(
  kind: ProviderKind<Name, Settings>,
): ProviderKind<Name, Settings> {
  return kind;
}

/** The catalogue's description of a provider, from its settings. */
export function describeProvider(
  settings: BaseSettings,
  models: readonly string[] = settings.models,
): ProviderDescription {
  return {
    id: settings.id,
    kind: settings.kind,
    jurisdiction: settings.jurisdiction,
    operator: settings.operator,
    ownership: settings.ownership,
    models,
  };
}

/**
 * A setting that cannot be honoured when the provider is created (e.g. a secret it names is not set); `key` is the
 * settings key.
 */
export class ProviderSettingsError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderSettingsError';
  }
}
