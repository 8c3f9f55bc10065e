// The learning loop on a real gateway: capture (off by default, opt-in, bound by labels, sealed at
// rest), feedback (typed metrics, one target, another key's call refused, a ledger entry each) and
// shadow traffic (after the answer, policy-bound, a hanging shadow never delays the caller).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeEntry } from '../src/ledger/entry.js';
import { loadStateKey } from '../src/cli/state-key.js';
import { openCapture } from '../src/learning/capture.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { Sealer } from '../src/state/sealing.js';
import { startAnthropicDouble } from './doubles/anthropic-upstream.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import type { Double } from './doubles/http-double.js';
import { piiOwnedPolicy, postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const chat = (gateway: TestGateway, body: unknown, headers: Record<string, string> = {}, key = gateway.key) =>
  postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}`, ...headers });
const feedback = (gateway: TestGateway, body: unknown, key = gateway.key) =>
  postJson(`${gateway.url}/v1/feedback`, body, { authorization: `Bearer ${key}` });

async function ledgerEntries(gateway: TestGateway) {
  const size = await gateway.store.ledgerSize();
  return (await gateway.store.ledgerEntries(0, size)).map((row) => decodeEntry(row.leaf));
}

describe('capture', () => {
  let upstream: Double;
  before(async () => {
    upstream = await startOpenAIDouble();
  });
  after(() => upstream.close());

  test('is off by default: nothing is stored', async () => {
    const gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'] } },
    });
    try {
      const answer = await chat(gateway, { model: 'default', messages: [{ role: 'user', content: 'hello' }] });
      assert.equal(answer.status, 200);
      await gateway.app.learning.drain();
      const rows = await gateway.store.learning.captures({ now: Date.now() }, undefined, 10);
      assert.equal(rows.length, 0);
    } finally {
      await gateway.close();
    }
  });

  test('stores the call sealed, findable by receipt and episode; secrets are never kept', async () => {
    const gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'] } },
      capture: { enabled: true },
      feedback: { metrics: { helpful: { type: 'boolean' }, quality: { type: 'float', level: 'episode' } } },
    });
    try {
      const answer = await chat(
        gateway,
        { model: 'default', messages: [{ role: 'user', content: 'summarise the ward notes' }] },
        { 'x-sovereign-episode': 'ward-7' },
      );
      assert.equal(answer.status, 200);
      const receipt = Number(answer.headers.get('x-sovereign-receipt'));
      const secret = await chat(gateway, {
        model: 'default',
        messages: [{ role: 'user', content: 'key sk-proj-Ab3dEfGh1jKlMnOpQrStUvWx9zAbCdEf' }],
      });
      assert.equal(secret.status, 200);
      await gateway.app.learning.drain();
      const rows = await gateway.store.learning.captures({ now: Date.now() }, undefined, 10);
      assert.equal(rows.length, 1, 'the call carrying a secret is not captured');
      const [row] = rows;
      assert.equal(row!.receipt, receipt);
      assert.equal(row!.episodeId, 'ward-7');
      assert.equal(row!.provider, 'own');
      assert.ok(!row!.sealed.toString('latin1').includes('ward notes'), 'the text is sealed at rest');

      const helpful = await feedback(gateway, { receipt, metric: 'helpful', value: true });
      assert.equal(helpful.status, 200, helpful.text);
      assert.equal(helpful.json.object, 'feedback');
      assert.equal(helpful.json.target.receipt, receipt);
      const entry = (await ledgerEntries(gateway))[helpful.json.ledger_index]!;
      assert.equal(entry.kind, 'feedback');
      assert.equal(entry.learning?.metric, 'helpful');
      assert.equal(entry.learning?.target_index, receipt);

      const episode = await feedback(gateway, { episode_id: 'ward-7', metric: 'quality', value: 0.8 });
      assert.equal(episode.status, 200, episode.text);
      const listed = await fetch(`${gateway.url}/v1/feedback?receipt=${receipt}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      }).then((response) => response.json() as Promise<{ data: Array<{ metric: string }> }>);
      assert.deepEqual(
        listed.data.map((item: { metric: string }) => item.metric),
        ['helpful'],
      );
    } finally {
      await gateway.close();
    }
  });

  test('a Responses turn is captured under its conversation, findable by response id; a Messages call too', async () => {
    const anthropic = await startAnthropicDouble();
    const gateway = await startTestGateway({
      providers: [
        providerEntry('own', upstream.url),
        {
          id: 'claude',
          kind: 'anthropic',
          base_url: anthropic.url,
          jurisdiction: 'local',
          operator: 'Lab',
          ownership: 'owned',
          models: ['c1'],
        },
      ],
      models: { default: { candidates: ['own/m1'] }, claude: { candidates: ['claude/c1'] } },
      capture: { enabled: true },
      feedback: { metrics: { helpful: { type: 'boolean' } } },
    });
    try {
      const auth = { authorization: `Bearer ${gateway.key}` };
      const conversation = await postJson(`${gateway.url}/v1/conversations`, {}, auth);
      assert.equal(conversation.status, 200, conversation.text);
      const turn = await postJson(
        `${gateway.url}/v1/responses`,
        { model: 'default', input: 'plan the ward round', conversation: conversation.json.id },
        auth,
      );
      assert.equal(turn.status, 200, turn.text);
      const messages = await postJson(
        `${gateway.url}/v1/messages`,
        { model: 'claude', max_tokens: 16, messages: [{ role: 'user', content: 'hello there' }] },
        { ...auth, 'x-sovereign-episode': 'shift-3' },
      );
      assert.equal(messages.status, 200, messages.text);
      await gateway.app.learning.drain();
      const byResponse = await gateway.store.learning.captureBy({ responseId: turn.json.id }, 'tester', Date.now());
      assert.ok(byResponse, 'the Responses turn is captured');
      assert.equal(byResponse.episodeId, conversation.json.id);
      const given = await feedback(gateway, { response_id: turn.json.id, metric: 'helpful', value: true });
      assert.equal(given.status, 200, given.text);
      assert.equal(given.json.target.episode_id, conversation.json.id);
      const byEpisode = await feedback(gateway, { episode_id: 'shift-3', metric: 'comment', value: 'fine' });
      assert.equal(byEpisode.status, 200, byEpisode.text);
      const claude = await gateway.store.learning.captureBy(
        { receipt: Number(messages.headers.get('x-sovereign-receipt')) },
        'tester',
        Date.now(),
      );
      assert.equal(claude?.provider, 'claude');
    } finally {
      await gateway.close();
      await anthropic.close();
    }
  });

  test('an episode header that carries data is refused, and nothing is captured', async () => {
    const gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'] } },
      capture: { enabled: true },
    });
    try {
      for (const episode of ['amina@example.sa', 'x'.repeat(129), 'a b']) {
        const reply = await chat(
          gateway,
          { model: 'default', messages: [{ role: 'user', content: 'hello' }] },
          { 'x-sovereign-episode': episode },
        );
        assert.equal(reply.status, 400, episode);
        assert.equal(reply.json.error.param, 'x-sovereign-episode');
        assert.ok(!reply.text.includes('amina'), 'the refusal does not repeat the header');
      }
      await gateway.app.learning.drain();
      assert.equal((await gateway.store.learning.captures({ now: Date.now() }, undefined, 10)).length, 0);
    } finally {
      await gateway.close();
    }
  });

  test('an answer carrying a secret is not kept; redaction reaches encoded values and keys; capture off by header', async () => {
    const gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'] } },
      capture: { enabled: true, redact_labels: ['pii'] },
    });
    try {
      upstream.script({ kind: 'ok', text: 'use sk-proj-Ab3dEfGh1jKlMnOpQrStUvWx9zAbCdEf here' });
      const leaked = await chat(gateway, { model: 'default', messages: [{ role: 'user', content: 'what key?' }] });
      assert.equal(leaked.status, 200);
      const encoded = await chat(gateway, {
        model: 'default',
        messages: [
          { role: 'user', content: 'mail amina%40example.sa or ａｍｉｎａ@example.sa' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'send', arguments: '{"to":"amina\\u0040example.sa"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'sent' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'send',
              parameters: { type: 'object', properties: { 'x.y@example.net': { type: 'string' } } },
            },
          },
        ],
      });
      assert.equal(encoded.status, 200, encoded.text);
      const skipped = await chat(
        gateway,
        { model: 'default', messages: [{ role: 'user', content: 'judge this' }] },
        { 'x-sovereign-capture': 'off' },
      );
      assert.equal(skipped.status, 200);
      const wrong = await chat(
        gateway,
        { model: 'default', messages: [{ role: 'user', content: 'x' }] },
        { 'x-sovereign-capture': 'sometimes' },
      );
      assert.equal(wrong.status, 400);
      assert.equal(wrong.json.error.param, 'x-sovereign-capture');
      await gateway.app.learning.drain();
      const rows = await gateway.store.learning.captures({ now: Date.now() }, undefined, 10);
      assert.deepEqual(
        rows.map((row) => row.receipt),
        [Number(encoded.headers.get('x-sovereign-receipt'))],
        'only the encoded call is kept: not the secret answer, not the call that asked not to be',
      );
      const key = loadStateKey(gateway.config, {}, { create: false });
      const opened = openCapture(rows[0]!, new Sealer(key));
      const text = JSON.stringify(opened);
      for (const value of ['amina%40example.sa', 'amina\\u0040example.sa', 'ａｍｉｎａ', 'x.y@example.net', 'amina@'])
        assert.ok(!text.includes(value), `${value} was stored`);
      assert.ok(opened.redacted?.includes('pii.email'));
    } finally {
      await gateway.close();
    }
  });

  test('a failing shadow never opens the breaker of the provider the callers use', async () => {
    const gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'], shadow: { candidate: 'own/m2', fraction: 1 } } },
      routing: { breaker: { failures: 2, cooldown_ms: 60_000 } },
    });
    try {
      upstream.setDefault({ kind: 'status', status: 500 });
      for (let call = 0; call < 6; call += 1) {
        // The caller's request takes the one scripted answer; its shadow finds only failures.
        upstream.script({ kind: 'ok' });
        const reply = await chat(gateway, { model: 'default', messages: [{ role: 'user', content: `call ${call}` }] });
        assert.equal(reply.status, 200, `call ${call}: ${reply.text}`);
        await gateway.app.learning.drain();
      }
      const entries = await ledgerEntries(gateway);
      assert.equal(entries.filter((entry) => entry.shadow && entry.outcome === 'error').length, 6);
    } finally {
      upstream.setDefault({ kind: 'ok' });
      await gateway.close();
    }
  });

  test('bad feedback gets a clear error; another key cannot see the call', async () => {
    const gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'] } },
      capture: { enabled: true },
      feedback: { metrics: { helpful: { type: 'boolean' } } },
    });
    try {
      const answer = await chat(gateway, { model: 'default', messages: [{ role: 'user', content: 'hello' }] });
      const receipt = Number(answer.headers.get('x-sovereign-receipt'));
      await gateway.app.learning.drain();
      const cases: Array<[unknown, number, string]> = [
        [{ receipt, metric: 'unknown', value: true }, 400, 'metric'],
        [{ receipt, metric: 'helpful', value: 'yes' }, 400, 'value'],
        [{ receipt, response_id: 'resp_x', metric: 'helpful', value: true }, 400, 'response_id'],
        [{ metric: 'helpful', value: true }, 400, 'receipt'],
        [{ receipt: receipt + 1000, metric: 'helpful', value: true }, 404, 'receipt'],
        [{ receipt, metric: 'comment', value: '' }, 400, 'value'],
        [{ receipt, metric: 'helpful', value: true, extra: 1 }, 400, 'extra'],
        [{ receipt, metric: '__proto__', value: true }, 400, 'metric'],
        [{ receipt, metric: 'demonstration', value: '   ' }, 400, 'value'],
        [{ receipt, metric: 'demonstration', value: { role: 'assistant' } }, 400, 'value'],
        [{ receipt, metric: 'demonstration', value: { role: 'assistant', tool_calls: [1, 'x'] } }, 400, 'value'],
        [
          { receipt, metric: 'preference', value: { chosen: { receipt }, rejected: { receipt: receipt + 99 } } },
          400,
          'receipt',
        ],
        [
          { metric: 'preference', value: { chosen: { receipt }, rejected: { receipt: -1 } } },
          400,
          'value.rejected.receipt',
        ],
        [
          { metric: 'preference', value: { chosen: { receipt }, rejected: { receipt: receipt + 99 } } },
          404,
          'value.rejected.receipt',
        ],
      ];
      for (const [body, status, param] of cases) {
        const reply = await feedback(gateway, body);
        assert.equal(reply.status, status, `${JSON.stringify(body)}: ${reply.text}`);
        assert.equal(reply.json.error.param, param, JSON.stringify(body));
      }
      const both = await fetch(`${gateway.url}/v1/feedback?target=${receipt}&receipt=${receipt}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      });
      assert.equal(both.status, 400);
      const other = await createApiKey(gateway.store, { name: 'other', scopes: [], rpm: null, now: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 250));
      const refused = await feedback(gateway, { receipt, metric: 'helpful', value: true }, other.key);
      assert.equal(refused.status, 404);
      assert.equal(refused.json.error.code, 'feedback_target_not_found');
    } finally {
      await gateway.close();
    }
  });
});

describe('shadow traffic', () => {
  let primary: Double;
  let shadow: Double;
  before(async () => {
    primary = await startOpenAIDouble();
    shadow = await startOpenAIDouble();
  });
  after(async () => {
    await primary.close();
    await shadow.close();
  });

  const config = (fraction: number) => ({
    providers: [
      providerEntry('cloud', primary.url, { ownership: 'rented', jurisdiction: 'US' }),
      providerEntry('own', shadow.url),
      providerEntry('other', shadow.url, { ownership: 'rented', jurisdiction: 'US', models: ['m9'] }),
    ],
    models: {
      default: { candidates: ['cloud/m1'], shadow: { candidate: 'own/m2', fraction } },
      rented: { candidates: ['cloud/m1'], shadow: { candidate: 'other/m9', fraction } },
    },
    policy: { name: 'p', rules: [{ when: {}, allow: {} }] },
  });

  test('pairs the answers, marks the shadow entry, and a hanging shadow never delays the caller', async () => {
    const gateway = await startTestGateway(config(1));
    try {
      shadow.setDefault({ kind: 'hang' });
      const answer = await chat(gateway, { model: 'default', messages: [{ role: 'user', content: 'triage this' }] });
      assert.equal(answer.status, 200);
      assert.equal(answer.json.choices[0].message.content, 'echo: triage this');
      // The caller got its answer while the shadow hangs upstream.
      for (let turn = 0; turn < 100 && shadow.received.length === 0; turn += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(shadow.received.length, 1, 'the shadow was sent the prompt');
      shadow.setDefault({ kind: 'ok', text: 'owned answer' });
      const second = await chat(gateway, { model: 'default', messages: [{ role: 'user', content: 'second' }] });
      assert.equal(second.status, 200);
      const receipt = Number(second.headers.get('x-sovereign-receipt'));
      for (let turn = 0; turn < 200; turn += 1) {
        const paired = await gateway.store.learning.captures({ now: Date.now(), paired: true }, undefined, 10);
        if (paired.some((row) => row.receipt === receipt)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const primaryCapture = await gateway.store.learning.captureBy({ receipt }, undefined, Date.now());
      assert.ok(primaryCapture);
      const pair = await gateway.store.learning.shadowOf(primaryCapture.id);
      assert.ok(pair, 'the shadow answer is captured as the pair');
      assert.equal(pair.provider, 'own');
      assert.equal(pair.promptSha256, primaryCapture.promptSha256);
      const shadowEntry = (await ledgerEntries(gateway)).find((entry) => entry.shadow_of === receipt);
      assert.ok(shadowEntry);
      assert.equal(shadowEntry.shadow, true);
      assert.equal(shadowEntry.provider, 'own');
    } finally {
      shadow.setDefault({ kind: 'ok' });
      await gateway.close();
    }
  });

  test('a pii call is not shadowed to a provider the policy forbids: the shadow is refused and recorded', async () => {
    const gateway = await startTestGateway({
      ...config(1),
      policy: piiOwnedPolicy,
      providers: [
        providerEntry('cloud', primary.url),
        providerEntry('other', shadow.url, { ownership: 'rented', jurisdiction: 'US', models: ['m9'] }),
      ],
      models: { rented: { candidates: ['cloud/m1'], shadow: { candidate: 'other/m9', fraction: 1 } } },
    });
    try {
      const before = shadow.received.length;
      const answer = await chat(gateway, {
        model: 'rented',
        messages: [{ role: 'user', content: 'write to amina.haddad@example.sa' }],
      });
      assert.equal(answer.status, 200);
      const receipt = Number(answer.headers.get('x-sovereign-receipt'));
      await gateway.app.learning.drain();
      assert.equal(shadow.received.length, before, 'nothing reached the rented shadow');
      const entry = (await ledgerEntries(gateway)).find((item) => item.shadow_of === receipt);
      assert.ok(entry);
      assert.equal(entry.outcome, 'refused');
      assert.equal(entry.error_code, 'no_allowed_provider');
    } finally {
      await gateway.close();
    }
  });
});
