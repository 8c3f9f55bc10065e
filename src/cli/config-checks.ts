// The checks `sovereign start` stops on (exit 2) beyond the schema, in one place: `start` and
// `sovereign config check` both call checkStartable, so a config that passes the check starts —
// save for what only loading a model can tell, which start alone does (and the check says so).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { NerSettings } from '../config/schema.js';
import { entityLabels } from '../pipeline/deep-scan-settings.js';
import type { ModelRecord } from '../store/store.js';
import { loadSigner, signingKeyFile } from './ledger-key.js';
import { loadStateKey, stateKeyFile } from './state-key.js';

export interface ConfigChecks {
  /** What start stops on: whole messages, each naming the file and the path in it. */
  errors: string[];
  /** What this check settles only in part, and start settles in full (a model is loaded there). */
  notes: string[];
}

/** What the checks need of a registered model: a registry row, never its bytes. */
export type RegisteredModel = Pick<ModelRecord, 'name' | 'kind' | 'path'>;

/** The name the messages give the config: its file, or the defaults. */
export function configSource(loaded: LoadedConfig): string {
  return loaded.source ?? '<built-in defaults>';
}

/**
 * The problems start stops on, found without loading a model or opening a connection: the ledger's
 * signing key, the secrets providers name, the registered weights local providers name, and the
 * files of the detectors' model (`policy.detectors.ner`).
 */
export function checkStartable(
  loaded: LoadedConfig,
  environment: NodeJS.ProcessEnv,
  registered: readonly RegisteredModel[],
): ConfigChecks {
  const { config } = loaded;
  const where = configSource(loaded);
  const errors: string[] = [];
  const notes: string[] = [];

  // The signing key: one named by ledger.signing_key_env or kept in the data directory must load; none
  // at all is fine, start creates it.
  const keyFile = join(resolve(config.data_dir), signingKeyFile);
  if (config.ledger.signing_key_env || existsSync(keyFile)) {
    try {
      loadSigner(config, environment, { create: false });
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
    }
  } else {
    notes.push(`no ledger signing key yet: start creates one in ${keyFile}`);
  }
  // The key that seals stored conversation state, likewise.
  if (config.state.encryption_key_env || existsSync(join(resolve(config.data_dir), stateKeyFile))) {
    try {
      loadStateKey(config, environment, { create: false });
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
    }
  }

  for (const [index, provider] of config.providers.entries()) {
    if (provider.kind === 'local') {
      // Each name must be registered as the right kind; the bytes are verified against their signed manifest before
      // every load.
      for (const [position, name] of [
        ...provider.models,
        ...(provider.adapters ?? []).map((adapter) => adapter.adapter),
      ].entries()) {
        const found = registered.find((model) => model.name === name);
        const wanted = position < provider.models.length ? 'gguf' : 'lora';
        if (!found || found.kind !== wanted) {
          errors.push(
            `${where}: providers[${index}] (${provider.id}): "${name}" is not a registered ${wanted === 'gguf' ? 'GGUF model' : 'LoRA adapter'}; register it with \`npx sovereign models add <file.gguf> --name ${name}\` (registered: ${registered.map((model) => model.name).join(', ') || 'none'})`,
          );
        }
      }
      continue;
    }
    if (provider.api_key_env && !environment[provider.api_key_env]) {
      errors.push(
        `${where}: providers[${index}].api_key_env: the environment variable ${provider.api_key_env} is not set (provider "${provider.id}")`,
      );
    }
  }

  const ner = config.policy?.detectors?.ner;
  if (ner) {
    const problem = ner.engine === 'onnx' ? onnxModelProblem(ner) : localModelProblem(ner, registered);
    if (problem) errors.push(`${where}: ${problem}`);
    else
      notes.push(
        `policy.detectors.ner: ${ner.engine === 'onnx' ? `the model files in ${resolve(ner.model)} are present` : `"${ner.model}" is registered`}; the model itself is ${ner.engine === 'local' ? 'verified against its signed manifest and ' : ''}loaded at start, which stops (exit 2) if it does not load`,
      );
  }
  return { errors, notes };
}

