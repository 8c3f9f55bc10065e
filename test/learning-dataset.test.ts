// Dataset export rows: each kind and format in the shape its tool reads, the filters on feedback, demonstrations and
// preference pairs, the scrubber that replaces detected values, and the split by episode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { ChatMessage } from '../src/core/chat.js';
import {
  type CallWithFeedback,
  checkFilter,
  checkFormat,
  type ExportFilter,
  type ExportFormat,
  type ExportKind,
  exportFormats,
  rowsOf,
  Scrubber,
  splitOf,
} from '../src/learning/dataset.js';
import type { CapturedCall, FeedbackRecord, MetricDefinition } from '../src/learning/types.js';

const metrics: Record<string, MetricDefinition> = {
  helpful: { type: 'boolean', optimize: 'max', level: 'inference' },
  solved: { type: 'boolean', optimize: 'max', level: 'episode' },
  score: { type: 'float', optimize: 'max', level: 'inference' },
  hallucinated: { type: 'boolean', optimize: 'min', level: 'inference' },
  errors: { type: 'float', optimize: 'min', level: 'inference' },
};

const samePrompt = 'a'.repeat(64);
let sequence = 0;

function capture(overrides: Partial<CapturedCall> = {}): CapturedCall {
  sequence += 1;
  return {
    id: `capture-${sequence}`,
    tenant: 'acme',
    keyId: 'key-1',
    receipt: sequence,
    responseId: `chatcmpl-${sequence}`,
    episodeId: `episode-${sequence}`,
    alias: 'support',
    provider: 'local/qwen',
    model: 'qwen',
    ownership: 'owned',
    role: 'primary',
    pairOf: null,
    labels: [],
    promptSha256: samePrompt,
    latencyMs: 120,
    inputTokens: 40,
    outputTokens: 12,
    cost: null,
    createdAt: 1_000 + sequence,
    expiresAt: 9_000_000,
    messages: [{ role: 'user', content: 'Where is my parcel?' }],
    answer: { role: 'assistant', content: 'It left the depot this morning.' },
    ...overrides,
  };
}

/** A call with every kind of message: system, a user text and image, a tool call and its result, and tools. */
function agentCall(overrides: Partial<CapturedCall> = {}): CapturedCall {
  return capture({
    messages: [
      { role: 'developer', content: 'You are the support desk of a parcel company.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Where is parcel A-1?' },
          { type: 'text', text: 'Here is its label.' },
          { type: 'image_url', image_url: { url: 'https://example.com/label.png' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'track', arguments: '{"order":"A-1"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"status":"in transit"}' },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'track',
          description: 'Where an order is',
          parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
        },
      },
    ],
    answer: { role: 'assistant', content: 'Parcel A-1 is in transit.' },
    ...overrides,
  });
}

let feedbackSequence = 0;

/** Feedback on a call (its own) or, with `episode`, on the call's episode. */
function feedbackOn(
  call: CapturedCall,
  metric: string,
  value: unknown,
  options: { createdAt?: number; episode?: boolean; tenant?: string } = {},
): FeedbackRecord {
  feedbackSequence += 1;
  return {
    id: `feedback-${feedbackSequence}`,
    tenant: options.tenant ?? call.tenant,
    keyId: 'key-1',
    metric,
    value,
    captureId: options.episode ? null : call.id,
    episodeId: call.episodeId,
    ledgerIndex: 100 + feedbackSequence,
    createdAt: options.createdAt ?? 2_000 + feedbackSequence,
  };
}

const noLookup = (): CapturedCall | undefined => undefined;
const lookupIn =
  (...calls: CapturedCall[]) =>
  (id: string): CapturedCall | undefined =>
    calls.find((call) => call.id === id);

function rows(
  kind: ExportKind,
  format: ExportFormat,
  call: CapturedCall,
  feedback: FeedbackRecord[],
  filter: ExportFilter = {},
  lookup: (id: string) => CapturedCall | undefined = noLookup,
): unknown[] {
  const entry: CallWithFeedback = { call, feedback };
  return rowsOf(kind, format, entry, filter, metrics, lookup);
}

// The formats, as their tools document them.

const toolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});
const contentPart = z.looseObject({ type: z.string() });
const message = z
  .strictObject({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(contentPart), z.null()]),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).min(1).optional(),
    tool_call_id: z.string().optional(),
  })
  .refine((entry) => entry.role !== 'tool' || entry.tool_call_id !== undefined, 'a tool message names its call')
  .refine((entry) => entry.content !== null || entry.tool_calls !== undefined, 'content or tool calls');
