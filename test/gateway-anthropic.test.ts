// The Anthropic Messages dialect end to end through the official @anthropic-ai/sdk, translated to
// whichever provider the route picks (an OpenAI-compatible or an Anthropic upstream), and back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startAnthropicDouble } from './doubles/anthropic-upstream.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';

describe('Anthropic dialect through the official SDK', () => {
  let openaiUpstream: Double;
  let anthropicUpstream: Double;
  let gateway: TestGateway;
  let client: Anthropic;

  before(async () => {
    openaiUpstream = await startOpenAIDouble();
    anthropicUpstream = await startAnthropicDouble();
    gateway = await startTestGateway(
      {
        providers: [
          providerEntry('vllm', openaiUpstream.url),
          {
            ...providerEntry('claude', anthropicUpstream.url, {
              kind: 'anthropic',
              ownership: 'rented',
              jurisdiction: 'US',
            }),
            api_key_env: 'CLAUDE_KEY',
          },
        ],
        models: { 'to-openai': { candidates: ['vllm/m1'] }, 'to-anthropic': { candidates: ['claude/m1'] } },
      },
      { env: { CLAUDE_KEY: 'claude-secret' } },
    );
    client = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await openaiUpstream.close();
    await anthropicUpstream.close();
  });

  for (const alias of ['to-openai', 'to-anthropic'] as const) {
    describe(`routed ${alias}`, () => {
      it('answers a message with system prompt, text and usage', async () => {
        const message = await client.messages.create({
          model: alias,
          max_tokens: 64,
          system: 'be brief',
          messages: [{ role: 'user', content: 'Salut, ça va ?' }],
        });
        assert.equal(message.type, 'message');
        assert.equal(message.role, 'assistant');
        assert.deepEqual(message.content, [{ type: 'text', text: 'echo: Salut, ça va ?' }]);
        assert.equal(message.stop_reason, 'end_turn');
        assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
      });

      it('streams, and the SDK assembles the final message', async () => {
        const stream = client.messages.stream({
          model: alias,
          max_tokens: 64,
          messages: [{ role: 'user', content: 'stream please' }],
        });
        let deltas = '';
        stream.on('text', (text) => (deltas += text));
        const final = await stream.finalMessage();
        assert.equal(deltas, 'echo: stream please');
        assert.deepEqual(final.content, [{ type: 'text', text: 'echo: stream please' }]);
        assert.equal(final.stop_reason, 'end_turn');
        assert.ok(final.usage.output_tokens > 0);
      });

      it('translates tool use both ways', async () => {
        (alias === 'to-openai' ? openaiUpstream : anthropicUpstream).script({
          kind: 'tool-call',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        });
        const message = await client.messages.create({
          model: alias,
          max_tokens: 64,
          tools: [
            {
              name: 'get_weather',
              description: 'weather',
              input_schema: { type: 'object', properties: { city: { type: 'string' } } },
            },
          ],
          tool_choice: { type: 'any' },
          messages: [
            { role: 'user', content: 'weather in Paris?' },
            {
              role: 'assistant',
              content: [{ type: 'tool_use', id: 'toolu_0', name: 'get_weather', input: { city: 'Lyon' } }],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', tool_use_id: 'toolu_0', content: 'sunny' },
                { type: 'text', text: 'and Paris?' },
              ],
            },
          ],
        });
        assert.equal(message.stop_reason, 'tool_use');
        const use = message.content.find((block) => block.type === 'tool_use');
        assert.ok(use && use.type === 'tool_use');
        assert.equal(use.name, 'get_weather');
        assert.deepEqual(use.input, { city: 'Paris' });
        if (alias === 'to-openai') {
          const sent = openaiUpstream.received.at(-1)!.body;
          assert.equal(sent.tool_choice, 'required');
          assert.equal(sent.tools[0].function.name, 'get_weather');
          assert.equal(sent.messages[1].tool_calls[0].function.arguments, '{"city":"Lyon"}');
          assert.deepEqual(sent.messages[2], { role: 'tool', tool_call_id: 'toolu_0', content: 'sunny' });
        } else {
          const sent = anthropicUpstream.received.at(-1)!.body;
          assert.deepEqual(sent.tool_choice, { type: 'any' });
          assert.equal(sent.messages[2].content[0].type, 'tool_result');
          assert.equal(anthropicUpstream.received.at(-1)!.headers['x-api-key'], 'claude-secret');
        }
      });
    });
  }

  it('streams tool use to an Anthropic client from an OpenAI upstream', async () => {
    openaiUpstream.script({ kind: 'tool-call', name: 'lookup', arguments: '{"q":"x"}' });
    const stream = client.messages.stream({
      model: 'to-openai',
      max_tokens: 64,
      tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: 'go' }],
    });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const use = final.content.find((block) => block.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    assert.deepEqual(use.input, { q: 'x' });
  });

  it('serves OpenAI clients from an Anthropic upstream, streaming with usage', async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'to-anthropic',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi there' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'echo: hi there');
    assert.ok(usage);
    assert.equal(anthropicUpstream.received.at(-1)!.body.system, 'sys');
  });

  it('passes images to an Anthropic upstream as image blocks', async () => {
    await client.messages.create({
      model: 'to-anthropic',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'describe' },
          ],
        },
      ],
    });
    const sent = anthropicUpstream.received.at(-1)!.body;
    assert.deepEqual(sent.messages[0].content[0], {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
    });
  });

  it('answers errors in the Anthropic error format', async () => {
    const unauthenticated = await postJson(`${gateway.url}/v1/messages`, {
      model: 'to-openai',
      max_tokens: 5,
      messages: [],
    });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.json.type, 'error');
    assert.equal(unauthenticated.json.error.type, 'authentication_error');
    await assert.rejects(
      client.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (error: any) => error.status === 404 && error.error?.error?.type === 'not_found_error',
    );
    const invalid = await postJson(
      `${gateway.url}/v1/messages`,
      { model: 'to-openai', messages: [{ role: 'user', content: 'x' }] },
      { 'x-api-key': gateway.key },
    );
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.error.type, 'invalid_request_error');
    assert.match(invalid.json.error.message, /max_tokens/);
  });

  it('ends a cut stream with an Anthropic error event', async () => {
    anthropicUpstream.script({ kind: 'stream-cut', afterChunks: 1 });
    const stream = client.messages.stream({
      model: 'to-anthropic',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'a longer answer to cut' }],
    });
    await assert.rejects(stream.finalMessage(), /mid-stream/);
  });
});
