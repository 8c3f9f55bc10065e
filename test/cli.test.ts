// The real `sovereign` bin against real sockets: start, keys while running, bad configs (and
// `config check` refusing what start refuses), first start, graceful shutdown.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import type { Double } from './doubles/http-double.js';
import { postJson, temporaryDirectory } from './helpers.js';
import { run, startBin, waitUntil } from './support/bin.js';
import { onnxSkipReason } from './support/optional-dependencies.js';
import { writeTinyOnnxNer } from './support/tiny-onnx-ner.js';

describe('the sovereign command', () => {
  let upstream: Double;
  let directory: string;
  let configFile: string;

  before(async () => {
    upstream = await startOpenAIDouble();
    directory = temporaryDirectory();
    configFile = join(directory, 'sovereign.yaml');
    writeFileSync(
      configFile,
      `listen: 127.0.0.1:8300
data_dir: ${join(directory, 'data')}
providers:
  - { id: local, kind: openai-compatible, base_url: "${upstream.url}", jurisdiction: local, operator: Test IT, ownership: owned, models: [m1] }
models:
  default: { candidates: [local/m1] }
shutdown_grace_ms: 5000
log: { level: warn }
`,
    );
  });
  after(() => upstream.close());

  it('refuses a bad config with exit code 2 and a message naming the file and path', () => {
    const bad = join(directory, 'bad.yaml');
    writeFileSync(
      bad,
      'providers:\n  - { id: x, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", jurisdiction: local, operator: o, ownership: ownd, models: [m] }\n',
    );
    const result = run(['start', '--config', bad], directory);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /bad\.yaml: invalid config/);
    assert.match(result.stderr, /providers\[0\]\.ownership: must be one of "owned" \| "contracted" \| "rented"/);
  });

  it('refuses to start when a secret named in the config is missing, naming the variable', () => {
    const file = join(directory, 'secret.yaml');
    writeFileSync(
      file,
      `data_dir: ${join(directory, 'data-secret')}\nproviders:\n  - { id: cloud, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", api_key_env: SOV_TEST_MISSING_KEY, jurisdiction: US, operator: o, ownership: rented, models: [m] }\n`,
    );
    const result = run(['start', '--config', file], directory, { SOV_TEST_MISSING_KEY: '' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /SOV_TEST_MISSING_KEY is not set/);
  });

  it('keys create prints the key alone on the last line; keys list never shows it', () => {
    const created = run(['keys', 'create', '--name', 'team-a', '--admin', '--config', configFile], directory);
    assert.equal(created.status, 0, created.stderr);
    const lines = created.stdout.trim().split('\n');
    assert.match(lines.at(-1)!, /^sk-sov-[A-Za-z0-9_-]{43}$/);
    const listed = run(['keys', 'list', '--config', configFile], directory);
    assert.match(listed.stdout, /team-a/);
    assert.ok(!listed.stdout.includes(lines.at(-1)!));
    const duplicate = run(['keys', 'create', '--name', 'team-a', '--config', configFile], directory);
    assert.equal(duplicate.status, 2);
    assert.match(duplicate.stderr, /already exists/);
  });

  it('serves, sees keys created and revoked by the CLI within a second, and shuts down gracefully on SIGTERM', async () => {
    const gateway = await startBin(['--config', configFile], directory);
    try {
      assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
      const key = run(['keys', 'create', '--name', 'live', '--config', configFile], directory)
        .stdout.trim()
        .split('\n')
        .at(-1)!;
      const body = { model: 'default', messages: [{ role: 'user', content: 'hi' }] };
      const ok = await waitUntil(
        async () =>
          (await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` })).status ===
          200,
        1_000,
      );
      assert.ok(ok, 'a new key works within a second');
      assert.equal(run(['keys', 'revoke', 'live', '--config', configFile], directory).status, 0);
      const revoked = await waitUntil(
        async () =>
          (await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` })).status ===
          401,
        1_000,
      );
      assert.ok(revoked, 'a revoked key is refused within a second');

      // An in-flight request finishes after SIGTERM; the process then exits 0.
      const admin = run(['keys', 'create', '--name', 'drain', '--config', configFile], directory)
        .stdout.trim()
        .split('\n')
        .at(-1)!;
      assert.ok(
        await waitUntil(
          async () =>
            (await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${admin}` } })).status === 200,
          1_000,
        ),
      );
      upstream.script({ kind: 'slow', delayMs: 700 });
      const inFlight = postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'default', messages: [{ role: 'user', content: 'finish me' }] },
        { authorization: `Bearer ${admin}` },
      );
      // SIGTERM once the request is at the upstream, in flight.
      assert.ok(
        await waitUntil(async () => upstream.received.some((received) => received.raw.includes('finish me')), 5_000),
      );
      gateway.child.kill('SIGTERM');
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.equal(answer.json.choices[0].message.content, 'echo: finish me');
      assert.equal(await gateway.exited, 0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('on a first start with no config: creates an admin key, prints it with an export line and a curl line, and says how to add a provider', async () => {
    const fresh = temporaryDirectory();
    const gateway = await startBin([], fresh);
    try {
      const output = gateway.output();
      const key = /^\s+(sk-sov-\S+)$/m.exec(output)?.[1];
      assert.ok(key, output);
      // Every later example and the CLI's default read $SOVEREIGN_KEY.
      assert.match(output, new RegExp(`^  export SOVEREIGN_KEY=${key}$`, 'm'));
      assert.match(output, new RegExp(`curl http://127\\.0\\.0\\.1:\\d+/v1/models -H "Authorization: Bearer ${key}"`));
      assert.match(output, /no provider configured/);
      const models = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(models.status, 200);
      assert.deepEqual(await models.json(), { object: 'list', data: [] });
      assert.equal((await fetch(`${gateway.url}/readyz`)).status, 503, 'not ready without a provider');
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    const again = await startBin([], fresh);
    try {
      assert.ok(!/sk-sov-/.test(again.output()), 'the key is printed once only');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('offers an Ollama that answers on 127.0.0.1:11434 as a ready provider entry', async (context) => {
    const ollama = createServer((request, response) => {
      response.writeHead(request.url === '/api/tags' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ models: [{ name: 'qwen3:8b' }, { name: 'llama3.2:3b' }] }));
    });
    const listening = await new Promise<boolean>((resolve) => {
      ollama.once('error', () => resolve(false));
      ollama.listen(11434, '127.0.0.1', () => resolve(true));
    });
    if (!listening) return context.skip('port 11434 is taken on this machine');
    const gateway = await startBin([], temporaryDirectory());
    try {
      assert.match(
        gateway.output(),
        /the Ollama answering at http:\/\/127\.0\.0\.1:11434 .*base_url: "http:\/\/127\.0\.0\.1:11434\/v1".*models: \[qwen3:8b, llama3\.2:3b\]/,
      );
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await new Promise((resolve) => ollama.close(resolve));
    }
  });
});

describe('config check refuses what start refuses, with the same message and exit code 2', () => {
  const directory = temporaryDirectory();
  const write = (name: string, text: string): string => {
    const file = join(directory, `${name}.yaml`);
    writeFileSync(file, `data_dir: ${join(directory, `data-${name}`)}\nlog: { level: warn }\n${text}`);
    return file;
  };
  const sameRefusal = (file: string, pattern: RegExp, env: NodeJS.ProcessEnv = {}): void => {
    const checked = run(['config', 'check', '--config', file], directory, env);
    assert.equal(checked.status, 2, checked.stdout);
    assert.match(checked.stderr, pattern);
    assert.equal(checked.stdout, '', 'nothing is called valid');
    const started = run(['start', '--config', file, '--port', '0'], directory, env);
    assert.equal(started.status, 2, started.stdout);
    assert.equal(started.stderr, checked.stderr);
  };

  it('a secret named by api_key_env that is not set', () => {
    const file = write(
      'secret',
      'providers:\n  - { id: cloud, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", api_key_env: SOV_TEST_MISSING_KEY, jurisdiction: US, operator: o, ownership: rented, models: [m] }\n',
    );
    sameRefusal(
      file,
      /secret\.yaml: providers\[0\]\.api_key_env: the environment variable SOV_TEST_MISSING_KEY is not set \(provider "cloud"\)/,
      { SOV_TEST_MISSING_KEY: '' },
    );
    const checked = run(['config', 'check', '--config', file], directory, { SOV_TEST_MISSING_KEY: 'set' });
    assert.equal(checked.status, 0, checked.stderr);
    assert.match(checked.stdout, /secret\.yaml: valid\n\{/);
  });

  it('a kind: local provider naming a model that is not registered, without creating the data directory', () => {
    const file = write(
      'local',
      'providers:\n  - { id: own, kind: local, jurisdiction: local, operator: IT, ownership: owned, models: [not-registered] }\n',
    );
    const checked = run(['config', 'check', '--config', file], directory);
    assert.equal(checked.status, 2);
    assert.match(
      checked.stderr,
      /providers\[0\] \(own\): "not-registered" is not a registered GGUF model; register it with `npx sovereign models add <file\.gguf> --name not-registered` \(registered: none\)/,
    );
    assert.ok(!existsSync(join(directory, 'data-local')), 'a check writes nothing');
    sameRefusal(file, /"not-registered" is not a registered GGUF model/);
  });

  it('a policy.detectors.ner model directory that is missing, or a local engine model that is not registered', () => {
    const ner = (engine: string, model: string) =>
      `policy:\n  name: p\n  detectors: { ner: { engine: ${engine}, model: "${model}" } }\n  rules: [{ when: {}, allow: {} }]\n`;
    sameRefusal(
      write('ner-onnx', ner('onnx', join(directory, 'no-such-model'))),
      /ner-onnx\.yaml: policy\.detectors\.ner\.model: ".*no-such-model" is not a directory/,
    );
    sameRefusal(
      write('ner-local', ner('local', 'no-such-gguf')),
      /ner-local\.yaml: policy\.detectors\.ner\.model: model "no-such-gguf" is not in the weights registry/,
    );
  });

  it('a ner model whose files are present passes the check, which says the model itself is loaded at start; start refuses one that does not load', {
    skip: onnxSkipReason(),
  }, () => {
    const model = join(directory, 'corrupt-model');
    writeTinyOnnxNer(model);
    writeFileSync(join(model, 'onnx', 'model.onnx'), 'this is not a protobuf');
    const file = write(
      'ner-corrupt',
      `policy:\n  name: p\n  detectors: { ner: { engine: onnx, model: "${model}" } }\n  rules: [{ when: {}, allow: {} }]\n`,
    );
    const checked = run(['config', 'check', '--config', file], directory);
    assert.equal(checked.status, 0, checked.stderr);
    assert.match(checked.stdout, /ner-corrupt\.yaml: valid/);
    assert.match(
      checked.stderr,
      /note: policy\.detectors\.ner: the model files in .*corrupt-model are present; the model itself is loaded at start, which stops \(exit 2\) if it does not load/,
    );
    const started = run(['start', '--config', file, '--port', '0'], directory);
    assert.equal(started.status, 2, started.stdout);
    assert.match(
      started.stderr,
      /ner-corrupt\.yaml: policy\.detectors\.ner\.model: the model in .*corrupt-model could not be loaded/,
    );
  });
});
