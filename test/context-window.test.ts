// Context windows and token counts: a provider that knows its window is never sent a request that
// does not fit; truncation: auto drops the oldest turns (system kept) with real counts; disabled is
// the API's context_length_exceeded; routing moves to a candidate whose window fits; and the count
// endpoints (Responses' input_tokens, Anthropic's count_tokens) pass the policy and the ledger like a
// call, counted by the provider (OpenAI's encoding here, the upstream's endpoint for Anthropic).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import { estimateTokens, tokenBound } from '../src/core/token-estimate.js';
import { decodeEntry } from '../src/ledger/entry.js';
import { doubleTokenCount, startAnthropicDouble } from './doubles/anthropic-upstream.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { piiOwnedPolicy, postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const posts = (double: Double, path: string): any[] =>
  double.received
    .filter((received) => received.method === 'POST' && received.path.endsWith(path))
    .map((received) => received.body);

/** OpenAI's published accounting of a chat request: 3 tokens a message, its role and text, 3 to prime the reply. */
const openAiCount = (messages: Array<{ role: string; content: string }>): number =>
  messages.reduce((sum, message) => sum + 3 + countTokens(message.role) + countTokens(message.content), 3);

/** A turn of ~60 tokens: different words each time, so the oldest can be told apart. */
const longTurn = (index: number): string =>
  `Turn ${index}: ${Array.from({ length: 40 }, (_, word) => `word${index}x${word}`).join(' ')}`;

