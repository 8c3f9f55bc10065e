// The guarantee, tested: generated requests carrying canary values of every detector class (in
// English, French and Arabic; in system, user, assistant and tool messages, tool-call arguments,
// image URLs, split across parts; OpenAI and Anthropic dialects; streaming and not) go through a
// gateway whose policy forbids the foreign provider for them, while the allowed provider fails,
// times out and recovers at random. The foreign double must receive none of them, and every
// request must be served by the allowed provider or refused with no_allowed_provider.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { startAnthropicDouble } from './doubles/anthropic-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const total = Number(process.env.EGRESS_REQUESTS ?? 3000);

const canaries: Array<{ label: string; value: string }> = [
  { label: 'pii.email', value: 'fatima.alharbi@hospital.example.sa' },
  { label: 'pii.email', value: 'jean.moulin@sante.example.fr' },
  { label: 'pii.phone', value: '+33 6 12 34 56 78' },
  { label: 'pii.phone', value: '0512345678' },
  { label: 'pii.phone', value: '+971 50 123 4567' },
  { label: 'pii.card', value: '4111 1111 1111 1111' },
  { label: 'pii.card', value: '5555-5555-5555-4444' },
  { label: 'pii.iban', value: 'SA03 8000 0000 6080 1016 7519' },
  { label: 'pii.iban', value: 'FR7630006000011234567890189' },
  { label: 'pii.national_id.sa', value: '1074583624' },
  { label: 'pii.national_id.ae', value: '784-1985-1234567-3' },
  { label: 'pii.national_id.fr', value: '1 85 05 78 006 084 91' },
  { label: 'pii.national_id.de', value: '86609812340' },
  { label: 'pii.national_id.us_ssn', value: '123-45-6789' },
  { label: 'pii.ip.v4', value: '10.20.30.40' },
  { label: 'pii.ip.v6', value: '2001:db8::8a2e:370:7334' },
  { label: 'secret.aws_key', value: 'AKIAIOSFODNN7EXAMPLE' },
  { label: 'secret.github_token', value: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' },
  { label: 'secret.api_key', value: 'sk-proj-abcdefghijklmnopqrstuvwx1234' },
  {
    label: 'secret.private_key',
    value: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAcanary\n-----END RSA PRIVATE KEY-----',
  },
  { label: 'secret.token', value: 'Zx9qL2mN8vB4cX7kP1wR5tY3uI6oA0sD' },
];
const templates = [
  (value: string, tag: string) => `Please summarise the file of patient ${value} (${tag}).`,
  (value: string, tag: string) => `Résume le dossier du patient ${value}, merci (${tag}).`,
  (value: string, tag: string) => `لخص ملف المريض ${value} من فضلك (${tag}).`,
];
const places = ['system', 'user', 'assistant', 'tool', 'arguments', 'image', 'split'] as const;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

describe('egress: nothing labelled leaves for a forbidden provider', () => {
  let owned: Double;
  let foreignOpenAI: Double;
  let foreignAnthropic: Double;
  let gateway: TestGateway;
  let flipper: NodeJS.Timeout;

  before(async () => {
    owned = await startOpenAIDouble();
    foreignOpenAI = await startOpenAIDouble();
    foreignAnthropic = await startAnthropicDouble();
    gateway = await startTestGateway(
      {
        providers: [
          providerEntry('own', owned.url, { jurisdiction: 'SA', ownership: 'owned' }),
          providerEntry('foreign', foreignOpenAI.url, {
            jurisdiction: 'US',
            ownership: 'rented',
            operator: 'Foreign Cloud',
          }),
          {
            ...providerEntry('foreign-claude', foreignAnthropic.url, {
              kind: 'anthropic',
              jurisdiction: 'US',
              ownership: 'rented',
              operator: 'Foreign Cloud',
            }),
            api_key_env: 'FOREIGN_KEY',
          },
        ],
        models: {
          default: { candidates: ['own/m1', 'foreign/m1', 'foreign-claude/m1'] },
          foreign: { candidates: ['foreign/m1', 'foreign-claude/m1'] },
        },
        routing: { retries: 1, attempt_timeout_ms: 150, breaker: { failures: 3, cooldown_ms: 50 } },
        policy: {
          name: 'egress',
          rules: [
            { when: { labels_any: ['pii', 'secret', 'confidential'] }, allow: { ownership: ['owned'] } },
            { when: {}, allow: {} },
          ],
        },
      },
      { env: { FOREIGN_KEY: 'k' } },
    );
    // The allowed provider fails, hangs and recovers at random.
    const next = random(42);
    const behaviours = [
      { kind: 'ok' },
      { kind: 'ok' },
      { kind: 'ok' },
      { kind: 'status', status: 503 },
      { kind: 'reset' },
      { kind: 'hang' },
      { kind: 'status', status: 429, retryAfter: '0' },
    ] as const;
    flipper = setInterval(() => owned.setDefault(behaviours[Math.floor(next() * behaviours.length)]!), 15);
  });
  after(async () => {
    clearInterval(flipper);
    await gateway.close();
    for (const double of [owned, foreignOpenAI, foreignAnthropic]) await double.close();
  });

  it(`${total} generated requests: the foreign upstreams receive no canary, every request is served or refused`, async (context) => {
    const next = random(7);
    const counts = { served: 0, refused: 0, plainServed: 0, other: 0 };
    const tags: string[] = [];
    let issued = 0;
    const one = async (): Promise<void> => {
      const index = issued++;
      const plain = next() < 0.15;
      const canary = canaries[Math.floor(next() * canaries.length)]!;
      const tag = `REQ-${index}-${plain ? 'PLAIN' : 'CANARY'}`;
      const text = templates[Math.floor(next() * templates.length)]!(plain ? 'number twelve' : canary.value, tag);
      const place = places[Math.floor(next() * places.length)]!;
      const dialect = next() < 0.5 ? 'openai' : 'anthropic';
      const stream = next() < 0.4;
      const model = next() < 0.6 ? 'foreign' : 'default';
      if (!plain) tags.push(tag);
      const messages = buildMessages(dialect, place, text, canary.value, tag, plain);
      const body =
        dialect === 'openai' ? { model, stream, ...messages } : { model, stream, max_tokens: 64, ...messages };
      const response = await fetch(`${gateway.url}${dialect === 'openai' ? '/v1/chat/completions' : '/v1/messages'}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = await response.text();
      if (response.status === 200) {
        if (plain) counts.plainServed += 1;
        else counts.served += 1;
      } else if (response.status === 403 && answer.includes('no_allowed_provider')) {
        counts.refused += 1;
      } else {
        counts.other += 1;
        assert.fail(
          `request ${index} (${dialect}, ${place}, ${model}, stream ${stream}) got ${response.status}: ${answer.slice(0, 300)}`,
        );
      }
    };
    const workers = Array.from({ length: 8 }, async () => {
      while (issued < total) await one();
    });
    await Promise.all(workers);
    const leaked = [...foreignOpenAI.received, ...foreignAnthropic.received].filter((received) =>
      received.raw.includes('-CANARY'),
    );
    const values = canaries.flatMap((canary) => [canary.value, JSON.stringify(canary.value).slice(1, -1)]);
    const leakedValues = [...foreignOpenAI.received, ...foreignAnthropic.received].filter((received) =>
      values.some((value) => received.raw.includes(value)),
    );
    context.diagnostic(
      `egress: ${total} requests — canary requests served by the owned provider ${counts.served}, refused ${counts.refused}; plain requests served ${counts.plainServed}; foreign upstreams received ${foreignOpenAI.received.length + foreignAnthropic.received.length} requests, ${leaked.length} with a canary`,
    );
    assert.equal(
      leaked.length,
      0,
      `leaked: ${leaked
        .slice(0, 5)
        .map((entry) => entry.raw.slice(0, 300))
        .join('\n')}`,
    );
    assert.equal(leakedValues.length, 0);
    assert.equal(counts.other, 0);
    assert.ok(counts.served > 0 && counts.refused > 0 && counts.plainServed > 0, 'all three paths were exercised');
    assert.ok(
      foreignOpenAI.received.length + foreignAnthropic.received.length > 0,
      'plain traffic did reach the foreign providers',
    );
    assert.equal(tags.length, counts.served + counts.refused);
  });
});

function buildMessages(
  dialect: 'openai' | 'anthropic',
  place: (typeof places)[number],
  text: string,
  value: string,
  tag: string,
  plain: boolean,
): Record<string, unknown> {
  const half = Math.floor(value.length / 2);
  if (dialect === 'openai') {
    switch (place) {
      case 'system':
        return {
          messages: [
            { role: 'system', content: text },
            { role: 'user', content: `hello ${tag}` },
          ],
        };
      case 'assistant':
        return {
          messages: [
            { role: 'user', content: `hi ${tag}` },
            { role: 'assistant', content: text },
            { role: 'user', content: 'go on' },
          ],
        };
      case 'tool':
        return {
          messages: [
            { role: 'user', content: `look up ${tag}` },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 'c1', content: text },
          ],
        };
      case 'arguments':
        return {
          messages: [
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'c1', type: 'function', function: { name: 'file', arguments: JSON.stringify({ note: text }) } },
              ],
            },
            { role: 'tool', tool_call_id: 'c1', content: 'done' },
            { role: 'user', content: `ok ${tag}` },
          ],
        };
      case 'image':
        return {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: `describe ${tag}` },
                {
                  type: 'image_url',
                  image_url: {
                    url: `https://scans.example/view?ref=${encodeURIComponent(plain ? 'twelve' : value)}&t=${tag}`,
                  },
                },
              ],
            },
          ],
        };
      case 'split':
        return {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: `record ${tag}: ${plain ? 'number' : value.slice(0, half)}` },
                { type: 'text', text: `${plain ? ' twelve' : value.slice(half)} end` },
              ],
            },
          ],
        };
      default:
        return { messages: [{ role: 'user', content: text }] };
    }
  }
  switch (place) {
    case 'system':
      return { system: text, messages: [{ role: 'user', content: `hello ${tag}` }] };
    case 'assistant':
      return {
        messages: [
          { role: 'user', content: `hi ${tag}` },
          { role: 'assistant', content: text },
          { role: 'user', content: 'go on' },
        ],
      };
    case 'tool':
      return {
        messages: [
          { role: 'user', content: `look up ${tag}` },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: text }] },
        ],
      };
    case 'arguments':
      return {
        messages: [
          { role: 'user', content: `file it ${tag}` },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'file', input: { note: text } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done' }] },
        ],
      };
    case 'image':
      return {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: `describe ${tag}` },
              {
                type: 'image',
                source: {
                  type: 'url',
                  url: `https://scans.example/view?ref=${encodeURIComponent(plain ? 'twelve' : value)}&t=${tag}`,
                },
              },
            ],
          },
        ],
      };
    case 'split':
      return {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: `record ${tag}: ${plain ? 'number' : value.slice(0, half)}` },
              { type: 'text', text: `${plain ? ' twelve' : value.slice(half)} end` },
            ],
          },
        ],
      };
    default:
      return { messages: [{ role: 'user', content: text }] };
  }
}
