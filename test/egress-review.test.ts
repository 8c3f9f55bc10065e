// What an adversarial review of the egress guarantee found, each kept as a case: values a provider's
// translation builds, numbers and token ids, ordinary and disguised Unicode, data URL forms,
// compressed files, redaction that lost or collided values, and what other tenants could read.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { decodeEntry } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { type EgressRig, startEgressRig } from './support/egress-rig.js';

const email = 'alice@example.com';
const user = (content: unknown) => ({ role: 'user', content });

/** A one-page PDF whose page text sits in a Flate-compressed content stream, as PDF writers produce it. */
function compressedPdf(text: string): Buffer {
  const stream = deflateSync(Buffer.from(`BT /F1 12 Tf 72 720 Td (${text}) Tj ET`));
  return Buffer.concat([
    Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n', 'latin1'),
    Buffer.from(`4 0 obj\n<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`),
    stream,
    Buffer.from('\nendstream\nendobj\n%%EOF\n'),
  ]);
}
const base64 = (text: string): string => Buffer.from(text).toString('base64');
/** Unicode tag characters spelling a text invisibly ("ASCII smuggling"). */
const tagged = (text: string): string =>
  [...text].map((character) => String.fromCodePoint(0xe0000 + character.charCodeAt(0))).join('');

describe('egress, as the review tried it: nothing sensitive reaches a forbidden provider', () => {
  let owned: Double;
  let cloud: Double;
  let claude: Double;
  let gateway: TestGateway;
  let rig: EgressRig;

  before(async () => {
    rig = await startEgressRig();
    ({ gateway, owned, rented: cloud, rentedClaude: claude } = rig);
  });
  after(() => rig.close());
  beforeEach(() => rig.reset());

  const rented = (): string[] => [...cloud.received, ...claude.received].map((received) => received.raw);
  const call = (model: string, body: Record<string, unknown>) =>
    postJson(`${gateway.url}/v1/chat/completions`, { model, ...body }, { authorization: `Bearer ${gateway.key}` });
  async function refused(model: string, body: Record<string, unknown>, label: string | RegExp): Promise<void> {
    const response = await call(model, body);
    assert.equal(response.status, 403, response.text);
    assert.match(
      response.json.error.message,
      typeof label === 'string' ? new RegExp(label.replace('.', '\\.')) : label,
    );
    assert.deepEqual(rented(), []);
  }

  it('the Anthropic translation is classified as it is sent: parts it joins, arguments it re-serialises', async () => {
    // System parts joined with no separator; a split card in tool-message parts.
    await refused(
      'claude',
      {
        messages: [
          {
            role: 'system',
            content: [
              { type: 'text', text: 'Reply to alice@exa' },
              { type: 'input_text', text: ' ' },
              { type: 'text', text: 'mple.com only' },
            ],
          },
          user('hi'),
        ],
      },
      'pii.email',
    );
    await refused(
      'claude',
      {
        messages: [
          user('hi'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          {
            role: 'tool',
            tool_call_id: 'c',
            content: [
              { type: 'text', text: 'card 4111 1111 ' },
              { type: 'input_text', text: 'x' },
              { type: 'text', text: '1111 1111' },
            ],
          },
        ],
      },
      'pii.card',
    );
    // A number written with an exponent, an escape of a full-width @.
    await refused(
      'claude',
      {
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'pay', arguments: '{"card":4.111111111111111e15}' } },
            ],
          },
          user('ok'),
        ],
      },
      'pii.card',
    );
    await refused(
      'claude',
      {
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'send', arguments: '{"to":"alice\\uff20example.com"}' } },
            ],
          },
          user('ok'),
        ],
      },
      'pii.email',
    );
    // Two user turns merged into one Anthropic message as adjacent text blocks.
    await refused('claude', { messages: [user('my key is AKIAIOSFOD'), user('NN7EXAMPLE')] }, 'secret.aws_key');
  });

  it('numbers: negative, fractional, and embeddings sent as token ids', async () => {
    await refused('default', { messages: [user('hi')], metadata: { a: -4111111111111111 } }, 'pii.card');
    await refused('default', { messages: [user('hi')], metadata: { a: 0.4111111111111111 } }, 'pii.card');
    const tokens = await postJson(
      `${gateway.url}/v1/embeddings`,
      {
        model: 'away',
        input: [
          [64295, 36587, 916],
          [12173, 96975],
        ],
      },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(tokens.status, 403, tokens.text);
    assert.match(tokens.json.error.message, /cannot read \(opaque\.tokens\)/);
    assert.deepEqual(rented(), []);
  });

  it('ordinary typography and disguises: NBSP, NNBSP, lower-case IBANs, ALM, small @, tag characters, disguised keys', async () => {
    await refused('default', { messages: [user('card 4111\u00A01111\u00A01111\u00A01111')] }, 'pii.card');
    await refused(
      'default',
      { messages: [user('appelez le +33\u202F6\u202F12\u202F34\u202F56\u202F78')] },
      'pii.phone',
    );
    await refused('default', { messages: [user('iban fr76 3000 6000 0112 3456 7890 189')] }, 'pii.iban');
    await refused('default', { messages: [user('رقمي ٠٥١٢\u061C٣٤٥\u061C٦٧٨')] }, 'pii.phone');
    await refused('default', { messages: [user('mail alice\uFE6Bexample.com')] }, 'pii.email');
    await refused(
      'default',
      {
        messages: [user('hi')],
        tools: [{ type: 'function', function: { name: 'f', description: `ok ${tagged(email)} ok` } }],
      },
      'pii.email',
    );
    await refused('default', { messages: [user('hi')], metadata: { 'alice＠example.com': 'x' } }, 'pii.email');
    await refused(
      'default',
      {
        messages: [user('hi')],
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              parameters: { type: 'object', properties: { 'alice%40example.com': { type: 'string' } } },
            },
          },
        ],
      },
      'pii.email',
    );
    await refused(
      'default',
      { messages: [user(`data\\u003a ${'alice\\u0040example.com'.replace('\\u0040', '\\uff20')}`)] },
      'pii.email',
    );
  });

  it('data URLs in every form a decoder accepts, and compressed files', async () => {
    const note = base64(`Patient contact: ${email}\n`);
    for (const url of [
      `DATA:text/plain;base64,${note}`,
      `data:text/plain;${'x='.repeat(300)};base64,${note}`,
      `data:text/plain; base64,${note}`,
      ` data:text/plain;base64,${note}`,
    ]) {
      await refused(
        'default',
        {
          messages: [
            user([
              { type: 'text', text: 'read it' },
              { type: 'file', file: { filename: 'a.txt', file_data: url } },
            ]),
          ],
        },
        'pii.email',
      );
    }
    const pdf = compressedPdf(`Patient contact: ${email}, card 4111 1111 1111 1111`).toString('base64');
    const response = await call('away', {
      messages: [
        user([
          { type: 'text', text: 'summarise' },
          { type: 'file', file: { filename: 'p.pdf', file_data: `data:application/pdf;base64,${pdf}` } },
        ]),
      ],
    });
    assert.equal(response.status, 403);
    assert.match(response.json.error.message, /pii\.card, pii\.email, opaque\.file|opaque\.file.*pii/);
    assert.deepEqual(rented(), []);
  });

  it('content the gateway cannot read stays on owned providers unless a rule names it', async () => {
    owned.setDefault({ kind: 'ok' });
    const image = `data:image/png;base64,${Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(300, 7)]).toString('base64')}`;
    const served = await call('default', {
      messages: [
        user([
          { type: 'text', text: 'describe' },
          { type: 'image_url', image_url: { url: image } },
        ]),
      ],
    });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('x-sovereign-provider'), 'own');
    const away = await call('away', {
      messages: [
        user([
          { type: 'text', text: 'describe' },
          { type: 'image_url', image_url: { url: image } },
        ]),
      ],
    });
    assert.equal(away.status, 403);
    assert.match(away.json.error.message, /cannot read \(opaque\.image\)/);
    assert.deepEqual(rented(), []);
  });

  it('a request of 200,000 values nested 60 deep is walked and answered (how long it holds the event loop is a bench figure)', async () => {
    // 60: within the parsers' nesting bound (64); deeper is refused before anything is walked (egress-fields).
    let nested: unknown = new Array(200_000).fill(0);
    for (let level = 0; level < 60; level += 1) nested = [nested];
    owned.setDefault({ kind: 'ok' });
    const response = await call('default', { messages: [user('hi')], x_data: nested });
    assert.equal(response.status, 200, response.text.slice(0, 200));
  });

  it('errors, logs, metrics and the ledger never repeat what a client typed as data', async () => {
    const model = await call(`patient ${email} card 4111111111111111`, { messages: [user('hi')] });
    assert.equal(model.status, 404);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.ok(
      !metrics.includes(email) && !metrics.includes('4111111111111111'),
      'metrics labels hold only known model names',
    );
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${model.headers.get('x-sovereign-receipt')}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(receipt.leaf, 'base64'));
    assert.ok(!JSON.stringify(entry).includes(email), 'the ledger holds no unknown model name');
    const json = await postJson(`${gateway.url}/v1/chat/completions`, `{"model": "default", "x": ${email}}`, {
      authorization: `Bearer ${gateway.key}`,
    });
    assert.equal(json.status, 400);
    assert.ok(!json.text.includes('alice'), json.text);
    const label = await call('default', { messages: [user('hi')], metadata: { labels: ['4111111111111111'] } });
    assert.equal(label.status, 400);
    assert.ok(!label.text.includes('4111'), label.text);
    const identified = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'away', messages: [user('hi')] },
      { authorization: `Bearer ${gateway.key}`, 'x-request-id': '4111111111111111' },
    );
    assert.notEqual(identified.headers.get('x-request-id'), '4111111111111111');
    assert.ok(!gateway.logs.join('').includes('4111111111111111') && !gateway.logs.join('').includes(email));
  });

  it('another tenant reads neither the upstream error text a call caused nor ledger entries', async () => {
    owned.setDefault({ kind: 'status', status: 400, message: `Unrecognized request argument supplied: ${email}` });
    await call('default', { messages: [user('hi')] });
    const { key } = await createApiKey(gateway.store, { name: 'other-tenant', scopes: [], rpm: null, now: Date.now() });
    await gateway.app.keys.refresh();
    const providers = await (
      await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })
    ).text();
    assert.ok(!providers.includes(email), providers);
    // last_error is for admin keys only; the field stays, empty.
    assert.match(providers, /"last_error":null/);
    // Another tenant's key reads its own entries only: it made no call, so there are none.
    const entries = await fetch(`${gateway.url}/v1/ledger/entries?start=0&end=5`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(entries.status, 200);
    assert.deepEqual(((await entries.json()) as { entries: unknown[] }).entries, []);
    assert.equal(
      (
        await fetch(`${gateway.url}/v1/ledger/entries?start=0&end=5`, {
          headers: { authorization: `Bearer ${gateway.key}` },
        })
      ).status,
      200,
      'an admin (or auditor) key reads them',
    );
  });

  it('deeply nested tool arguments are refused as invalid, not crashed on', async () => {
    const response = await call('claude', {
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c',
              type: 'function',
              function: { name: 'f', arguments: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
            },
          ],
        },
        user('ok'),
      ],
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_request');
  });
});

