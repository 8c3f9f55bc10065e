// on_no_provider: redact — detected values leave as placeholders and come back restored, in both
// dialects, streaming too (where a placeholder is split between chunks).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { decodeEntry } from '../src/ledger/entry.js';
import { detect } from '../src/policy/detectors.js';
import { Placeholders, redactText, restoreText, StreamRestorer } from '../src/policy/redaction.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';

describe('placeholders', () => {
  it('replace each detected value with a stable placeholder, and restore it', () => {
    const text = 'Mail a.b@example.com, card 4111 1111 1111 1111, again a.b@example.com';
    const placeholders = new Placeholders();
    const redacted = redactText(text, detect(text), placeholders);
    assert.equal(redacted, 'Mail <EMAIL_1>, card <CARD_1>, again <EMAIL_1>');
    assert.equal(
      restoreText(`Noted: <CARD_1> for <EMAIL_1>; <EMAIL_9> is unknown`, placeholders),
      'Noted: 4111 1111 1111 1111 for a.b@example.com; <EMAIL_9> is unknown',
    );
  });

  it('restore across stream pieces that split a placeholder', () => {
    const placeholders = new Placeholders();
    redactText('x@y.fr and 4111 1111 1111 1111', detect('x@y.fr and 4111 1111 1111 1111'), placeholders);
    const restorer = new StreamRestorer(placeholders);
    const pieces = ['Hello <EM', 'AIL_1> and <', 'CARD', '_1>! 3 < 4, <b>ok</b> <CA'];
    const out = pieces.map((piece) => restorer.push(piece)).join('') + restorer.flush();
    assert.equal(out, 'Hello x@y.fr and 4111 1111 1111 1111! 3 < 4, <b>ok</b> <CA');
  });
});

