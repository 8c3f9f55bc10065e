// The sovereignty policy: rule matching, the policy hash, and the gateway failing closed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import canonicalize from 'canonicalize';
import { decodeEntry } from '../src/ledger/entry.js';
import { decide, labelMatches, openPolicy, policyHash, type PolicyDocument } from '../src/policy/policy.js';
import type { ProviderDescription } from '../src/core/provider.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const hospital: PolicyDocument = {
  name: 'hospital-default',
  rules: [
    {
      when: { labels_any: ['pii', 'secret', 'confidential'] },
      allow: { ownership: ['owned'] },
      on_no_provider: 'refuse',
    },
    { when: {}, allow: { not_jurisdiction: [] }, on_no_provider: 'refuse' },
  ],
};
const describeProvider = (id: string, ownership: 'owned' | 'rented', jurisdiction: string): ProviderDescription => ({
  id,
  kind: 'openai-compatible',
  jurisdiction,
  operator: `${id} op`,
  ownership,
  models: ['m1'],
});

describe('policy rules', () => {
  it('a label matches itself and its descendants only', () => {
    assert.ok(labelMatches('pii', 'pii.email'));
    assert.ok(labelMatches('pii', 'pii'));
    assert.ok(labelMatches('pii.national_id', 'pii.national_id.sa'));
    assert.ok(!labelMatches('pii', 'piix.email'));
    assert.ok(!labelMatches('pii.email', 'pii'));
  });

  it('first matching rule wins, and says why each provider is refused', () => {
    const providers = [describeProvider('own', 'owned', 'SA'), describeProvider('cloud', 'rented', 'US')];
    const sensitive = decide(hospital, ['pii.email'], providers);
    assert.equal(sensitive.ruleIndex, 0);
    assert.deepEqual(sensitive.allowed, ['own']);
    assert.deepEqual(sensitive.refused, [{ provider: 'cloud', reason: 'ownership rented is not one of owned' }]);
    const plain = decide(hospital, [], providers);
    assert.equal(plain.ruleIndex, 1);
    assert.deepEqual(plain.allowed, ['own', 'cloud']);
  });

  it('refuses when no rule matches, or no provider is allowed (fail closed)', () => {
    const strict: PolicyDocument = { name: 'strict', rules: [{ when: { labels_any: ['public'] }, allow: {} }] };
    assert.equal(decide(strict, [], [describeProvider('own', 'owned', 'SA')]).mode, 'refuse');
    assert.equal(decide(hospital, ['secret.aws_key'], [describeProvider('cloud', 'rented', 'US')]).mode, 'refuse');
    const sovereign: PolicyDocument = {
      name: 's',
      rules: [{ when: {}, allow: { jurisdiction: ['SA', 'AE'], not_jurisdiction: ['US'] } }],
    };
    assert.deepEqual(
      decide(
        sovereign,
        [],
        [
          describeProvider('a', 'rented', 'AE'),
          describeProvider('b', 'rented', 'US'),
          describeProvider('c', 'owned', 'FR'),
        ],
      ).allowed,
      ['a'],
    );
  });

  it('the policy hash is SHA-256 of its RFC 8785 form', () => {
    assert.equal(policyHash(hospital), `sha256:${createHash('sha256').update(canonicalize(hospital)!).digest('hex')}`);
    assert.notEqual(policyHash(hospital), policyHash(openPolicy));
  });
});