const assistantMessage = message.refine((entry) => entry.role === 'assistant', 'an assistant message');
const tools = z
  .array(
    z.strictObject({
      type: z.literal('function'),
      function: z.looseObject({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }),
    }),
  )
  .min(1);
const endsWithAnswer = (messages: Array<{ role: string }>): boolean =>
  messages[messages.length - 1]?.role === 'assistant';

/** OpenAI chat fine-tuning, and TRL's conversational language-modelling dataset: the same shape. */
const chatRow = z.strictObject({
  messages: z.array(message).min(2).refine(endsWithAnswer, 'ends with the answer'),
  tools: tools.optional(),
});

const json = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const functionCall = z.strictObject({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) });
const turn = z
  .strictObject({ from: z.enum(['human', 'gpt', 'function_call', 'observation']), value: z.string() })
  .refine(
    (entry) =>
      entry.from !== 'function_call' ||
      z.union([functionCall, z.array(functionCall)]).safeParse(json(entry.value)).success,
    'a function_call turn is the JSON of {name, arguments}',
  );
const answerTurn = turn.refine((entry) => entry.from === 'gpt' || entry.from === 'function_call', 'an answer turn');
/** LLaMA-Factory: human or observation at even places, gpt or function_call at odd ones. */
const alternates = (turns: Array<{ from: string }>): boolean =>
  turns.every((entry, index) => (entry.from === 'human' || entry.from === 'observation') === (index % 2 === 0));
const shareGptTools = z.string().refine(
  (text) =>
    z
      .array(z.looseObject({ name: z.string(), parameters: z.unknown() }))
      .min(1)
      .safeParse(json(text)).success,
  'the JSON of the function definitions',
);
const shareGptExtras = { system: z.string().optional(), tools: shareGptTools.optional() };

const schemas: Record<string, z.ZodType> = {
  'sft openai': chatRow,
  'sft trl': chatRow,
  'sft sharegpt': z.strictObject({
    conversations: z
      .array(turn)
      .min(2)
      .refine((turns) => alternates(turns) && turns.length % 2 === 0, 'alternating, ending with the answer'),
    ...shareGptExtras,
  }),
  'dpo openai': z.strictObject({
    input: z.strictObject({ messages: z.array(message).min(1), tools: tools.optional() }),
    preferred_output: z.array(assistantMessage).length(1),
    non_preferred_output: z.array(assistantMessage).length(1),
  }),
  'dpo trl': z.strictObject({
    prompt: z.array(message).min(1),
    chosen: z.array(assistantMessage).length(1),
    rejected: z.array(assistantMessage).length(1),
    tools: tools.optional(),
  }),
  'dpo sharegpt': z.strictObject({
    conversations: z
      .array(turn)
      .min(1)
      .refine((turns) => alternates(turns) && turns.length % 2 === 1, 'alternating, ending before the answer'),
    chosen: answerTurn,
    rejected: answerTurn,
    ...shareGptExtras,
  }),
  'kto trl': z.strictObject({
    prompt: z.array(message).min(1),
    completion: z.array(assistantMessage).length(1),
    label: z.boolean(),
    tools: tools.optional(),
  }),
  'kto sharegpt': z.strictObject({
    conversations: z
      .array(turn)
      .min(2)
      .refine((turns) => alternates(turns) && turns.length % 2 === 0, 'alternating, ending with the answer'),
    kto_tag: z.boolean(),
    ...shareGptExtras,
  }),
};

const pairs = (Object.keys(exportFormats) as ExportKind[]).flatMap((kind) =>
  exportFormats[kind].map((format) => ({ kind, format })),
);

/** A call and its shadow (same prompt), with feedback that gives rows of every kind. */
function everyKind(): { call: CapturedCall; shadow: CapturedCall; feedback: FeedbackRecord[] } {
  const call = agentCall();
  const shadow = agentCall({
    role: 'shadow',
    pairOf: call.id,
    episodeId: call.episodeId,
    answer: {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'track', arguments: '{"order":"A-1"}' } }],
    },
  });
  const feedback = [
    feedbackOn(call, 'helpful', true),
    feedbackOn(call, 'demonstration', 'Parcel A-1 is in transit and arrives tomorrow.'),
    feedbackOn(call, 'preference', { chosen: call.id, rejected: shadow.id }),
  ];
  return { call, shadow, feedback };
}

