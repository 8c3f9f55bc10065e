// The dependency report: who can serve what, single points of failure, what is lost when one
// operator or jurisdiction disappears, and the traffic shares, from the ledger.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';

describe('dependency report', () => {
  let own: Double;
  let cloud: Double;
  let gateway: TestGateway;

  before(async () => {
    own = await startOpenAIDouble();
    cloud = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        {
          ...providerEntry('own', own.url, { jurisdiction: 'SA', operator: 'Hospital IT', ownership: 'owned' }),
          cost_per_million_tokens: { input: 0, output: 0 },
        },
        {
          ...providerEntry('cloud', cloud.url, { jurisdiction: 'US', operator: 'BigCloud', ownership: 'rented' }),
          cost_per_million_tokens: { input: 1000, output: 2000 },
        },
      ],
      models: { default: { candidates: ['own/m1', 'cloud/m1'] }, 'cloud-only': { candidates: ['cloud/m1'] } },
      policy: {
        name: 'p',
        rules: [
          { when: { labels_any: ['pii'] }, allow: { ownership: ['owned'] } },
          { when: {}, allow: {} },
        ],
      },
    });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    for (let count = 0; count < 3; count += 1)
      await openai.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] });
    await openai.chat.completions.create({ model: 'cloud-only', messages: [{ role: 'user', content: 'hi' }] });
  });
  after(async () => {
    await gateway.close();
    await own.close();
    await cloud.close();
  });

  const get = (query: string) =>
    fetch(`${gateway.url}/v1/reports/dependencies?${query}`, { headers: { authorization: `Bearer ${gateway.key}` } });

  it('lists providers per alias and label class, with single points of failure', async () => {
    const report = (await (await get('since=1h')).json()) as any;
    const byAlias = Object.fromEntries(
      report.aliases.map((alias: any) => [
        alias.alias,
        Object.fromEntries(alias.classes.map((entry: any) => [entry.labels, entry])),
      ]),
    );
    assert.deepEqual(byAlias.default['(no labels)'].providers, ['own', 'cloud']);
    assert.equal(byAlias.default['(no labels)'].single_point_of_failure, null);
    assert.deepEqual(byAlias.default.pii.providers, ['own']);
    assert.equal(byAlias.default.pii.single_point_of_failure, 'single operator: Hospital IT');
    assert.equal(byAlias['cloud-only'].pii.single_point_of_failure, 'no provider');
  });

  it('says which aliases would have no provider if one operator or jurisdiction disappeared', async () => {
    const report = (await (await get('since=1h')).json()) as any;
    const loss = (kind: string, value: string) =>
      report.if_lost.find((entry: any) => entry.kind === kind && entry.value === value).aliases_left_without_provider;
    assert.deepEqual(loss('operator', 'BigCloud'), ['cloud-only']);
    assert.deepEqual(loss('operator', 'Hospital IT'), ['default [pii]']);
    assert.deepEqual(loss('jurisdiction', 'US'), ['cloud-only']);
  });

  it('shares traffic, tokens and cost by ownership and jurisdiction, from the ledger', async () => {
    const report = (await (await get('since=1h')).json()) as any;
    assert.equal(report.traffic.requests, 4);
    const owned = report.traffic.by_ownership.find((share: any) => share.key === 'owned');
    const rented = report.traffic.by_ownership.find((share: any) => share.key === 'rented');
    assert.equal(owned.requests, 3);
    assert.equal(rented.requests, 1);
    assert.equal(owned.requests_share, 0.75);
    assert.equal(rented.cost_share, 1);
    assert.ok(rented.cost > 0);
    assert.deepEqual(report.traffic.by_jurisdiction.map((share: any) => share.key).sort(), ['SA', 'US']);
    const later = (await (
      await get(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
    ).json()) as any;
    assert.equal(later.traffic.requests, 0);
  });

  it('renders text and an offline HTML page with charts', async () => {
    const text = await (await get('format=text')).text();
    assert.match(text, /operator BigCloud: no provider left for cloud-only/);
    const html = await (await get('format=html')).text();
    assert.match(html, /<svg/);
    assert.ok(!/(src|href)=/.test(html), 'no external assets');
    assert.equal((await get('format=pdf')).status, 400);
    assert.equal((await get('since=yesterday')).status, 400);
  });
});
