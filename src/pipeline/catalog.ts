// The provider catalogue and the model names clients may ask for: aliases from the config, and
// `provider/model` for every model a provider lists.
import type { Config } from '../config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
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

/** Creates the providers of the config; a secret it names must be in the environment. */
export function createProviders(config: Config, environment: NodeJS.ProcessEnv): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  for (const [index, entry] of config.providers.entries()) {
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
        baseUrl: entry.base_url,
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
