// The Responses and Conversations APIs with the official openai SDK: state kept in the gateway and
// moved between providers of different kinds, streams the SDK's helpers accept, tool-call round
// trips, conversations, the policy on stored state, the ledger's record of a chain, and a restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { decodeEntry } from '../src/ledger/entry.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { startAnthropicDouble } from './doubles/anthropic-upstream.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import {
  piiOwnedPolicy,
  postJson,
  providerEntry,
  startTestGateway,
  temporaryDirectory,
  type TestGateway,
} from './helpers.js';

const lastPost = (double: Double): any => double.received.filter((received) => received.method === 'POST').at(-1)?.body;

describe('the Responses API over any provider', () => {
  let owned: Double;
  let rented: Double;
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    owned = await startOpenAIDouble();
    rented = await startAnthropicDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('owned', owned.url),
        {
          id: 'rented',
          kind: 'anthropic',
          base_url: rented.url,
          jurisdiction: 'US',
          operator: 'Rented Inc',
          ownership: 'rented',
          models: ['claude'],
        },
      ],
      models: { ours: { candidates: ['owned/m1'] }, theirs: { candidates: ['rented/claude'] } },
      policy: piiOwnedPolicy,
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await owned.close();
    await rented.close();
  });

  it('creates, retrieves and deletes a response, with every member of the object', async () => {
    const response = await client.responses.create({
      model: 'ours',
      input: 'Bonjour',
      instructions: 'Be brief.',
      metadata: { case: 'a' },
    });
    assert.match(response.id, /^resp_[0-9a-f]{48}$/);
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, 'echo: Bonjour');
    const message = response.output[0] as any;
    assert.equal(message.type, 'message');
    assert.match(message.id, /^msg_/);
    assert.deepEqual(message.content, [{ type: 'output_text', text: 'echo: Bonjour', annotations: [], logprobs: [] }]);
    assert.equal(typeof response.usage?.input_tokens_details.cached_tokens, 'number');
    assert.equal(typeof response.usage?.output_tokens_details.reasoning_tokens, 'number');
    assert.deepEqual(response.metadata, { case: 'a' });
    assert.equal(response.instructions, 'Be brief.');
    assert.equal(response.previous_response_id, null);
    assert.deepEqual(lastPost(owned).messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Bonjour' },
    ]);

    const again = await client.responses.retrieve(response.id);
    assert.equal(again.output_text, 'echo: Bonjour');
    await client.responses.delete(response.id);
    await assert.rejects(
      client.responses.retrieve(response.id),
      (error: any) => error.status === 404 && /not found/.test(error.message),
    );
  });

  it('continues a chain on a provider of another kind, which receives the earlier turns translated (instructions not carried over)', async () => {
    const first = await client.responses.create({
      model: 'ours',
      input: 'first question',
      instructions: 'only for the first',
    });
    const second = await client.responses.create({
      model: 'theirs',
      input: 'second question',
      previous_response_id: first.id,
    });
    assert.equal(second.output_text, 'echo: second question');
    assert.equal(second.previous_response_id, first.id);
    const sent = lastPost(rented);
    assert.equal(sent.system, undefined, 'instructions of a previous response are not carried over');
    assert.deepEqual(
      sent.messages.map((message: any) => [
        message.role,
        typeof message.content === 'string' ? message.content : message.content.map((part: any) => part.text).join(''),
      ]),
      [
        ['user', 'first question'],
        ['assistant', 'echo: first question'],
        ['user', 'second question'],
      ],
    );
    const third = await client.responses.create({ model: 'ours', input: 'third', previous_response_id: second.id });
    assert.equal(lastPost(owned).messages.length, 5, 'the whole chain came back to the owned provider');
    const items = await client.responses.inputItems.list(third.id, { order: 'asc' });
    assert.deepEqual(
      items.data.map((item: any) => item.content[0].text),
      ['third'],
    );
  });

  it('streams text through responses.stream() and finalResponse(), stored before the terminal event', async () => {
    const events: string[] = [];
    const stream = client.responses.stream({ model: 'theirs', input: 'stream me' });
    stream.on('event', (event) => events.push(event.type));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'echo: stream me');
    assert.equal(final.status, 'completed');
    assert.deepEqual(events.slice(0, 4), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    assert.deepEqual(events.slice(-4), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const stored = await client.responses.retrieve(final.id);
    assert.equal(stored.output_text, 'echo: stream me');
  });

  it('round-trips a function call (function_call → function_call_output → answer), streamed and not', async () => {
    const tools = [
      {
        type: 'function' as const,
        name: 'lookup',
        description: 'Looks up a record',
        parameters: { type: 'object', properties: { id: { type: 'string' } } },
        strict: false,
      },
    ];
    for (const stream of [false, true]) {
      owned.script({ kind: 'tool-call', name: 'lookup', arguments: '{"id":"42"}' });
      const asked = stream
        ? await client.responses.stream({ model: 'ours', input: 'find record 42', tools }).finalResponse()
        : await client.responses.create({ model: 'ours', input: 'find record 42', tools });
      const call = asked.output.find((item) => item.type === 'function_call') as any;
      assert.ok(call, `a function_call item (stream: ${stream})`);
      assert.equal(call.name, 'lookup');
      assert.equal(call.arguments, '{"id":"42"}');
      assert.equal(call.call_id, 'call_1');
      assert.equal(lastPost(owned).tools[0].function.name, 'lookup', 'tools reach the upstream in its dialect');
      const answered = await client.responses.create({
        model: 'ours',
        previous_response_id: asked.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: 'record 42: ok' }],
        tools,
      });
      assert.equal(answered.status, 'completed');
      const messages = lastPost(owned).messages;
      assert.deepEqual(messages.at(-2).tool_calls, [
        { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"id":"42"}' } },
      ]);
      assert.deepEqual(messages.at(-1), { role: 'tool', tool_call_id: 'call_1', content: 'record 42: ok' });
    }
  });

  it('keeps earlier personal data from reaching a provider the policy forbids, later in the chain', async () => {
    const first = await client.responses.create({ model: 'ours', input: 'my mail is jane.doe@example.org' });
    const before = rented.received.length;
    await assert.rejects(
      client.responses.create({ model: 'theirs', input: 'and now something harmless', previous_response_id: first.id }),
      (error: any) => error.status === 403 && error.code === 'no_allowed_provider',
    );
    assert.equal(rented.received.length, before, 'nothing was sent to the rented provider');
  });

  it('records each turn in the ledger with its response id and the one it continues', async () => {
    const first = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'one' },
      { authorization: `Bearer ${gateway.key}` },
    );
    const second = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'two', previous_response_id: first.json.id },
      { authorization: `Bearer ${gateway.key}` },
    );
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${second.headers.get('x-sovereign-receipt')}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(receipt.leaf, 'base64'));
    assert.equal(entry.kind, 'responses');
    assert.equal(entry.response_id, second.json.id);
    assert.equal(entry.previous_response_id, first.json.id);
  });

  it('refuses bad input in the API error shape', async () => {
    const auth = { authorization: `Bearer ${gateway.key}` };
    const both = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'x', previous_response_id: 'resp_1', conversation: 'conv_1' },
      auth,
    );
    assert.equal(both.status, 400);
    assert.equal(both.json.error.code, 'mutually_exclusive_parameters');
    const unknown = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'x', previous_response_id: 'resp_nope' },
      auth,
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.code, 'previous_response_not_found');
    assert.equal(unknown.json.error.param, 'previous_response_id');
    const malformed = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: [{ type: 'message', role: 'robot', content: 'x' }] },
      auth,
    );
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.param, 'input[0].role');
    const missing = await fetch(`${gateway.url}/v1/responses/resp_0000`, { headers: auth });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as any).error.code, 'response_not_found');
    const typed = await fetch(`${gateway.url}/v1/responses/jane.doe@example.org`, { headers: auth });
    assert.doesNotMatch(await typed.text(), /jane/, 'an id a client typed is not echoed');
  });

  it("keeps one key's state from another key", async () => {
    const mine = await client.responses.create({ model: 'ours', input: 'private' });
    const { key } = await createApiKey(gateway.store, { name: 'other-team', scopes: [], rpm: null, now: Date.now() });
    await gateway.app.keys.refresh();
    const other = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
    await assert.rejects(other.responses.retrieve(mine.id), (error: any) => error.status === 404);
    await assert.rejects(
      other.responses.create({ model: 'ours', input: 'x', previous_response_id: mine.id }),
      (error: any) => error.status === 400,
    );
  });
});