describe('every kind and format that exists gives rows in the shape its tool reads', () => {
  for (const { kind, format } of pairs)
    it(`${kind} ${format}`, () => {
      const { call, shadow, feedback } = everyKind();
      const found = rows(kind, format, call, feedback, {}, lookupIn(shadow));
      assert.ok(found.length > 0);
      for (const row of found) {
        const result = schemas[`${kind} ${format}`]!.safeParse(row);
        assert.ok(result.success, `${JSON.stringify(row)}\n${result.error?.message}`);
        assert.deepEqual(JSON.parse(JSON.stringify(row)), row, 'plain JSON');
      }
    });

  it('openai and trl keep tool calls, tool messages, tools and image parts; developer becomes system', () => {
    const call = agentCall();
    const [row] = rows('sft', 'openai', call, []) as Array<{ messages: ChatMessage[]; tools: unknown }>;
    assert.deepEqual(row!.messages[0], { role: 'system', content: 'You are the support desk of a parcel company.' });
    assert.deepEqual(row!.messages.slice(1, 4), call.messages.slice(1));
    assert.deepEqual(row!.messages[4], call.answer);
    assert.deepEqual(row!.tools, call.tools);
    assert.deepEqual(rows('sft', 'trl', call, []), [row]);
  });

  it('sharegpt follows LLaMA-Factory: system and tools beside, function_call and observation turns, text only', () => {
    const call = agentCall();
    const [row] = rows('sft', 'sharegpt', call, []);
    assert.deepEqual(row, {
      conversations: [
        { from: 'human', value: 'Where is parcel A-1?\nHere is its label.' },
        { from: 'function_call', value: '{"name":"track","arguments":{"order":"A-1"}}' },
        { from: 'observation', value: '{"status":"in transit"}' },
        { from: 'gpt', value: 'Parcel A-1 is in transit.' },
      ],
      system: 'You are the support desk of a parcel company.',
      tools: JSON.stringify([call.tools![0]!.function]),
    });
  });

  it('sharegpt merges parallel tool calls and their results into one turn each', () => {
    const call = capture({
      messages: [
        { role: 'user', content: 'Track A-1 and A-2.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'track', arguments: '{"order":"A-1"}' } },
            { id: 'c2', type: 'function', function: { name: 'track', arguments: '{"order":"A-2"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'in transit' },
        { role: 'tool', tool_call_id: 'c2', content: 'delivered' },
      ],
    });
    const [row] = rows('sft', 'sharegpt', call, []) as Array<{ conversations: unknown[] }>;
    assert.deepEqual(row!.conversations.slice(1, 3), [
      {
        from: 'function_call',
        value: '[{"name":"track","arguments":{"order":"A-1"}},{"name":"track","arguments":{"order":"A-2"}}]',
      },
      { from: 'observation', value: 'in transit\ndelivered' },
    ]);
  });

  it('sharegpt gives no row for a conversation it cannot alternate (an assistant turn first)', () => {
    const call = capture({
      messages: [
        { role: 'assistant', content: 'Hello, how can I help?' },
        { role: 'user', content: 'Track A-1.' },
      ],
    });
    assert.deepEqual(rows('sft', 'sharegpt', call, []), []);
    assert.equal(rows('sft', 'openai', call, []).length, 1);
  });

  it('an empty answer gives no row', () => {
    const call = capture({ answer: { role: 'assistant', content: '' } });
    for (const format of exportFormats.sft) assert.deepEqual(rows('sft', format, call, []), []);
  });
});

describe('a metric to minimise (optimize: min) points the other way', () => {
  it('SFT keeps the calls whose boolean is false, KTO labels true as undesirable', () => {
    const good = capture();
    const bad = capture();
    const said = [feedbackOn(good, 'hallucinated', false), feedbackOn(bad, 'hallucinated', true)];
    assert.equal(rows('sft', 'openai', good, said, { metric: 'hallucinated' }).length, 1);
    assert.equal(rows('sft', 'openai', bad, said, { metric: 'hallucinated' }).length, 0);
    const label = (call: CapturedCall) =>
      (rows('kto', 'trl', call, said, { metric: 'hallucinated' })[0] as { label: boolean }).label;
    assert.equal(label(good), true);
    assert.equal(label(bad), false);
  });

  it('a float to minimise takes --max; --min is refused for it, as --max is for one to maximise', () => {
    const call = capture();
    const said = [feedbackOn(call, 'errors', 3)];
    assert.equal(rows('sft', 'openai', call, said, { metric: 'errors', max: 5 }).length, 1);
    assert.equal(rows('sft', 'openai', call, said, { metric: 'errors', max: 2 }).length, 0);
    assert.throws(() => checkFilter('sft', { metric: 'errors', min: 5 }, metrics), /minimised .*--max/);
    assert.throws(() => checkFilter('sft', { metric: 'score', max: 5 }, metrics), /maximised .*--min/);
  });
});

describe('the scrubber reads keys too', () => {
  it('a value in a tool schema property name, or a tool-call argument key, never reaches a row', () => {
    const call = capture({
      tools: [
        {
          type: 'function',
          function: {
            name: 'send',
            parameters: {
              type: 'object',
              properties: { 'x.y@example.net': { properties: { 'in.depth@example.com': {} } } },
            },
          },
        },
      ],
      answer: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'send', arguments: '{"amina@example.sa": 1}' } }],
      },
    });
    const scrubber = new Scrubber();
    for (const format of ['openai', 'trl'] as const) {
      const text = JSON.stringify(rows('sft', format, call, []).map((row) => scrubber.scrub(row)));
      for (const value of ['x.y@example.net', 'in.depth@example.com', 'amina@example.sa'])
        assert.ok(!text.includes(value), `${value} in ${format}`);
      assert.ok(text.includes('"type":"object"'), 'structural keys stay');
    }
  });
});