describe('the gateway under a policy', () => {
  let owned: Double;
  let foreign: Double;
  let gateway: TestGateway;
  let openai: OpenAI;

  before(async () => {
    owned = await startOpenAIDouble();
    foreign = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('own', owned.url, { jurisdiction: 'SA', ownership: 'owned' }),
        providerEntry('cloud', foreign.url, { jurisdiction: 'US', ownership: 'rented', operator: 'Cloud Inc' }),
      ],
      models: { default: { candidates: ['own/m1', 'cloud/m1'] }, 'cloud-only': { candidates: ['cloud/m1'] } },
      routing: { retries: 0, attempt_timeout_ms: 500 },
      policy: hospital,
    });
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await owned.close();
    await foreign.close();
  });
  beforeEach(() => {
    owned.received.length = 0;
    foreign.received.length = 0;
    owned.setDefault({ kind: 'ok' });
  });

  it('refuses with 403 no_allowed_provider naming labels and rule, never the matched text; the refusal is a ledger entry', async () => {
    const response = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'cloud-only', messages: [{ role: 'user', content: 'my card is 4111 1111 1111 1111' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 403);
    assert.equal(response.json.error.code, 'no_allowed_provider');
    assert.match(response.json.error.message, /pii\.card/);
    assert.match(response.json.error.message, /rule 1 of policy "hospital-default"/);
    assert.ok(!response.text.includes('4111'), 'the matched text is never echoed');
    assert.equal(response.headers.get('x-sovereign-policy'), policyHash(hospital));
    for (const path of ['/healthz', '/readyz', '/metrics', '/v1/models', '/v1/ledger/key']) {
      assert.equal(
        (await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${gateway.key}` } })).headers.get(
          'x-sovereign-policy',
        ),
        policyHash(hospital),
        path,
      );
    }
    assert.equal(foreign.received.length, 0);
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${response.headers.get('x-sovereign-receipt')}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(receipt.leaf, 'base64'));
    assert.equal(entry.outcome, 'refused');
    assert.equal(entry.error_code, 'no_allowed_provider');
    assert.deepEqual(entry.labels, ['pii.card']);
    assert.equal(entry.policy_hash, policyHash(hospital));
  });

  it('sends sensitive requests only to allowed providers, and plain ones anywhere', async () => {
    await openai.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'email me at a.b@example.com' }],
    });
    assert.equal(owned.received.length, 1);
    await openai.chat.completions.create({
      model: 'cloud-only',
      messages: [{ role: 'user', content: 'what is the capital of France?' }],
    });
    assert.equal(foreign.received.length, 1);
  });

  it('an allowed provider being down is no reason to use a forbidden one (also for streams)', async () => {
    owned.setDefault({ kind: 'status', status: 503 });
    await assert.rejects(
      openai.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'key AKIAIOSFODNN7EXAMPLE' }],
      }),
      (error: any) =>
        error.status === 403 &&
        error.code === 'no_allowed_provider' &&
        /no allowed candidate could serve/.test(error.message),
    );
    await assert.rejects(
      (async () => {
        const stream = await openai.chat.completions.create({
          model: 'default',
          stream: true,
          messages: [{ role: 'user', content: 'key AKIAIOSFODNN7EXAMPLE' }],
        });
        for await (const _chunk of stream) void _chunk;
      })(),
      (error: any) => error.status === 403 && error.code === 'no_allowed_provider',
    );
    assert.equal(foreign.received.length, 0);
    // Without sensitive labels, the fallback to the rented provider is allowed.
    const plain = await openai.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'hello' }],
    });
    assert.equal(plain.choices[0]?.message.content, 'echo: hello');
    assert.equal(foreign.received.length, 1);
  });

  it('callers add labels by header or metadata.labels, which are not forwarded', async () => {
    const byHeader = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'cloud-only', messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${gateway.key}`, 'x-sovereign-labels': 'confidential,patient-record' },
    );
    assert.equal(byHeader.status, 403);
    assert.match(byHeader.json.error.message, /confidential, patient-record/);
    await openai.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'hello' }],
      metadata: { labels: 'confidential', ticket: 'T-1' },
    });
    assert.equal(owned.received.length, 1);
    assert.deepEqual(owned.received[0]!.body.metadata, { ticket: 'T-1' });
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({
        model: 'cloud-only',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
        metadata: { labels: ['secret'] } as any,
      }),
      (error: any) => error.status === 403 && error.error?.error?.code === 'no_allowed_provider',
    );
    const invalid = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'x' }] },
      { authorization: `Bearer ${gateway.key}`, 'x-sovereign-labels': 'Bad Label!' },
    );
    assert.equal(invalid.status, 400);
  });

  it('finds labels in every place a request carries text (system, tool results, tool-call arguments, image URLs), in both dialects', async () => {
    const cases: Array<[string, unknown]> = [
      [
        'system',
        {
          model: 'cloud-only',
          messages: [
            { role: 'system', content: 'patient mail: x@y.fr' },
            { role: 'user', content: 'hi' },
          ],
        },
      ],
      [
        'tool result',
        {
          model: 'cloud-only',
          messages: [
            { role: 'user', content: 'hi' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 'c1', content: 'IBAN DE89370400440532013000' },
          ],
        },
      ],
      [
        'tool-call arguments',
        {
          model: 'cloud-only',
          messages: [
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'c1', type: 'function', function: { name: 'pay', arguments: '{"card":"5555555555554444"}' } },
              ],
            },
            { role: 'user', content: 'ok' },
          ],
        },
      ],
      [
        'image URL',
        {
          model: 'cloud-only',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'see' },
                { type: 'image_url', image_url: { url: 'https://files.example/scan?owner=jane@example.com' } },
              ],
            },
          ],
        },
      ],
    ];
    for (const [where, body] of cases) {
      const response = await postJson(`${gateway.url}/v1/chat/completions`, body, {
        authorization: `Bearer ${gateway.key}`,
      });
      assert.equal(response.status, 403, where);
    }
    const anthropic = await postJson(
      `${gateway.url}/v1/messages`,
      { model: 'cloud-only', max_tokens: 8, system: 'SSN 123-45-6789', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': gateway.key },
    );
    assert.equal(anthropic.status, 403);
    assert.equal(anthropic.json.error.type, 'permission_error');
    assert.equal(foreign.received.length, 0);
  });

  it('explains a decision without calling any provider', async () => {
    const response = await postJson(
      `${gateway.url}/v1/policy/explain`,
      { model: 'default', messages: [{ role: 'user', content: 'IBAN FR7630006000011234567890189' }] },
      { authorization: `Bearer ${gateway.key}` },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.json.labels, ['pii.iban']);
    assert.equal(response.json.rule.number, 1);
    assert.equal(response.json.mode, 'allow');
    assert.deepEqual(
      response.json.candidates.map((entry: any) => [entry.candidate, entry.allowed, entry.reason]),
      [
        ['own/m1', true, undefined],
        ['cloud/m1', false, 'ownership rented is not one of owned'],
      ],
    );
    assert.equal(response.json.policy.hash, policyHash(hospital));
    assert.ok(!response.text.includes('FR7630006000011234567890189'));
    assert.equal(owned.received.length + foreign.received.length, 0);
  });
});

