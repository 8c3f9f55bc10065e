// A provider's max_concurrent (issue 17): a call past it overflows to the next allowed candidate
// (counted, visible in GET /v1/providers), or waits at most routing.queue_timeout_ms for a slot and
// is then 429 provider_busy with Retry-After: never a silent wait in the connection pool's queue.
// Real servers on 127.0.0.1; the wait is on the gateway's ManualClock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chunkEvent, type ScriptedUpstream, startScriptedUpstream } from './doubles/scripted-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { entriesOf } from './support/entry-record.js';
import { ManualClock, settle, until } from './support/manual-clock.js';

const chat = (stream = false) => ({ model: 'default', stream, messages: [{ role: 'user', content: 'hello' }] });
const answer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm1',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

async function providers(gateway: TestGateway): Promise<Record<string, any>> {
  const response = await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${gateway.key}` } });
  const { providers: list } = (await response.json()) as { providers: Array<{ id: string }> };
  return Object.fromEntries(list.map((entry) => [entry.id, entry]));
}

/**
 * A gateway on a ManualClock with two scripted providers: `small` (max_concurrent 1) first, then `spare`, behind the
 * alias `default` (`alias` adds to its entry); filled in by `before`.
 */
function smallAndSpare(alias: Record<string, unknown>): {
  small: ScriptedUpstream;
  spare: ScriptedUpstream;
  gateway: TestGateway;
} {
  // A clock no test moves: the wait for a slot never ends by itself, so an overflow must be immediate.
  const clock = new ManualClock();
  const rig = {} as { small: ScriptedUpstream; spare: ScriptedUpstream; gateway: TestGateway };
  before(async () => {
    rig.small = await startScriptedUpstream();
    rig.spare = await startScriptedUpstream();
    rig.gateway = await startTestGateway(
      {
        providers: [
          providerEntry('small', rig.small.url, { max_concurrent: 1 }),
          providerEntry('spare', rig.spare.url),
        ],
        models: { default: { candidates: ['small/m1', 'spare/m1'], ...alias } },
        routing: { retries: 0 },
      },
      { clock },
    );
  });
  after(async () => {
    await rig.gateway.close();
    await rig.small.close();
    await rig.spare.close();
  });
  return rig;
}

describe('max_concurrent: a full provider overflows to the next allowed candidate', () => {
  const rig = smallAndSpare({});

  it('a stream holds the slot; the next call goes to the spare at once, and /v1/providers counts it', async () => {
    const { small, spare, gateway } = rig;
    const auth = { authorization: `Bearer ${gateway.key}` };
    const held = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(chat(true)),
    }).then((response) => response.text());
    const stream = await small.next();
    stream.head(200, { 'content-type': 'text/event-stream' });
    await stream.write(chunkEvent('first'));
    await until(() => stream.bytesWritten > 0, 'the stream to start');
    assert.equal((await providers(gateway)).small.in_flight, 1);

    const second = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth);
    const overflow = await spare.next();
    overflow.head(200);
    overflow.end(answer);
    const response = await second;
    assert.equal(response.status, 200, response.text);
    assert.equal(small.exchanges.length, 1, 'nothing more was sent to the full provider');
    const [entry] = await entriesOf(gateway, response.headers.get('x-request-id')!);
    assert.deepEqual(
      entry!.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`),
      ['small:busy', 'spare:ok'],
    );
    const shown = await providers(gateway);
    assert.equal(shown.small.max_concurrent, 1);
    assert.equal(shown.small.overflows, 1);
    assert.equal(shown.small.state, 'healthy', 'being full is not ill health');
    assert.equal(shown.small.circuit, 'closed');

    stream.end('data: [DONE]\n\n');
    await held;
    await until(() => gateway.app.metrics.inFlight === 0, 'the stream to end');
    assert.equal((await providers(gateway)).small.in_flight, 0, 'the slot is given back when the stream ends');
  });
});