describe('checkFormat', () => {
  it('throws for kto in openai format, naming the formats that exist', () => {
    assert.throws(() => checkFormat('kto', 'openai'), {
      message: 'kto rows have no "openai" format: the kto formats are trl, sharegpt.',
    });
    assert.throws(
      () => rowsOf('kto', 'openai', { call: capture(), feedback: [] }, {}, metrics, noLookup),
      /trl, sharegpt/,
    );
  });

  it('accepts every pair that exists', () => {
    for (const { kind, format } of pairs) checkFormat(kind, format);
    assert.equal(pairs.length, 8);
  });
});

describe('an SFT export with a metric keeps the calls whose latest value qualifies', () => {
  const sftCount = (call: CapturedCall, feedback: FeedbackRecord[], filter: ExportFilter): number =>
    rows('sft', 'openai', call, feedback, filter).length;

  it('without a metric every call qualifies', () => {
    const call = capture();
    assert.equal(sftCount(call, [], {}), 1);
    assert.equal(sftCount(call, [feedbackOn(call, 'helpful', false)], {}), 1);
  });

  it('a boolean metric: true only', () => {
    const call = capture();
    assert.equal(sftCount(call, [feedbackOn(call, 'helpful', true)], { metric: 'helpful' }), 1);
    assert.equal(sftCount(call, [feedbackOn(call, 'helpful', false)], { metric: 'helpful' }), 0);
    assert.equal(sftCount(call, [], { metric: 'helpful' }), 0);
    assert.equal(sftCount(call, [feedbackOn(call, 'solved', true)], { metric: 'helpful' }), 0);
    assert.equal(sftCount(call, [feedbackOn(call, 'helpful', 'true')], { metric: 'helpful' }), 0);
  });

  it('the latest value wins, by createdAt whatever the order given', () => {
    const call = capture();
    const early = feedbackOn(call, 'helpful', true, { createdAt: 10 });
    const late = feedbackOn(call, 'helpful', false, { createdAt: 20 });
    assert.equal(sftCount(call, [late, early], { metric: 'helpful' }), 0);
    const undone = feedbackOn(call, 'helpful', true, { createdAt: 30 });
    assert.equal(sftCount(call, [undone, late, early], { metric: 'helpful' }), 1);
  });

  it('a float metric: its latest value at least the minimum; any value without one', () => {
    const call = capture();
    const score = (value: number, createdAt: number): FeedbackRecord => feedbackOn(call, 'score', value, { createdAt });
    assert.equal(sftCount(call, [score(0.8, 1)], { metric: 'score', min: 0.7 }), 1);
    assert.equal(sftCount(call, [score(0.7, 1)], { metric: 'score', min: 0.7 }), 1);
    assert.equal(sftCount(call, [score(0.6, 1)], { metric: 'score', min: 0.7 }), 0);
    assert.equal(sftCount(call, [score(0.9, 1), score(0.2, 2)], { metric: 'score', min: 0.7 }), 0);
    assert.equal(sftCount(call, [score(-5, 1)], { metric: 'score' }), 1);
    assert.equal(sftCount(call, [], { metric: 'score' }), 0);
  });

  it("episode-level feedback applies to every call of the episode, and to no other's", () => {
    const first = capture({ episodeId: 'episode-shared' });
    const second = capture({ episodeId: 'episode-shared' });
    const elsewhere = capture({ episodeId: 'episode-other' });
    const solved = feedbackOn(first, 'solved', true, { episode: true });
    assert.equal(sftCount(first, [solved], { metric: 'solved' }), 1);
    assert.equal(sftCount(second, [solved], { metric: 'solved' }), 1);
    assert.equal(sftCount(elsewhere, [solved], { metric: 'solved' }), 0);
    // A later verdict on one call overrides the episode's for that call only.
    const notThisOne = feedbackOn(second, 'solved', false, { createdAt: solved.createdAt + 1 });
    assert.equal(sftCount(second, [solved, notThisOne], { metric: 'solved' }), 0);
    assert.equal(sftCount(first, [solved], { metric: 'solved' }), 1);
  });

  it('feedback on another call, or of another tenant, does not apply', () => {
    const call = capture({ episodeId: 'episode-shared-2' });
    const other = capture({ episodeId: 'episode-shared-2' });
    assert.equal(sftCount(call, [feedbackOn(other, 'helpful', true)], { metric: 'helpful' }), 0);
    const foreign = feedbackOn(call, 'helpful', true, { episode: true, tenant: 'intruder' });
    assert.equal(sftCount(call, [foreign], { metric: 'helpful' }), 0);
  });

  it('a filter that cannot select rows is an error before any row', () => {
    assert.throws(
      () => checkFilter('sft', { metric: 'helpfull' }, metrics),
      /not a declared metric.*helpful, solved, score/,
    );
    assert.throws(() => checkFilter('sft', { metric: 'demonstration' }, metrics), /not a declared metric/);
    assert.throws(() => checkFilter('sft', { metric: 'helpful', min: 1 }, metrics), /boolean metric/);
    assert.throws(() => checkFilter('sft', { min: 1 }, metrics), /needs a metric/);
    assert.throws(() => checkFilter('sft', { metric: 'score', min: Number.NaN }, metrics), /must be a number/);
    assert.throws(() => checkFilter('dpo', { metric: 'helpful' }, metrics), /does not apply/);
    assert.throws(() => checkFilter('kto', { metric: 'score' }, metrics), /float metric/);
    assert.throws(() => checkFilter('kto', {}, { score: metrics.score! }), /declares none/);
    checkFilter('sft', { metric: 'score', min: 0.5 }, metrics);
    checkFilter('kto', {}, metrics);
  });
});

