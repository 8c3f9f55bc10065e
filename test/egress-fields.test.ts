// The policy sees every byte that leaves: personal data placed in any field of a request (not only
// in message text) is found, so it never reaches a provider the policy forbids, while the owned
// provider that may see it is down. Each field an attacker found leaking is a case here, in both
// dialects, streamed and not; the ledger records where each label was found, never the value.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { decodeEntry } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { type EgressRig, startEgressRig } from './support/egress-rig.js';

const email = 'leak.canary@patients.example.sa';
const user = (content: unknown) => ({ role: 'user', content });
const _tool = (extra: Record<string, unknown>) => ({
  type: 'function',
  function: {
    name: 'lookup',
    description: 'Look a record up',
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    ...extra,
  },
});

/** Each case: where the e-mail sits, the body, and the path the ledger must name. */
const openAICases: Array<{
  field: string;
  body: Record<string, unknown>;
  path: string;
  label?: string;
  key?: boolean;
}> = [
  { field: 'the top-level user', body: { messages: [user('hi')], user: email }, path: '$.user' },
  {
    field: 'messages[].name',
    body: { messages: [{ role: 'user', name: email, content: 'hi' }] },
    path: '$.messages[0].name',
  },
  {
    field: "a tool's description",
    body: {
      messages: [user('hi')],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', description: `Mail results to ${email}`, parameters: { type: 'object' } },
        },
      ],
    },
    path: '$.tools[0].function.description',
  },
  {
    field: "a tool parameter's enum values",
    body: {
      messages: [user('hi')],
      tools: [
        {
          type: 'function',
          function: {
            name: 'send',
            parameters: { type: 'object', properties: { to: { type: 'string', enum: ['desk@example.org', email] } } },
          },
        },
      ],
    },
    path: '$.tools[0].function.parameters.properties.*.enum[1]',
  },
  {
    field: 'response_format.json_schema.schema.description',
    body: {
      messages: [user('hi')],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: { type: 'object', description: `for ${email}` } },
      },
    },
    path: '$.response_format.json_schema.schema.description',
  },
  {
    field: 'prediction.content',
    body: { messages: [user('hi')], prediction: { type: 'content', content: `Dear ${email}` } },
    path: '$.prediction.content',
  },
  { field: 'stop', body: { messages: [user('hi')], stop: ['END', email] }, path: '$.stop[1]' },
  { field: 'an unknown top-level field', body: { messages: [user('hi')], x_patient_contact: email }, path: '$.*' },
  {
    field: 'metadata.note',
    body: { messages: [user('hi')], metadata: { note: `from ${email}` } },
    path: '$.metadata.*',
  },
  {
    field: 'a content part of type input_text',
    body: { messages: [user([{ type: 'input_text', text: `write to ${email}` }])] },
    path: '$.messages[0].content[0].text',
  },
  {
    field: 'an unknown field nested deep in a message',
    body: { messages: [{ role: 'user', content: 'hi', x_extra: { a: [{ b: { c: email } }] } }] },
    path: '$.messages[0].*.*[0].*.*',
  },
  {
    field: 'an object key',
    body: { messages: [user('hi')], metadata: { [email]: 'contact' } },
    path: '$.metadata.*',
    key: true,
  },
  {
    field: 'a card number sent as a JSON number',
    body: { messages: [user('hi')], metadata: { card: 4111111111111111 } },
    path: '$.metadata.*',
    label: 'pii.card',
  },
  {
    field: 'a text file inside a base64 data URL',
    body: {
      messages: [
        user([
          { type: 'text', text: 'see file' },
          {
            type: 'file',
            file: {
              filename: 'notes.txt',
              file_data: `data:text/plain;base64,${Buffer.from(`Patient contact: ${email}\n`).toString('base64')}`,
            },
          },
        ]),
      ],
    },
    path: '$.messages[0].content[1].file.file_data',
  },
  {
    field: 'a percent-encoded URL',
    body: {
      messages: [user('hi')],
      metadata: { link: `https://records.example/view?who=${encodeURIComponent(email)}` },
    },
    path: '$.metadata.*',
  },
  {
    field: 'tool-call arguments written with \\u escapes',
    body: {
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'send', arguments: `{"to":"${email.replace('@', '\\u0040')}"}` },
            },
          ],
        },
        user('ok'),
      ],
    },
    path: '$.messages[0].tool_calls[0].function.arguments',
  },
  {
    field: 'full-width characters',
    body: {
      messages: [
        user(
          `mail ${[...email].map((character) => (character === '@' ? '＠' : character === '.' ? '．' : character)).join('')}`,
        ),
      ],
    },
    path: '$.messages[0].content',
  },
  {
    field: 'text split across two input_text parts',
    body: {
      messages: [
        user([
          { type: 'input_text', text: `mail ${email.slice(0, 8)}` },
          { type: 'input_text', text: `${email.slice(8)} now` },
        ]),
      ],
    },
    path: '$.messages[0].content',
  },
];

