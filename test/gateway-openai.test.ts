// The gateway end to end through the official `openai` SDK, over real sockets on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import type { Double } from './doubles/http-double.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { ManualClock, until } from './support/manual-clock.js';

describe('OpenAI dialect through the official SDK', () => {
  let primary: Double;
  let secondary: Double;
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    primary = await startOpenAIDouble();
    secondary = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('primary', primary.url),
        providerEntry('secondary', secondary.url, { ownership: 'rented', jurisdiction: 'FR' }),
      ],
      models: { default: { candidates: ['primary/m1', 'secondary/m2'] }, solo: { candidates: ['primary/m1'] } },
      routing: {
        attempt_timeout_ms: 400,
        retries: 1,
        max_retry_wait_ms: 1_500,
        breaker: { failures: 1_000, cooldown_ms: 60_000 },
      },
      limits: { max_body_bytes: 64 * 1024 },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await primary.close();
    await secondary.close();
  });
  beforeEach(() => {
    primary.received.length = 0;
    secondary.received.length = 0;
  });

  it('answers a chat completion from the first candidate, under its upstream model name', async () => {
    const completion = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'bonjour' }],
    });
    assert.equal(completion.choices[0]?.message.content, 'echo: bonjour');
    assert.equal(primary.received.length, 1);
    assert.equal(primary.received[0]!.body.model, 'm1');
    assert.equal(secondary.received.length, 0);
  });

  it('relays the upstream answer bytes unchanged', async () => {
    const response = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'bytes' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 200);
    assert.match(response.text, /^\{"id":"chatcmpl-double-/);
    assert.ok(response.headers.get('x-request-id'));
  });

  it('streams, honouring stream_options.include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'مرحبا بالعالم' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'echo: مرحبا بالعالم');
    assert.ok(usage, 'a final usage chunk');
    assert.deepEqual(primary.received[0]!.body.stream_options, { include_usage: true });
  });

  it('streams without usage when not asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    for await (const chunk of stream) assert.equal(chunk.usage ?? undefined, undefined);
    assert.equal(primary.received[0]!.body.stream_options, undefined);
  });

  it('passes tools, tool_choice, response_format, images and unknown parameters through', async () => {
    primary.script({ kind: 'tool-call', name: 'lookup', arguments: '{"id":42}' });
    const completion = await client.chat.completions.create({
      model: 'default',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'number' } } } },
        },
      ],
      tool_choice: 'auto',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
      seed: 7,
    });
    assert.equal(completion.choices[0]?.message.tool_calls?.[0]?.type, 'function');
    const sent = primary.received[0]!.body;
    assert.equal(sent.tools[0].function.name, 'lookup');
    assert.equal(sent.tool_choice, 'auto');
    assert.equal(sent.response_format.json_schema.name, 'answer');
    assert.equal(sent.messages[0].content[1].image_url.url, 'data:image/png;base64,iVBORw0KGgo=');
    assert.equal(sent.seed, 7);
  });

  it('serves embeddings', async () => {
    const result = await client.embeddings.create({ model: 'default', input: ['a', 'bb'], encoding_format: 'float' });
    assert.equal(result.data.length, 2);
    assert.deepEqual(result.data[1]!.embedding, [2, 1, 0.5]);
  });

  it('lists aliases and provider/model names', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    assert.deepEqual(models.slice(0, 2), ['default', 'solo']);
    assert.ok(models.includes('primary/m1') && models.includes('secondary/m2'));
  });

  it('serves provider/model names directly', async () => {
    const completion = await client.chat.completions.create({
      model: 'secondary/m2',
      messages: [{ role: 'user', content: 'direct' }],
    });
    assert.equal(completion.choices[0]?.message.content, 'echo: direct');
    assert.equal(secondary.received[0]!.body.model, 'm2');
  });

  describe('retries and fallback', () => {
    it('retries a 5xx on the same candidate', async () => {
      primary.script({ kind: 'status', status: 502 });
      const completion = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'retry' }],
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: retry');
      assert.equal(primary.received.length, 2);
      assert.equal(secondary.received.length, 0);
    });

    it('waits out a short Retry-After on a 429, then retries (on the gateway clock)', async () => {
      const clock = new ManualClock();
      const upstream = await startOpenAIDouble();
      const local = await startTestGateway(
        { providers: [providerEntry('primary', upstream.url)], models: { default: { candidates: ['primary/m1'] } } },
        { clock },
      );
      try {
        upstream.script({ kind: 'status', status: 429, retryAfter: '1' });
        const answer = postJson(
          `${local.url}/v1/chat/completions`,
          { model: 'default', messages: [{ role: 'user', content: 'later' }] },
          { authorization: `Bearer ${local.key}` },
        );
        // The provider's deadline watch sleeps on the clock too (one sleep per upstream, from its first call on).
        await until(() => upstream.received.length === 1, 'the first attempt');
        const waitingBefore = clock.waiting;
        await until(() => clock.waiting > waitingBefore, 'the gateway to wait out Retry-After');
        await clock.advance(999);
        assert.equal(upstream.received.length, 1, 'no retry before Retry-After has passed');
        await clock.advance(1);
        assert.equal((await answer).status, 200);
        assert.equal(upstream.received.length, 2);
      } finally {
        await local.close();
        await upstream.close();
      }
    });

    it('falls back to the next candidate when one keeps failing', async () => {
      primary.script({ kind: 'reset' }, { kind: 'reset' });
      const completion = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'fallback' }],
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: fallback');
      assert.equal(secondary.received.length, 1);
    });

    it('falls back on a hang past the attempt deadline', async () => {
      primary.script({ kind: 'hang' });
      const completion = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'slow' }],
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: slow');
    });

    it('falls back on malformed JSON from upstream', async () => {
      primary.script({ kind: 'malformed' });
      const completion = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'garbled' }],
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: garbled');
    });

    it('falls back for a stream that fails before its first byte', async () => {
      primary.script({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
      const stream = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'stream fallback' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, 'echo: stream fallback');
      assert.equal(secondary.received.length, 1);
    });

    it('ends a stream cut after its first byte with an error event, never a hang', async () => {
      primary.script({ kind: 'stream-cut', afterChunks: 2 });
      const stream = await client.chat.completions.create({
        model: 'solo',
        messages: [{ role: 'user', content: 'this answer will be cut short' }],
        stream: true,
      });
      let text = '';
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        })(),
        /mid-stream/,
      );
      assert.equal(text, 'echo: th', 'the part delivered before the cut');
    });

    it('answers 504 upstream_timeout when the only candidate hangs', async () => {
      primary.script({ kind: 'hang' });
      await assert.rejects(
        client.chat.completions.create({ model: 'solo', messages: [{ role: 'user', content: 'x' }] }),
        (error: any) => error.status === 504 && error.code === 'upstream_timeout',
      );
    });

    it('relays an upstream 400 as upstream_rejected without trying elsewhere', async () => {
      primary.script({ kind: 'status', status: 400, message: 'context too long' });
      await assert.rejects(
        client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] }),
        (error: any) =>
          // The upstream's own words are not relayed (they can carry the request's data): its status and provider are.
          error.status === 400 &&
          error.code === 'upstream_rejected' &&
          /primary rejected the request \(400\)/.test(error.message) &&
          !/context too long/.test(error.message),
      );
      assert.equal(secondary.received.length, 0);
    });
  });

  describe('bad input gets a clear OpenAI-format error', () => {
    const call = (body: string | object, headers: Record<string, string> = {}) =>
      postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${gateway.key}`, ...headers });

    it('invalid JSON → 400 invalid_json', async () => {
      const response = await call('{"model": "default", "messages": [');
      assert.equal(response.status, 400);
      assert.equal(response.json.error.code, 'invalid_json');
      assert.equal(response.json.error.type, 'invalid_request_error');
    });

    it('wrong types → 400 invalid_request naming the field', async () => {
      const response = await call({ model: 'default', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' });
      assert.equal(response.status, 400);
      assert.equal(response.json.error.code, 'invalid_request');
      assert.equal(response.json.error.param, 'temperature');
    });

    it('missing messages → 400', async () => {
      const response = await call({ model: 'default' });
      assert.equal(response.status, 400);
      assert.equal(response.json.error.param, 'messages');
    });

    it('unknown model → 404 model_not_found', async () => {
      const response = await call({ model: 'gpt-nonexistent', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(response.status, 404);
      assert.equal(response.json.error.code, 'model_not_found');
    });

    it('oversized body → 413 body_too_large', async () => {
      const response = await call({ model: 'default', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] });
      assert.equal(response.status, 413);
      assert.equal(response.json.error.code, 'body_too_large');
      assert.equal(primary.received.length, 0);
    });

    it('unknown endpoint → 404, wrong method → 405', async () => {
      const missing = await call({}, {});
      assert.equal(missing.status, 400);
      const notFound = await postJson(`${gateway.url}/v1/nothing`, {}, { authorization: `Bearer ${gateway.key}` });
      assert.equal(notFound.status, 404);
      assert.equal(notFound.json.error.code, 'not_found');
      const wrongMethod = await fetch(`${gateway.url}/v1/chat/completions`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      });
      assert.equal(wrongMethod.status, 405);
    });

    it('the process survives all of the above and keeps serving', async () => {
      const completion = await client.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'still here' }],
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: still here');
    });
  });

  describe('auth', () => {
    it('401 without a key, and with a wrong one, in the OpenAI format', async () => {
      const none = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'default', messages: [] });
      assert.equal(none.status, 401);
      assert.equal(none.json.error.code, 'invalid_api_key');
      const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-sov-wrong', maxRetries: 0 });
      await assert.rejects(wrong.models.list(), (error: any) => error.status === 401);
    });

    it('per-key rate limit answers 429 with Retry-After', async () => {
      const { createApiKey } = await import('../src/pipeline/auth.js');
      const { key } = await createApiKey(gateway.store, { name: 'limited', scopes: [], rpm: 2, now: Date.now() });
      await gateway.app.keys.refresh();
      const headers = { authorization: `Bearer ${key}` };
      const body = { model: 'default', messages: [{ role: 'user', content: 'x' }] };
      assert.equal((await postJson(`${gateway.url}/v1/chat/completions`, body, headers)).status, 200);
      assert.equal((await postJson(`${gateway.url}/v1/chat/completions`, body, headers)).status, 200);
      const limited = await postJson(`${gateway.url}/v1/chat/completions`, body, headers);
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error.code, 'rate_limited');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    });
  });

  describe('operations', () => {
    it('/healthz and /readyz answer', async () => {
      assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
      const ready = await fetch(`${gateway.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        store: true,
        ledger: true,
        provider: true,
        accepting: true,
      });
    });

    it('/metrics serves Prometheus text with requests, latency, tokens and fallbacks', async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(
        text,
        /sovereign_requests_total\{endpoint="chat",alias="default",provider="primary",status="200"\} \d+/,
      );
      assert.match(text, /sovereign_request_duration_seconds_bucket/);
      assert.match(text, /sovereign_time_to_first_byte_seconds_bucket/);
      assert.match(text, /sovereign_tokens_total\{alias="default",provider="primary",direction="out"\} \d+/);
      assert.match(text, /sovereign_fallbacks_total\{alias="default",provider="primary"\} \d+/);
      assert.match(text, /sovereign_circuit_open\{provider="primary"\} [01]/);
    });

    it('keeps an incoming x-request-id and logs JSON lines without prompt text or keys', async () => {
      const response = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'default', messages: [{ role: 'user', content: 'canary-prompt-text' }] },
        { authorization: `Bearer ${gateway.key}`, 'x-request-id': 'trace-123' },
      );
      assert.equal(response.headers.get('x-request-id'), 'trace-123');
      const lines = gateway.logs
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      assert.ok(
        lines.some((line) => line.requestId === 'trace-123' && line.status === 200 && line.provider === 'primary'),
      );
      const all = gateway.logs.join('');
      assert.ok(!all.includes('canary-prompt-text'));
      assert.ok(!all.includes(gateway.key));
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures and sends traffic straight to the next candidate', async () => {
      const fresh = await startOpenAIDouble();
      const backup = await startOpenAIDouble();
      const clock = new ManualClock();
      const local = await startTestGateway(
        {
          providers: [providerEntry('flaky', fresh.url), providerEntry('backup', backup.url)],
          models: { default: { candidates: ['flaky/m1', 'backup/m1'] } },
          routing: { retries: 0, breaker: { failures: 2, cooldown_ms: 300 } },
        },
        { clock },
      );
      try {
        const sdk = new OpenAI({ baseURL: `${local.url}/v1`, apiKey: local.key, maxRetries: 0 });
        const ask = () => sdk.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] });
        fresh.setDefault({ kind: 'status', status: 503 });
        await ask();
        await ask();
        assert.equal(fresh.received.length, 2);
        await ask();
        await ask();
        assert.equal(fresh.received.length, 2, 'open circuit: no more traffic to the failing provider');
        assert.equal(backup.received.length, 4);
        fresh.setDefault({ kind: 'ok' });
        await clock.advance(299);
        await ask();
        assert.equal(fresh.received.length, 2, 'still open before the cool-down has passed');
        await clock.advance(1);
        await ask();
        assert.equal(fresh.received.length, 3, 'half-open: one trial request');
        await ask();
        assert.equal(fresh.received.length, 4, 'closed again after the trial succeeded');
        assert.equal(backup.received.length, 5);
      } finally {
        await local.close();
        await fresh.close();
        await backup.close();
      }
    });
  });
});