describe('the gateway redacting for a rented provider', () => {
  let cloud: Double;
  let gateway: TestGateway;

  before(async () => {
    cloud = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('cloud', cloud.url, { jurisdiction: 'FR', ownership: 'rented', operator: 'Cloud SAS' }),
      ],
      models: { default: { candidates: ['cloud/m1'] } },
      policy: {
        name: 'redacting',
        rules: [
          {
            when: { labels_any: ['pii'] },
            allow: { ownership: ['owned'] },
            on_no_provider: 'redact',
            redact_allow: { ownership: ['rented'], jurisdiction: ['FR'] },
          },
          { when: { labels_any: ['secret'] }, allow: { ownership: ['owned'] } },
          { when: {}, allow: {} },
        ],
      },
    });
  });
  after(async () => {
    await gateway.close();
    await cloud.close();
  });

  const prompt = 'Write to marie@example.fr about card 5555 5555 5555 4444, then to marie@example.fr again';

  it('sends placeholders, answers with the values restored, and records the redaction', async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const response = await openai.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: prompt }] })
      .withResponse();
    assert.equal(response.data.choices[0]?.message.content, `echo: ${prompt}`);
    const sent = cloud.received.at(-1)!;
    assert.equal(sent.body.messages[0].content, 'Write to <EMAIL_1> about card <CARD_1>, then to <EMAIL_1> again');
    assert.ok(!sent.raw.includes('marie@example.fr') && !sent.raw.includes('5555'));
    const index = response.response.headers.get('x-sovereign-receipt');
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, { headers: { authorization: `Bearer ${gateway.key}` } })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(receipt.leaf, 'base64'));
    assert.deepEqual(entry.redacted_labels, ['pii.card', 'pii.email']);
    assert.deepEqual(entry.labels, ['pii.card', 'pii.email']);
    assert.equal(entry.provider, 'cloud');
  });

  it('restores placeholders split between stream chunks (OpenAI and Anthropic clients)', async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    let text = '';
    for await (const chunk of await openai.chat.completions.create({
      model: 'default',
      stream: true,
      messages: [{ role: 'user', content: prompt }],
    }))
      text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, `echo: ${prompt}`);
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
    const final = await anthropic.messages
      .stream({ model: 'default', max_tokens: 64, messages: [{ role: 'user', content: prompt }] })
      .finalMessage();
    assert.deepEqual(final.content, [{ type: 'text', text: `echo: ${prompt}` }]);
    for (const received of cloud.received) assert.ok(!received.raw.includes('marie@example.fr'));
  });

  it('redacts every field a value sits in (tools, metadata, unknown fields, keys, numbers, stop), and restores the answer', async () => {
    const body = {
      model: 'default',
      messages: [
        { role: 'user', name: 'marie@example.fr', content: [{ type: 'text', text: 'Write to marie@example.fr' }] },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'send',
            description: 'Send to marie@example.fr only',
            parameters: { type: 'object', properties: { to: { type: 'string', enum: ['marie@example.fr'] } } },
          },
        },
      ],
      stop: ['marie@example.fr'],
      user: 'marie@example.fr',
      metadata: { note: 'card 5555 5555 5555 4444', 'marie@example.fr': 'owner' },
      x_billing: { card: 5555555555554444 },
    };
    const response = await postJson(`${gateway.url}/v1/chat/completions`, body, {
      authorization: `Bearer ${gateway.key}`,
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.choices[0].message.content, 'echo: Write to marie@example.fr');
    const sent = cloud.received.at(-1)!;
    assert.ok(!sent.raw.includes('marie@example.fr') && !sent.raw.includes('5555'), sent.raw);
    assert.equal(sent.body.messages[0].name, '<EMAIL_1>');
    assert.equal(sent.body.messages[0].content[0].text, 'Write to <EMAIL_1>');
    assert.equal(sent.body.tools[0].function.description, 'Send to <EMAIL_1> only');
    assert.deepEqual(sent.body.tools[0].function.parameters.properties.to.enum, ['<EMAIL_1>']);
    assert.deepEqual(sent.body.stop, ['<EMAIL_1>']);
    assert.equal(sent.body.user, '<EMAIL_1>');
    assert.deepEqual(sent.body.metadata, { note: 'card <CARD_1>', '<EMAIL_1>': 'owner' });
    assert.deepEqual(sent.body.x_billing, { card: '<CARD_2>' });
  });

  it('withholds an image whose URL or bytes hold a value; refuses a value inside an encoded file or behind \\u escapes', async () => {
    const image = await postJson(
      `${gateway.url}/v1/chat/completions`,
      {
        model: 'default',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'describe' },
              {
                type: 'image_url',
                image_url: { url: `https://scans.example/view?owner=${encodeURIComponent('marie@example.fr')}` },
              },
            ],
          },
        ],
      },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(image.status, 200, image.text);
    assert.deepEqual(cloud.received.at(-1)!.body.messages[0].content[1], {
      type: 'text',
      text: '[image withheld by policy]',
    });
    const before = cloud.received.length;
    const file = await postJson(
      `${gateway.url}/v1/chat/completions`,
      {
        model: 'default',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'read this' },
              {
                type: 'file',
                file: {
                  filename: 'a.txt',
                  file_data: `data:text/plain;base64,${Buffer.from('mail marie@example.fr').toString('base64')}`,
                },
              },
            ],
          },
        ],
      },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(file.status, 403);
    assert.match(file.json.error.message, /inside an encoded file/);
    const escaped = await postJson(
      `${gateway.url}/v1/chat/completions`,
      {
        model: 'default',
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'send', arguments: '{"to":"marie\\u0040example.fr"}' } },
            ],
          },
          { role: 'user', content: 'ok' },
        ],
      },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(escaped.status, 403);
    assert.match(escaped.json.error.message, /escapes/);
    assert.equal(cloud.received.length, before);
  });

  it('refuses what redaction cannot make safe: secrets under a refuse rule, declared labels, values split across parts', async () => {
    const secret = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'key AKIAIOSFODNN7EXAMPLE' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(secret.status, 403);
    const before = cloud.received.length;
    const declared = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'mail x@y.fr' }] },
      { authorization: `Bearer ${gateway.key}`, 'x-sovereign-labels': 'pii.patient' },
    );
    assert.equal(declared.status, 403);
    assert.match(declared.json.error.message, /declared labels/);
    const split = await postJson(
      `${gateway.url}/v1/chat/completions`,
      {
        model: 'default',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'card 5555 5555' },
              { type: 'text', text: ' 5555 4444' },
            ],
          },
        ],
      },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(split.status, 403);
    assert.match(split.json.error.message, /split across message parts/);
    assert.equal(cloud.received.length, before);
  });
});
