// The config contract: defaults, strictness, and errors that name the file, the path and what is allowed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, parseConfigText } from '../src/config/load.js';

const provider = { id: 'local', kind: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1', jurisdiction: 'local', operator: 'IT', ownership: 'owned', models: ['qwen3-8b'] };

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
    assert.throws(() => (config.providers[0] as { id: string }).id = 'y');
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
    assert.match(errorOf(() => parseConfig({ providers: [{ ...provider, jurisdiction: 'usa' }] }, 'f')), /providers\[0\]\.jurisdiction: must be "local" or an ISO 3166-1 alpha-2/);
    assert.equal(parseConfig({ providers: [{ ...provider, jurisdiction: 'SA' }] }, 'f').providers[0]?.jurisdiction, 'SA');
  });

  it('refuses candidates naming unknown providers or unlisted models', () => {
    assert.match(errorOf(() => parseConfig({ providers: [provider], models: { default: { candidates: ['cloud/x'] } } }, 'f')), /models\.default\.candidates\[0\]: unknown provider "cloud"/);
    assert.match(errorOf(() => parseConfig({ providers: [provider], models: { default: { candidates: ['local/llama'] } } }, 'f')), /does not list model "llama"/);
  });

  it('refuses duplicate provider ids and bad ids', () => {
    assert.match(errorOf(() => parseConfig({ providers: [provider, provider] }, 'f')), /providers\[1\]\.id: duplicate provider id "local"/);
    assert.match(errorOf(() => parseConfig({ providers: [{ ...provider, id: 'Local_1' }] }, 'f')), /providers\[0\]\.id: must be lowercase/);
  });

  it('allows the open mode (auth.required: false) on loopback only', () => {
    assert.equal(parseConfig({ auth: { required: false } }, 'f').auth.required, false);
    assert.match(errorOf(() => parseConfig({ listen: '0.0.0.0:8300', auth: { required: false } }, 'f')), /auth\.required: may be false only when listen is a loopback address/);
  });

  it('reports YAML syntax errors with their line', () => {
    assert.match(errorOf(() => parseConfigText('listen: 127.0.0.1:8300\nproviders: [\n  - id: x\n', 'bad.yaml')), /^bad\.yaml: not valid YAML at line \d+/);
  });

  it('refuses secrets in the file: api keys come from the environment only', () => {
    assert.match(errorOf(() => parseConfig({ providers: [{ ...provider, api_key: 'sk-123' }] }, 'f')), /unknown key "api_key"/);
  });

  it('checks kind: local providers: no HTTP keys, local keys only there, adapters on their own models, and served names in aliases', () => {
    const own = { id: 'own', kind: 'local', jurisdiction: 'local', operator: 'IT', ownership: 'owned', models: ['qwen3-8b-q4'] };
    const config = parseConfig({ providers: [{ ...own, threads: 2, adapters: [{ name: 'ward', model: 'qwen3-8b-q4', adapter: 'ward-lora' }] }], models: { default: { candidates: ['own/ward', 'own/qwen3-8b-q4'] } } }, 'local.yaml');
    assert.equal(config.providers[0]!.adapters![0]!.scale, 1);
    assert.match(errorOf(() => parseConfig({ providers: [{ ...own, base_url: 'http://127.0.0.1:1/v1' }] }, 'f')), /providers\[0\]\.base_url: is not used by kind: local/);
    assert.match(errorOf(() => parseConfig({ providers: [{ ...provider, threads: 2 }] }, 'f')), /providers\[0\]\.threads: applies to kind: local only/);
    const { base_url: _url, ...withoutUrl } = provider;
    assert.match(errorOf(() => parseConfig({ providers: [withoutUrl] }, 'f')), /providers\[0\]\.base_url: is required for kind: openai-compatible/);
    assert.match(errorOf(() => parseConfig({ providers: [{ ...own, adapters: [{ name: 'x', model: 'other', adapter: 'y' }] }] }, 'f')), /adapters\[0\]\.model: must be one of this provider's models/);
  });

  it('checks the action gate: requirements, trusted key form, simulation placeholders', () => {
    const config = parseConfig({}, 'defaults');
    assert.deepEqual(config.actions.rules, [{ match: {}, require: 'receipt' }]);
    assert.equal(config.actions.halt_timeout_s, 60);
    assert.match(errorOf(() => parseConfig({ actions: { rules: [{ match: {}, require: 'maybe' }] } }, 'f')), /actions\.rules\[0\]\.require/);
    assert.match(errorOf(() => parseConfig({ actions: { trusted_keys: ['not a key'] } }, 'f')), /actions\.trusted_keys\[0\]: must be a verifier key/);
    assert.match(errorOf(() => parseConfig({ actions: { simulation: { policy_hash: 'x' } } }, 'f')), /actions\.simulation\.signature/);
  });
});
