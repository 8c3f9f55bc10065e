// The optional model layer of the detectors (`policy.detectors.ner`): a model finds the names and
// postal addresses (pii.name, pii.address) patterns cannot. Engines: `onnx`, a token classifier run
// by onnxruntime in a worker thread; `local`, a registered GGUF model asked for JSON under a grammar.
import type { NerSettings } from '../config/schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { ModelRegistry } from '../models/registry.js';
import type { Span } from '../policy/detectors.js';
import { createLocalScanner } from './deep-scan-local.js';
import { createOnnxScanner } from './deep-scan-onnx.js';

export { DeepScanError, deepScanDefaults, defaultEntityLabels } from './deep-scan-settings.js';

export interface DeepScanner {
  readonly engine: 'onnx' | 'local';
  /**
   * The spans of pii.name / pii.address (or mapped labels) found in each text, in the same order; throws DeepScanError
   * when it cannot complete (too much text, model failure).
   */
  scan(texts: readonly string[], signal?: AbortSignal): Promise<Span[][]>;
  close(): Promise<void>;
}

/**
 * Loads (and for `local`, verifies) the model now, so a wrong setting fails at start-up, not on the first request.
 * `clock` is the gateway's (the local engine's deadlines are on it); the system clock by default.
 */
export async function createDeepScanner(
  settings: NerSettings,
  dependencies: { registry?: ModelRegistry; clock?: Clock },
): Promise<DeepScanner> {
  return settings.engine === 'onnx'
    ? createOnnxScanner(settings)
    : createLocalScanner(settings, dependencies.registry, dependencies.clock ?? systemClock);
}
