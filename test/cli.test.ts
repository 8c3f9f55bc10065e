// The real `sovereign` bin against real sockets: start, keys while running, bad configs, first start, graceful shutdown.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import type { Double } from './doubles/http-double.js';
import { postJson, temporaryDirectory } from './helpers.js';
import { run, startBin, waitUntil } from './support/bin.js';

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
    writeFileSync(bad, 'providers:\n  - { id: x, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", jurisdiction: local, operator: o, ownership: ownd, models: [m] }\n');
    const result = run(['start', '--config', bad], directory);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /bad\.yaml: invalid config/);
    assert.match(result.stderr, /providers\[0\]\.ownership: must be one of "owned" \| "contracted" \| "rented"/);
  });

  it('refuses to start when a secret named in the config is missing, naming the variable', () => {
    const file = join(directory, 'secret.yaml');
    writeFileSync(file, `data_dir: ${join(directory, 'data-secret')}\nproviders:\n  - { id: cloud, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", api_key_env: SOV_TEST_MISSING_KEY, jurisdiction: US, operator: o, ownership: rented, models: [m] }\n`);
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
      const key = run(['keys', 'create', '--name', 'live', '--config', configFile], directory).stdout.trim().split('\n').at(-1)!;
      const body = { model: 'default', messages: [{ role: 'user', content: 'hi' }] };
      const ok = await waitUntil(async () => (await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` })).status === 200, 1_000);
      assert.ok(ok, 'a new key works within a second');
      assert.equal(run(['keys', 'revoke', 'live', '--config', configFile], directory).status, 0);
      const revoked = await waitUntil(async () => (await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` })).status === 401, 1_000);
      assert.ok(revoked, 'a revoked key is refused within a second');

      // An in-flight request finishes after SIGTERM; the process then exits 0.
      const admin = run(['keys', 'create', '--name', 'drain', '--config', configFile], directory).stdout.trim().split('\n').at(-1)!;
      assert.ok(await waitUntil(async () => (await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${admin}` } })).status === 200, 1_000));
      upstream.script({ kind: 'slow', delayMs: 700 });
      const inFlight = postJson(`${gateway.url}/v1/chat/completions`, { model: 'default', messages: [{ role: 'user', content: 'finish me' }] }, { authorization: `Bearer ${admin}` });
      await new Promise((done) => setTimeout(done, 200));
      gateway.child.kill('SIGTERM');
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.equal(answer.json.choices[0].message.content, 'echo: finish me');
      assert.equal(await gateway.exited, 0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it('on a first start with no config: creates an admin key, prints it with a curl line, and says how to add a provider', async () => {
    const fresh = temporaryDirectory();
    const gateway = await startBin([], fresh);
    try {
      const output = gateway.output();
      const key = /^\s+(sk-sov-\S+)$/m.exec(output)?.[1];
      assert.ok(key, output);
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
      assert.match(gateway.output(), /the Ollama answering at http:\/\/127\.0\.0\.1:11434 .*base_url: "http:\/\/127\.0\.0\.1:11434\/v1".*models: \[qwen3:8b, llama3\.2:3b\]/);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await new Promise((resolve) => ollama.close(resolve));
    }
  });
});
