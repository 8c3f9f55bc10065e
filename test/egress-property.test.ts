// The guarantee as a property: a canary (an e-mail, a card number as text or as a JSON number, an
// IBAN, a phone number, a national ID, a secret) placed at a random place of a random valid request —
// any string value, any object (as a new key), any number, at any depth, in known, passthrough and
// unknown fields alike — never reaches a provider the policy forbids, in either dialect, streamed or
// not, while the provider the policy allows is down. Seeded and bounded: the same cases every run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Double } from './doubles/http-double.js';
import type { TestGateway } from './helpers.js';
import { parseChatRequest } from '../src/api/openai-chat.js';
import { toWireRequest } from '../src/providers/openai-compatible.js';
import { stringsOf } from './support/strings-of.js';
import { type EgressRig, startEgressRig } from './support/egress-rig.js';

const runs = Number(process.env.EGRESS_PROPERTY_RUNS ?? 2000);

const canaries = [
  { text: 'canary.patient@clinic.example.sa', number: undefined },
  { text: '4539 1488 0343 6467', number: 4539148803436467 },
  { text: 'FR7630006000011234567890189', number: undefined },
  { text: '+966 55 123 4567', number: undefined },
  { text: '1074583624', number: 1074583624 },
  { text: 'AKIAIOSFODNN7CANARYX', number: undefined },
] as const;

// Texts and keys the generator writes: plain words, so that only the canary is sensitive.
const word = fc.constantFrom('alpha', 'bravo', 'note', 'Bonjour', 'مرحبا', 'status', 'x', 'ref', 'Summary', 'ok', '');
const text = fc.array(word, { maxLength: 5 }).map((words) => words.join(' '));
const key = fc.constantFrom('note', 'x_custom', 'ref', 'flag', 'nested', 'k1', 'description', 'title');
const scalar = fc.oneof(text, fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null));
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const schema = fc.record(
  {
    type: fc.constant('object'),
    description: text,
    properties: fc.dictionary(
      key,
      fc.record(
        { type: fc.constantFrom('string', 'number'), description: text, enum: fc.array(text, { maxLength: 2 }) },
        { requiredKeys: ['type'] },
      ),
      { maxKeys: 2 },
    ),
  },
  { requiredKeys: ['type'] },
);
const unknownFields = fc.dictionary(fc.constantFrom('x_trace', 'x_context', 'custom_field', 'vendor_option'), json, {
  maxKeys: 2,
});