describe('demonstrations', () => {
  const written: ChatMessage = {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'track', arguments: '{"order":"A-1"}' } }],
  };

  it('become SFT rows, whatever the metric filter says of the call', () => {
    const call = capture();
    const feedback = [
      feedbackOn(call, 'helpful', false),
      feedbackOn(call, 'demonstration', 'It left the depot at 9 and arrives today.'),
      feedbackOn(call, 'demonstration', written),
    ];
    const found = rows('sft', 'openai', call, feedback, { metric: 'helpful' }) as Array<{ messages: ChatMessage[] }>;
    assert.deepEqual(
      found.map((row) => row.messages),
      [
        [...call.messages, { role: 'assistant', content: 'It left the depot at 9 and arrives today.' }],
        [...call.messages, written],
      ],
    );
  });

  it('written without tool-call ids, or with arguments as an object, are made whole', () => {
    const call = capture();
    const loose = {
      role: 'assistant',
      content: null,
      tool_calls: [{ function: { name: 'track', arguments: { order: 'A-1' } } }],
    };
    const [row] = rows('sft', 'trl', call, [feedbackOn(call, 'demonstration', loose)], { metric: 'helpful' }) as Array<{
      messages: ChatMessage[];
    }>;
    assert.deepEqual(row!.messages[1]!.tool_calls, [
      { id: 'call_1', type: 'function', function: { name: 'track', arguments: '{"order":"A-1"}' } },
    ]);
  });

  it('become DPO pairs: the demonstration chosen, the answer rejected', () => {
    const call = capture();
    const [row] = rows('dpo', 'trl', call, [feedbackOn(call, 'demonstration', written)]);
    assert.deepEqual(row, { prompt: call.messages, chosen: [written], rejected: [call.answer] });
  });

  it('on the episode, or malformed, give nothing', () => {
    const call = capture();
    const feedback = [
      feedbackOn(call, 'demonstration', 'An episode-wide answer.', { episode: true }),
      feedbackOn(call, 'demonstration', { role: 'user', content: 'not an answer' }),
      feedbackOn(call, 'demonstration', { role: 'assistant', content: 42 }),
      feedbackOn(call, 'demonstration', { role: 'assistant', content: 'ok', tool_calls: [{ function: {} }] }),
      feedbackOn(call, 'demonstration', '   '),
    ];
    assert.deepEqual(rows('sft', 'openai', call, feedback, { metric: 'helpful' }), []);
    assert.deepEqual(rows('dpo', 'openai', call, feedback), []);
  });

  it('the same as the answer is an SFT row but no DPO pair (it prefers nothing)', () => {
    const call = capture();
    const feedback = [feedbackOn(call, 'demonstration', call.answer.content)];
    assert.equal(rows('sft', 'openai', call, feedback, { metric: 'helpful' }).length, 1);
    assert.deepEqual(rows('dpo', 'openai', call, feedback), []);
  });
});

