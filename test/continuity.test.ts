// Live provider health and the cut switch: cuts take effect at once, are ledger entries, never
// unlock a provider the policy forbids, and lift; health comes from traffic and probes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { decodeEntry } from '../src/ledger/entry.js';
import { createApiKey } from '../src/pipeline/auth.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, temporaryDirectory, type TestGateway } from './helpers.js';
import { run, startBin } from './support/bin.js';
import { ManualClock, until } from './support/manual-clock.js';

describe('cut switch and live health', () => {
  let riyadh: Double;
  let paris: Double;
  let virginia: Double;
  let gateway: TestGateway;
  let openai: OpenAI;
  // Cut expiry and breaker cool-downs are read on this clock, which moves only when a test says so.
  const clock = new ManualClock();
  const admin = (gateway: TestGateway) => ({ authorization: `Bearer ${gateway.key}` });

  before(async () => {
    riyadh = await startOpenAIDouble();
    paris = await startOpenAIDouble();
    virginia = await startOpenAIDouble();
    gateway = await startTestGateway(
      {
        providers: [
          providerEntry('riyadh', riyadh.url, { jurisdiction: 'SA', operator: 'Sovereign Cloud', ownership: 'owned' }),
          providerEntry('paris', paris.url, { jurisdiction: 'FR', operator: 'EuroCloud', ownership: 'contracted' }),
          providerEntry('virginia', virginia.url, { jurisdiction: 'US', operator: 'BigCloud', ownership: 'rented' }),
        ],
        models: { default: { candidates: ['riyadh/m1', 'paris/m1', 'virginia/m1'] } },
        routing: { retries: 0, breaker: { failures: 2, cooldown_ms: 60_000 } },
        policy: {
          name: 'p',
          rules: [
            { when: { labels_any: ['pii'] }, allow: { jurisdiction: ['SA', 'FR'] } },
            { when: {}, allow: {} },
          ],
        },
      },
      { clock },
    );
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    for (const double of [riyadh, paris, virginia]) await double.close();
  });

  const ask = (content = 'hello') =>
    openai.chat.completions.create({ model: 'default', messages: [{ role: 'user', content }] });
  const counts = () => [riyadh.received.length, paris.received.length, virginia.received.length];

  it('cutting a provider skips it at once; the cut is a ledger entry', async () => {
    await ask();
    assert.deepEqual(counts(), [1, 0, 0]);
    const response = await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'riyadh' }, admin(gateway));
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json.providers_cut, ['riyadh']);
    await ask();
    assert.deepEqual(counts(), [1, 1, 0], 'the very next request goes to the next candidate');
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${response.json.ledger_index}`, { headers: admin(gateway) })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(receipt.leaf, 'base64'));
    assert.equal(entry.kind, 'cut');
    assert.deepEqual(entry.cut, { target: 'provider', value: 'riyadh', until: null });
  });

  it('cutting a whole jurisdiction or operator never unlocks a provider the policy forbids', async () => {
    assert.equal((await postJson(`${gateway.url}/v1/admin/cut`, { jurisdiction: 'FR' }, admin(gateway))).status, 200);
    const sensitive = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'mail me at x@y.fr' }] },
      admin(gateway),
    );
    assert.equal(sensitive.status, 403);
    assert.equal(sensitive.json.error.code, 'no_allowed_provider');
    assert.match(sensitive.json.error.message, /every allowed candidate is cut/);
    const plain = await ask();
    assert.equal(plain.choices[0]?.message.content, 'echo: hello');
    assert.deepEqual(
      counts(),
      [1, 1, 1],
      'plain traffic goes on through the remaining provider; nothing sensitive reached it',
    );
    assert.ok(!virginia.received.some((received) => received.raw.includes('x@y.fr')));
  });

  it('shows each provider’s state, latency, error rate and traffic share', async () => {
    const body = (await (await fetch(`${gateway.url}/v1/providers`, { headers: admin(gateway) })).json()) as {
      providers: any[];
    };
    const byId = Object.fromEntries(body.providers.map((status) => [status.id, status]));
    assert.equal(byId.riyadh.state, 'cut');
    assert.equal(byId.riyadh.cut, 'provider riyadh');
    assert.equal(byId.paris.state, 'cut');
    assert.equal(byId.virginia.state, 'healthy');
    assert.equal(byId.virginia.jurisdiction, 'US');
    // One request, timed on the gateway's clock (which stood still during it): a number, not null.
    assert.equal(byId.virginia.latency_ms.p50, 0);
    assert.equal(byId.virginia.latency_ms.p99, 0);
    assert.equal(byId.riyadh.latency_ms.p50, 0);
    assert.equal(byId.virginia.requests_last_hour, 1);
    const shares = body.providers.reduce((sum, status) => sum + status.traffic_share_last_hour, 0);
    assert.ok(Math.abs(shares - 1) < 0.01);
  });

  it('uncut restores routing at once; the uncut is a ledger entry too', async () => {
    for (const target of [{ provider: 'riyadh' }, { jurisdiction: 'FR' }]) {
      const response = await postJson(`${gateway.url}/v1/admin/uncut`, target, admin(gateway));
      assert.equal(response.status, 200);
      assert.equal(response.json.lifted, 1);
    }
    await ask();
    assert.deepEqual(counts(), [2, 1, 1]);
  });

  it('a cut with until ends by itself', async () => {
    assert.equal(
      (
        await postJson(
          `${gateway.url}/v1/admin/cut`,
          { operator: 'Sovereign Cloud', until: clock.now() + 300 },
          admin(gateway),
        )
      ).status,
      200,
    );
    await ask();
    assert.deepEqual(counts(), [2, 2, 1]);
    await clock.advance(299);
    await ask();
    assert.deepEqual(counts(), [2, 3, 1], 'still cut 1 ms before its end');
    await clock.advance(1);
    await ask();
    assert.deepEqual(counts(), [3, 3, 1]);
  });

  it('reports failures from traffic and probes: degraded, open circuit, last error', async () => {
    riyadh.setDefault({ kind: 'status', status: 503 });
    await ask();
    await ask();
    await gateway.app.gateway.probeAll(1_000);
    const body = (await (await fetch(`${gateway.url}/v1/providers`, { headers: admin(gateway) })).json()) as {
      providers: any[];
    };
    const status = body.providers.find((entry) => entry.id === 'riyadh');
    assert.equal(status.state, 'open_circuit');
    assert.ok(status.error_rate > 0);
    assert.match(status.last_error.message, /503/);
    riyadh.setDefault({ kind: 'ok' });

    // Breaker and cut together: a cut shows over an open circuit; lifting the cut leaves the circuit open.
    const stateOf = async (): Promise<string> =>
      (
        (await (await fetch(`${gateway.url}/v1/providers`, { headers: admin(gateway) })).json()) as { providers: any[] }
      ).providers.find((entry) => entry.id === 'riyadh').state;
    await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'riyadh' }, admin(gateway));
    assert.equal(await stateOf(), 'cut');
    await postJson(`${gateway.url}/v1/admin/uncut`, { provider: 'riyadh' }, admin(gateway));
    assert.equal(await stateOf(), 'open_circuit');
    const before = riyadh.received.filter((received) => received.method === 'POST').length;
    await ask();
    assert.equal(
      riyadh.received.filter((received) => received.method === 'POST').length,
      before,
      'an open circuit still keeps traffic away after the cut is lifted',
    );
  });

  it('needs the admin scope, and refuses malformed cuts', async () => {
    const { key } = await createApiKey(gateway.store, { name: 'plain', scopes: [], rpm: null, now: Date.now() });
    await gateway.app.keys.refresh();
    assert.equal(
      (await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'paris' }, { authorization: `Bearer ${key}` })).status,
      403,
    );
    assert.equal(
      (await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'paris', operator: 'x' }, admin(gateway))).status,
      400,
    );
    assert.equal((await postJson(`${gateway.url}/v1/admin/cut`, { jurisdiction: 'usa' }, admin(gateway))).status, 400);
    assert.equal(
      (await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'paris', until: clock.now() - 1 }, admin(gateway)))
        .status,
      400,
    );
  });
});

describe('sovereign cut / uncut', () => {
  it('cut and restore through the running gateway', async () => {
    const upstream = await startOpenAIDouble();
    const directory = temporaryDirectory();
    const config = join(directory, 'sovereign.yaml');
    writeFileSync(
      config,
      `data_dir: ${join(directory, 'data')}\nlog: { level: warn }\nproviders:\n  - { id: only, kind: openai-compatible, base_url: "${upstream.url}", jurisdiction: US, operator: X, ownership: rented, models: [m1] }\nmodels:\n  default: { candidates: [only/m1] }\n`,
    );
    const key = run(['keys', 'create', '--name', 'ops', '--admin', '--config', config], directory)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    const gateway = await startBin(['--config', config], directory);
    try {
      const cut = run(['cut', '--jurisdiction', 'US', '--for', '10m', '--url', gateway.url, '--key', key], directory);
      assert.equal(cut.status, 0, cut.stderr);
      assert.match(cut.stdout, /"cut":"jurisdiction US until /);
      const refused = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'default', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      assert.equal(refused.status, 503);
      const uncut = run(['uncut', '--jurisdiction', 'US', '--url', gateway.url], directory, { SOVEREIGN_KEY: key });
      assert.equal(uncut.status, 0, uncut.stderr);
      const served = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'default', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      assert.equal(served.status, 200);
      assert.equal(run(['cut', '--url', gateway.url, '--key', key], directory).status, 2);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await upstream.close();
    }
  });
});

describe('a broken stream goes on', () => {
  let first: Double;
  let second: Double;
  let foreign: Double;
  let gateway: TestGateway;

  before(async () => {
    first = await startOpenAIDouble();
    second = await startOpenAIDouble();
    foreign = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [
        providerEntry('first', first.url, { ownership: 'owned' }),
        providerEntry('second', second.url, { ownership: 'owned' }),
        providerEntry('foreign', foreign.url, { ownership: 'rented', jurisdiction: 'US' }),
      ],
      models: { default: { candidates: ['first/m1', 'second/m1'] }, mixed: { candidates: ['first/m1', 'foreign/m1'] } },
      routing: { retries: 0 },
      policy: {
        name: 'p',
        rules: [
          { when: { labels_any: ['pii'] }, allow: { ownership: ['owned'] } },
          { when: {}, allow: {} },
        ],
      },
    });
  });
  after(async () => {
    await gateway.close();
    for (const double of [first, second, foreign]) await double.close();
  });

  it('continues the same answer on the next candidate when the upstream breaks mid-stream; the ledger names both', async () => {
    first.script({ kind: 'stream-cut', afterChunks: 3 });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const response = await openai.chat.completions
      .create({
        model: 'default',
        stream: true,
        messages: [{ role: 'user', content: 'a long answer that breaks in the middle' }],
      })
      .withResponse();
    let text = '';
    for await (const chunk of response.data) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'echo: a long answer that breaks in the middle', 'the client sees one answer');
    const continued = second.received.at(-1)!.body.messages;
    assert.deepEqual(
      continued.at(-1),
      { role: 'assistant', content: 'echo: a long' },
      'the next provider got the part already delivered as an assistant prefix',
    );
    await gateway.app.ledger.signCheckpoint();
    const openIndex = response.response.headers.get('x-sovereign-receipt');
    const receipt = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${openIndex}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { close_index: number };
    const close = (await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${receipt.close_index}`, {
        headers: { authorization: `Bearer ${gateway.key}` },
      })
    ).json()) as { leaf: string };
    const entry = decodeEntry(Buffer.from(close.leaf, 'base64'));
    assert.equal(entry.outcome, 'ok');
    assert.deepEqual(entry.attempts, [
      { provider: 'first', outcome: 'ok' },
      { provider: 'first', outcome: 'broken_connect' },
      { provider: 'second', outcome: 'ok' },
    ]);
  });

  it('continues for Anthropic clients too', async () => {
    first.script({ kind: 'stream-cut', afterChunks: 2 });
    const anthropic = (await import('@anthropic-ai/sdk')).default;
    const client = new anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
    const final = await client.messages
      .stream({ model: 'default', max_tokens: 64, messages: [{ role: 'user', content: 'another broken answer' }] })
      .finalMessage();
    assert.deepEqual(final.content, [{ type: 'text', text: 'echo: another broken answer' }]);
  });

  it('never continues on a provider the policy forbids: the stream ends with an error event', async () => {
    first.script({ kind: 'stream-cut', afterChunks: 2 });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'mixed',
      stream: true,
      messages: [{ role: 'user', content: 'write to a.b@example.com please, at length' }],
    });
    await assert.rejects(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
      /mid-stream/,
    );
    assert.equal(foreign.received.length, 0);
  });
});