describe('sovereign policy check', () => {
  it('validates the policy and lists, per alias and label class, the providers reachable, with warnings', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { temporaryDirectory } = await import('./helpers.js');
    const { run } = await import('./support/bin.js');
    const directory = temporaryDirectory();
    const file = join(directory, 'sovereign.yaml');
    writeFileSync(
      file,
      `providers:
  - { id: own, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", jurisdiction: SA, operator: Hospital IT, ownership: owned, models: [m] }
  - { id: cloud, kind: openai-compatible, base_url: "http://127.0.0.1:2/v1", jurisdiction: US, operator: Cloud Inc, ownership: rented, models: [m] }
models:
  default: { candidates: [own/m, cloud/m] }
  cloud-only: { candidates: [cloud/m] }
policy:
  name: hospital-default
  rules:
    - when: { labels_any: [pii, secret] }
      allow: { ownership: [owned] }
    - when: {}
      allow: {}
`,
    );
    const result = run(['policy', 'check', '--config', file], directory);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /policy "hospital-default" is valid \(2 rules\), hash sha256:[0-9a-f]{64}/);
    assert.match(result.stdout, /default\n {2}\(no labels\) +own, cloud {2}\(rule 2\)\n {2}pii +own {2}\(rule 1\)/);
    assert.match(result.stdout, /cloud-only: requests labelled pii reach no provider/);
    assert.match(result.stdout, /default: requests labelled secret have a single provider \(own\)/);
    writeFileSync(file, 'policy:\n  name: x\n  rules:\n    - when: {}\n      allow: { ownership: [ownd] }\n');
    const bad = run(['policy', 'check', '--config', file], directory);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /policy\.rules\[0\]\.allow\.ownership\[0\]: must be one of/);
  });
});