describe('preference pairs', () => {
  function pair(overrides: Partial<CapturedCall> = {}): { chosen: CapturedCall; rejected: CapturedCall } {
    const chosen = capture({ episodeId: `episode-pair-${sequence}`, answer: { role: 'assistant', content: 'Good.' } });
    const rejected = capture({
      episodeId: chosen.episodeId,
      role: 'shadow',
      pairOf: chosen.id,
      answer: { role: 'assistant', content: 'Bad.' },
      ...overrides,
    });
    return { chosen, rejected };
  }

  /** Rows over the entries of both calls, each given the feedback the store would give it. */
  function allRows(calls: CapturedCall[], feedback: FeedbackRecord[]): unknown[] {
    const applies = (call: CapturedCall, record: FeedbackRecord): boolean =>
      record.captureId === call.id || (record.captureId === null && record.episodeId === call.episodeId);
    return calls.flatMap((call) =>
      rows(
        'dpo',
        'trl',
        call,
        feedback.filter((record) => applies(call, record)),
        {},
        lookupIn(...calls),
      ),
    );
  }

  it('are emitted once, from the chosen call, with the chosen and rejected answers', () => {
    const { chosen, rejected } = pair();
    const value = { chosen: chosen.id, rejected: rejected.id };
    for (const feedback of [
      [feedbackOn(chosen, 'preference', value)],
      [feedbackOn(chosen, 'preference', value, { episode: true })],
    ])
      assert.deepEqual(allRows([chosen, rejected], feedback), [
        {
          prompt: chosen.messages,
          chosen: [{ role: 'assistant', content: 'Good.' }],
          rejected: [{ role: 'assistant', content: 'Bad.' }],
        },
      ]);
  });

  it('are emitted once when the feedback is on the rejected call', () => {
    const { chosen, rejected } = pair();
    const found = allRows(
      [chosen, rejected],
      [feedbackOn(rejected, 'preference', { chosen: chosen.id, rejected: rejected.id })],
    );
    assert.equal(found.length, 1);
    assert.deepEqual((found[0] as { chosen: unknown }).chosen, [chosen.answer]);
  });

  it('are skipped across different prompts, and when the other capture is gone', () => {
    const { chosen, rejected } = pair({ promptSha256: 'b'.repeat(64) });
    const value = { chosen: chosen.id, rejected: rejected.id };
    assert.deepEqual(allRows([chosen, rejected], [feedbackOn(chosen, 'preference', value)]), []);
    const kept = pair();
    const feedback = feedbackOn(kept.chosen, 'preference', { chosen: kept.chosen.id, rejected: kept.rejected.id });
    assert.deepEqual(rows('dpo', 'trl', kept.chosen, [feedback], {}, noLookup), []);
    assert.equal(rows('dpo', 'trl', kept.chosen, [feedback], {}, lookupIn(kept.rejected)).length, 1);
  });

  it("are skipped when a capture named is another tenant's", () => {
    const { chosen, rejected } = pair({ tenant: 'other' });
    const feedback = feedbackOn(chosen, 'preference', { chosen: chosen.id, rejected: rejected.id });
    assert.deepEqual(rows('dpo', 'trl', chosen, [feedback], {}, lookupIn(rejected)), []);
  });
});