describe('hedging', () => {
  let slow: Double;
  let fast: Double;
  let gateway: TestGateway;

  before(async () => {
    slow = await startOpenAIDouble();
    fast = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('slow', slow.url), providerEntry('fast', fast.url)],
      models: {
        hedged: { candidates: ['slow/m1', 'fast/m1'], hedge_after_ms: 50 },
        plain: { candidates: ['slow/m1', 'fast/m1'] },
      },
      routing: { retries: 0, breaker: { failures: 2, cooldown_ms: 60_000 } },
    });
  });
  after(async () => {
    await gateway.close();
    await slow.close();
    await fast.close();
  });

  it('starts the next candidate when the first is slow, takes the first answer, records both, and does not blame the slow one', async () => {
    slow.setDefault({ kind: 'slow', delayMs: 600 });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    for (let round = 0; round < 3; round += 1) {
      const response = await openai.chat.completions
        .create({ model: 'hedged', messages: [{ role: 'user', content: 'race' }] })
        .withResponse();
      assert.equal(response.response.headers.get('x-sovereign-provider'), 'fast', 'answered by the fast one');
      const index = response.response.headers.get('x-sovereign-receipt');
      const receipt = (await (
        await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, {
          headers: { authorization: `Bearer ${gateway.key}` },
        })
      ).json()) as { leaf: string };
      assert.deepEqual(decodeEntry(Buffer.from(receipt.leaf, 'base64')).attempts, [
        { provider: 'fast', outcome: 'ok' },
        { provider: 'slow', outcome: 'hedged_out' },
      ]);
    }
    let text = '';
    for await (const chunk of await openai.chat.completions.create({
      model: 'hedged',
      stream: true,
      messages: [{ role: 'user', content: 'stream race' }],
    }))
      text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'echo: stream race');
    const status = (
      (await (
        await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${gateway.key}` } })
      ).json()) as { providers: any[] }
    ).providers.find((entry) => entry.id === 'slow');
    assert.equal(status.circuit, 'closed', 'a hedged-out attempt is not a failure of its provider');
    slow.setDefault({ kind: 'ok' });
  });

  it('is off by default: without hedge_after_ms the first candidate is awaited', async () => {
    slow.setDefault({ kind: 'slow', delayMs: 300 });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const response = await openai.chat.completions
      .create({ model: 'plain', messages: [{ role: 'user', content: 'wait' }] })
      .withResponse();
    assert.equal(response.response.headers.get('x-sovereign-provider'), 'slow');
    slow.setDefault({ kind: 'ok' });
  });
});

describe('background probes', () => {
  it('probe every provider on a jittered interval, and back off from one that keeps failing', async () => {
    const healthy = await startOpenAIDouble();
    const broken = await startOpenAIDouble();
    broken.setDefault({ kind: 'status', status: 503 });
    const clock = new ManualClock();
    const gateway = await startTestGateway(
      {
        providers: [providerEntry('healthy', healthy.url), providerEntry('broken', broken.url)],
        models: { default: { candidates: ['healthy/m1'] } },
        health: { probe_interval_ms: 40, probe_timeout_ms: 500 },
      },
      { clock },
    );
    try {
      const probes = (double: Double) => double.received.filter((received) => received.method === 'GET').length;
      // 1.5 s of gateway time, in 10 ms steps, each step waiting for the probes it started to be recorded
      // (the probe loop then sleeps again at once, on the same turn).
      for (let step = 0; step < 150; step += 1) {
        await clock.advance(10);
        await until(() => gateway.app.gateway.probesInFlight === 0, 'the probes of this step to finish');
      }
      // Healthy: every 32–48 ms (up to 10 ms later on this step grid), so 25 to 47 probes. Broken: 40, 80, 160 and
      // 320 ms apart (±20%), then every 320 ms, so 5 to 8; without the back-off it would be probed as often as the
      // healthy one.
      assert.ok(probes(healthy) >= 25 && probes(healthy) <= 47, `healthy probed ${probes(healthy)} times`);
      assert.ok(
        probes(broken) >= 5 && probes(broken) <= 8,
        `broken probed ${probes(broken)} times: the failing one backs off`,
      );
      const status = (
        (await (
          await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${gateway.key}` } })
        ).json()) as { providers: any[] }
      ).providers;
      assert.equal(status.find((entry) => entry.id === 'broken').state, 'degraded');
      assert.match(status.find((entry) => entry.id === 'broken').last_error.message, /503/);
      assert.equal(status.find((entry) => entry.id === 'healthy').state, 'healthy');
    } finally {
      await gateway.close();
      await healthy.close();
      await broken.close();
    }
  });
});
