// Property-based fuzzing of the request parsers of every dialect (OpenAI chat completions, Responses
// and its items, embeddings, Anthropic messages and count_tokens): arbitrary JSON, random bytes, and
// valid requests with one thing broken (a wrong type in any field, huge or negative numbers, deep
// nesting, long strings, long lists, unknown fields, prototype keys). In-process, a parser either
// returns a well-formed neutral request or throws a 4xx GatewayError; through a real gateway, every
// answer is a 2xx or a 4xx in the dialect's error shape. Seeded and bounded: the same cases every run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseMessagesRequest } from '../src/api/anthropic-messages.js';
import { parseChatRequest } from '../src/api/openai-chat.js';
import { parseEmbeddingsRequest } from '../src/api/openai-embeddings.js';
import { parseResponsesCreate } from '../src/api/openai-responses.js';
import { checkCanonicalJson } from '../src/api/validation.js';
import type { ChatRequest } from '../src/core/chat.js';
import { GatewayError } from '../src/core/errors.js';
import { parseItem } from '../src/state/items.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { fuzzTallies } from './support/fuzz-tally.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const seed = 20261216;
const { tally, runs } = fuzzTallies('requests', seed, 46);

// ---- hostile values and mutations ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Deep nesting cannot be built as a value (JSON.stringify would overflow first): a marker string stands for it and is
 * replaced by the nested text after serialisation.
 */
const deepMarker = (levels: number, kind: 'array' | 'object'): string => `\u0001deep:${kind}:${levels}\u0001`;
function serialise(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001deep:(array|object):(\d+)\\u0001"/g, (_match, kind, levels) => {
    const count = Number(levels);
    return kind === 'array'
      ? `${'['.repeat(count)}1${']'.repeat(count)}`
      : `${'{"a":'.repeat(count)}1${'}'.repeat(count)}`;
  });
}

const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON'];
const withKey = (key: string, value: Json): Json => ({ [key]: value }) as Json;

/** The values that break parsers: wrong types, extremes, deep, long, prototype keys. */
const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 2,
    9_000_000_000_000_000,
    '',
    ' ',
    '\u0000',
    '\ud800',
    '[object Object]',
    [],
    {},
    [null],
    [[]],
    { type: null },
    { type: 'text' },
    { type: 'image_url' },
    { type: 'tool_result', content: [null] },
  ),
  fc.string({ maxLength: 16 }),
  fc.integer({ min: 257, max: 120_000 }).map((length) => 'x'.repeat(length)),
  fc
    .constantFrom(63, 64, 65, 70, 500, 5_000)
    .chain((levels) => fc.constantFrom(deepMarker(levels, 'array'), deepMarker(levels, 'object'))),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc
    .constantFrom(...prototypeKeys)
    .chain((key) => (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>).map((value) => withKey(key, value))),
);

type Mutation =
  | { kind: 'replace'; value: Json }
  | { kind: 'add'; key: string; value: Json }
  | { kind: 'delete' }
  | { kind: 'grow'; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: hostile.map((value): Mutation => ({ kind: 'replace', value })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.constantFrom(...prototypeKeys), fc.constantFrom('x_unknown', 'type', 'metadata')), hostile)
      .map(([key, value]): Mutation => ({ kind: 'add', key, value })),
  },
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'delete' }) },
  // Just past the bounds the dialects set (stop 16, tools 128, parts 1000, messages 10000), and far past.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(17, 129, 513, 1_001, 2_049, 10_001)
      .map((length): Mutation => ({ kind: 'grow', length })),
  },
);