describe('KTO rows', () => {
  it('carry the latest value of the boolean metrics', () => {
    const call = capture();
    const feedback = [
      feedbackOn(call, 'helpful', true, { createdAt: 1 }),
      feedbackOn(call, 'solved', false, { createdAt: 2, episode: true }),
      feedbackOn(call, 'score', 0.9, { createdAt: 3 }),
    ];
    assert.deepEqual(rows('kto', 'trl', call, feedback), [
      { prompt: call.messages, completion: [call.answer], label: false },
    ]);
    assert.deepEqual(rows('kto', 'trl', call, feedback, { metric: 'helpful' }), [
      { prompt: call.messages, completion: [call.answer], label: true },
    ]);
    assert.deepEqual(rows('kto', 'sharegpt', call, feedback, { metric: 'helpful' }), [
      {
        conversations: [
          { from: 'human', value: 'Where is my parcel?' },
          { from: 'gpt', value: 'It left the depot this morning.' },
        ],
        kto_tag: true,
      },
    ]);
  });

  it('are not made for a call without a boolean value', () => {
    const call = capture();
    assert.deepEqual(rows('kto', 'trl', call, [feedbackOn(call, 'score', 1)]), []);
    assert.deepEqual(rows('kto', 'trl', call, []), []);
  });
});

const key = 'sk-proj-Zq8vR2mK7xT4nW9pL3sY6bH1cF5gJ0dA';
const canaries = [
  'amina.haddad@example.org',
  '4111 1111 1111 1111',
  'FR7630006000011234567890189',
  '+33 6 12 34 56 78',
  'Amina Haddad',
  '12 rue de la Paix, 75002 Paris',
  key,
];
const sentence =
  'Dr Amina Haddad (amina.haddad@example.org, +33 6 12 34 56 78) lives at 12 rue de la Paix, 75002 Paris; ' +
  `card 4111 1111 1111 1111, IBAN FR7630006000011234567890189, key ${key}.`;