describe('context windows, truncation and token counts', () => {
  let small: Double;
  let large: Double;
  let rented: Double;
  let gateway: TestGateway;
  let client: OpenAI;
  let anthropic: Anthropic;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${gateway.key}` });

  before(async () => {
    small = await startOpenAIDouble();
    large = await startOpenAIDouble();
    rented = await startAnthropicDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('small', small.url, { context_window: 400 }),
        providerEntry('large', large.url, { context_window: { m1: 100_000 } }),
        {
          id: 'rented',
          kind: 'anthropic',
          base_url: rented.url,
          jurisdiction: 'US',
          operator: 'Rented Inc',
          ownership: 'rented',
          models: ['claude'],
          context_window: 300,
        },
      ],
      models: {
        tiny: { candidates: ['small/m1'] },
        spill: { candidates: ['small/m1', 'large/m1'] },
        theirs: { candidates: ['rented/claude'] },
      },
      policy: piiOwnedPolicy,
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await small.close();
    await large.close();
    await rented.close();
  });

  /** A chain of `turns` stored responses on `model`, each with a long input; the last response's id. */
  async function chain(model: string, turns: number): Promise<string> {
    let previous: string | undefined;
    for (let index = 0; index < turns; index += 1) {
      const response = await client.responses.create({
        model,
        input: longTurn(index),
        truncation: 'auto',
        ...(previous ? { previous_response_id: previous } : {}),
      });
      previous = response.id;
    }
    return previous!;
  }

  it('drops the oldest turns to fit a small window with truncation: auto, the system message kept', async () => {
    const last = await chain('tiny', 8);
    const response = await client.responses.create({
      model: 'tiny',
      instructions: 'Answer in one line.',
      input: 'What was the last turn about?',
      previous_response_id: last,
      truncation: 'auto',
    });
    assert.equal(response.status, 'completed');
    assert.equal(response.truncation, 'auto');
    const sent = posts(small, '/chat/completions').at(-1).messages as Array<{ role: string; content: string }>;
    assert.deepEqual(sent[0], { role: 'system', content: 'Answer in one line.' });
    assert.deepEqual(sent.at(-1), { role: 'user', content: 'What was the last turn about?' });
    assert.ok(
      sent.some((message) => message.content.startsWith('Turn 7:')),
      'the newest earlier turn is kept',
    );
    assert.ok(!sent.some((message) => message.content.startsWith('Turn 0:')), 'the oldest turn is dropped');
    assert.ok(openAiCount(sent) <= 400, `what was sent fits the window (${openAiCount(sent)} tokens)`);
    // The fewest turns dropped: one more earlier turn would not have fitted.
    const kept = sent.filter((message) => message.role === 'user').length;
    assert.ok(kept >= 2);
    // Every turn is still stored: the next model, with a larger window, gets the whole chain.
    const moved = await client.responses.create({
      model: 'spill',
      input: 'And the first?',
      previous_response_id: response.id,
    });
    assert.equal(moved.status, 'completed');
    const whole = posts(large, '/chat/completions').at(-1).messages as Array<{ content: string }>;
    assert.ok(
      whole.some((message) => String(message.content).startsWith('Turn 0:')),
      'the large window got it all',
    );
  });

  it("drops an agent loop's oldest tool rounds, keeping its task and newest round", async () => {
    const input: any[] = [{ type: 'message', role: 'user', content: 'Find the record.' }];
    for (let round = 0; round < 8; round += 1)
      input.push(
        { type: 'function_call', call_id: `call_${round}`, name: 'lookup', arguments: `{"page":${round}}` },
        { type: 'function_call_output', call_id: `call_${round}`, output: longTurn(round) },
      );
    const response = await client.responses.create({ model: 'tiny', input, truncation: 'auto' });
    assert.equal(response.status, 'completed');
    const sent = posts(small, '/chat/completions').at(-1).messages as any[];
    assert.deepEqual(sent[0], { role: 'user', content: 'Find the record.' });
    assert.equal(sent.at(-1).role, 'tool');
    assert.ok(sent.at(-1).content.startsWith('Turn 7:'), 'the newest round is kept');
    assert.ok(!sent.some((message) => String(message.content).startsWith('Turn 0:')), 'the oldest round is dropped');
    // Every tool result is sent with the call it answers.
    const calls = new Set(sent.flatMap((message) => (message.tool_calls ?? []).map((call: any) => call.id)));
    for (const message of sent.filter((message) => message.role === 'tool')) assert.ok(calls.has(message.tool_call_id));
  });

  it('refuses with context_length_exceeded when truncation is disabled, sending nothing', async () => {
    const last = await chain('tiny', 8);
    const before = small.received.length;
    const refused = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'tiny', input: 'Go on.', previous_response_id: last },
      auth(),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'context_length_exceeded');
    assert.equal(refused.json.error.type, 'invalid_request_error');
    assert.equal(refused.json.error.param, 'input');
    assert.equal(small.received.length, before, 'the upstream was not sent a request it cannot take');
    assert.ok(refused.headers.get('x-sovereign-receipt'), 'the refusal is recorded');
    // The SDK sees the same error.
    await assert.rejects(
      client.responses.create({ model: 'tiny', input: 'Go on.', previous_response_id: last }),
      (error: any) => error.status === 400 && error.code === 'context_length_exceeded',
    );
    // A single turn larger than the window cannot be fitted either, even with truncation: auto.
    const huge = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'tiny', input: longTurn(1).repeat(10), truncation: 'auto' },
      auth(),
    );
    assert.equal(huge.json.error.code, 'context_length_exceeded');
  });

  it('routes a chat call that does not fit one candidate to the next whose window fits', async () => {
    const content = longTurn(3).repeat(12);
    const spilled = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'spill', messages: [{ role: 'user', content }] },
      auth(),
    );
    assert.equal(spilled.status, 200);
    assert.equal(spilled.headers.get('x-sovereign-provider'), 'large');
    const only = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'tiny', messages: [{ role: 'user', content }] },
      auth(),
    );
    assert.equal(only.status, 400);
    assert.equal(only.json.error.code, 'context_length_exceeded');
    // max_tokens takes its share of the window.
    const reserved = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'tiny', max_tokens: 390, messages: [{ role: 'user', content: longTurn(1) }] },
      auth(),
    );
    assert.equal(reserved.json.error.code, 'context_length_exceeded');
  });

  it('counts input tokens with POST /v1/responses/input_tokens, the chain included', async () => {
    const counted = await client.responses.inputTokens.count({ model: 'tiny', input: 'Bonjour tout le monde' });
    assert.equal(counted.object, 'response.input_tokens');
    assert.equal(counted.input_tokens, openAiCount([{ role: 'user', content: 'Bonjour tout le monde' }]));
    const first = await client.responses.create({ model: 'spill', input: 'Bonjour tout le monde' });
    const chained = await client.responses.inputTokens.count({
      model: 'tiny',
      input: 'Et ensuite ?',
      instructions: 'Be brief.',
      previous_response_id: first.id,
    });
    assert.equal(
      chained.input_tokens,
      openAiCount([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Bonjour tout le monde' },
        { role: 'assistant', content: 'echo: Bonjour tout le monde' },
        { role: 'user', content: 'Et ensuite ?' },
      ]),
    );
    const missing = await postJson(`${gateway.url}/v1/responses/input_tokens`, { input: 'x' }, auth());
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.param, 'model');
  });

  it("counts with Anthropic's count_tokens, asking the upstream, and records the count in the ledger", async () => {
    const counted = await anthropic.messages.countTokens({
      model: 'theirs',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    const asked = posts(rented, '/messages/count_tokens').at(-1);
    assert.equal(asked.model, 'claude');
    assert.equal(asked.max_tokens, undefined, 'no generation settings go to the count endpoint');
    assert.equal(counted.input_tokens, doubleTokenCount(asked), "the upstream's own count");
    const raw = await postJson(
      `${gateway.url}/v1/messages/count_tokens`,
      { model: 'theirs', messages: [{ role: 'user', content: 'again' }] },
      auth(),
    );
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${raw.headers.get('x-sovereign-receipt')}`, { headers: auth() })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(receipt.leaf, 'base64'));
    assert.equal(entry.kind, 'count_tokens');
    assert.equal(entry.provider, 'rented');
    assert.equal(entry.usage?.prompt_tokens, raw.json.input_tokens);
  });

  it('sends a count to a provider only where the policy allows the request to go', async () => {
    const before = rented.received.length;
    const refused = await postJson(
      `${gateway.url}/v1/messages/count_tokens`,
      { model: 'theirs', messages: [{ role: 'user', content: 'my mail is jane.doe@example.org' }] },
      auth(),
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.json.type, 'error');
    assert.equal(refused.json.error.type, 'permission_error');
    assert.equal(rented.received.length, before, 'the count endpoint was not sent personal data');
    const bad = await postJson(`${gateway.url}/v1/messages/count_tokens`, { model: 'theirs', messages: [] }, auth());
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.type, 'invalid_request_error');
  });

  it("fits a rented model's window with the upstream's counts", async () => {
    const first = await client.responses.create({ model: 'theirs', input: longTurn(0) });
    let previous = first.id;
    for (let index = 1; index < 5; index += 1)
      previous = (
        await client.responses.create({
          model: 'theirs',
          input: longTurn(index),
          previous_response_id: previous,
          truncation: 'auto',
        })
      ).id;
    const response = await client.responses.create({
      model: 'theirs',
      input: 'Summarise.',
      previous_response_id: previous,
      truncation: 'auto',
    });
    assert.equal(response.status, 'completed');
    const sent = posts(rented, '/v1/messages').at(-1);
    assert.ok(doubleTokenCount(sent) <= 300, `the upstream's count of what was sent fits (${doubleTokenCount(sent)})`);
    assert.equal(sent.messages.at(-1).content[0].text, 'Summarise.');
  });
});

describe('token counts of long text', () => {
  const request = (content: string) => ({
    model: 'm',
    messages: [{ role: 'user' as const, content }],
    stream: false,
    includeUsage: false,
    extra: {},
  });

  it('counts long prose in pieces as the encoder counts it whole (within one token per piece)', async () => {
    const prose = 'Le patient est vu en consultation, il va bien.\nDeux  espaces, puis la suite. '.repeat(2_000);
    const whole = countTokens(prose);
    const counted = (await estimateTokens(request(prose))).total - openAiCount([{ role: 'user', content: '' }]);
    assert.ok(counted >= whole && counted <= whole + Math.ceil(prose.length / 2048), `${counted} vs ${whole}`);
  });

  // Whole, 400 KB of one character took the encoder minutes (its merge loop is quadratic in one word's length).
  it('counts a long run of one character without stalling', { timeout: 60_000 }, async () => {
    const counted = (await estimateTokens(request('a'.repeat(400_000)))).total;
    assert.ok(counted > 400_000 / 16 && counted < 400_000, String(counted));
    assert.ok(tokenBound(request('a'.repeat(400_000))) >= counted, 'the byte bound holds');
  });
});
