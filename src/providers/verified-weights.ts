// The weights a served model name runs on, verified against the weights registry before every load.
// The registry is a port: providers/ may import core/ only, so the pipeline hands in the real
// ModelRegistry (src/models/registry.ts), whose `verify` has this shape.

/** A registry entry, as far as a provider needs it. */
export interface RegisteredWeights {
  name: string;
  kind: 'gguf' | 'lora' | 'external';
  /** The file; null for external models (served by another engine, registered by digest). */
  path: string | null;
  sha256: string;
}

export interface WeightsRegistry {
  /** Checks a registered file against its signed manifest; throws (naming both digests) when the bytes do not match. */
  verify(name: string): Promise<{ model: RegisteredWeights }>;
}

/** Verified weights to load: a GGUF file, and the LoRA adapter applied on top of it. */
export interface ResolvedWeights {
  path: string;
  sha256: string;
  /** A LoRA adapter applied on top of the base weights. */
  adapter?: { path: string; sha256: string; scale: number };
}

/** A served name that is an adapter on a base model, as the config's `adapters` list it. */
export interface AdapterName {
  name: string;
  model: string;
  adapter: string;
  scale: number;
}

/**
 * Where a served name's weights come from: the base model's verified GGUF file, and for an adapter
 * name its verified LoRA file too. Throws when there is no registry, or a name is registered as
 * something else.
 */
export function verifiedWeights(
  adapters: readonly AdapterName[],
  registry: WeightsRegistry | undefined,
): (name: string) => Promise<ResolvedWeights> {
  return async (name) => {
    if (!registry) throw new Error('no weights registry is open');
    const adapter = adapters.find((candidate) => candidate.name === name);
    const base = (await registry.verify(adapter?.model ?? name)).model;
    if (base.kind !== 'gguf' || !base.path)
      throw new Error(`model "${base.name}" is registered as ${base.kind}, not as a GGUF file`);
    if (!adapter) return { path: base.path, sha256: base.sha256 };
    const lora = (await registry.verify(adapter.adapter)).model;
    if (lora.kind !== 'lora' || !lora.path)
      throw new Error(`"${adapter.adapter}" is registered as ${lora.kind}, not as a LoRA adapter`);
    return {
      path: base.path,
      sha256: base.sha256,
      adapter: { path: lora.path, sha256: lora.sha256, scale: adapter.scale },
    };
  };
}
