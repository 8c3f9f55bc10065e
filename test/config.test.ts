// The config contract: defaults, strictness, and errors that name the file, the path and what is allowed.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkStartable } from '../src/cli/config-checks.js';
import { ConfigError, parseConfig, parseConfigText } from '../src/config/load.js';
import { temporaryDirectory } from './helpers.js';

const provider = {
  id: 'local',
  kind: 'openai-compatible',
  base_url: 'http://127.0.0.1:11434/v1',
  jurisdiction: 'local',
  operator: 'IT',
  ownership: 'owned',
  models: ['qwen3-8b'],
};

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  return assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('has embedded defaults: loopback 8300, .sovereign, auth required', () => {
    const config = parseConfig({}, 'defaults');
    assert.equal(config.listen, '127.0.0.1:8300');
    assert.equal(config.data_dir, '.sovereign');
    assert.equal(config.auth.required, true);
    assert.deepEqual(config.providers, []);
  });

  it('accepts the documented example', () => {
    const config = parseConfigText(
      `listen: 127.0.0.1:8300
data_dir: .sovereign
auth: { required: true }
providers:
  - id: local
    kind: openai-compatible
    base_url: http://127.0.0.1:11434/v1
    api_key_env: LOCAL_API_KEY
    jurisdiction: local
    operator: Example Hospital IT
    ownership: owned
    models: [qwen3-8b]
  - { id: cloud, kind: openai-compatible, base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY, jurisdiction: US, operator: OpenAI, ownership: rented, models: [gpt-5-mini] }
models:
  default:
    candidates: [local/qwen3-8b, cloud/gpt-5-mini]
`,
      'sovereign.yaml',
    );
    assert.equal(config.models.default?.candidates.length, 2);
  });

  it('is frozen', () => {
    const config = parseConfig({ providers: [provider] }, 'x');
    assert.throws(() => ((config as { listen: string }).listen = 'x'));
    assert.throws(() => ((config.providers[0] as { id: string }).id = 'y'));
  });

  it('refuses unknown keys, naming file and path (a misspelled jurisdiction is not ignored)', () => {
    const message = errorOf(() => parseConfig({ providers: [{ ...provider, jurisdication: 'SA' }] }, 'sovereign.yaml'));
    assert.match(message, /^sovereign\.yaml: invalid config/);
    assert.match(message, /providers\[0\]: unknown key "jurisdication"/);
  });

  it('names what is allowed for an enum', () => {
    const message = errorOf(() => parseConfig({ providers: [{ ...provider, ownership: 'ownd' }] }, 'f.yaml'));
    assert.match(message, /providers\[0\]\.ownership: must be one of "owned" \| "contracted" \| "rented"/);
  });

  it('validates jurisdictions as "local" or ISO alpha-2', () => {
    assert.match(
      errorOf(() => parseConfig({ providers: [{ ...provider, jurisdiction: 'usa' }] }, 'f')),
      /providers\[0\]\.jurisdiction: must be "local" or an ISO 3166-1 alpha-2/,
    );
    assert.equal(
      parseConfig({ providers: [{ ...provider, jurisdiction: 'SA' }] }, 'f').providers[0]?.jurisdiction,
      'SA',
    );
  });

  it('refuses candidates naming unknown providers or unlisted models', () => {
    assert.match(
      errorOf(() => parseConfig({ providers: [provider], models: { default: { candidates: ['cloud/x'] } } }, 'f')),
      /models\.default\.candidates\[0\]: unknown provider "cloud"/,
    );
    assert.match(
      errorOf(() => parseConfig({ providers: [provider], models: { default: { candidates: ['local/llama'] } } }, 'f')),
      /does not list model "llama"/,
    );
  });

  it('refuses duplicate provider ids and bad ids', () => {
    assert.match(
      errorOf(() => parseConfig({ providers: [provider, provider] }, 'f')),
      /providers\[1\]\.id: duplicate provider id "local"/,
    );
    assert.match(
      errorOf(() => parseConfig({ providers: [{ ...provider, id: 'Local_1' }] }, 'f')),
      /providers\[0\]\.id: must be lowercase/,
    );
  });

  it('allows the open mode (auth.required: false) on loopback only', () => {
    assert.equal(parseConfig({ auth: { required: false } }, 'f').auth.required, false);
    assert.match(
      errorOf(() => parseConfig({ listen: '0.0.0.0:8300', auth: { required: false } }, 'f')),
      /auth\.required: may be false only when listen is a loopback address/,
    );
  });

  it('reports YAML syntax errors with their line', () => {
    assert.match(
      errorOf(() => parseConfigText('listen: 127.0.0.1:8300\nproviders: [\n  - id: x\n', 'bad.yaml')),
      /^bad\.yaml: not valid YAML at line \d+/,
    );
  });

  it('refuses secrets in the file: api keys come from the environment only', () => {
    assert.match(
      errorOf(() => parseConfig({ providers: [{ ...provider, api_key: 'sk-123' }] }, 'f')),
      /unknown key "api_key"/,
    );
  });

  it('checks kind: local providers: no HTTP keys, local keys only there, adapters on their own models, and served names in aliases', () => {
    const own = {
      id: 'own',
      kind: 'local',
      jurisdiction: 'local',
      operator: 'IT',
      ownership: 'owned',
      models: ['qwen3-8b-q4'],
    };
    const config = parseConfig(
      {
        providers: [{ ...own, threads: 2, adapters: [{ name: 'ward', model: 'qwen3-8b-q4', adapter: 'ward-lora' }] }],
        models: { default: { candidates: ['own/ward', 'own/qwen3-8b-q4'] } },
      },
      'local.yaml',
    );
    assert.equal(config.providers[0]!.adapters![0]!.scale, 1);
    assert.match(
      errorOf(() => parseConfig({ providers: [{ ...own, base_url: 'http://127.0.0.1:1/v1' }] }, 'f')),
      /providers\[0\]\.base_url: is not used by kind: local/,
    );
    assert.match(
      errorOf(() => parseConfig({ providers: [{ ...provider, threads: 2 }] }, 'f')),
      /providers\[0\]\.threads: applies to kind: local only/,
    );
    const { base_url: _url, ...withoutUrl } = provider;
    assert.match(
      errorOf(() => parseConfig({ providers: [withoutUrl] }, 'f')),
      /providers\[0\]\.base_url: is required for kind: openai-compatible/,
    );
    assert.match(
      errorOf(() =>
        parseConfig({ providers: [{ ...own, adapters: [{ name: 'x', model: 'other', adapter: 'y' }] }] }, 'f'),
      ),
      /adapters\[0\]\.model: must be one of this provider's models/,
    );
  });

  it('checks the action gate: requirements, trusted key form, simulation placeholders', () => {
    const config = parseConfig({}, 'defaults');
    assert.deepEqual(config.actions.rules, [{ match: {}, require: 'receipt' }]);
    assert.equal(config.actions.halt_timeout_s, 60);
    assert.match(
      errorOf(() => parseConfig({ actions: { rules: [{ match: {}, require: 'maybe' }] } }, 'f')),
      /actions\.rules\[0\]\.require/,
    );
    assert.match(
      errorOf(() => parseConfig({ actions: { trusted_keys: ['not a key'] } }, 'f')),
      /actions\.trusted_keys\[0\]: must be a verifier key/,
    );
    assert.match(
      errorOf(() => parseConfig({ actions: { simulation: { policy_hash: 'x' } } }, 'f')),
      /actions\.simulation\.signature/,
    );
  });
});