describe('redaction, as the review tried it', () => {
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
            redact_allow: { ownership: ['rented'] },
          },
          { when: {}, allow: {} },
        ],
      },
    });
  });
  after(async () => {
    await gateway.close();
    await cloud.close();
  });
  const call = (body: Record<string, unknown>) =>
    postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', ...body },
      { authorization: `Bearer ${gateway.key}` },
    );

  it('a message with one character the normalisation reads keeps its text: only the value is replaced', async () => {
    const response = await call({ messages: [user(`您好，请回复 ${email} 谢谢`)] });
    assert.equal(response.status, 200, response.text);
    assert.equal(cloud.received.at(-1)!.body.messages[0].content, '您好，请回复 <EMAIL_1> 谢谢');
  });

  it('placeholders never collide with text the request already holds, and keys never land on each other', async () => {
    const response = await call({
      messages: [user(`<EMAIL_1> is the slot; send it from ${email}`)],
      metadata: { [email]: 'primary', '<EMAIL_2>': 'template' },
    });
    assert.equal(response.status, 200, response.text);
    const sent = cloud.received.at(-1)!.body;
    assert.equal(sent.messages[0].content, '<EMAIL_1> is the slot; send it from <EMAIL_3>');
    assert.deepEqual(sent.metadata, { '<EMAIL_3>': 'primary', '<EMAIL_2>': 'template' });
    assert.equal(response.json.choices[0].message.content, `echo: <EMAIL_1> is the slot; send it from ${email}`);
  });

  it('a value in tool arguments that cannot be replaced in place is refused, not turned into broken arguments', async () => {
    const before = cloud.received.length;
    const response = await call({
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c',
              type: 'function',
              function: { name: 'send', arguments: `{"to":"${encodeURIComponent(email)}"}` },
            },
          ],
        },
        user('ok'),
      ],
    });
    assert.equal(response.status, 403);
    assert.equal(cloud.received.length, before);
  });
});
