// Background responses: answered at once as queued, run on by the gateway, read with GET, cancelled
// with POST …/cancel (the upstream call stopped, the response stored as cancelled whatever the turn
// does after), failures stored as failed, and every turn still a ledger entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { decodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { piiOwnedPolicy, postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { eventually } from './support/manual-clock.js';

describe('background responses', () => {
  let owned: Double;
  let rented: Double;
  let gateway: TestGateway;
  let client: OpenAI;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${gateway.key}` });

  before(async () => {
    owned = await startOpenAIDouble();
    rented = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('owned', owned.url), providerEntry('rented', rented.url, { ownership: 'rented' })],
      models: { ours: { candidates: ['owned/m1'] }, theirs: { candidates: ['rented/m1'] } },
      state: { max_background_per_key: 2 },
      policy: piiOwnedPolicy,
    });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await owned.close();
    await rented.close();
  });

  const entryFor = (responseId: string): Promise<EntryRecord | undefined> =>
    eventually(
      async () => {
        const size = await gateway.store.ledgerSize();
        const entries = await gateway.store.ledgerEntries(0, size);
        return entries.map((entry) => decodeEntry(entry.leaf)).find((entry) => entry.response_id === responseId);
      },
      (entry) => entry !== undefined,
      `a ledger entry for ${responseId}`,
    );

  it('answers at once as queued, runs on, and is read completed, with its input items and ledger entry', async () => {
    const queued = await client.responses.create({ model: 'ours', input: 'Bonjour', background: true });
    assert.equal(queued.background, true);
    assert.ok(queued.status === 'queued', `created ${queued.status}`);
    assert.deepEqual(queued.output, []);
    const done = await eventually(
      () => client.responses.retrieve(queued.id),
      (response) => response.status === 'completed',
      'completed',
    );
    assert.equal(done.output_text, 'echo: Bonjour');
    assert.equal(done.background, true);
    const items = await client.responses.inputItems.list(queued.id);
    assert.equal((items.data[0] as any).content[0].text, 'Bonjour');
    const entry = await entryFor(queued.id);
    assert.equal(entry?.kind, 'responses');
    assert.equal(entry?.outcome, 'ok');
    // A finished background response continues a chain like any other.
    const next = await client.responses.create({ model: 'ours', input: 'Encore', previous_response_id: queued.id });
    assert.equal(next.status, 'completed');
    assert.deepEqual(
      owned.received.at(-1)?.body.messages.map((message: any) => message.content),
      ['Bonjour', 'echo: Bonjour', 'Encore'],
    );
  });

  it('cancels a running response: the upstream call is stopped and it stays cancelled', async () => {
    owned.script({ kind: 'hang' });
    const before = owned.received.length;
    const queued = await client.responses.create({ model: 'ours', input: 'Take your time', background: true });
    await eventually(
      async () => owned.received.length,
      (count) => count > before,
      'the upstream is asked',
    );
    const running = await client.responses.retrieve(queued.id);
    assert.equal(running.status, 'in_progress');
    const cancelled = await client.responses.cancel(queued.id);
    assert.equal(cancelled.status, 'cancelled');
    // The turn ends (its upstream call aborted) and is recorded; it does not overwrite the cancellation.
    const entry = await entryFor(queued.id);
    assert.notEqual(entry?.outcome, 'ok');
    assert.equal((await client.responses.retrieve(queued.id)).status, 'cancelled');
    // Cancelling again returns it as it is.
    assert.equal((await client.responses.cancel(queued.id)).status, 'cancelled');
  });

  it('stores a turn the policy refuses as failed, with the error', async () => {
    const first = await client.responses.create({ model: 'ours', input: 'my mail is jane.doe@example.org' });
    const sent = rented.received.length;
    const queued = await client.responses.create({
      model: 'theirs',
      input: 'and now something harmless',
      previous_response_id: first.id,
      background: true,
    });
    const failed = await eventually(
      () => client.responses.retrieve(queued.id),
      (response) => response.status === 'failed',
      'failed',
    );
    assert.equal(failed.error?.code, 'no_allowed_provider');
    assert.equal(rented.received.length, sent, 'nothing reached the rented provider');
    assert.equal((await entryFor(queued.id))?.outcome, 'refused');
  });

  it('holds at most max_background_per_key running for one key (429), and frees the place when one ends', async () => {
    owned.script({ kind: 'hang' }, { kind: 'hang' });
    const one = await client.responses.create({ model: 'ours', input: 'first', background: true });
    const two = await client.responses.create({ model: 'ours', input: 'second', background: true });
    const refused = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'third', background: true },
      auth(),
    );
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'rate_limited');
    assert.ok(refused.headers.get('retry-after'));
    await client.responses.cancel(one.id);
    await client.responses.cancel(two.id);
    const freed = await eventually(
      () => postJson(`${gateway.url}/v1/responses`, { model: 'ours', input: 'fourth', background: true }, auth()),
      (reply) => reply.status === 200,
      'a place is free again',
    );
    assert.equal(freed.json.status, 'queued');
  });

  it('refuses what background cannot do, in the API error shape', async () => {
    const sync = await client.responses.create({ model: 'ours', input: 'now' });
    await assert.rejects(
      client.responses.cancel(sync.id),
      (error: any) => error.status === 400 && /synchronous/.test(error.message),
    );
    for (const body of [
      { model: 'ours', input: 'x', background: true, store: false },
      { model: 'ours', input: 'x', background: true, stream: true },
    ]) {
      const refused = await postJson(`${gateway.url}/v1/responses`, body, auth());
      assert.equal(refused.status, 400);
      assert.equal(refused.json.error.param, 'background');
    }
    const missing = await postJson(`${gateway.url}/v1/responses/resp_0000/cancel`, {}, auth());
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'response_not_found');
    const unknownChain = await postJson(
      `${gateway.url}/v1/responses`,
      { model: 'ours', input: 'x', background: true, previous_response_id: 'resp_nope' },
      auth(),
    );
    assert.equal(unknownChain.status, 400);
    assert.equal(unknownChain.json.error.code, 'previous_response_not_found');
  });
});
