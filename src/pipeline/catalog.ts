// The provider catalogue and the model names clients may ask for: aliases from the config, and
// `provider/model` for every model a provider lists. Every kind is one row of the registry
// (src/providers/registry.ts): it is looked up by name and handed the same dependencies.
import { providerSchema, type Config, type ProviderConfig } from '../config/schema.js';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import { ProviderSettingsError, type ServedWeights } from '../providers/provider-kind.js';
import { providerKind, providerKinds } from '../providers/registry.js';
import type { WeightsRegistry } from '../providers/verified-weights.js';

export interface Candidate {
  provider: Provider;
  upstreamModel: string;
  /** `provider/model`, as it appears in config, metrics and logs. */
  name: string;
}

export interface Catalog {
  providers: Map<string, Provider>;
  /** Every name a client may ask for, with its candidates in order. */
  routes: Map<string, Candidate[]>;
  aliases: string[];
}

export interface ProviderFactoryDependencies {
  /** The gateway's one clock (the one createApp is given): deadlines and every provider's waits are on it. */
  clock: Clock;
  /**
   * The weights registry (src/models/registry.ts's ModelRegistry): kinds that run registered weights verify them with
   * it before each load.
   */
  registry?: WeightsRegistry;
  /** How upstream names are resolved before the SSRF guard checks them (default: the system's resolver). */
  resolve?: LookupFunction;
}

/** Creates the providers of the config; a secret one names must be in the environment. */
export function createProviders(
  config: Config,
  environment: NodeJS.ProcessEnv,
  dependencies: ProviderFactoryDependencies,
): Map<string, Provider> {
  const shared = {
    clock: dependencies.clock,
    environment,
    streamIdleTimeoutMs: config.routing.stream_idle_timeout_ms,
    maxAnswerBytes: config.limits.max_answer_bytes,
    weights: dependencies.registry,
    resolve: dependencies.resolve,
  };
  const providers = new Map<string, Provider>();
  for (const [index, entry] of config.providers.entries()) {
    try {
      providers.set(entry.id, providerKind(entry.kind).create(entry, shared));
    } catch (error) {
      if (error instanceof ProviderSettingsError)
        throw new Error(`providers[${index}].${error.key}: ${error.message} (provider "${entry.id}")`, {
          cause: error,
        });
      throw error;
    }
  }
  return providers;
}

export function buildCatalog(config: Config, providers: Map<string, Provider>): Catalog {
  const routes = new Map<string, Candidate[]>();
  for (const provider of providers.values()) {
    for (const model of provider.description.models) {
      const name = `${provider.description.id}/${model}`;
      routes.set(name, [{ provider, upstreamModel: model, name }]);
    }
  }
  const aliases = Object.keys(config.models);
  for (const alias of aliases) {
    routes.set(
      alias,
      config.models[alias]!.candidates.map((name) => {
        const slash = name.indexOf('/');
        return { provider: providers.get(name.slice(0, slash))!, upstreamModel: name.slice(slash + 1), name };
      }),
    );
  }
  return { providers, routes, aliases };
}

export function resolveModel(catalog: Catalog, model: string): Candidate[] {
  const candidates = catalog.routes.get(model);
  if (!candidates) {
    const known =
      catalog.aliases.length > 0
        ? ` Aliases served: ${catalog.aliases.slice(0, 20).join(', ')}.`
        : ' No model is configured yet.';
    throw new GatewayError(
      'model_not_found',
      `The model "${model.slice(0, 200)}" does not exist on this gateway.${known} GET /v1/models lists every name.`,
      { param: 'model' },
    );
  }
  return candidates;
}

/**
 * The digests of the registered weights behind each `provider/model` name, as each kind names them:
 * a local provider's models (and adapters) by registry name, and models external engines serve,
 * registered by digest under the model name the engine uses.
 */
export function weightsDigests(
  config: Config,
  registered: ReadonlyArray<{ name: string; kind: string; sha256: string }>,
): Map<string, { model_sha256: string; adapter_sha256?: string }> {
  const byName = new Map(registered.map((model) => [model.name, model]));
  const digests = new Map<string, { model_sha256: string; adapter_sha256?: string }>();
  for (const provider of config.providers) {
    const kind = providerKind(provider.kind);
    const served: ServedWeights[] =
      kind.weights?.(provider) ??
      provider.models.map((model) => ({ served: model, model: { name: model, kind: 'external' } }));
    for (const { served: name, model, adapter } of served) {
      const base = byName.get(model.name);
      if (!base || base.kind !== model.kind) continue;
      if (adapter === undefined) {
        digests.set(`${provider.id}/${name}`, { model_sha256: base.sha256 });
        continue;
      }
      const lora = byName.get(adapter);
      if (lora?.kind === 'lora')
        digests.set(`${provider.id}/${name}`, { model_sha256: base.sha256, adapter_sha256: lora.sha256 });
    }
  }
  return digests;
}

/**
 * The embedded default: a kind that offers an implicit provider (kind local: every registered GGUF
 * model, served in-process by an owned provider `local`, or `embedded` if `local` is taken) adds it
 * when the config declares no provider of that kind.
 */
export function withEmbeddedModels(config: Config, registered: ReadonlyArray<{ name: string; kind: string }>): Config {
  const taken = (id: string): boolean => config.providers.some((provider) => provider.id === id);
  const implicit: ProviderConfig[] = [];
  for (const kind of providerKinds) {
    if (!kind.implicit || config.providers.some((provider) => provider.kind === kind.kind)) continue;
    const entry = kind.implicit(registered, taken);
    if (entry) implicit.push(providerSchema.parse(entry));
  }
  if (implicit.length === 0) return config;
  return Object.freeze({ ...config, providers: [...config.providers, ...implicit] });
}