// What the onnx engine reads (src/pipeline/deep-scan-onnx.ts checks the same before loading, with the same words).
const onnxFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
const onnxLayout =
  'a token-classification model exported to ONNX: config.json (with model_type and id2label), tokenizer.json, tokenizer_config.json and onnx/model.onnx';
const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/** The onnx engine's model directory and optional dependency, checked without loading either. */
function onnxModelProblem(ner: NerSettings): string | undefined {
  const directory = resolve(ner.model);
  if (!isDirectory(directory)) {
    const hubHint = /^[\w.-]+\/[\w.-]+$/.test(ner.model)
      ? ` It looks like a hub model id: models are never fetched from a hub here; download and export "${ner.model}" elsewhere, then name its directory.`
      : '';
    return `policy.detectors.ner.model: "${ner.model}" is not a directory (${directory}); the onnx engine reads ${onnxLayout}.${hubHint}`;
  }
  const missing = onnxFiles.filter((file) => !isFile(join(directory, file)));
  if (missing.length > 0)
    return `policy.detectors.ner.model: ${directory} lacks ${missing.join(', ')}; the onnx engine reads ${onnxLayout}`;
  let modelConfig: { model_type?: unknown; id2label?: unknown };
  try {
    modelConfig = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as typeof modelConfig;
  } catch (error) {
    return `policy.detectors.ner.model: ${join(directory, 'config.json')} is not valid JSON (${(error as Error).message})`;
  }
  if (
    typeof modelConfig.model_type !== 'string' ||
    typeof modelConfig.id2label !== 'object' ||
    modelConfig.id2label === null ||
    Object.keys(modelConfig.id2label).length === 0
  ) {
    return `policy.detectors.ner.model: ${join(directory, 'config.json')} needs model_type and id2label (the labels of a token-classification model)`;
  }
  try {
    // Resolved, not imported: importing it loads onnxruntime, which is what start does.
    import.meta.resolve(transformersPackage);
  } catch {
    return 'policy.detectors.ner engine onnx needs the optional dependency @huggingface/transformers (npm install @huggingface/transformers)';
  }
  return undefined;
}

/** A computed specifier: the package is optional, so the build must not need it. */
const transformersPackage: string = ['@huggingface', 'transformers'].join('/');

/** The local engine's label map and registry entry, checked without hashing or loading the weights. */
function localModelProblem(ner: NerSettings, registered: readonly RegisteredModel[]): string | undefined {
  // The local engine reports NAME and ADDRESS only (src/pipeline/deep-scan-local.ts).
  const labels = entityLabels(ner);
  if (!labels.NAME && !labels.ADDRESS)
    return 'policy.detectors.ner.labels: the local engine reports the entities NAME and ADDRESS, and neither maps to a label';
  const model = registered.find((candidate) => candidate.name === ner.model);
  if (!model)
    return `policy.detectors.ner.model: model "${ner.model}" is not in the weights registry (add it with \`sovereign models add <file.gguf> --name ${ner.model}\`)`;
  if (model.kind !== 'gguf' || !model.path)
    return `policy.detectors.ner.model: "${ner.model}" is registered as ${model.kind}, not as a GGUF file this process can run`;
  if (!isFile(model.path))
    return `policy.detectors.ner.model: model "${ner.model}": its file ${model.path} cannot be read (ENOENT); it is not served`;
  return undefined;
}

/**
 * Whether the checks need the weights registry: only a kind: local provider or the local ner engine names registered
 * models.
 */
export function needsRegistry(loaded: LoadedConfig): boolean {
  return (
    loaded.config.providers.some((provider) => provider.kind === 'local') ||
    loaded.config.policy?.detectors?.ner?.engine === 'local'
  );
}
