// The provider catalogue and the model names clients may ask for: aliases from the config, and
// `provider/model` for every model a provider lists.
import { providerSchema, servedModels, type Config, type ProviderConfig } from '../config/schema.js';
import { hostname } from 'node:os';
import { GatewayError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import type { ModelRegistry } from '../models/registry.js';
import { createLocalProvider, type ResolvedWeights } from '../providers/local.js';
import { providerKinds } from '../providers/registry.js';

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

/** Defaults of kind: local, sized for a small machine (llama.cpp's own thread default ran ~100× slower on 2 cores). */
export const localDefaults = { threads: 2, context_size: 4096, sequences: 2, max_queue: 16, idle_unload_s: 600 };

/** Where a local provider's served name comes from: the base model's verified weights, and its adapter's. */
function weightsResolver(entry: ProviderConfig, registry: ModelRegistry | undefined): (model: string) => Promise<ResolvedWeights> {
  return async (name) => {
    if (!registry) throw new Error('no weights registry is open');
    const adapter = entry.adapters?.find((candidate) => candidate.name === name);
    const base = (await registry.verify(adapter?.model ?? name)).model;
    if (base.kind !== 'gguf' || !base.path) throw new Error(`model "${base.name}" is registered as ${base.kind}, not as a GGUF file`);
    if (!adapter) return { path: base.path, sha256: base.sha256 };
    const lora = (await registry.verify(adapter.adapter)).model;
    if (lora.kind !== 'lora' || !lora.path) throw new Error(`"${adapter.adapter}" is registered as ${lora.kind}, not as a LoRA adapter`);
    return { path: base.path, sha256: base.sha256, adapter: { path: lora.path, sha256: lora.sha256, scale: adapter.scale } };
  };
}

/** Creates the providers of the config; a secret it names must be in the environment. Local providers verify their weights with the registry before each load. */
export function createProviders(config: Config, environment: NodeJS.ProcessEnv, options: { registry?: ModelRegistry } = {}): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  for (const [index, entry] of config.providers.entries()) {
    if (entry.kind === 'local') {
      providers.set(
        entry.id,
        createLocalProvider({
          description: { id: entry.id, kind: entry.kind, jurisdiction: entry.jurisdiction, operator: entry.operator, ownership: entry.ownership, models: servedModels(entry) },
          resolve: weightsResolver(entry, options.registry),
          threads: entry.threads ?? localDefaults.threads,
          contextSize: entry.context_size ?? localDefaults.context_size,
          sequences: entry.sequences ?? localDefaults.sequences,
          maxQueue: entry.max_queue ?? localDefaults.max_queue,
          idleUnloadMs: (entry.idle_unload_s ?? localDefaults.idle_unload_s) * 1000,
        }),
      );
      continue;
    }
    let apiKey: string | undefined;
    if (entry.api_key_env) {
      apiKey = environment[entry.api_key_env];
      if (!apiKey) throw new Error(`providers[${index}].api_key_env: the environment variable ${entry.api_key_env} is not set (provider "${entry.id}")`);
    }
    const create = providerKinds[entry.kind]!;
    providers.set(
      entry.id,
      create({
        description: { id: entry.id, kind: entry.kind, jurisdiction: entry.jurisdiction, operator: entry.operator, ownership: entry.ownership, models: entry.models },
        baseUrl: entry.base_url!,
        apiKey,
        headers: { ...(entry.headers ?? {}) },
        maxConnections: entry.max_connections,
        streamIdleTimeoutMs: config.routing.stream_idle_timeout_ms,
      }),
    );
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
    const known = catalog.aliases.length > 0 ? ` Aliases served: ${catalog.aliases.slice(0, 20).join(', ')}.` : ' No model is configured yet.';
    throw new GatewayError('model_not_found', `The model "${model.slice(0, 200)}" does not exist on this gateway.${known} GET /v1/models lists every name.`, { param: 'model' });
  }
  return candidates;
}

/**
 * The digests of the registered weights behind each `provider/model` name: a local provider's
 * models (and adapters) by registry name, and models external engines serve, registered by digest
 * under the model name the engine uses.
 */
export function weightsDigests(config: Config, registered: ReadonlyArray<{ name: string; kind: string; sha256: string }>): Map<string, { model_sha256: string; adapter_sha256?: string }> {
  const byName = new Map(registered.map((model) => [model.name, model]));
  const digests = new Map<string, { model_sha256: string; adapter_sha256?: string }>();
  for (const provider of config.providers) {
    for (const model of provider.models) {
      const found = byName.get(model);
      if (found && (provider.kind === 'local' ? found.kind === 'gguf' : found.kind === 'external')) digests.set(`${provider.id}/${model}`, { model_sha256: found.sha256 });
    }
    for (const adapter of provider.adapters ?? []) {
      const base = byName.get(adapter.model);
      const lora = byName.get(adapter.adapter);
      if (base && lora) digests.set(`${provider.id}/${adapter.name}`, { model_sha256: base.sha256, adapter_sha256: lora.sha256 });
    }
  }
  return digests;
}

/**
 * The embedded default: with no provider of kind local configured, every registered GGUF model is
 * served in-process by an implicit owned provider `local` (or `embedded`, if `local` is taken).
 */
export function withEmbeddedModels(config: Config, registered: ReadonlyArray<{ name: string; kind: string }>): Config {
  const models = registered.filter((model) => model.kind === 'gguf').map((model) => model.name);
  if (models.length === 0 || config.providers.some((provider) => provider.kind === 'local')) return config;
  const id = config.providers.some((provider) => provider.id === 'local') ? 'embedded' : 'local';
  const provider = providerSchema.parse({ id, kind: 'local', jurisdiction: 'local', operator: hostname(), ownership: 'owned', models });
  return Object.freeze({ ...config, providers: [...config.providers, provider] });
}