describe('the scrubber', () => {
  /** A call holding every canary in its system prompt, user text, tool message, tool-call arguments and answer. */
  function sensitiveCall(): CapturedCall {
    return agentCall({
      messages: [
        { role: 'system', content: `Escalations go to ${sentence}` },
        { role: 'user', content: [{ type: 'text', text: `I am ${sentence}` }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: {
                name: 'track',
                arguments: JSON.stringify({
                  note: sentence,
                  email: 'amina.haddad@example.org',
                  card: 4111111111111111,
                }),
              },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: `Owner: ${sentence}` },
      ],
      answer: { role: 'assistant', content: `Dear Dr Amina Haddad, we have ${sentence}` },
    });
  }

  it('leaves no canary of any detector in any kind and format', () => {
    for (const { kind, format } of pairs) {
      const call = sensitiveCall();
      const demonstration = { role: 'assistant', content: `Noted for ${sentence}` };
      const feedback = [feedbackOn(call, 'helpful', true), feedbackOn(call, 'demonstration', demonstration)];
      const scrubber = new Scrubber();
      const found = rows(kind, format, call, feedback).map((row) => scrubber.scrub(row));
      assert.ok(found.length > 0, `${kind} ${format}`);
      const text = JSON.stringify(found);
      for (const canary of [...canaries, 'Haddad', '4111111111111111'])
        assert.ok(!text.includes(canary), `${kind} ${format} leaks ${canary}: ${text}`);
      for (const row of found) assert.ok(schemas[`${kind} ${format}`]!.safeParse(row).success, `${kind} ${format}`);
      for (const label of [
        'pii.email',
        'pii.card',
        'pii.iban',
        'pii.phone',
        'pii.name',
        'pii.address',
        'secret.api_key',
      ])
        assert.ok((scrubber.counts[label] ?? 0) > 0, `${kind} ${format} counted ${label}`);
    }
  });

  it('keeps tool-call arguments a JSON text of the same structure', () => {
    const scrubber = new Scrubber();
    const [row] = rows('sft', 'openai', sensitiveCall(), []).map((found) => scrubber.scrub(found)) as Array<{
      messages: ChatMessage[];
    }>;
    const parsed = JSON.parse(row!.messages[2]!.tool_calls![0]!.function.arguments);
    assert.deepEqual(Object.keys(parsed), ['note', 'email', 'card']);
    assert.equal(parsed.email, '[pii.email 1]');
    // The number is another value than the spaced card of the note: a placeholder of its own.
    assert.match(parsed.card, /^\[pii\.card \d+\]$/);
  });

  it('gives the same value the same placeholder across rows, and counts each replacement by label', () => {
    const scrubber = new Scrubber();
    const first = scrubber.scrub({
      messages: [{ role: 'user', content: 'Mail a.b@example.com, then a.b@example.com' }],
    });
    const second = scrubber.scrub({
      conversations: [{ from: 'human', value: 'Copy c.d@example.com and a.b@example.com; card 4111 1111 1111 1111' }],
      label: true,
    });
    assert.deepEqual(first, { messages: [{ role: 'user', content: 'Mail [pii.email 1], then [pii.email 1]' }] });
    assert.deepEqual(second, {
      conversations: [{ from: 'human', value: 'Copy [pii.email 2] and [pii.email 1]; card [pii.card 1]' }],
      label: true,
    });
    assert.deepEqual(scrubber.counts, { 'pii.email': 4, 'pii.card': 1 });
  });

  it('finds values written with escapes in a JSON text, or percent-encoded', () => {
    const scrubber = new Scrubber();
    const escaped = scrubber.scrub({ arguments: '{"to":"amina.haddad\\u0040example.org"}' });
    assert.ok(!JSON.stringify(escaped).includes('haddad'), JSON.stringify(escaped));
    assert.deepEqual(JSON.parse(escaped.arguments), { to: '[pii.email 1]' });
    const encoded = scrubber.scrub({ content: 'https://example.com/?to=amina.haddad%40example.org' });
    assert.ok(!encoded.content.includes('haddad'), encoded.content);
    assert.deepEqual(scrubber.counts, { 'pii.email': 2 });
  });

  it('leaves a row without detected values as it was, and the row given untouched', () => {
    const scrubber = new Scrubber();
    const row = {
      messages: [{ role: 'user', content: 'Where is parcel A-1?' }],
      tools: [{ enum: ['a', 'b'], maximum: 100 }],
    };
    const before = structuredClone(row);
    const sensitive = { messages: [{ role: 'user', content: 'Mail a.b@example.com' }] };
    assert.deepEqual(scrubber.scrub(row), before);
    scrubber.scrub(sensitive);
    assert.equal(sensitive.messages[0]!.content, 'Mail a.b@example.com');
    assert.deepEqual(scrubber.counts, { 'pii.email': 1 });
  });
});

describe('splitOf', () => {
  it('is deterministic, and one episode is always on one side', () => {
    for (let index = 0; index < 200; index += 1) {
      const episode = `episode-${index}`;
      const side = splitOf(episode, 0.3, 'seed');
      for (let call = 0; call < 5; call += 1) assert.equal(splitOf(episode, 0.3, 'seed'), side);
    }
  });

  it('sends about the fraction of 10,000 episodes to validation', () => {
    for (const fraction of [0.1, 0.25]) {
      let validation = 0;
      for (let index = 0; index < 10_000; index += 1)
        if (splitOf(`episode-${index}`, fraction) === 'validation') validation += 1;
      assert.ok(Math.abs(validation / 10_000 - fraction) <= 0.02, `${fraction}: ${validation}`);
    }
  });

  it('sends nothing to validation with fraction 0, and the seed changes the draw', () => {
    for (let index = 0; index < 1_000; index += 1) assert.equal(splitOf(`episode-${index}`, 0), 'train');
    const sides = (seed: string): string =>
      Array.from({ length: 100 }, (_, index) => splitOf(`episode-${index}`, 0.5, seed)).join();
    assert.notEqual(sides('one'), sides('two'));
    assert.equal(splitOf('episode-1', 1), 'validation');
  });

  it('refuses a fraction outside 0..1', () => {
    assert.throws(() => splitOf('episode-1', 1.5), /between 0 and 1/);
    assert.throws(() => splitOf('episode-1', Number.NaN), /between 0 and 1/);
  });
});
