// What an upstream sends is bounded (issue 16): an answer carries at most limits.max_answer_bytes,
// a body and a stream alike (counted as it passes, never buffered whole), and the SSE parser is
// linear in what it is fed with a bounded event buffer. Upstreams are real HTTP servers on
// 127.0.0.1 (test/doubles/scripted-upstream.ts); no assertion depends on how long anything takes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ChatRequest } from '../src/core/chat.js';
import { ProviderError } from '../src/core/errors.js';
import type { Provider } from '../src/core/provider.js';
import { anthropicKind } from '../src/providers/anthropic.js';
import { openAICompatibleKind } from '../src/providers/openai-compatible.js';
import type { ProviderKind } from '../src/providers/provider-kind.js';
import { defaultMaxEventBytes, SseEventTooLarge, SseParser } from '../src/providers/sse.js';
import { chunkEvent, type ScriptedUpstream, startScriptedUpstream } from './doubles/scripted-upstream.js';
import { postJson, providerEntry, startTestGateway } from './helpers.js';
import { ManualClock, until } from './support/manual-clock.js';

const limit = 64 * 1024;

function providerAt(kind: ProviderKind, url: string, clock: ManualClock, maxAnswerBytes = limit): Provider {
  const settings = kind.settings.parse({
    id: 'bounded',
    kind: kind.kind,
    base_url: url,
    jurisdiction: 'local',
    operator: 'test',
    ownership: 'owned',
    models: ['m1'],
  });
  return kind.create(settings, { clock, environment: {}, streamIdleTimeoutMs: 60_000, maxAnswerBytes });
}

const request = (stream = false): ChatRequest => ({
  model: 'm1',
  messages: [{ role: 'user', content: 'hello' }],
  stream,
  includeUsage: false,
  extra: {},
});
const options = (clock: ManualClock) => ({ upstreamModel: 'm1', deadline: clock.now() + 60_000 });

/** Waits (bounded by `until`'s wall-clock limit, never hanging) for a promise the bound must settle. */
async function settledWithin<T>(promise: Promise<T>, what: string): Promise<PromiseSettledResult<T>> {
  let result: PromiseSettledResult<T> | undefined;
  void promise.then(
    (value) => (result = { status: 'fulfilled', value }),
    (reason: unknown) => (result = { status: 'rejected', reason }),
  );
  await until(() => result !== undefined, what);
  return result!;
}

function assertTooLarge(result: PromiseSettledResult<unknown>, pattern: RegExp): void {
  assert.equal(result.status, 'rejected', 'the answer was accepted');
  const error = (result as PromiseRejectedResult).reason;
  assert.ok(error instanceof ProviderError, String(error));
  assert.equal(error.kind, 'invalid_response');
  assert.match(error.message, pattern);
}

for (const kind of [openAICompatibleKind, anthropicKind] as ProviderKind[]) {
  describe(`a non-streamed answer past limits.max_answer_bytes is cut (${kind.kind})`, () => {
    const clock = new ManualClock();
    let upstream: ScriptedUpstream;
    let provider: Provider;
    before(async () => {
      upstream = await startScriptedUpstream();
      provider = providerAt(kind, upstream.url, clock);
    });
    after(async () => {
      await provider.close();
      await upstream.close();
    });

    it('counted as it arrives: the upstream request is aborted past the bound, not read to its end', async () => {
      const call = provider.chat(request(), options(clock));
      const exchange = await upstream.next();
      exchange.head(200);
      // Twice the bound, and no end: only a cut settles the call.
      await exchange.write(`{"pad":"${'x'.repeat(2 * limit)}`);
      assertTooLarge(await settledWithin(call, 'the call to be cut'), /limits\.max_answer_bytes/);
      await exchange.closed;
      assert.equal(exchange.abandoned, true);
    });

    it('refused at its headers when it declares a larger content-length', async () => {
      const call = provider.chat(request(), options(clock));
      const exchange = await upstream.next();
      exchange.head(200, { 'content-type': 'application/json', 'content-length': String(limit + 1) });
      assertTooLarge(await settledWithin(call, 'the call to be refused'), /more than 65536 bytes/);
      await exchange.closed;
      assert.equal(exchange.bytesWritten, 0);
    });
  });
}

describe('a streamed answer is counted against limits.max_answer_bytes as it passes', () => {
  const clock = new ManualClock();
  let upstream: ScriptedUpstream;
  let provider: Provider;
  before(async () => {
    upstream = await startScriptedUpstream();
    provider = providerAt(openAICompatibleKind, upstream.url, clock);
  });
  after(async () => {
    await provider.close();
    await upstream.close();
  });

  it('a stream whose events add up past the bound ends with invalid_response, and its upstream is stopped', async () => {
    const opening = provider.chatStream(request(true), options(clock));
    const exchange = await upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    const event = chunkEvent('x'.repeat(900));
    for (let sent = 0; sent <= 2 * limit; sent += event.length) await exchange.write(event);
    exchange.end('data: [DONE]\n\n');
    const stream = await opening;
    const read = (async () => {
      for await (const _event of stream);
    })();
    assertTooLarge(await settledWithin(read, 'the stream to be cut'), /limits\.max_answer_bytes/);
  });

  it('an SSE event that never ends (no blank line) is refused past the event bound, not buffered on', async () => {
    const big = providerAt(openAICompatibleKind, upstream.url, clock, 64 * 1024 * 1024);
    try {
      const opening = big.chatStream(request(true), options(clock));
      const exchange = await upstream.next();
      exchange.head(200, { 'content-type': 'text/event-stream' });
      await exchange.write(chunkEvent('first'));
      const stream = await opening;
      const read = (async () => {
        for await (const _event of stream);
      })();
      const piece = `data: ${'y'.repeat(64 * 1024)}`;
      for (let sent = 0; sent <= 2 * defaultMaxEventBytes && !exchange.abandoned; sent += piece.length)
        await exchange.write(piece);
      assertTooLarge(await settledWithin(read, 'the stream to be cut'), /an SSE event longer than 1048576 bytes/);
      await exchange.closed;
      assert.equal(exchange.abandoned, true);
    } finally {
      await big.close();
    }
  });
});

