// A cut stops calls already on their way too: an attempt planned before the cut (a retry waiting out
// an upstream's Retry-After) is not sent to the cut provider after it; the call goes on to the next
// allowed candidate. The wait is on the gateway's ManualClock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ScriptedUpstream, startScriptedUpstream } from './doubles/scripted-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { entriesOf } from './support/entry-record.js';
import { ManualClock, until } from './support/manual-clock.js';

describe('a cut made while a call waits to retry', () => {
  const clock = new ManualClock();
  let cut: ScriptedUpstream;
  let next: ScriptedUpstream;
  let gateway: TestGateway;
  before(async () => {
    cut = await startScriptedUpstream();
    next = await startScriptedUpstream();
    gateway = await startTestGateway(
      {
        providers: [providerEntry('soon-cut', cut.url), providerEntry('next', next.url)],
        models: { default: { candidates: ['soon-cut/m1', 'next/m1'] } },
        routing: { retries: 1, max_retry_wait_ms: 5_000 },
      },
      { clock },
    );
  });
  after(async () => {
    await gateway.close();
    await cut.close();
    await next.close();
  });

  it('sends the retry to no cut provider: the call goes to the next candidate', async () => {
    const auth = { authorization: `Bearer ${gateway.key}` };
    const call = postJson(
      `${gateway.url}/v1/chat/completions`,
      { model: 'default', messages: [{ role: 'user', content: 'hello' }] },
      auth,
    );
    const first = await cut.next();
    const waiting = clock.waiting;
    first.head(429, { 'content-type': 'application/json', 'retry-after': '2' });
    first.end('{"error":{"message":"slow down"}}');
    await until(() => clock.waiting > waiting, 'the call to wait before its retry');
    const made = await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'soon-cut' }, auth);
    assert.equal(made.status, 200, made.text);
    await clock.advance(2_000);
    const answer = await next.next();
    answer.head(200);
    answer.end(
      JSON.stringify({
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'm1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      }),
    );
    const response = await call;
    assert.equal(response.status, 200, response.text);
    assert.equal(cut.exchanges.length, 1, 'nothing was sent to the provider after its cut');
    const [entry] = await entriesOf(gateway, response.headers.get('x-request-id')!);
    assert.equal(entry!.provider, 'next');
  });
});
