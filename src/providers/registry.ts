// HTTP provider kinds by name. Adding a kind: one file beside this one, one line here, one contract test.
// (Kind `local` runs in-process and is created by the pipeline with its weights registry: local.ts.)
import type { Provider } from '../core/provider.js';
import { createAnthropicProvider } from './anthropic.js';
import { createOpenAICompatibleProvider, type HttpProviderSettings } from './openai-compatible.js';

export type { HttpProviderSettings } from './openai-compatible.js';

export const providerKinds: Record<string, (settings: HttpProviderSettings) => Provider> = {
  'openai-compatible': createOpenAICompatibleProvider,
  anthropic: createAnthropicProvider,
};
