// The provider contract: the same promises, kept by every kind of the registry. HTTP kinds run
// against the upstream doubles of test/doubles/ on 127.0.0.1; `local` runs the tiny generated GGUF
// (test/support/tiny-gguf.ts) registered with a ModelRegistry over a temporary SQLite store. Its
// answers are gibberish, so what is asserted of every kind is shapes, kinds of errors and time.
// Every provider runs on a ManualClock: a deadline is on that clock, so a timeout is seen by moving
// it, never by waiting on the wall clock. Where a promise cannot apply to a kind, the test says why
// (a named skip), rather than leaving the kind out.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseChatRequest } from '../src/api/openai-chat.js';
import type { ChatRequest, ContentPart, StreamChunk } from '../src/core/chat.js';
import { ProviderError, type UpstreamFailureKind } from '../src/core/errors.js';
import type { CallOptions, ChatStream, Provider } from '../src/core/provider.js';
import { generateSigner } from '../src/ledger/note.js';
import { ModelRegistry } from '../src/models/registry.js';
import { anthropicKind } from '../src/providers/anthropic.js';
import { localKind } from '../src/providers/local.js';
import { openAICompatibleKind } from '../src/providers/openai-compatible.js';
import { ProviderSettingsError, type ProviderKind } from '../src/providers/provider-kind.js';
import { providerKinds } from '../src/providers/registry.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import type { Store } from '../src/store/store.js';
import { startAnthropicDouble } from './doubles/anthropic-upstream.js';
import type { Double, Received } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { temporaryDirectory } from './helpers.js';
import { ManualClock, settle } from './support/manual-clock.js';
import { writeTinyModel } from './support/tiny-gguf.js';
import { stringsOf } from './support/strings-of.js';

/** What a kind's contract run needs: a way to make providers of it, and what its upstream can be made to do. */
interface Harness {
  /** The model name at the upstream (the part after `provider/`). */
  model: string;
  /** The kind runs in this process: there is no HTTP upstream (known before start, for the named skips). */
  inProcess: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The config entry of this harness's provider, as a config file would hold it. */
  entry(): Record<string, unknown>;
  /** A fresh provider of this kind on this harness's upstream, on `clock`. */
  create(clock: ManualClock, environment?: Record<string, string>): Provider;
  /** An HTTP double behind the provider; absent when the kind runs in this process. */
  upstream?: HttpUpstream;
  /** A stream that cannot start, and the kind of failure it must reject with. */
  unstartable(): { request: ChatRequest; kind: UpstreamFailureKind };
  /**
   * Arranges that the next call gets no answer (a stream: no first event) until its deadline, and
   * returns the request to send and what undoes the arrangement.
   */
  hang(
    stream: boolean,
    provider: Provider,
    clock: ManualClock,
  ): Promise<{ request: ChatRequest; release(): Promise<void> }>;
  /** Resolves once the provider is waiting on what `hang` arranged (`before`: what was there before the call). */
  untilWaiting(clock: ManualClock, before: Waiting): Promise<void>;
}

/** What a harness counts to tell that a call has started waiting: requests the upstream holds, sleeps on the clock. */
interface Waiting {
  received: number;
  sleepers: number;
}

interface HttpUpstream {
  double: Double;
  /** The credential the double received, in the header this kind sends it in. */
  credentialOf(received: Received): string | undefined;
  /** The answer the double gives to a prompt. */
  answerTo(prompt: string): string;
  /**
   * The strings a kind without translate may add to the neutral request's: its wire's own words, never taken from the
   * request.
   */
  vocabulary: readonly string[];
}

const secret = 'upstream-secret';
const described = { id: 'p', jurisdiction: 'local', operator: 'o', ownership: 'owned' } as const;