const anthropicCases: Array<{ field: string; body: Record<string, unknown>; path: string }> = [
  { field: 'metadata.user_id', body: { messages: [user('hi')], metadata: { user_id: email } }, path: '$.user' },
  {
    field: "a tool's description",
    body: {
      messages: [user('hi')],
      tools: [{ name: 'lookup', description: `Mail results to ${email}`, input_schema: { type: 'object' } }],
    },
    path: '$.tools[0].function.description',
  },
  {
    field: "a tool's input_schema",
    body: {
      messages: [user('hi')],
      tools: [{ name: 'send', input_schema: { type: 'object', properties: { to: { type: 'string', const: email } } } }],
    },
    path: '$.tools[0].function.parameters.properties.*.const',
  },
  { field: 'stop_sequences', body: { messages: [user('hi')], stop_sequences: [email] }, path: '$.stop[0]' },
  {
    field: 'a system block',
    body: { system: [{ type: 'text', text: `Reply to ${email}` }], messages: [user('hi')] },
    path: '$.messages[0].content',
  },
  {
    field: 'tool_use input',
    body: {
      messages: [
        user('hi'),
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'send', input: { to: email } }] },
        user([{ type: 'tool_result', tool_use_id: 't1', content: 'sent' }]),
      ],
    },
    path: '$.messages[1].tool_calls[0].function.arguments',
  },
  {
    field: 'assistant text blocks that split the value',
    body: {
      messages: [
        user('hi'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: `noted ${email.slice(0, 5)}` },
            { type: 'text', text: `${email.slice(5)} ok` },
          ],
        },
        user('go on'),
      ],
    },
    path: '$.messages[1].content',
  },
];

describe('egress through every field: personal data outside message text never reaches a forbidden provider', () => {
  let owned: Double;
  let rented: Double;
  let rentedClaude: Double;
  let gateway: TestGateway;
  let rig: EgressRig;

  before(async () => {
    rig = await startEgressRig();
    ({ gateway, owned, rented, rentedClaude } = rig);
  });
  after(() => rig.close());
  // The owned provider is down: without the policy, every call would fall back to a rented one.
  beforeEach(() => rig.reset());

  const leaked = (): string[] =>
    [...rented.received, ...rentedClaude.received]
      .map((received) => received.raw)
      .filter(
        (raw) =>
          raw.includes(email) ||
          raw.includes(email.replace('@', '\\u0040')) ||
          raw.includes('4111111111111111') ||
          raw.includes('4111 1111'),
      );

  async function entryOf(response: { headers: Headers }) {
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${response.headers.get('x-sovereign-receipt')}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    return decodeEntry(Buffer.from(receipt.leaf, 'base64'));
  }

  it('a request with nothing sensitive does fall back to the rented provider (the path the cases below must not take)', async () => {
    const response = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [user('hi')], user: 'team-7', metadata: { note: 'plain' } },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 200);
    assert.equal(rented.received.length, 1);
  });

  for (const { field, body, path, label = 'pii.email', key } of openAICases) {
    for (const stream of [false, true]) {
      it(`OpenAI chat, ${field}${stream ? ', streamed' : ''}: refused, the ledger names ${label} at ${path}`, async () => {
        const response = await postJson(
          `${gateway.url}/v1/chat/completions`,
          { model: 'default', stream, ...body },
          { authorization: `Bearer ${gateway.key}` },
        );
        assert.equal(response.status, 403, response.text);
        assert.equal(response.json.error.code, 'no_allowed_provider');
        assert.match(response.json.error.message, new RegExp(label.replace('.', '\\.')));
        assert.ok(!response.text.includes(email), 'the refusal never echoes the value');
        assert.deepEqual(leaked(), []);
        assert.ok(owned.received.length > 0, 'the owned provider was tried');
        const entry = await entryOf(response);
        assert.equal(entry.outcome, 'refused');
        assert.ok(entry.labels.includes(label));
        assert.ok(
          entry.findings?.some(
            (finding) =>
              finding.label === label &&
              finding.path === path &&
              (key ? finding.key === true : finding.key === undefined),
          ),
          `findings: ${JSON.stringify(entry.findings)}`,
        );
        assert.ok(!JSON.stringify(entry).includes(email.split('@')[0]!), 'the ledger never holds the value');
      });
    }
  }

  for (const { field, body, path } of anthropicCases) {
    for (const stream of [false, true]) {
      it(`Anthropic messages, ${field}${stream ? ', streamed' : ''}: refused, the ledger names pii.email at ${path}`, async () => {
        const response = await postJson(
          `${gateway.url}/v1/messages`,
          { model: 'claude', max_tokens: 16, stream, ...body },
          { 'x-api-key': gateway.key },
        );
        assert.equal(response.status, 403, response.text);
        assert.equal(response.json.error.code, 'no_allowed_provider');
        assert.deepEqual(leaked(), []);
        const entry = await entryOf(response);
        assert.ok(
          entry.findings?.some((finding) => finding.label === 'pii.email' && finding.path === path),
          `findings: ${JSON.stringify(entry.findings)}`,
        );
      });
    }
  }

  it('embeddings: an e-mail in an unknown field or in user is found too', async () => {
    for (const body of [
      { input: 'plain text', user: email },
      { input: ['plain'], x_owner: { contact: email } },
    ]) {
      const response = await postJson(
        `${gateway.url}/v1/embeddings`,
        { model: 'default', ...body },
        { authorization: `Bearer ${gateway.key}` },
      );
      assert.equal(response.status, 403, response.text);
    }
    assert.deepEqual(leaked(), []);
  });

  it('policy explain lists where each label was found, never the value', async () => {
    const response = await postJson(
      `${gateway.url}/v1/policy/explain`,
      { model: 'default', messages: [user('hi')], user: email, metadata: { card: 4111111111111111 } },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.json.labels, ['pii.card', 'pii.email']);
    assert.deepEqual(response.json.findings, [
      { label: 'pii.email', path: '$.user' },
      { label: 'pii.card', path: '$.metadata.*' },
    ]);
    assert.ok(!response.text.includes(email) && !response.text.includes('4111111111111111'));
  });

  it('labels declared in metadata never leave, not even under another name', async () => {
    owned.setDefault({ kind: 'ok' });
    const response = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [user('hi')], metadata: { labels: ['internal'], ticket: 'T-9' } },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 200);
    const sent = owned.received.at(-1)!;
    assert.deepEqual(sent.body.metadata, { ticket: 'T-9' });
    assert.ok(!sent.raw.includes('internal'), sent.raw);
  });
});