describe('max_concurrent with nowhere to overflow: a bounded wait, then 429 provider_busy', () => {
  const clock = new ManualClock();
  let only: ScriptedUpstream;
  let gateway: TestGateway;
  before(async () => {
    only = await startScriptedUpstream();
    gateway = await startTestGateway(
      {
        providers: [providerEntry('only', only.url, { max_concurrent: 1 })],
        models: { default: { candidates: ['only/m1'] } },
        routing: { retries: 0, queue_timeout_ms: 1_000 },
      },
      { clock },
    );
  });
  after(async () => {
    await gateway.close();
    await only.close();
  });
  const auth = () => ({ authorization: `Bearer ${gateway.key}` });

  it('a call that finds no slot within routing.queue_timeout_ms is 429 provider_busy with Retry-After, recorded', async () => {
    const first = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    const holding = await only.next();
    const waiting = clock.waiting;
    const second = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    await until(() => clock.waiting > waiting, 'the second call to wait for a slot');
    await clock.advance(999);
    await settle();
    assert.equal(only.exchanges.length, 1, 'still waiting: nothing sent');
    await clock.advance(1);
    const refused = await second;
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.json.error.code, 'provider_busy');
    assert.equal(refused.json.error.type, 'rate_limit_error');
    assert.equal(refused.headers.get('retry-after'), '1');
    const [entry] = await entriesOf(gateway, refused.headers.get('x-request-id')!);
    assert.equal(entry!.status, 429);
    assert.equal(entry!.error_code, 'provider_busy');
    holding.head(200);
    holding.end(answer);
    assert.equal((await first).status, 200);
  });

  it('a call waiting for a slot takes it as soon as the call before it ends', async () => {
    const first = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    const holding = await only.next();
    const waiting = clock.waiting;
    const second = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    await until(() => clock.waiting > waiting, 'the second call to wait for a slot');
    holding.head(200);
    holding.end(answer);
    assert.equal((await first).status, 200);
    const next = await only.next();
    next.head(200);
    next.end(answer);
    const response = await second;
    assert.equal(response.status, 200, response.text);
    const [entry] = await entriesOf(gateway, response.headers.get('x-request-id')!);
    assert.deepEqual(
      entry!.attempts.map((attempt) => attempt.outcome),
      ['ok'],
      'the passes that found it busy are not recorded one by one',
    );
  });

  it('a slot is given back whatever ends the call: an upstream reset frees it for the next', async () => {
    const first = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    (await only.next()).reset();
    assert.equal((await first).status, 502);
    const second = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    const next = await only.next();
    next.head(200);
    next.end(answer);
    assert.equal((await second).status, 200);
    assert.equal((await providers(gateway)).only.in_flight, 0);
  });

  it('the Anthropic dialect answers the same refusal in its own format', async () => {
    const first = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth());
    const holding = await only.next();
    const waiting = clock.waiting;
    const second = postJson(
      `${gateway.url}/v1/messages`,
      { model: 'default', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] },
      { 'x-api-key': gateway.key, 'anthropic-version': '2023-06-01' },
    );
    await until(() => clock.waiting > waiting, 'the call to wait for a slot');
    await clock.advance(1_000);
    const refused = await second;
    assert.equal(refused.status, 429);
    assert.equal(refused.json.type, 'error');
    assert.equal(refused.json.error.type, 'rate_limit_error');
    assert.equal(refused.json.error.code, 'provider_busy');
    holding.head(200);
    holding.end(answer);
    await first;
  });
});

describe('limits.max_in_flight: past it a call is 429 overloaded at once', () => {
  let upstream: ScriptedUpstream;
  let gateway: TestGateway;
  before(async () => {
    upstream = await startScriptedUpstream();
    gateway = await startTestGateway({
      providers: [providerEntry('one', upstream.url)],
      models: { default: { candidates: ['one/m1'] } },
      routing: { retries: 0 },
      limits: { max_in_flight: 1 },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers the call past the limit at once, with Retry-After, recorded, and takes calls again once below it', async () => {
    const auth = { authorization: `Bearer ${gateway.key}` };
    const first = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth);
    const holding = await upstream.next();
    const refused = await postJson(`${gateway.url}/v1/chat/completions`, chat(), auth);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.json.error.code, 'overloaded');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(upstream.exchanges.length, 1, 'nothing was sent for it');
    const [entry] = await entriesOf(gateway, refused.headers.get('x-request-id')!);
    assert.equal(entry!.error_code, 'overloaded');
    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200, 'probes are not calls: they are answered');
    holding.head(200);
    holding.end(answer);
    assert.equal((await first).status, 200);
    await until(() => gateway.app.metrics.inFlight === 0, 'the first call to be done');
    const again = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth);
    const next = await upstream.next();
    next.head(200);
    next.end(answer);
    assert.equal((await again).status, 200);
  });
});

describe('max_concurrent on a hedged alias', () => {
  const rig = smallAndSpare({ hedge_after_ms: 5_000 });

  it('a full first candidate sends the call to the rest at once, not after the hedge delay or a queue wait', async () => {
    const { small, spare, gateway } = rig;
    const auth = { authorization: `Bearer ${gateway.key}` };
    const first = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth);
    const holding = await small.next();
    const second = postJson(`${gateway.url}/v1/chat/completions`, chat(), auth);
    const overflow = await spare.next();
    overflow.head(200);
    overflow.end(answer);
    assert.equal((await second).status, 200);
    assert.equal(small.exchanges.length, 1);
    holding.head(200);
    holding.end(answer);
    assert.equal((await first).status, 200);
  });
});