function httpHarness(
  kind: ProviderKind,
  startUpstream: () => Promise<Double>,
  credentialOf: HttpUpstream['credentialOf'],
  vocabulary: readonly string[],
): Harness {
  const harness: Harness = {
    model: 'm1',
    inProcess: false,
    async start() {
      harness.upstream = {
        double: await startUpstream(),
        credentialOf,
        answerTo: (prompt) => `echo: ${prompt}`,
        vocabulary,
      };
    },
    async stop() {
      await harness.upstream?.double.close();
    },
    entry: () => ({
      ...described,
      kind: kind.kind,
      models: ['m1'],
      base_url: harness.upstream!.double.url,
      api_key_env: 'UPSTREAM_KEY',
      max_connections: 8,
    }),
    create(clock, environment = { UPSTREAM_KEY: secret }) {
      return kind.create(kind.settings.parse(harness.entry()), { clock, environment, streamIdleTimeoutMs: 500 });
    },
    unstartable() {
      harness.upstream!.double.script({ kind: 'status', status: 500 });
      return { request: request('x', true), kind: 'server' };
    },
    async hang(stream) {
      harness.upstream!.double.script({ kind: stream ? 'headers-then-hang' : 'hang' });
      return { request: request('x', stream), release: async () => undefined };
    },
    async untilWaiting(_clock, before) {
      // The upstream holds the request (its scripted behaviour is used up).
      for (let round = 0; harness.upstream!.double.received.length === before.received; round += 1) {
        assert.ok(round < 2_000, 'the request never reached the upstream');
        await settle();
      }
    },
  };
  return harness;
}

function localHarness(kind: ProviderKind): Harness {
  let directory: string;
  let store: Store;
  let registry: ModelRegistry;
  const harness: Harness = {
    model: 'tiny',
    inProcess: true,
    async start() {
      directory = temporaryDirectory('sovereign-contract-');
      writeTinyModel(join(directory, 'tiny.gguf'));
      store = openSqliteStore(join(directory, 'data'));
      await store.migrate();
      const signer = generateSigner('test.example/sovereign-gateway');
      registry = new ModelRegistry({ store, verifier: signer, signer });
      await registry.add(join(directory, 'tiny.gguf'), { name: 'tiny' });
    },
    async stop() {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
    // One slot and one queue place per model, so that capacity and queueing can be seen.
    entry: () => ({
      ...described,
      kind: kind.kind,
      models: ['tiny'],
      threads: 2,
      context_size: 256,
      sequences: 1,
      max_queue: 1,
    }),
    create(clock, environment = {}) {
      return kind.create(kind.settings.parse(harness.entry()), {
        clock,
        environment,
        streamIdleTimeoutMs: 500,
        weights: registry,
      });
    },
    unstartable() {
      // The runtime takes text only: a stream of an image part cannot start.
      const image: ContentPart = {
        type: 'image_url',
        image_url: { url: 'https://images.example/x.png' },
      } as ContentPart;
      return {
        request: { ...request('x', true), messages: [{ role: 'user', content: [image] }] },
        kind: 'unavailable',
      };
    },
    async hang(stream, provider, clock) {
      if (!stream) return { request: { ...request('x'), ...longAnswer }, release: async () => undefined };
      // A stream's first event is its role chunk, sent once a slot is free: with the one slot held,
      // the stream waits in the queue.
      const holder = await provider.chatStream(
        { ...request('hold', true), ...longAnswer },
        { upstreamModel: 'tiny', deadline: clock.now() + 10_000_000 },
      );
      return {
        request: request('x', true),
        release: async () => {
          holder.cancel();
          await drain(holder);
        },
      };
    },
    async untilWaiting(clock, before) {
      await untilSleeping(clock, before.sleepers);
    },
  };
  return harness;
}

/** Every kind of the registry has its harness here: a kind without one fails the contract. */
const harnesses: Record<string, Harness> = {
  'openai-compatible': httpHarness(
    openAICompatibleKind,
    startOpenAIDouble,
    (received) => received.headers.authorization,
    ['model', 'stream', 'stream_options', 'include_usage'],
  ),
  anthropic: httpHarness(
    anthropicKind,
    startAnthropicDouble,
    (received) => received.headers['x-api-key'] as string | undefined,
    [],
  ),
  local: localHarness(localKind),
};

const request = (text: string, stream = false): ChatRequest => ({
  model: 'alias',
  messages: [{ role: 'user', content: text }],
  stream,
  includeUsage: true,
  max_tokens: 8,
  temperature: 0,
  extra: {},
});

async function rejectsWith(promise: Promise<unknown>, kind: UpstreamFailureKind): Promise<ProviderError> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  return error;
}