/** Applies one mutation at the place `choices` walks to (each choice picks a child, modulo the count). */
function mutate(body: Json, choices: readonly number[], change: Mutation): Json {
  const root = structuredClone(body);
  let holder: Json = root;
  let key: string | number | undefined;
  for (const choice of choices) {
    const current: Json = key === undefined ? holder : (holder as Record<string, Json>)[key as string]!;
    if (current === null || typeof current !== 'object') break;
    const keys = Array.isArray(current) ? current.map((_, index) => index) : Object.keys(current);
    if (keys.length === 0) break;
    holder = current;
    key = keys[choice % keys.length];
  }
  const container = holder as Record<string | number, Json>;
  const target = key === undefined ? root : container[key]!;
  switch (change.kind) {
    case 'replace':
      if (key === undefined) return change.value;
      container[key] = change.value;
      return root;
    case 'add':
      if (target !== null && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, change.key, { value: change.value, enumerable: true, writable: true });
      return root;
    case 'delete':
      if (key === undefined) return root;
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
      return root;
    case 'grow':
      if (Array.isArray(target) && target.length > 0) {
        const first = target[0]!;
        while (target.length < change.length) target.push(first);
      }
      return root;
  }
}

// ---- valid requests of each dialect ----

const word = fc.constantFrom('alpha', 'bravo', 'note', 'Bonjour', 'مرحبا', 'x', '', 'status');
const text = fc.array(word, { maxLength: 4 }).map((words) => words.join(' '));
const schema = fc.constant<Json>({
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
  required: ['city'],
});

