// Provider contract: each provider kind against a real upstream double on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatRequest } from '../src/core/chat.js';
import { ProviderError } from '../src/core/errors.js';
import type { Provider } from '../src/core/provider.js';
import { providerKinds } from '../src/providers/registry.js';
import { startAnthropicDouble } from './doubles/anthropic-upstream.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';

const request = (text: string, stream = false): ChatRequest => ({ model: 'alias', messages: [{ role: 'user', content: text }], stream, includeUsage: true, extra: {} });
const options = (timeoutMs = 2_000) => ({ upstreamModel: 'm1', deadline: Date.now() + timeoutMs });

async function collect(stream: AsyncIterable<{ chunk: { choices: Array<{ delta: { content?: string | null } }> } }>): Promise<string> {
  let text = '';
  for await (const event of stream) text += event.chunk.choices[0]?.delta.content ?? '';
  return text;
}

async function rejectsWith(promise: Promise<unknown>, kind: ProviderError['kind']): Promise<ProviderError> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
  assert.equal(error.kind, kind);
  return error;
}

for (const kind of ['openai-compatible', 'anthropic'] as const) {
  describe(`provider contract: ${kind}`, () => {
    let double: Double;
    let provider: Provider;
    before(async () => {
      double = kind === 'anthropic' ? await startAnthropicDouble() : await startOpenAIDouble();
      provider = providerKinds[kind]!({
        description: { id: 'p', kind, jurisdiction: 'local', operator: 'o', ownership: 'owned', models: ['m1'] },
        baseUrl: double.url,
        apiKey: 'upstream-secret',
        headers: {},
        maxConnections: 8,
        streamIdleTimeoutMs: 500,
      });
    });
    after(async () => {
      await provider.close();
      await double.close();
    });

    it('answers a chat request, sending the upstream model name and the credentials', async () => {
      const result = await provider.chat(request('hello'), options());
      assert.equal(result.response.choices[0]?.message.content, 'echo: hello');
      assert.ok(result.response.usage && result.response.usage.prompt_tokens > 0);
      const last = double.received.at(-1)!;
      assert.equal(last.body.model, 'm1');
      if (kind === 'anthropic') assert.equal(last.headers['x-api-key'], 'upstream-secret');
      else assert.equal(last.headers.authorization, 'Bearer upstream-secret');
    });

    it('streams an answer chunk by chunk, with usage at the end when asked', async () => {
      const stream = await provider.chatStream(request('stream me', true), options());
      let text = '';
      let usage = false;
      for await (const event of stream) {
        text += event.chunk.choices[0]?.delta.content ?? '';
        if (event.chunk.usage) usage = true;
      }
      assert.equal(text, 'echo: stream me');
      assert.ok(usage);
    });

    it('reports a 429 as rate_limited with its Retry-After', async () => {
      double.script({ kind: 'status', status: 429, retryAfter: '3' });
      const error = await rejectsWith(provider.chat(request('x'), options()), 'rate_limited');
      assert.equal(error.retryAfterSeconds, 3);
    });

    it('reports a 5xx as a server failure', async () => {
      double.script({ kind: 'status', status: 503 });
      await rejectsWith(provider.chat(request('x'), options()), 'server');
    });

    it('reports a 400 as rejected with the upstream message', async () => {
      double.script({ kind: 'status', status: 400, message: 'bad field foo' });
      const error = await rejectsWith(provider.chat(request('x'), options()), 'rejected');
      assert.match(error.message, /bad field foo/);
    });

    it('reports a connection reset as a connect failure', async () => {
      double.script({ kind: 'reset' });
      await rejectsWith(provider.chat(request('x'), options()), 'connect');
    });

    it('gives up on a hang at the attempt deadline', async () => {
      double.script({ kind: 'hang' });
      const started = Date.now();
      await rejectsWith(provider.chat(request('x'), options(300)), 'timeout');
      assert.ok(Date.now() - started < 2_000);
    });

    it('gives up on a body that never comes', async () => {
      double.script({ kind: 'headers-then-hang' });
      await rejectsWith(provider.chat(request('x'), options(300)), 'timeout');
    });

    it('reports malformed JSON as an invalid response', async () => {
      double.script({ kind: 'malformed' });
      await rejectsWith(provider.chat(request('x'), options()), 'invalid_response');
    });

    it('rejects a stream that fails before its first byte (so the caller can fall back)', async () => {
      double.script({ kind: 'status', status: 500 });
      await rejectsWith(provider.chatStream(request('x', true), options()), 'server');
    });

    it('throws from the iterator when a stream is cut mid-way', async () => {
      double.script({ kind: 'stream-cut', afterChunks: 2 });
      const stream = await provider.chatStream(request('a long answer that will be cut', true), options());
      await assert.rejects(collect(stream), (error: unknown) => error instanceof ProviderError && error.kind === 'connect');
    });

    it('translates tool calls', async () => {
      double.script({ kind: 'tool-call', name: 'get_weather', arguments: '{"city":"Riyadh"}' });
      const result = await provider.chat({ ...request('weather?'), tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }, options());
      const call = result.response.choices[0]?.message.tool_calls?.[0];
      assert.equal(call?.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call!.function.arguments), { city: 'Riyadh' });
      assert.equal(result.response.choices[0]?.finish_reason, 'tool_calls');
    });
  });
}