async function drain(stream: ChatStream): Promise<{ text: string; chunks: StreamChunk[] }> {
  const chunks: StreamChunk[] = [];
  for await (const event of stream) chunks.push(event.chunk);
  return { text: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), chunks };
}

/** Whether a promise is still pending once what is already due has run. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await settle();
  return !settled;
}

/** Lets the provider run until it has started one more sleep on the clock (a wait it will end at its deadline). */
async function untilSleeping(clock: ManualClock, sleepers: number): Promise<void> {
  for (let round = 0; clock.waiting <= sleepers; round += 1) {
    assert.ok(round < 2_000, 'the provider never started waiting on the clock');
    await settle();
  }
}

// Random valid chat requests (OpenAI's shape, as clients send them), for what leaves the gateway.
const word = fc.constantFrom('alpha', 'bravo', 'note', 'Bonjour', 'مرحبا', 'status', 'x', '');
const text = fc.array(word, { maxLength: 4 }).map((words) => words.join(' '));
const key = fc.constantFrom('note', 'x_custom', 'ref', 'nested', 'description');
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer({ min: -100, max: 100 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.record({ url: text.map((words) => `https://images.example/${encodeURIComponent(words)}.png`) }),
  }),
);
const message = fc.oneof(
  fc.record({
    role: fc.constantFrom('system', 'developer', 'user'),
    content: fc.oneof(text, fc.array(part, { minLength: 1, maxLength: 3 })),
  }),
  fc.record({
    role: fc.constant('assistant'),
    content: fc.option(text, { nil: null }),
    tool_calls: fc.array(
      fc.record({
        id: fc.constant('call_1'),
        type: fc.constant('function'),
        function: fc.record({
          name: fc.constantFrom('lookup', 'send'),
          arguments: json.map((value) => JSON.stringify({ value })),
        }),
      }),
      { maxLength: 2 },
    ),
  }),
  fc.record({ role: fc.constant('tool'), tool_call_id: fc.constant('call_1'), content: text }),
);
const chatBody = fc
  .record(
    {
      messages: fc.array(message, { minLength: 1, maxLength: 3 }),
      tools: fc.array(
        fc.record({
          type: fc.constant('function'),
          function: fc.record({
            name: fc.constantFrom('lookup', 'send'),
            description: text,
            parameters: fc.record({ type: fc.constant('object'), description: text }),
          }),
        }),
        { maxLength: 2 },
      ),
      stop: fc.array(
        text.filter((value) => value !== ''),
        { maxLength: 2 },
      ),
      user: text,
      metadata: fc.dictionary(key, text, { maxKeys: 2 }),
      seed: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: ['messages'] },
  )
  .chain((body) =>
    fc
      .dictionary(fc.constantFrom('x_trace', 'vendor_option'), json, { maxKeys: 2 })
      .map((unknown) => ({ ...unknown, ...body })),
  );

/**
 * An answer the tiny model takes a while to write (a few hundred ms): a grammar keeps it from ending before 150
 * characters.
 */
const longAnswer: Partial<ChatRequest> = {
  max_tokens: 200,
  response_format: {
    type: 'json_schema',
    json_schema: {
      name: 'long',
      schema: { type: 'object', properties: { text: { type: 'string', minLength: 150 } }, required: ['text'] },
    },
  },
};

const noHttp = 'runs in this process: a local model has no HTTP status, connection or wire body';