describe('through the gateway, the default bound holds', () => {
  let upstream: ScriptedUpstream;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    upstream = await startScriptedUpstream();
    gateway = await startTestGateway({
      providers: [providerEntry('big', upstream.url)],
      models: { default: { candidates: ['big/m1'] } },
      routing: { retries: 0 },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('a 17 MiB answer (valid JSON) is 502 upstream_invalid_response under the default 16 MiB, not relayed', async () => {
    const answer = postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'a long one' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    const exchange = await upstream.next();
    exchange.head(200);
    const content = 'z'.repeat(17 * 1024 * 1024);
    void exchange.write(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'm1',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      }),
    );
    exchange.end();
    const { status, json } = await answer;
    assert.equal(status, 502);
    assert.equal(json.error.code, 'upstream_invalid_response');
  });
});

describe('through the gateway, limits.max_answer_bytes is the bound', () => {
  let upstream: ScriptedUpstream;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    upstream = await startScriptedUpstream();
    gateway = await startTestGateway({
      providers: [providerEntry('small', upstream.url)],
      models: { default: { candidates: ['small/m1'] } },
      routing: { retries: 0 },
      limits: { max_answer_bytes: 4096 },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('an answer past the configured bound is 502 upstream_invalid_response', {
    todo: 'src/pipeline/catalog.ts createProviders must pass maxAnswerBytes: config.limits.max_answer_bytes',
  }, async () => {
    const answer = postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'a long one' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    const exchange = await upstream.next();
    exchange.head(200);
    exchange.end(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'm1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'w'.repeat(8192) }, finish_reason: 'stop' }],
      }),
    );
    const { status, json } = await answer;
    assert.equal(status, 502);
    assert.equal(json.error.code, 'upstream_invalid_response');
  });
});

describe('the SSE parser is linear in what it is fed, with a bounded event buffer', () => {
  it('an event fed in many pieces is joined once: bytes copied stay within twice the bytes fed', () => {
    const concat = Buffer.concat;
    let copied = 0;
    Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
      const joined = concat(list, length);
      copied += joined.length;
      return joined;
    }) as typeof Buffer.concat;
    try {
      const events: string[] = [];
      const parser = new SseParser((event) => events.push(event.data), 16 * 1024 * 1024);
      const piece = Buffer.alloc(16 * 1024, 'a');
      const fed = 8 * 1024 * 1024;
      parser.feed(Buffer.from('data: '));
      for (let sent = 0; sent < fed; sent += piece.length) parser.feed(piece);
      parser.feed(Buffer.from('\n\n'));
      assert.equal(events.length, 1);
      assert.equal(events[0]!.length, fed);
      // The old parser re-joined the whole pending event on every piece: ~fed²/piece bytes (4 GiB here).
      assert.ok(copied <= 2 * fed, `copied ${copied} bytes for ${fed} fed`);
    } finally {
      Buffer.concat = concat;
    }
  });

  it('an event longer than its bound throws SseEventTooLarge, and holds no more than the bound', () => {
    const parser = new SseParser(() => assert.fail('no event'), 1024);
    parser.feed(Buffer.from(`data: ${'a'.repeat(1000)}`));
    assert.throws(() => parser.feed(Buffer.alloc(100, 'b')), SseEventTooLarge);
  });

  it('splits the same events, with the same bytes, however the body is cut into pieces', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 12 }).map((text) => `data: ${text.replace(/[\r\n]/g, '')}`),
      fc.constantFrom(': keep-alive', 'event: ping', 'data:', 'id: 7'),
    );
    const body = fc
      .array(fc.tuple(fc.array(line, { minLength: 1, maxLength: 3 }), fc.constantFrom('\n', '\r\n')), { maxLength: 6 })
      .map((events) => events.map(([lines, end]) => lines.join(end) + end + end).join(''));
    const run = (text: string, cuts: number[]): string[] => {
      const seen: string[] = [];
      const parser = new SseParser((event) => seen.push(`${event.event}|${event.data}|${event.raw.toString('utf8')}`));
      const bytes = Buffer.from(text);
      let start = 0;
      for (const cut of [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)) {
        parser.feed(bytes.subarray(start, cut));
        start = cut;
      }
      parser.feed(bytes.subarray(start));
      parser.end();
      return seen;
    };
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        assert.deepEqual(run(text, cuts), run(text, []));
      }),
      { seed: 16, numRuns: 500 },
    );
  });
});