describe('the checks start stops on (shared with config check)', () => {
  const dataDirectory = temporaryDirectory();
  const loaded = (raw: Record<string, unknown>) => ({
    config: parseConfig({ data_dir: dataDirectory, ...raw }, 'f.yaml'),
    source: 'f.yaml',
  });
  const own = { id: 'own', kind: 'local', jurisdiction: 'local', operator: 'IT', ownership: 'owned', models: ['base'] };
  const nerPolicy = (ner: Record<string, unknown>) => ({
    policy: { name: 'p', detectors: { ner }, rules: [{ when: {}, allow: {} }] },
  });

  it('names every problem at once, each with the file and the path', () => {
    const config = loaded({
      providers: [
        { ...provider, id: 'a', api_key_env: 'SOV_UNSET_A' },
        { ...provider, id: 'b', api_key_env: 'SOV_UNSET_B' },
        own,
      ],
    });
    const { errors } = checkStartable(config, {}, []);
    assert.deepEqual(errors, [
      'f.yaml: providers[0].api_key_env: the environment variable SOV_UNSET_A is not set (provider "a")',
      'f.yaml: providers[1].api_key_env: the environment variable SOV_UNSET_B is not set (provider "b")',
      'f.yaml: providers[2] (own): "base" is not a registered GGUF model; register it with `npx sovereign models add <file.gguf> --name base` (registered: none)',
    ]);
    assert.deepEqual(
      checkStartable(config, { SOV_UNSET_A: 'x', SOV_UNSET_B: 'y' }, [{ name: 'base', kind: 'gguf', path: '/x.gguf' }])
        .errors,
      [],
    );
  });

  it('a registered name of the wrong kind is not the model a local provider needs', () => {
    const config = loaded({
      providers: [{ ...own, adapters: [{ name: 'ward', model: 'base', adapter: 'ward-lora' }] }],
    });
    const { errors } = checkStartable(config, {}, [
      { name: 'base', kind: 'lora', path: '/b' },
      { name: 'ward-lora', kind: 'gguf', path: '/w' },
    ]);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /"base" is not a registered GGUF model/);
    assert.match(errors[1]!, /"ward-lora" is not a registered LoRA adapter/);
  });

  it('a ledger signing key named by ledger.signing_key_env must be set; none in the data directory yet is created at start', () => {
    assert.deepEqual(checkStartable(loaded({ ledger: { signing_key_env: 'SOV_UNSET_LEDGER_KEY' } }), {}, []).errors, [
      'f.yaml: ledger.signing_key_env: the environment variable SOV_UNSET_LEDGER_KEY is not set',
    ]);
    const { errors, notes } = checkStartable(loaded({}), {}, []);
    assert.deepEqual(errors, []);
    assert.match(notes.join('\n'), /no ledger signing key yet: start creates one/);
  });

  it('the local ner engine: the label map, the registry entry and its file, checked without loading; the load is left to start', () => {
    const gguf = join(dataDirectory, 'scan.gguf');
    writeFileSync(gguf, 'weights');
    const check = (
      ner: Record<string, unknown>,
      registered: Array<{ name: string; kind: 'gguf' | 'lora' | 'external'; path: string | null }>,
    ) => checkStartable(loaded(nerPolicy({ engine: 'local', ...ner })), {}, registered);
    assert.deepEqual(check({ model: 'scan' }, []).errors, [
      'f.yaml: policy.detectors.ner.model: model "scan" is not in the weights registry (add it with `sovereign models add <file.gguf> --name scan`)',
    ]);
    assert.match(
      check({ model: 'scan' }, [{ name: 'scan', kind: 'external', path: null }]).errors[0]!,
      /"scan" is registered as external, not as a GGUF file/,
    );
    assert.match(
      check({ model: 'scan' }, [{ name: 'scan', kind: 'gguf', path: join(dataDirectory, 'gone.gguf') }]).errors[0]!,
      /its file .*gone\.gguf cannot be read/,
    );
    assert.match(
      check({ model: 'scan', labels: { ORG: 'org' } }, [{ name: 'scan', kind: 'gguf', path: gguf }]).errors[0]!,
      /policy\.detectors\.ner\.labels: the local engine reports the entities NAME and ADDRESS, and neither maps to a label/,
    );
    const passed = check({ model: 'scan' }, [{ name: 'scan', kind: 'gguf', path: gguf }]);
    assert.deepEqual(passed.errors, []);
    assert.match(
      passed.notes.join('\n'),
      /policy\.detectors\.ner: "scan" is registered; the model itself is verified against its signed manifest and loaded at start/,
    );
  });

  it('the onnx ner engine: the directory and the files it reads', () => {
    const directory = join(dataDirectory, 'ner');
    const check = () => checkStartable(loaded(nerPolicy({ engine: 'onnx', model: directory })), {}, []).errors;
    assert.match(check()[0]!, /policy\.detectors\.ner\.model: ".*ner" is not a directory/);
    assert.match(
      checkStartable(loaded(nerPolicy({ engine: 'onnx', model: 'Xenova/some-ner' })), {}, []).errors[0]!,
      /looks like a hub model id: models are never fetched from a hub/,
    );
    mkdirSync(join(directory, 'onnx'), { recursive: true });
    assert.match(check()[0]!, /lacks config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx/);
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'])
      writeFileSync(join(directory, file), '{}');
    writeFileSync(join(directory, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    assert.match(check()[0]!, /config\.json needs model_type and id2label/);
  });
});