for (const kind of providerKinds as readonly ProviderKind[]) {
  const harness = harnesses[kind.kind];
  // A bounded run: a wait that is not on the clock (a regression) fails the contract instead of hanging it.
  describe(`provider contract: ${kind.kind}`, { timeout: 120_000 }, () => {
    if (!harness) {
      it('has a harness in test/providers.test.ts (adding a kind = its file, its registry line, its contract run)', () =>
        assert.fail(`kind "${kind.kind}" has no contract harness`));
      return;
    }
    /** A named skip for the promises of an HTTP upstream, when the kind has none. */
    const http = (reason = noHttp) => (harness.inProcess ? { skip: reason } : {});
    const clock = new ManualClock();
    let provider: Provider;
    const options = (timeoutMs = 10_000, extra: Partial<CallOptions> = {}): CallOptions => ({
      upstreamModel: harness.model,
      deadline: clock.now() + timeoutMs,
      ...extra,
    });
    const waitingNow = (): Waiting => ({
      received: harness.upstream?.double.received.length ?? 0,
      sleepers: clock.waiting,
    });
    before(async () => {
      await harness.start();
      provider = harness.create(clock);
    });
    after(async () => {
      await provider.close();
      await harness.stop();
    });

    describe('its settings and its description', () => {
      it('takes its own kind name and the shared description keys; unknown keys are refused', () => {
        assert.equal(provider.description.kind, kind.kind);
        assert.deepEqual(
          { ...provider.description, models: [...provider.description.models] },
          { ...described, kind: kind.kind, models: [harness.model] },
        );
        assert.equal(kind.settings.safeParse(harness.entry()).success, true);
        const misspelt = kind.settings.safeParse({ ...harness.entry(), jurisdication: 'SA' });
        assert.deepEqual(
          misspelt.error?.issues.map((issue) => issue.code),
          ['unrecognized_keys'],
        );
      });

      it(
        'a secret it names but the environment lacks stops its creation, naming api_key_env',
        http('takes no secret: its models run in this process'),
        () => {
          assert.throws(
            () => harness.create(clock, {}),
            (error: unknown) =>
              error instanceof ProviderSettingsError &&
              error.key === 'api_key_env' &&
              /UPSTREAM_KEY is not set/.test(error.message),
          );
        },
      );
    });

    describe('chat', () => {
      it('answers in the neutral shape, for the upstream model asked, with usage', async () => {
        const { response } = await provider.chat(request('hello'), options());
        assert.equal(response.object, 'chat.completion');
        assert.equal(response.model, harness.model);
        const choice = response.choices[0]!;
        assert.equal(choice.message.role, 'assistant');
        assert.equal(typeof choice.message.content, 'string');
        assert.ok(choice.finish_reason === 'stop' || choice.finish_reason === 'length');
        assert.ok(response.usage && response.usage.prompt_tokens > 0 && response.usage.completion_tokens > 0);
        assert.equal(response.usage.total_tokens, response.usage.prompt_tokens + response.usage.completion_tokens);
        if (harness.upstream) assert.equal(choice.message.content, harness.upstream.answerTo('hello'));
      });

      it('sends the upstream model name and the credentials from the environment', http(), async () => {
        await provider.chat(request('hello'), options());
        const last = harness.upstream!.double.received.at(-1)!;
        assert.equal(last.body.model, harness.model);
        assert.match(harness.upstream!.credentialOf(last) ?? '', new RegExp(secret));
      });

      it("stamps what it makes up itself with the clock's time", async (context) => {
        const { response, wire } = await provider.chat(request('hello'), options());
        if (wire)
          return context.skip("relays the upstream's own answer bytes (ChatResult.wire), and with them its `created`");
        assert.equal(response.created, Math.floor(clock.now() / 1000));
        const { chunks } = await drain(await provider.chatStream(request('hello', true), options()));
        assert.ok(chunks.every((chunk) => chunk.created === Math.floor(clock.now() / 1000)));
      });

      it(
        'translates tool calls',
        http('the local runtime calls no tools: it answers unavailable, and routing tries the next candidate'),
        async () => {
          harness.upstream!.double.script({ kind: 'tool-call', name: 'get_weather', arguments: '{"city":"Riyadh"}' });
          const result = await provider.chat(
            {
              ...request('weather?'),
              tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
            },
            options(),
          );
          const call = result.response.choices[0]?.message.tool_calls?.[0];
          assert.equal(call?.function.name, 'get_weather');
          assert.deepEqual(JSON.parse(call!.function.arguments), { city: 'Riyadh' });
          assert.equal(result.response.choices[0]?.finish_reason, 'tool_calls');
        },
      );
    });

    describe('streams', () => {
      it('stream an answer chunk by chunk: the assistant role first, a finish reason, usage at the end when asked', async () => {
        const { text, chunks } = await drain(await provider.chatStream(request('stream me', true), options()));
        assert.ok(chunks.length >= 3);
        assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
        assert.equal(chunks[0]!.choices[0]?.delta.role, 'assistant');
        assert.ok(chunks.some((chunk) => chunk.choices[0]?.finish_reason));
        assert.ok(chunks.at(-1)!.usage && chunks.at(-1)!.usage!.completion_tokens > 0);
        assert.equal(typeof text, 'string');
        if (harness.upstream) assert.equal(text, harness.upstream.answerTo('stream me'));
      });

      it('a stream that cannot start rejects, so the caller can fall back', async () => {
        const { request: unstartable, kind: failure } = harness.unstartable();
        await rejectsWith(provider.chatStream(unstartable, options()), failure);
      });

      it(
        'a stream cut mid-way throws from the iterator',
        http('no connection to lose mid-way (a generation that outlives its deadline is below)'),
        async () => {
          harness.upstream!.double.script({ kind: 'stream-cut', afterChunks: 2 });
          const stream = await provider.chatStream(request('a long answer that will be cut', true), options());
          await assert.rejects(
            drain(stream),
            (error: unknown) => error instanceof ProviderError && error.kind === 'connect',
          );
        },
      );

      it('cancel() ends a stream early without an error, and frees what it held', async () => {
        const stream = await provider.chatStream(request('stream me', true), options());
        const iterator = stream[Symbol.asyncIterator]();
        assert.equal((await iterator.next()).done, false);
        stream.cancel();
        for (let result = await iterator.next(); !result.done; result = await iterator.next());
        // The one slot (local) or connection is free again: the next call is answered.
        assert.equal((await provider.chat(request('after'), options())).response.object, 'chat.completion');
      });
    });

    describe('upstream failures, mapped to ProviderError kinds', () => {
      it('a 429 is rate_limited, with its Retry-After', http(), async () => {
        harness.upstream!.double.script({ kind: 'status', status: 429, retryAfter: '3' });
        const error = await rejectsWith(provider.chat(request('x'), options()), 'rate_limited');
        assert.equal(error.retryAfterSeconds, 3);
      });

      it('a Retry-After date is read against the clock', http(), async () => {
        harness.upstream!.double.script({
          kind: 'status',
          status: 429,
          retryAfter: new Date(clock.now() + 7_000).toUTCString(),
        });
        const error = await rejectsWith(provider.chat(request('x'), options()), 'rate_limited');
        assert.ok(error.retryAfterSeconds === 6 || error.retryAfterSeconds === 7, String(error.retryAfterSeconds));
      });

      it('a 5xx is a server failure', http(), async () => {
        harness.upstream!.double.script({ kind: 'status', status: 503 });
        await rejectsWith(provider.chat(request('x'), options()), 'server');
      });

      it('a 400 is rejected, with the upstream message', http(), async () => {
        harness.upstream!.double.script({ kind: 'status', status: 400, message: 'bad field foo' });
        const error = await rejectsWith(provider.chat(request('x'), options()), 'rejected');
        assert.match(error.message, /bad field foo/);
      });

      it('a 401 is auth', http(), async () => {
        harness.upstream!.double.script({ kind: 'status', status: 401 });
        await rejectsWith(provider.chat(request('x'), options()), 'auth');
      });

      it('a connection reset is a connect failure', http(), async () => {
        harness.upstream!.double.script({ kind: 'reset' });
        await rejectsWith(provider.chat(request('x'), options()), 'connect');
      });

      it('malformed JSON is an invalid response', http(), async () => {
        harness.upstream!.double.script({ kind: 'malformed' });
        await rejectsWith(provider.chat(request('x'), options()), 'invalid_response');
      });

      it('what a local model cannot take is unavailable (routing tries the next candidate), and a model it does not serve is rejected', async (context) => {
        if (harness.upstream)
          return context.skip(
            'an HTTP upstream takes what its API takes; what it refuses comes back as a 4xx (rejected, above)',
          );
        const image = { type: 'image_url', image_url: { url: 'https://images.example/x.png' } } as ContentPart;
        await rejectsWith(
          provider.chat({ ...request('x'), messages: [{ role: 'user', content: [image] }] }, options()),
          'unavailable',
        );
        await rejectsWith(
          provider.chat({ ...request('x'), tools: [{ type: 'function', function: { name: 'f' } }] }, options()),
          'unavailable',
        );
        await rejectsWith(provider.chat(request('x'), { ...options(), upstreamModel: 'not-served' }), 'rejected');
      });

      it('past its slots and its queue, a call is unavailable at once; a queued call waits until its deadline on the clock', async (context) => {
        if (harness.upstream)
          return context.skip(
            "an HTTP upstream's capacity is its own: it answers 429 (rate_limited, above) or 503 (server)",
          );
        const holder = await provider.chatStream({ ...request('hold', true), ...longAnswer }, options(10_000_000));
        const sleepers = clock.waiting;
        const queued = rejectsWith(provider.chat(request('queued'), options(1_000)), 'timeout');
        try {
          await untilSleeping(clock, sleepers);
          await rejectsWith(provider.chat(request('overflow'), options()), 'unavailable');
          await clock.advance(1_000);
          assert.match((await queued).message, /no free slot before the deadline/);
        } finally {
          holder.cancel();
          await drain(holder);
        }
      });
    });

    describe('deadlines and cancellation (on the clock)', () => {
      // The deadline is far on the clock (5 minutes) and reached by moving it: the wall clock plays no part.
      const deadlineMs = 300_000;

      it('a call with no answer by its deadline fails as timeout, when the clock reaches it and not before', async () => {
        const { request: hanging, release } = await harness.hang(false, provider, clock);
        const before = waitingNow();
        const call = provider.chat(hanging, options(deadlineMs));
        const failed = rejectsWith(call, 'timeout');
        try {
          await harness.untilWaiting(clock, before);
          await clock.advance(deadlineMs - 1);
          assert.equal(await pending(call), true, 'failed before its deadline');
          await clock.advance(1);
          await failed;
        } finally {
          await release();
        }
      });

      it('a stream with no first event by its deadline rejects as timeout, when the clock reaches it and not before', async () => {
        const { request: hanging, release } = await harness.hang(true, provider, clock);
        const before = waitingNow();
        const opening = provider.chatStream(hanging, options(deadlineMs));
        const failed = rejectsWith(opening, 'timeout');
        try {
          await harness.untilWaiting(clock, before);
          await clock.advance(deadlineMs - 1);
          assert.equal(await pending(opening), true, 'failed before its deadline');
          await clock.advance(1);
          await failed;
        } finally {
          await release();
        }
      });

      it('a generation that outlives its deadline is cut: the stream ends with a timeout error', async (context) => {
        if (harness.upstream)
          return context.skip(
            'over HTTP the deadline bounds the first byte; after it a stream is bounded by the idle time between chunks (routing.stream_idle_timeout_ms, on the same clock)',
          );
        // Resolved once the generation has started, its deadline's sleep on the clock with it.
        const stream = await provider.chatStream({ ...request('x', true), ...longAnswer }, options(5_000));
        const cut = assert.rejects(
          drain(stream),
          (error: unknown) =>
            error instanceof ProviderError && error.kind === 'timeout' && /exceeded the deadline/.test(error.message),
        );
        await clock.advance(5_000);
        await cut;
      });

      it('an aborted signal ends the attempt as timeout', async () => {
        const { request: hanging, release } = await harness.hang(false, provider, clock);
        const controller = new AbortController();
        const before = waitingNow();
        const call = rejectsWith(provider.chat(hanging, options(10_000, { signal: controller.signal })), 'timeout');
        await harness.untilWaiting(clock, before);
        controller.abort();
        await call;
        await release();
        const aborted = new AbortController();
        aborted.abort();
        await rejectsWith(provider.chat(request('x'), options(10_000, { signal: aborted.signal })), 'timeout');
      });
    });

    describe('embeddings', () => {
      it('answer one vector per input, when the kind has an embeddings API', async (context) => {
        if (!provider.embeddings)
          return context.skip(`kind ${kind.kind} has no embeddings API (provider.embeddings is absent)`);
        const answer = await provider.embeddings(
          { model: 'alias', input: ['first text', 'second text'], extra: {} },
          options(),
        );
        assert.equal(answer.data.length, 2);
        assert.ok(
          answer.data.every(
            (item, index) => item.index === index && Array.isArray(item.embedding) && item.embedding.length > 0,
          ),
        );
      });
    });

    describe('what leaves the gateway is what the policy classified', () => {
      it('a kind without translate sends only strings of the neutral request (and its wire’s own words)', async (context) => {
        if (!harness.upstream) return context.skip('runs in this process: nothing is sent to any upstream');
        if (provider.translate) return context.skip(`kind ${kind.kind} has its own translate (checked below)`);
        const { double, vocabulary } = harness.upstream;
        await fc.assert(
          fc.asyncProperty(chatBody, fc.boolean(), fc.boolean(), async (body, stream, usage) => {
            const neutral = parseChatRequest(
              Buffer.from(
                JSON.stringify({
                  ...body,
                  model: 'alias',
                  stream,
                  ...(usage ? { stream_options: { include_usage: true } } : {}),
                }),
              ),
            );
            const {
              model: _model,
              stream: _stream,
              includeUsage: _usage,
              declaredLabels: _declared,
              ...sent
            } = neutral;
            const read = stringsOf(sent);
            for (const name of Object.keys(neutral.extra)) read.add(name);
            if (stream) await drain(await provider.chatStream(neutral, options()));
            else await provider.chat(neutral, options());
            for (const string of stringsOf(JSON.parse(double.received.at(-1)!.raw))) {
              assert.ok(
                read.has(string) || string === harness.model || vocabulary.includes(string),
                `"${string}" is sent but was not classified`,
              );
            }
          }),
          { numRuns: 150, seed: 11 },
        );
      });

      it('a kind with translate sends exactly the body translate returns', async (context) => {
        if (!harness.upstream) return context.skip('runs in this process: nothing is sent to any upstream');
        if (!provider.translate)
          return context.skip(
            `kind ${kind.kind} has no translate: it sends the neutral request's own strings (checked above)`,
          );
        const neutral = {
          ...request('hello'),
          messages: [
            { role: 'system' as const, content: 'be brief' },
            { role: 'user' as const, content: 'hello' },
            { role: 'system' as const, content: 'and kind' },
          ],
        };
        for (const stream of [false, true]) {
          if (stream) await drain(await provider.chatStream({ ...neutral, stream }, options()));
          else await provider.chat(neutral, options());
          assert.deepEqual(
            JSON.parse(harness.upstream.double.received.at(-1)!.raw),
            JSON.parse(JSON.stringify(provider.translate({ ...neutral, stream }, harness.model, stream))),
          );
        }
      });
    });

    describe('probe and close', () => {
      it('a probe succeeds while the upstream answers', async () => {
        await provider.probe(clock.now() + 2_000);
      });

      it(
        'a probe fails as a ProviderError when the upstream does not answer',
        http(
          'the runtime is in this process: its probe fails only when llama.cpp cannot load, which a test cannot arrange without breaking it for the rest of the run',
        ),
        async () => {
          harness.upstream!.double.script({ kind: 'status', status: 503 });
          await rejectsWith(provider.probe(clock.now() + 2_000), 'server');
        },
      );

      it('after close(), a call fails as a ProviderError instead of hanging, and no wait is left on the clock', async () => {
        const own = new ManualClock();
        const closing = harness.create(own);
        await closing.chat(request('hello'), { upstreamModel: harness.model, deadline: own.now() + 10_000 });
        await closing.close();
        assert.equal(own.waiting, 0);
        const error = await closing
          .chat(request('x'), { upstreamModel: harness.model, deadline: own.now() + 10_000 })
          .then(
            () => assert.fail('answered after close'),
            (failure: unknown) => failure,
          );
        assert.ok(error instanceof ProviderError, String(error));
      });
    });
  });
}
