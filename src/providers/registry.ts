// The provider kinds, by name. Adding a kind: one file beside this one exporting a ProviderKind
// (its settings schema and its factory), one line here, and its harness in test/providers.test.ts.
// The config's provider union is built from this list (src/config/schema.ts).
import { anthropicKind } from './anthropic.js';
import { localKind } from './local.js';
import { openAICompatibleKind } from './openai-compatible.js';
import type { ProviderKind } from './provider-kind.js';

export const providerKinds = [openAICompatibleKind, anthropicKind, localKind] as const;

export type ProviderKindName = (typeof providerKinds)[number]['kind'];

const byName = new Map<string, ProviderKind>(providerKinds.map((kind) => [kind.kind, kind]));

/** The kind of this name; the config schema admits no other, so an unknown name is a bug. */
export function providerKind(name: string): ProviderKind {
  const kind = byName.get(name);
  if (!kind) throw new Error(`unknown provider kind "${name}" (kinds: ${[...byName.keys()].join(', ')})`);
  return kind;
}
