// The model layer of the detectors in the request path (policy.detectors.ner): it reads a request
// only where the plan would let it leave for a provider that is not owned; what it finds decides
// like any detector's finding; a scan that cannot finish leaves only the owned providers. Runs the
// real onnx engine on a token-classification model the tests generate.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { systemClock } from '../src/core/clock.js';
import { decodeEntry } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, temporaryDirectory, type TestGateway } from './helpers.js';
import { onnxSkipReason } from './support/optional-dependencies.js';
import { writeTinyOnnxNer } from './support/tiny-onnx-ner.js';

const policy = (ner: Record<string, unknown>) => ({
  name: 'owned-names',
  detectors: { ner },
  rules: [
    { when: { labels_any: ['pii'] }, allow: { ownership: ['owned'] } },
    { when: {}, allow: {} },
  ],
});

describe('the deep scan in the request path', { skip: onnxSkipReason() }, () => {
  let own: Double;
  let cloud: Double;
  let gateway: TestGateway;
  let model: string;

  before(async () => {
    own = await startOpenAIDouble();
    cloud = await startOpenAIDouble();
    model = join(temporaryDirectory(), 'ner');
    writeTinyOnnxNer(model);
    gateway = await startTestGateway({
      providers: [
        providerEntry('own', own.url, { jurisdiction: 'SA', ownership: 'owned' }),
        providerEntry('cloud', cloud.url, { jurisdiction: 'US', ownership: 'rented', operator: 'Cloud Inc' }),
      ],
      models: {
        default: { candidates: ['cloud/m1', 'own/m1'] },
        home: { candidates: ['own/m1'] },
        away: { candidates: ['cloud/m1'] },
      },
      policy: policy({ engine: 'onnx', model, max_scan_bytes: 400 }),
    });
  });
  after(async () => {
    await gateway.close();
    await own.close();
    await cloud.close();
  });
  beforeEach(() => {
    own.received.length = 0;
    cloud.received.length = 0;
  });

  const entryOf = async (response: { headers: Headers }) => {
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${response.headers.get('x-sovereign-receipt')}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    return decodeEntry(Buffer.from(receipt.leaf, 'base64'));
  };
  const chat = (body: Record<string, unknown>) =>
    postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${gateway.key}` });

  it('a name only the model knows keeps the request at home; the ledger says the deep scan found it, and where', async () => {
    const response = await chat({
      model: 'default',
      messages: [{ role: 'user', content: 'wrote a letter to quintavius zorblax' }],
      metadata: { note: 'hello here' },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('x-sovereign-provider'), 'own');
    assert.equal(cloud.received.length, 0);
    const entry = await entryOf(response);
    assert.deepEqual(entry.deep_scan, { engine: 'onnx', outcome: 'found' });
    assert.ok(entry.labels.includes('pii.name'));
    assert.deepEqual(entry.findings, [{ label: 'pii.name', path: '$.messages[0].content' }]);
  });

  it('finds it in any field, and a request with nothing in it goes out as planned', async () => {
    const hidden = await chat({
      model: 'away',
      messages: [{ role: 'user', content: 'hello' }],
      tools: [{ type: 'function', function: { name: 'send', description: 'a letter to quintavius' } }],
    });
    assert.equal(hidden.status, 403);
    assert.match(hidden.json.error.message, /pii\.name/);
    const plain = await chat({ model: 'default', messages: [{ role: 'user', content: 'hello, the letter is here' }] });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('x-sovereign-provider'), 'cloud');
    assert.deepEqual((await entryOf(plain)).deep_scan, { engine: 'onnx', outcome: 'clear' });
    assert.equal(cloud.received.length, 1);
  });

  it('does not run where nothing would leave: candidates all owned', async () => {
    const response = await chat({
      model: 'home',
      messages: [{ role: 'user', content: 'wrote a letter to quintavius' }],
    });
    assert.equal(response.status, 200);
    assert.equal((await entryOf(response)).deep_scan, undefined);
  });

  it('past its max_scan_bytes the scan cannot finish: owned providers only, or a refusal that says why', async () => {
    const long = `hello ${'here '.repeat(100)}`;
    const served = await chat({ model: 'default', messages: [{ role: 'user', content: long }] });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('x-sovereign-provider'), 'own');
    assert.equal(cloud.received.length, 0);
    assert.equal((await entryOf(served)).deep_scan?.outcome, 'incomplete');
    const refused = await chat({ model: 'away', messages: [{ role: 'user', content: long }] });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'no_allowed_provider');
    assert.match(
      refused.json.error.message,
      /deep scan could not complete \(the deep scan reads at most 400 characters/,
    );
  });

  it('policy explain shows what the deep scan did', async () => {
    const response = await postJson(
      `${gateway.url}/v1/policy/explain`,
      { model: 'default', messages: [{ role: 'user', content: 'met zorblax in paris' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 200);
    assert.equal(response.json.deep_scan.outcome, 'found');
    assert.deepEqual(response.json.labels, ['pii.name']);
    assert.equal(own.received.length + cloud.received.length, 0);
  });
});

describe('a deep scan that takes longer than timeout_ms', { skip: onnxSkipReason() }, () => {
  it('leaves only the owned providers (timed on the gateway clock, not the wall clock)', async () => {
    const own = await startOpenAIDouble();
    const cloud = await startOpenAIDouble();
    const model = join(temporaryDirectory(), 'ner');
    writeTinyOnnxNer(model);
    // A clock on which the deep scan's wait (timeout_ms: 60 s) has already elapsed when it starts:
    // the scan always loses the race. Other waits (checkpoints, key reloads) run on the system clock.
    const gateway = await startTestGateway(
      {
        providers: [
          providerEntry('own', own.url, { jurisdiction: 'SA', ownership: 'owned' }),
          providerEntry('cloud', cloud.url, { jurisdiction: 'US', ownership: 'rented' }),
        ],
        models: { default: { candidates: ['cloud/m1', 'own/m1'] } },
        policy: policy({ engine: 'onnx', model, timeout_ms: 60_000 }),
      },
      {
        clock: {
          now: Date.now,
          sleep: (ms, signal) => (ms === 60_000 ? Promise.resolve() : systemClock.sleep(ms, signal)),
        },
      },
    );
    try {
      const response = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'default', messages: [{ role: 'user', content: 'hello' }] },
        { authorization: `Bearer ${gateway.key}` },
      );
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-sovereign-provider'), 'own');
      assert.equal(cloud.received.length, 0);
    } finally {
      await gateway.close();
      await own.close();
      await cloud.close();
    }
  });
});