describe('the scan budget: past policy.max_scan_bytes a request is refused, never scanned slowly or sent unscanned', () => {
  let upstream: Double;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('cloud', upstream.url, { jurisdiction: 'US', ownership: 'rented' })],
      models: { default: { candidates: ['cloud/m1'] } },
      policy: { name: 'bounded', max_scan_bytes: 10_000, rules: [{ when: {}, allow: {} }] },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers 413 scan_limit_exceeded in the API format, records the refusal, and sends nothing', async () => {
    const response = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [user('x'.repeat(6_000))], metadata: { note: 'y'.repeat(6_000) } },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 413);
    assert.equal(response.json.error.code, 'scan_limit_exceeded');
    assert.match(response.json.error.message, /policy\.max_scan_bytes: 10000/);
    assert.equal(upstream.received.length, 0);
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${response.headers.get('x-sovereign-receipt')}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    assert.equal(decodeEntry(Buffer.from(receipt.leaf, 'base64')).outcome, 'refused', 'the refusal is a ledger entry');
    const anthropic = await postJson(
      `${gateway.url}/v1/messages`,
      { model: 'default', max_tokens: 8, messages: [user('x'.repeat(11_000))] },
      { 'x-api-key': gateway.key },
    );
    assert.equal(anthropic.status, 413);
    assert.equal(anthropic.json.type, 'error');
    assert.equal(anthropic.json.error.code, 'scan_limit_exceeded');
  });

  it('a request nested deeper than the gateway walks is refused as invalid, not crashed on', async () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 400; level += 1) deep = { d: deep };
    const response = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [user('hi')], x_deep: deep },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_request');
    assert.match(response.json.error.message, /nests deeper than 64 levels/);
    assert.equal(upstream.received.length, 0);
  });
});

describe('a stream continued elsewhere: what the answer so far carries is classified before it leaves', () => {
  let first: Double;
  let second: Double;
  let owned: Double;
  let gateway: TestGateway;

  before(async () => {
    first = await startOpenAIDouble();
    second = await startOpenAIDouble();
    owned = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('first', first.url, { jurisdiction: 'US', ownership: 'rented', operator: 'First Cloud' }),
        providerEntry('second', second.url, { jurisdiction: 'US', ownership: 'rented', operator: 'Second Cloud' }),
        providerEntry('own', owned.url, { jurisdiction: 'SA', ownership: 'owned' }),
      ],
      models: { default: { candidates: ['first/m1', 'second/m1', 'own/m1'] } },
      routing: { retries: 0 },
      policy: {
        name: 'owned-pii',
        rules: [
          { when: { labels_any: ['pii'] }, allow: { ownership: ['owned'] } },
          { when: {}, allow: {} },
        ],
      },
    });
  });
  after(async () => {
    await gateway.close();
    for (const double of [first, second, owned]) await double.close();
  });

  it('an answer that wrote an e-mail before its upstream broke is continued only where the policy allows that e-mail', async () => {
    const answer = 'Mail: ab.cd@clinic.example then more text to come';
    first.script({ kind: 'stream-cut', afterChunks: 8, text: answer });
    owned.setDefault({ kind: 'ok', text: answer });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', stream: true, messages: [user('write a note')] }),
    });
    const text = await response.text();
    const content = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? '')
      .join('');
    assert.equal(content, answer);
    assert.equal(second.received.length, 0, 'the rented second candidate never saw the e-mail');
    assert.equal(owned.received.length, 1);
    assert.match(owned.received[0]!.raw, /ab\.cd@clinic\.example/);
  });
});