describe('stored state after an adversarial review', () => {
  let owned: Double;
  let rented: Double;
  let gateway: TestGateway;
  let client: OpenAI;
  const auth = () => ({ authorization: `Bearer ${gateway.key}` });

  before(async () => {
    owned = await startOpenAIDouble();
    rented = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('owned', owned.url),
        providerEntry('rented', rented.url, { jurisdiction: 'US', operator: 'Rented Inc', ownership: 'rented' }),
      ],
      models: { ours: { candidates: ['owned/m1'] }, theirs: { candidates: ['rented/m1'] } },
      policy: {
        name: 'redacting',
        rules: [
          {
            when: { labels_any: ['pii'] },
            allow: { ownership: ['owned'] },
            on_no_provider: 'redact',
            redact_allow: { ownership: ['rented'] },
          },
          { when: {}, allow: {} },
        ],
      },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await owned.close();
    await rented.close();
  });

  it('redacts earlier personal data again at every later turn, rather than refusing the chain', async () => {
    const first = await client.responses.create({ model: 'theirs', input: 'write to jane.doe@example.org please' });
    assert.doesNotMatch(JSON.stringify(lastPost(rented)), /jane\.doe/);
    const second = await client.responses.create({
      model: 'theirs',
      input: 'and now?',
      previous_response_id: first.id,
    });
    assert.equal(second.status, 'completed');
    const sent = JSON.stringify(lastPost(rented));
    assert.doesNotMatch(sent, /jane\.doe/, 'the stored text is redacted again before it leaves');
    assert.match(sent, /and now\?/);
  });

  it('keeps no response for store: false, but the turn joins its conversation', async () => {
    const conversation = await client.conversations.create({});
    const turn = await client.responses.create({
      model: 'ours',
      input: 'not kept',
      store: false,
      conversation: conversation.id,
    });
    await assert.rejects(client.responses.retrieve(turn.id), (error: any) => error.status === 404);
    const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.equal(items.data.length, 2);
  });

  it('takes items sent twice with one id, and items sent back into their conversation', async () => {
    const created = await postJson(
      `${gateway.url}/v1/conversations`,
      {
        items: [
          { role: 'user', content: 'a', id: 'msg_d' },
          { role: 'user', content: 'b', id: 'msg_d' },
        ],
      },
      auth(),
    );
    assert.equal(created.status, 200, created.text);
    const again = await postJson(
      `${gateway.url}/v1/conversations/${created.json.id}/items`,
      { items: [{ role: 'user', content: 'c', id: 'msg_d' }] },
      auth(),
    );
    assert.equal(again.status, 200, again.text);
    assert.notEqual(again.json.data[0].id, 'msg_d');
  });

  it('never writes an id a client typed into the ledger, nor echoes typed text in errors', async () => {
    const refused = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'x', conversation: 'jane.doe@example.org' },
      auth(),
    );
    assert.equal(refused.status, 404);
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${refused.headers.get('x-sovereign-receipt')}`, {
        headers: auth(),
      })
    ).json()) as { leaf: string };
    assert.doesNotMatch(Buffer.from(receipt.leaf, 'base64').toString(), /jane/);
    const tool = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'x', tools: [{ type: 'jane.doe@example.org' }] },
      auth(),
    );
    assert.equal(tool.status, 400);
    assert.doesNotMatch(tool.text, /jane/);
    for (const [method, path] of [
      ['GET', '/v1/responses/jane.doe@example.org/more'],
      ['PUT', '/v1/responses/jane.doe@example.org'],
      ['PUT', '/v1/conversations/jane.doe@example.org'],
    ]) {
      const answer = await fetch(`${gateway.url}${path}`, { method, headers: auth() });
      assert.doesNotMatch(await answer.text(), /jane/, `${method} ${path}`);
    }
    for (const field of ['conversation', 'previous_response_id']) {
      const empty = await postJson(`${gateway.url}/v1/responses`, { model: 'ours', input: 'x', [field]: '' }, auth());
      assert.equal(empty.status, 400, field);
      assert.equal(empty.json.error.param, field);
    }
  });

  it('stores and echoes only what it understood of fields it does not send (a deep reasoning object is no 500)', async () => {
    // Built as text: JSON.stringify itself would overflow the stack on this.
    const deep = `${'{"a":'.repeat(20_000)}{}${'}'.repeat(20_000)}`;
    const body = `{"model":"ours","input":"x","reasoning":{"effort":"low","deep":${deep}},"text":{"format":{"type":"text"},"deep":${deep}}}`;
    const answer = await postJson(`${gateway.url}/v1/responses`, body, auth());
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    assert.deepEqual(answer.json.reasoning, { effort: 'low', summary: null });
    assert.deepEqual(answer.json.text, { format: { type: 'text' } });
  });
});

describe('the Conversations API', () => {
  let upstream: Double;
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('owned', upstream.url)],
      models: { ours: { candidates: ['owned/m1'] } },
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('creates a conversation, continues it with responses, pages its items, updates and deletes it', async () => {
    const conversation = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'hello from before' }],
      metadata: { topic: 'test' },
    });
    assert.match(conversation.id, /^conv_/);
    assert.deepEqual(conversation.metadata, { topic: 'test' });
    const turn = await client.responses.create({ model: 'ours', input: 'next', conversation: conversation.id });
    assert.deepEqual(turn.conversation, { id: conversation.id });
    assert.deepEqual(
      lastPost(upstream).messages.map((message: any) => message.content),
      ['hello from before', 'next'],
    );
    const all = [];
    for await (const item of client.conversations.items.list(conversation.id, { limit: 1, order: 'asc' }))
      all.push(item);
    assert.equal(all.length, 3, "the first item, the turn's input and its output");
    assert.equal((all[2] as any).content[0].text, 'echo: next');
    const added = await client.conversations.items.create(conversation.id, {
      items: [{ type: 'message', role: 'user', content: 'added' }],
    });
    assert.equal(added.data.length, 1);
    const one = await client.conversations.items.retrieve(added.data[0]!.id!, { conversation_id: conversation.id });
    assert.equal((one as any).content[0].text, 'added');
    await client.conversations.items.delete(added.data[0]!.id!, { conversation_id: conversation.id });
    const updated = await client.conversations.update(conversation.id, { metadata: { topic: 'changed' } });
    assert.deepEqual(updated.metadata, { topic: 'changed' });
    const deleted = await client.conversations.delete(conversation.id);
    assert.equal(deleted.deleted, true);
    await assert.rejects(client.conversations.retrieve(conversation.id), (error: any) => error.status === 404);
  });

  it('refuses 21 items and more than 16 metadata pairs', async () => {
    const items = Array.from({ length: 21 }, () => ({ type: 'message' as const, role: 'user' as const, content: 'x' }));
    await assert.rejects(
      client.conversations.create({ items }),
      (error: any) => error.status === 400 && error.param === 'items',
    );
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    await assert.rejects(
      client.conversations.create({ metadata }),
      (error: any) => error.status === 400 && error.param === 'metadata',
    );
  });
});

describe('stored state survives a restart, sealed at rest', () => {
  it('a chain started before a restart goes on after it; the database holds no item text', async () => {
    const upstream = await startOpenAIDouble();
    const dataDirectory = temporaryDirectory();
    const config = {
      providers: [providerEntry('owned', upstream.url)],
      models: { ours: { candidates: ['owned/m1'] } },
    };
    const first = await startTestGateway(config, { dataDirectory });
    const { key } = await createApiKey(first.store, { name: 'alice', scopes: [], rpm: null, now: Date.now() });
    await first.app.keys.refresh();
    const before = await new OpenAI({ baseURL: `${first.url}/v1`, apiKey: key, maxRetries: 0 }).responses.create({
      model: 'ours',
      input: 'remember the word heliotrope',
    });
    await first.close();
    const { existsSync, readFileSync } = await import('node:fs');
    for (const file of ['sovereign.db', 'sovereign.db-wal'])
      if (existsSync(`${dataDirectory}/${file}`))
        assert.ok(!readFileSync(`${dataDirectory}/${file}`).includes('heliotrope'), `item text is sealed in ${file}`);
    assert.ok(readFileSync(`${dataDirectory}/sovereign.db`).length > 0);
    const second = await startTestGateway(config, { dataDirectory });
    try {
      const next = await new OpenAI({ baseURL: `${second.url}/v1`, apiKey: key, maxRetries: 0 }).responses.create({
        model: 'ours',
        input: 'which word?',
        previous_response_id: before.id,
      });
      assert.equal(next.status, 'completed');
      assert.equal(lastPost(upstream).messages[0].content, 'remember the word heliotrope');
    } finally {
      await second.close();
      await upstream.close();
    }
  });
});