const openAIPart = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({ type: fc.constant('input_text'), text }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.record({ url: text.map((words) => `https://images.example/${encodeURIComponent(words)}.png`) }),
  }),
  fc.record({ type: fc.constant('x_unknown_part'), payload: json }),
);
const openAIMessage = fc.oneof(
  fc.record(
    {
      role: fc.constantFrom('system', 'developer', 'user'),
      content: fc.oneof(text, fc.array(openAIPart, { minLength: 1, maxLength: 3 })),
      name: fc.option(text, { nil: undefined }),
      x_message_field: fc.option(json, { nil: undefined }),
    },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record({
    role: fc.constant('assistant'),
    content: fc.option(text, { nil: null }),
    tool_calls: fc.array(
      fc.record({
        id: fc.constantFrom('call_1', 'call_2'),
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
const openAIRequest = fc
  .record(
    {
      messages: fc.array(openAIMessage, { minLength: 1, maxLength: 4 }),
      tools: fc.array(
        fc.record({
          type: fc.constant('function'),
          function: fc.record({ name: fc.constantFrom('lookup', 'send'), description: text, parameters: schema }),
        }),
        { maxLength: 2 },
      ),
      response_format: fc.record({
        type: fc.constant('json_schema'),
        json_schema: fc.record({ name: fc.constant('answer'), schema }),
      }),
      stop: fc.array(
        text.filter((value) => value !== ''),
        { maxLength: 2 },
      ),
      user: text,
      metadata: fc.dictionary(key, text, { maxKeys: 3 }),
      prediction: fc.record({ type: fc.constant('content'), content: text }),
      seed: fc.integer({ min: 0, max: 100 }),
      max_tokens: fc.integer({ min: 1, max: 64 }),
    },
    { requiredKeys: ['messages'] },
  )
  .chain((body) => unknownFields.map((unknown) => ({ ...unknown, ...body })));

const anthropicBlock = fc.oneof(
  fc.record({ type: fc.constant('text'), text: text.filter((value) => value !== '') }),
  fc.record({
    type: fc.constant('image'),
    source: fc.record({
      type: fc.constant('url'),
      url: text.map((words) => `https://images.example/${encodeURIComponent(words)}.png`),
    }),
  }),
);
const anthropicRequest = fc
  .record(
    {
      system: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 2 })),
      turns: fc.array(
        fc.tuple(
          fc.oneof(
            text.filter((value) => value !== ''),
            fc.array(anthropicBlock, { minLength: 1, maxLength: 2 }),
          ),
          json,
        ),
        { minLength: 1, maxLength: 3 },
      ),
      tools: fc.array(fc.record({ name: fc.constantFrom('lookup', 'send'), description: text, input_schema: schema }), {
        maxLength: 2,
      }),
      stop_sequences: fc.array(
        text.filter((value) => value !== ''),
        { maxLength: 2 },
      ),
      metadata: fc.record({ user_id: text }),
      max_tokens: fc.integer({ min: 1, max: 64 }),
    },
    { requiredKeys: ['turns', 'max_tokens'] },
  )
  .map(({ turns, ...rest }) => {
    // Turns alternate user / assistant; an assistant turn carries a tool_use whose input is random JSON, answered by a
    // tool_result.
    const messages: unknown[] = [];
    turns.forEach(([content, input], index) => {
      messages.push({
        role: 'user',
        content:
          index === 0
            ? content
            : [
                {
                  type: 'tool_result',
                  tool_use_id: `t${index}`,
                  content: typeof content === 'string' ? content : 'done',
                },
              ],
      });
      if (index < turns.length - 1)
        messages.push({
          role: 'assistant',
          content: [
            { type: 'text', text: 'working' },
            { type: 'tool_use', id: `t${index + 1}`, name: 'lookup', input: { value: input } },
          ],
        });
    });
    return { ...rest, messages };
  });

type Slot =
  | { kind: 'string'; holder: Record<string | number, unknown>; at: string | number }
  | { kind: 'object'; holder: Record<string, unknown> }
  | { kind: 'number'; holder: Record<string | number, unknown>; at: string | number };

/** Every place a canary can go: string values, objects (a new key), numbers — at any depth. */
function slotsOf(body: Record<string, unknown>): Slot[] {
  const slots: Slot[] = [{ kind: 'object', holder: body }];
  const walk = (holder: Record<string | number, unknown>): void => {
    for (const at of Object.keys(holder)) {
      const value = holder[at];
      if (typeof value === 'string') slots.push({ kind: 'string', holder, at });
      else if (typeof value === 'number') slots.push({ kind: 'number', holder, at });
      else if (value !== null && typeof value === 'object') {
        if (!Array.isArray(value)) slots.push({ kind: 'object', holder: value as Record<string, unknown> });
        walk(value as Record<string | number, unknown>);
      }
    }
  };
  walk(body);
  return slots;
}

function plant(slot: Slot, canary: (typeof canaries)[number]): void {
  if (slot.kind === 'string') slot.holder[slot.at] = `${slot.holder[slot.at]} ${canary.text} `;
  else if (slot.kind === 'object') slot.holder[canary.text] = 'value';
  else slot.holder[slot.at] = canary.number ?? `${canary.text}`;
}

describe('egress, as a property: a canary at a random place of a random valid request never reaches a forbidden provider', () => {
  let rented: Double;
  let rentedClaude: Double;
  let gateway: TestGateway;
  let rig: EgressRig;

  before(async () => {
    rig = await startEgressRig();
    ({ gateway, rented, rentedClaude } = rig);
  });
  after(() => rig.close());

  it(`${runs} seeded cases: no canary reaches the rented upstreams; plain requests still do`, async (context) => {
    const statuses = new Map<number, number>();
    let plainServed = 0;
    const leakedAt: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('openai', 'anthropic'),
        openAIRequest,
        anthropicRequest,
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        fc.nat({ max: canaries.length - 1 }),
        fc.integer({ min: 0, max: 9 }),
        async (dialect, openAIBody, anthropicBody, stream, toClaude, slotChoice, canaryIndex, plainDie) => {
          const body: Record<string, unknown> = structuredClone(dialect === 'openai' ? openAIBody : anthropicBody);
          const plain = plainDie === 0;
          const canary = canaries[canaryIndex]!;
          let where = 'nowhere';
          if (!plain) {
            const slots = slotsOf(body);
            const slot = slots[slotChoice % slots.length]!;
            plant(slot, canary);
            where = slot.kind;
          }
          const before = rented.received.length + rentedClaude.received.length;
          const url = dialect === 'openai' ? '/v1/chat/completions' : '/v1/messages';
          const response = await fetch(`${gateway.url}${url}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...body, model: toClaude ? 'claude' : 'default', stream }),
          });
          await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const sent = [...rented.received, ...rentedClaude.received].slice(before);
          if (plain) {
            if (response.status === 200) plainServed += 1;
            return;
          }
          const escapedDigits = canary.text.replace(/\D/g, '');
          for (const received of sent) {
            if (
              received.raw.includes(canary.text) ||
              (canary.number !== undefined && received.raw.includes(String(canary.number))) ||
              (escapedDigits.length >= 9 && received.raw.replace(/\D/g, ' ').includes(escapedDigits))
            ) {
              leakedAt.push(`${dialect} ${where}: ${received.raw.slice(0, 400)}`);
            }
          }
          assert.equal(leakedAt.length, 0, leakedAt[0]);
        },
      ),
      { numRuns: runs, seed: 20261201, endOnFailure: true },
    );
    context.diagnostic(
      `statuses: ${JSON.stringify(Object.fromEntries(statuses))}; plain requests served by the rented providers: ${plainServed}`,
    );
    assert.deepEqual(leakedAt, []);
    assert.ok(
      (statuses.get(403) ?? 0) > runs / 2,
      'most canary requests were refused by the policy (the property is not vacuous)',
    );
    assert.ok(plainServed > runs / 20, 'plain requests reached the rented providers');
  });
});

describe('a provider kind without its own translation sends only the strings of the neutral request', () => {
  it('openai-compatible: every string and key of the upstream body is one the classifier read (or the upstream model name)', () => {
    fc.assert(
      fc.property(openAIRequest, fc.boolean(), fc.boolean(), (body, stream, usage) => {
        const request = parseChatRequest(
          Buffer.from(
            JSON.stringify({
              ...body,
              model: 'default',
              stream,
              ...(usage ? { stream_options: { include_usage: true } } : {}),
            }),
          ),
        );
        const { model: _model, stream: _stream, includeUsage: _usage, declaredLabels: _declared, ...sent } = request;
        const read = stringsOf(sent);
        for (const key of Object.keys(request.extra)) read.add(key);
        for (const text of stringsOf(toWireRequest(request, 'upstream-model', stream))) {
          assert.ok(
            read.has(text) || ['upstream-model', 'model', 'stream', 'stream_options', 'include_usage'].includes(text),
            `"${text}" is sent but was not classified`,
          );
        }
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