const chatBody: fc.Arbitrary<Json> = fc.record(
  {
    model: fc.constant('default'),
    messages: fc.array(
      fc.oneof(
        fc.record({ role: fc.constantFrom('system', 'user', 'developer'), content: text }),
        fc.record({
          role: fc.constant('user'),
          content: fc.array(
            fc.oneof(
              fc.record({ type: fc.constant('text'), text }),
              fc.record({
                type: fc.constant('image_url'),
                image_url: fc.record({ url: fc.constant('https://images.example/a.png') }),
              }),
            ),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        fc.record({
          role: fc.constant('assistant'),
          content: fc.constant(null),
          tool_calls: fc.constant([
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Riyadh"}' } },
          ]),
        }),
        fc.record({ role: fc.constant('tool'), tool_call_id: fc.constant('call_1'), content: text }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    stream: fc.boolean(),
    max_tokens: fc.integer({ min: 1, max: 64 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    stop: fc.array(word, { minLength: 1, maxLength: 3 }),
    tools: schema.map((parameters) => [
      { type: 'function', function: { name: 'weather', description: 'd', parameters } },
    ]),
    tool_choice: fc.constantFrom<Json>('auto', 'none', { type: 'function', function: { name: 'weather' } }),
    response_format: fc.constantFrom<Json>({ type: 'text' }, { type: 'json_object' }),
    user: fc.constant('user-1'),
    metadata: fc.record({ labels: fc.constantFrom('internal', 'confidential'), note: text }),
    seed: fc.integer({ min: 0, max: 9 }),
  },
  { requiredKeys: ['model', 'messages'] },
) as unknown as fc.Arbitrary<Json>;

const messagesBody: fc.Arbitrary<Json> = fc.record(
  {
    model: fc.constant('default'),
    max_tokens: fc.integer({ min: 1, max: 64 }),
    system: fc.oneof(text, fc.constant<Json>([{ type: 'text', text: 'be brief' }])),
    messages: fc.oneof(
      fc.constant<Json>([{ role: 'user', content: 'hello' }]),
      text.map(
        (words): Json => [
          { role: 'user', content: [{ type: 'text', text: `look ${words}` }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'checking' },
              { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Riyadh' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
        ],
      ),
    ),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    stop_sequences: fc.array(word, { minLength: 1, maxLength: 3 }),
    tools: schema.map((input_schema) => [{ name: 'weather', description: 'd', input_schema }]),
    tool_choice: fc.constantFrom<Json>({ type: 'auto' }, { type: 'tool', name: 'weather' }, { type: 'any' }),
    metadata: fc.record({ user_id: fc.constant('u1'), labels: fc.constant('internal') }),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
) as unknown as fc.Arbitrary<Json>;

const responsesItem: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'system', 'developer'), content: text }),
  fc.record({
    type: fc.constant('message'),
    role: fc.constant('assistant'),
    content: fc.constant<Json>([{ type: 'output_text', text: 'earlier', annotations: [], logprobs: [] }]),
  }),
  fc.record({
    type: fc.constant('message'),
    role: fc.constant('user'),
    content: fc.constant<Json>([
      { type: 'input_text', text: 'see' },
      { type: 'input_image', image_url: 'https://images.example/a.png', detail: 'low' },
    ]),
  }),
  fc.constant<Json>({ type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Riyadh"}' }),
  fc.constant<Json>({ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }),
  fc.constant<Json>({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'thought' }] }),
);

const responsesBody: fc.Arbitrary<Json> = fc.record(
  {
    model: fc.constant('default'),
    input: fc.oneof(text, fc.array(responsesItem, { minLength: 1, maxLength: 4 })),
    instructions: text,
    stream: fc.boolean(),
    store: fc.boolean(),
    max_output_tokens: fc.integer({ min: 1, max: 64 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    tools: schema.map((parameters) => [{ type: 'function', name: 'weather', parameters }]),
    tool_choice: fc.constantFrom<Json>('auto', { type: 'function', name: 'weather' }),
    text: fc.constant({
      format: { type: 'json_schema', name: 'answer', schema: { type: 'object' } },
      verbosity: 'low',
    }),
    reasoning: fc.constant({ effort: 'low' }),
    truncation: fc.constantFrom('auto', 'disabled'),
    metadata: fc.record({ note: text, labels: fc.constant('internal') }),
    user: fc.constant('user-1'),
  },
  { requiredKeys: ['model'] },
) as unknown as fc.Arbitrary<Json>;

const embeddingsBody: fc.Arbitrary<Json> = fc.record(
  {
    model: fc.constant('default'),
    input: fc.oneof(
      text,
      fc.array(text, { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat({ max: 50_000 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.array(fc.nat({ max: 50_000 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }),
    ),
    encoding_format: fc.constantFrom('float', 'base64'),
    dimensions: fc.integer({ min: 1, max: 8 }),
    user: fc.constant('user-1'),
    metadata: fc.record({ labels: fc.constant('internal') }),
  },
  { requiredKeys: ['model', 'input'] },
) as unknown as fc.Arbitrary<Json>;

/** A request body: a valid one, the same with one thing broken, arbitrary JSON, or random bytes. */
function bodies(valid: fc.Arbitrary<Json>): fc.Arbitrary<{ kind: string; body: Buffer }> {
  const text = (value: unknown): Buffer => Buffer.from(serialise(value), 'utf8');
  return fc.oneof(
    { weight: 1, arbitrary: valid.map((body) => ({ kind: 'valid', body: text(body) })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(valid, fc.array(fc.nat(), { minLength: 0, maxLength: 6 }), mutation)
        .map(([body, choices, change]) => ({
          kind: `mutated:${change.kind}`,
          body: text(mutate(body, choices, change)),
        })),
    },
    {
      weight: 2,
      arbitrary: (fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map((body) => ({
        kind: 'json',
        body: text(body),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.string({ maxLength: 64 }).map((value) => Buffer.from(value)),
        )
        .map((bytes) => ({ kind: 'bytes', body: Buffer.from(bytes) })),
    },
  );
}

// ---- what a parse may do ----

/** The neutral request's promises that providers rely on (their translations read these without checking). */
function checkNeutral(request: ChatRequest): void {
  assert.equal(typeof request.model, 'string');
  assert.ok(request.model.length <= 256, 'model is bounded');
  assert.ok(Array.isArray(request.messages));
  for (const message of request.messages) {
    assert.ok(['system', 'developer', 'user', 'assistant', 'tool'].includes(message.role), `role ${message.role}`);
    if (Array.isArray(message.content))
      for (const part of message.content) {
        if (part.type === 'text') assert.equal(typeof part.text, 'string', 'a text part has text');
        if (part.type === 'image_url')
          assert.equal(typeof (part as { image_url: { url: unknown } }).image_url.url, 'string', 'an image has a url');
      }
    else assert.ok(message.content === null || typeof message.content === 'string', 'content is text, parts or null');
    for (const call of message.tool_calls ?? []) assert.equal(typeof call.function.arguments, 'string');
  }
  if (request.stop) assert.ok(request.stop.every((stop) => typeof stop === 'string'));
  checkSettings(request);
  // Everything accepted can be serialised (for the upstream, the ledger, the store).
  JSON.stringify(request);
}

/** Generation settings are what upstreams take: a positive safe integer, finite numbers in range. */
function checkSettings(settings: Pick<ChatRequest, 'max_tokens' | 'temperature' | 'top_p'>): void {
  if (settings.max_tokens !== undefined)
    assert.ok(
      Number.isSafeInteger(settings.max_tokens) && settings.max_tokens > 0,
      `max_tokens ${settings.max_tokens}`,
    );
  if (settings.temperature !== undefined) assert.ok(settings.temperature >= 0 && settings.temperature <= 2);
  if (settings.top_p !== undefined) assert.ok(settings.top_p >= 0 && settings.top_p <= 1);
}

/** Runs one parse: accepted (and well-formed), refused with a 4xx, or a failure with its reason. */
function attempt(target: string, kind: string, body: Buffer, parse: (body: Buffer) => unknown): void {
  const entry = tally(target);
  entry.cases += 1;
  try {
    const result = parse(body);
    entry.accepted += 1;
    if (result && typeof result === 'object' && 'messages' in result) checkNeutral(result as ChatRequest);
    else if (result && typeof result === 'object' && 'request' in result)
      checkSettings((result as { request: ChatRequest }).request);
    JSON.stringify(result);
  } catch (error) {
    if (error instanceof GatewayError && error.status >= 400 && error.status < 500) {
      entry.refused += 1;
      // An error message never repeats a long client text (it would land in logs and the ledger's error field).
      assert.ok(error.message.length < 1_000, `a short message: ${error.message.slice(0, 200)}`);
      if (error.param !== undefined) assert.ok(error.param.length < 300, 'a short param');
      return;
    }
    const reason = `${kind}: ${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 200)} — body ${body.toString('utf8').slice(0, 200)}`;
    entry.failures.push(reason);
    assert.fail(`${target} ${reason}`);
  }
}

const parsers: Array<{ target: string; valid: fc.Arbitrary<Json>; parse: (body: Buffer) => unknown; cases: number }> = [
  { target: 'parse: openai chat completions', valid: chatBody, parse: (body) => parseChatRequest(body), cases: 1500 },
  { target: 'parse: openai responses create', valid: responsesBody, parse: parseResponsesCreate, cases: 1500 },
  {
    target: 'parse: openai embeddings',
    valid: embeddingsBody,
    parse: (body) => parseEmbeddingsRequest(body),
    cases: 1000,
  },
  {
    target: 'parse: anthropic messages',
    valid: messagesBody,
    parse: (body) => parseMessagesRequest(body),
    cases: 1500,
  },
  {
    target: 'parse: anthropic count_tokens',
    valid: messagesBody,
    parse: (body) => parseMessagesRequest(body, true),
    cases: 500,
  },
];

/** Every place in a body (for the sweep: each field of a rich valid request gets each kind of wrong value). */
function placesOf(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  const places: Array<Array<string | number>> = [path];
  if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value))
      places.push(...placesOf(child, [...path, Array.isArray(value) ? Number(key) : key]));
  return places;
}

function replaceAt(body: Json, path: ReadonlyArray<string | number>, value: Json): Json {
  if (path.length === 0) return value;
  const root = structuredClone(body);
  let holder = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, Json>;
  holder[path.at(-1)!] = value;
  return root;
}

/** One value of each kind a field can be wrong with. */
const sweepValues: Json[] = [
  null,
  true,
  -1,
  0,
  1.5,
  1e308,
  'x'.repeat(300),
  '',
  [],
  {},
  [null],
  withKey('__proto__', { polluted: true }),
  // An object String() cannot convert (its toString is not a function): what the Anthropic parser once called String on.
  withKey('toString', 1),
  deepMarker(70, 'array'),
];

describe('the request parsers, fuzzed in-process: a neutral request or a 4xx, never another exception', () => {
  for (const { target, valid, parse, cases } of parsers) {
    it(`${target}: ${runs(cases)} seeded cases (valid, mutated, arbitrary JSON, random bytes)`, () => {
      fc.assert(
        fc.property(bodies(valid), ({ kind, body }) => attempt(target, kind, body, parse)),
        { numRuns: runs(cases), seed, endOnFailure: true },
      );
      assert.deepEqual(tally(target).failures, []);
      assert.ok(tally(target).accepted > 0 && tally(target).refused > 0, 'both outcomes occur (not vacuous)');
    });

    it(`${target}: every field of a rich valid request, with each kind of wrong value`, () => {
      // The sample with the most places: optional fields present.
      const rich = fc
        .sample(valid, { numRuns: 50, seed })
        .reduce((best, body) => (placesOf(body).length > placesOf(best).length ? body : best));
      const sweep = `${target} (field sweep)`;
      for (const path of placesOf(rich))
        for (const value of sweepValues)
          attempt(sweep, `sweep ${path.join('.')}`, Buffer.from(serialise(replaceAt(rich, path, value))), parse);
      assert.deepEqual(tally(sweep).failures, []);
    });
  }

  it('parse: responses input items (parseItem), arbitrary and mutated items', () => {
    const target = 'parse: responses input item';
    fc.assert(
      fc.property(
        fc.oneof(
          responsesItem,
          fc
            .tuple(responsesItem, fc.array(fc.nat(), { maxLength: 4 }), mutation)
            .map(([item, choices, change]) => mutate(item, choices, change)),
          fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>,
        ),
        (item) =>
          attempt(target, 'item', Buffer.from(serialise(item)), (body) =>
            parseItem(JSON.parse(body.toString()), 'items[0]'),
          ),
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });
});

describe('regressions found by the fuzzing (each a 4xx naming the param, not a crash)', () => {
  const refused = (parse: () => unknown, param: string | RegExp): void => {
    assert.throws(parse, (error: unknown) => {
      assert.ok(error instanceof GatewayError, `a GatewayError, not ${(error as Error)?.name}`);
      assert.equal(error.status, 400);
      if (typeof param === 'string') assert.equal(error.param, param);
      else assert.match(error.param ?? '', param);
      return true;
    });
  };
  const json = (value: string): Buffer => Buffer.from(value);
  const messages = (content: string): string =>
    `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":${content}}]}`;

  it('anthropic: a tool_use input nested 5,000 deep is a 400, not a JSON.stringify RangeError (500)', () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    refused(
      () => parseMessagesRequest(json(messages(`[{"type":"tool_use","id":"t","name":"f","input":${deep}}]`))),
      /^messages\[1\]\.content\[0\]\.input/,
    );
  });

  it('anthropic: a text block whose text is an object is a 400, not "[object Object]" or a TypeError', () => {
    refused(
      () => parseMessagesRequest(json(messages('[{"type":"text","text":{"toString":1}}]'))),
      'messages[1].content[0].text',
    );
    refused(
      () =>
        parseMessagesRequest(
          json('{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":{}}]}]}'),
        ),
      'messages[0].content[0].text',
    );
    refused(
      () => parseMessagesRequest(json(messages('[{"type":"tool_use","id":{"valueOf":1},"name":"f","input":{}}]'))),
      'messages[1].content[0].id',
    );
  });

  it('anthropic: a tool_result whose content holds null is a 400, not a TypeError', () => {
    refused(
      () =>
        parseMessagesRequest(
          json(
            '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[null]}]}]}',
          ),
        ),
      'messages[0].content[0].content[0]',
    );
  });

  it('anthropic: an image source with non-text fields is a 400', () => {
    refused(
      () =>
        parseMessagesRequest(
          json(
            '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":{"toString":1}}}]}]}',
          ),
        ),
      'messages[0].content[0].source.data',
    );
  });

  it('openai chat: a text part without text and an image_url part without a url are 400s (providers read them)', () => {
    const chat = (part: string): Buffer => json(`{"model":"m","messages":[{"role":"user","content":[${part}]}]}`);
    refused(() => parseChatRequest(chat('{"type":"text","text":5}')), 'messages[0].content[0].text');
    refused(() => parseChatRequest(chat('{"type":"image_url"}')), 'messages[0].content[0].image_url');
  });

  it('declared labels that are not text are a 400 in every dialect, not a TypeError in the pipeline', () => {
    const labels = '{"labels":[{"toString":1}]}';
    refused(
      () => parseChatRequest(json(`{"model":"m","messages":[{"role":"user","content":"x"}],"metadata":${labels}}`)),
      'metadata.labels',
    );
    refused(() => parseEmbeddingsRequest(json(`{"model":"m","input":"x","metadata":${labels}}`)), 'metadata.labels');
    refused(
      () =>
        parseMessagesRequest(
          json(`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"metadata":${labels}}`),
        ),
      'metadata.labels',
    );
  });

  it('responses: max_output_tokens past the safe integers is a 400, as in the other dialects', () => {
    refused(() => parseResponsesCreate(json('{"model":"m","max_output_tokens":1e300}')), 'max_output_tokens');
  });

  it('responses: annotations nested deep are a 400, not a RangeError when the item is stored', () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    refused(
      () =>
        parseResponsesCreate(
          json(
            `{"model":"m","input":[{"role":"assistant","content":[{"type":"output_text","text":"x","annotations":${deep}}]}]}`,
          ),
        ),
      'input[0].content[0].annotations',
    );
  });
});

describe('bounds inside the parsed request: each a 400 invalid_request naming the param', () => {
  const refused = (parse: () => unknown, param: string): void => {
    assert.throws(parse, (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.code, 'invalid_request');
      assert.equal(error.param, param);
      return true;
    });
  };
  const chat = (extra: Record<string, unknown>): Buffer =>
    Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra }));
  const deepArray = (levels: number): unknown => {
    let value: unknown = 1;
    for (let level = 0; level < levels; level += 1) value = [value];
    return value;
  };

  it('nesting: 64 levels are read, 65 are refused (the body object is level 1), naming where', () => {
    // body (1) → x (2…): 63 arrays reach level 64.
    assert.doesNotThrow(() => parseChatRequest(chat({ x: deepArray(63) })));
    refused(() => parseChatRequest(chat({ x: deepArray(64) })), 'x[0][0][0]');
    assert.doesNotThrow(() =>
      parseEmbeddingsRequest(Buffer.from(JSON.stringify({ model: 'm', input: 'x', x: deepArray(63) }))),
    );
    refused(
      () => parseEmbeddingsRequest(Buffer.from(JSON.stringify({ model: 'm', input: 'x', x: deepArray(64) }))),
      'x[0][0][0]',
    );
    // Responses and Anthropic walk what they keep (tool parameters, schemas, inputs), at its level in the body.
    const tools = (levels: number): Buffer =>
      Buffer.from(
        JSON.stringify({ model: 'm', tools: [{ type: 'function', name: 'f', parameters: { a: deepArray(levels) } }] }),
      );
    // body (1) → tools (2) → tool (3) → parameters (4) → a (5…): 60 arrays reach level 64.
    assert.doesNotThrow(() => parseResponsesCreate(tools(60)));
    refused(() => parseResponsesCreate(tools(61)), 'tools[0].parameters.a[0]');
    const schema = (levels: number): Buffer =>
      Buffer.from(
        JSON.stringify({
          model: 'm',
          max_tokens: 1,
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ name: 'f', input_schema: { a: deepArray(levels) } }],
        }),
      );
    assert.doesNotThrow(() => parseMessagesRequest(schema(60)));
    refused(() => parseMessagesRequest(schema(61)), 'tools[0].input_schema.a[0][0][0]');
  });

  it('a custom depth limit is honoured', () => {
    refused(() => parseChatRequest(chat({ x: deepArray(8) }), { maxDepth: 8 }), 'x[0][0][0]');
  });

  it('lists: messages 10,000, tools 128 (Anthropic 512), stop 16, parts 1,000, embeddings inputs 2,048', () => {
    const message = { role: 'user', content: 'x' };
    refused(() => parseChatRequest(chat({ messages: Array(10_001).fill(message) })), 'messages');
    const tool = { type: 'function', function: { name: 'f' } };
    assert.doesNotThrow(() => parseChatRequest(chat({ tools: Array(128).fill(tool) })));
    refused(() => parseChatRequest(chat({ tools: Array(129).fill(tool) })), 'tools');
    assert.doesNotThrow(() => parseChatRequest(chat({ stop: Array(16).fill('.') })));
    refused(() => parseChatRequest(chat({ stop: Array(17).fill('.') })), 'stop');
    refused(() => parseChatRequest(chat({ stop: 'x'.repeat(1_025) })), 'stop');
    refused(
      () =>
        parseChatRequest(
          chat({ messages: [{ role: 'user', content: Array(1_001).fill({ type: 'text', text: 'x' }) }] }),
        ),
      'messages[0].content',
    );
    const anthropic = (extra: Record<string, unknown>): Buffer =>
      Buffer.from(JSON.stringify({ model: 'm', max_tokens: 1, messages: [message], ...extra }));
    refused(() => parseMessagesRequest(anthropic({ messages: Array(10_001).fill(message) })), 'messages');
    refused(
      () => parseMessagesRequest(anthropic({ tools: Array(513).fill({ name: 'f', input_schema: {} }) })),
      'tools',
    );
    refused(() => parseMessagesRequest(anthropic({ stop_sequences: Array(17).fill('.') })), 'stop_sequences');
    refused(
      () => parseEmbeddingsRequest(Buffer.from(JSON.stringify({ model: 'm', input: Array(2_049).fill('x') }))),
      'input',
    );
    const responses = (extra: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ model: 'm', ...extra }));
    refused(
      () => parseResponsesCreate(responses({ input: Array(10_001).fill({ role: 'user', content: 'x' }) })),
      'input',
    );
    refused(
      () => parseResponsesCreate(responses({ tools: Array(129).fill({ type: 'function', name: 'f' }) })),
      'tools',
    );
    refused(
      () =>
        parseResponsesCreate(
          responses({ input: [{ role: 'user', content: Array(1_001).fill({ type: 'input_text', text: 'x' }) }] }),
        ),
      'input[0].content',
    );
  });

  it('names: model, ids and user at most 256 characters (they reach logs, the ledger and error messages)', () => {
    const long = 'm'.repeat(257);
    refused(() => parseChatRequest(chat({ model: long })), 'model');
    refused(() => parseChatRequest(chat({ user: long })), 'user');
    refused(
      () => parseChatRequest(chat({ messages: [{ role: 'tool', tool_call_id: long, content: 'x' }] })),
      'messages[0].tool_call_id',
    );
    refused(() => parseEmbeddingsRequest(Buffer.from(JSON.stringify({ model: long, input: 'x' }))), 'model');
    refused(
      () =>
        parseMessagesRequest(
          Buffer.from(JSON.stringify({ model: long, max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })),
        ),
      'model',
    );
    refused(
      () =>
        parseMessagesRequest(
          Buffer.from(
            JSON.stringify({
              model: 'm',
              max_tokens: 1,
              messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: long, name: 'f', input: {} }] }],
            }),
          ),
        ),
      'messages[0].content[0].id',
    );
    const responses = (extra: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ model: 'm', ...extra }));
    refused(() => parseResponsesCreate(responses({ model: long })), 'model');
    refused(() => parseResponsesCreate(responses({ tools: [{ type: 'function', name: long }] })), 'tools[0].name');
    refused(() => parseResponsesCreate(responses({ previous_response_id: long })), 'previous_response_id');
    refused(() => parseResponsesCreate(responses({ conversation: long })), 'conversation');
    refused(
      () => parseResponsesCreate(responses({ input: [{ type: 'function_call_output', call_id: long, output: 'x' }] })),
      'input[0].call_id',
    );
  });
});

describe("checkCanonicalJson: what a value digested as RFC 8785 JSON (an action's params) must be", () => {
  const check = (value: unknown): void => checkCanonicalJson(value, { maxDepth: 64 }, { param: 'params', level: 2 });
  it('refuses a lone surrogate in a string or a key, and nesting past the bound, naming the param', () => {
    for (const value of [
      { note: 'x\ud800' },
      { '\udc00': 1 },
      [['\ud800']],
      JSON.parse(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`),
    ])
      assert.throws(
        () => check(value),
        (error: unknown) => error instanceof GatewayError && error.param?.startsWith('params') === true,
      );
  });
  it('accepts what RFC 8785 encodes, however wide', () => {
    check({ to: 'FR76…', amount: '12.50', emoji: '😀', list: Array(100_000).fill(1) });
  });
});

// ---- through a real gateway ----

const endpoints: Array<{ path: string; dialect: 'openai' | 'anthropic'; valid: fc.Arbitrary<Json>; cases: number }> = [
  { path: '/v1/chat/completions', dialect: 'openai', valid: chatBody, cases: 150 },
  { path: '/v1/responses', dialect: 'openai', valid: responsesBody, cases: 150 },
  { path: '/v1/responses/input_tokens', dialect: 'openai', valid: responsesBody, cases: 50 },
  { path: '/v1/embeddings', dialect: 'openai', valid: embeddingsBody, cases: 100 },
  { path: '/v1/messages', dialect: 'anthropic', valid: messagesBody, cases: 150 },
  { path: '/v1/messages/count_tokens', dialect: 'anthropic', valid: messagesBody, cases: 50 },
  {
    path: '/v1/conversations',
    dialect: 'openai',
    valid: fc.record({
      items: fc.array(responsesItem, { maxLength: 3 }),
      metadata: fc.constant({ topic: 'x' }),
    }) as fc.Arbitrary<Json>,
    cases: 50,
  },
];

/** The dialect's error shape: OpenAI {"error": {"message", "type", "code"}}, Anthropic {"type": "error", "error": {…}}. */
function isErrorShape(dialect: 'openai' | 'anthropic', text: string): boolean {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  const error = dialect === 'openai' ? body?.error : body?.type === 'error' ? body.error : undefined;
  return typeof error?.message === 'string' && typeof error?.type === 'string';
}

describe('the request parsers, fuzzed through a real gateway: every answer a 2xx or a 4xx in the dialect’s shape', () => {
  let upstream: Double;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('own', upstream.url)],
      models: { default: { candidates: ['own/m1'] } },
      routing: { retries: 0 },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  for (const { path, dialect, valid, cases } of endpoints) {
    it(`POST ${path}: ${runs(cases)} seeded requests`, async () => {
      const target = `http: POST ${path}`;
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(bodies(valid), async ({ kind, body }) => {
          const entry = tally(target);
          entry.cases += 1;
          const response = await fetch(`${gateway.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
            body,
          });
          const text = await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 200 && response.status < 300) {
            entry.accepted += 1;
            return;
          }
          if (response.status >= 400 && response.status < 500 && isErrorShape(dialect, text)) {
            entry.refused += 1;
            return;
          }
          const reason = `${kind}: ${response.status} ${text.slice(0, 200)} — body ${body.toString('utf8').slice(0, 200)}`;
          entry.failures.push(reason);
          assert.fail(`${target} ${reason}`);
        }),
        { numRuns: runs(cases), seed, endOnFailure: true },
      );
      assert.deepEqual(tally(target).failures, []);
      assert.ok(
        tally(target).accepted > 0,
        `some requests were served (${JSON.stringify(Object.fromEntries(statuses))})`,
      );
      // The gateway logged no unexpected failure while it answered them.
      assert.deepEqual(
        gateway.logs.filter((line) => line.includes('request failed unexpectedly')),
        [],
      );
    });
  }
});
