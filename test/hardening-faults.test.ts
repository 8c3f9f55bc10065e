// Fault injection on the upstream side (issue 16): connections reset before the headers and in the
// middle of an answer or a stream, streams cut without their terminator, invalid UTF-8, an answer
// in one huge chunk, a storm of 429s, a host that does not resolve. Each call must end in the API's
// own error format with the right status (never a 500), leave exactly its ledger entries, and leave
// the gateway serving. The counts are printed at the end of the run. Real HTTP servers on
// 127.0.0.1; no wait here depends on a timer (every fault is immediate).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chunkEvent, type ScriptedUpstream, startScriptedUpstream } from './doubles/scripted-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { entriesOf } from './support/entry-record.js';
import { eventually } from './support/manual-clock.js';

interface FaultCount {
  cases: number;
  ownFormat: number;
  entries: number;
  status500: number;
}
const counts = new Map<string, FaultCount>();
after(() => {
  const rows = [...counts].map(
    ([fault, count]) =>
      `  ${fault.padEnd(40)} calls ${String(count.cases).padStart(3)}  own error format ${String(count.ownFormat).padStart(3)}  ledger entries ${String(count.entries).padStart(3)}  500s ${count.status500}`,
  );
  const total = [...counts.values()].reduce((sum, count) => sum + count.cases, 0);
  const failures = [...counts.values()].reduce((sum, count) => sum + count.status500, 0);
  console.log(`faults (upstream side): ${total} calls, ${failures} answered 500\n${rows.join('\n')}`);
});
function counted(fault: string): FaultCount {
  let count = counts.get(fault);
  if (!count) counts.set(fault, (count = { cases: 0, ownFormat: 0, entries: 0, status500: 0 }));
  return count;
}

const chatBody = (stream = false): string =>
  JSON.stringify({ model: 'default', stream, messages: [{ role: 'user', content: 'hello' }] });

function post(gateway: TestGateway, body: string, requestId: string): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body,
  });
}

/**
 * A non-streamed call that ends in an error: its status is `status`, its body the OpenAI error shape with `code`, and
 * its one ledger entry says so; the gateway still answers /healthz.
 */
async function refusedCall(
  fault: string,
  gateway: TestGateway,
  answer: Promise<Response>,
  requestId: string,
  expected: { status: number; code: string },
): Promise<void> {
  const count = counted(fault);
  count.cases += 1;
  const response = await answer;
  const text = await response.text();
  if (response.status === 500) count.status500 += 1;
  assert.equal(response.status, expected.status, text);
  const body = JSON.parse(text) as { error?: { code?: string; message?: string; type?: string } };
  assert.equal(body.error?.code, expected.code);
  assert.equal(typeof body.error?.message, 'string');
  count.ownFormat += 1;
  const entries = await eventually(
    () => entriesOf(gateway, requestId),
    (found) => found.length >= 1,
    `the ledger entry of ${requestId}`,
  );
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.error_code, expected.code);
  count.entries += 1;
  assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
}

interface Rig {
  upstream: ScriptedUpstream;
  gateway: TestGateway;
}

function scriptedGateway(provider: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Rig {
  const rig = {} as Rig;
  before(async () => {
    rig.upstream = await startScriptedUpstream();
    rig.gateway = await startTestGateway({
      providers: [providerEntry('scripted', rig.upstream.url, provider)],
      models: { default: { candidates: ['scripted/m1'] } },
      routing: { retries: 0 },
      ...extra,
    });
  });
  after(async () => {
    await rig.gateway.close();
    await rig.upstream.close();
  });
  return rig;
}

/** Reads a stream to its end; the events' data, and whether the text ended with [DONE]. */
async function streamText(response: Response): Promise<{ events: string[]; done: boolean }> {
  const text = await response.text();
  const events = text
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice(6));
  return { events, done: events.at(-1) === '[DONE]' };
}

describe('an upstream connection reset', () => {
  const rig = scriptedGateway();

  it('before its headers: 502 upstream_error in the API’s format, one ledger entry', async () => {
    const answer = post(rig.gateway, chatBody(), 'reset-headers');
    (await rig.upstream.next()).reset();
    await refusedCall('reset before the headers', rig.gateway, answer, 'reset-headers', {
      status: 502,
      code: 'upstream_error',
    });
  });

  it('after its headers, in the middle of the JSON body: the same, no half answer relayed', async () => {
    const answer = post(rig.gateway, chatBody(), 'reset-body');
    const exchange = await rig.upstream.next();
    exchange.head(200);
    await exchange.write('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":');
    exchange.reset();
    await refusedCall('reset in the middle of a JSON body', rig.gateway, answer, 'reset-body', {
      status: 502,
      code: 'upstream_error',
    });
  });

  it('in the middle of a stream: the client’s stream ends with an error event, and its closing entry says error', async () => {
    const count = counted('reset in the middle of a stream');
    count.cases += 1;
    const answer = post(rig.gateway, chatBody(true), 'reset-stream');
    const exchange = await rig.upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    await exchange.write(chunkEvent('first'));
    const response = await answer;
    assert.equal(response.status, 200);
    await exchange.write(chunkEvent('second'));
    exchange.reset();
    const { events, done } = await streamText(response);
    assert.equal(done, false, 'a cut stream is not ended as if it were whole');
    const last = JSON.parse(events.at(-1)!) as { error?: { code?: string } };
    assert.equal(last.error?.code, 'upstream_error');
    count.ownFormat += 1;
    const entries = await eventually(
      () => entriesOf(rig.gateway, 'reset-stream'),
      (found) => found.length >= 2,
      'the opening and closing entries',
    );
    assert.deepEqual(
      entries.map((entry) => entry.kind),
      ['stream_open', 'stream_close'],
    );
    assert.equal(entries[1]!.outcome, 'error');
    count.entries += 1;
  });
});

describe('an upstream stream that stops without its terminator', () => {
  const rig = scriptedGateway();

  it('half an event, then the end of the body: the stream ends with an error event, not [DONE]', async () => {
    const count = counted('stream ended inside an event');
    count.cases += 1;
    const answer = post(rig.gateway, chatBody(true), 'unterminated');
    const exchange = await rig.upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    await exchange.write(chunkEvent('first'));
    const response = await answer;
    await exchange.write('data: {"id":"chatcmpl-scripted","choices":[{"delta":{"content":"sec');
    exchange.end();
    const { events, done } = await streamText(response);
    assert.equal(done, false);
    const last = JSON.parse(events.at(-1)!) as { error?: { code?: string } };
    assert.ok(last.error?.code, `the last event is an error: ${events.at(-1)}`);
    count.ownFormat += 1;
    const entries = await eventually(
      () => entriesOf(rig.gateway, 'unterminated'),
      (found) => found.length >= 2,
      'the opening and closing entries',
    );
    assert.notEqual(entries[1]!.outcome, 'ok');
    count.entries += 1;
  });
});

describe('invalid UTF-8 from an upstream', () => {
  const rig = scriptedGateway();
  const invalid = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]);

  it('inside a JSON answer: relayed as valid JSON, each invalid sequence read as U+FFFD, one entry', async () => {
    const count = counted('invalid UTF-8 in a JSON answer');
    count.cases += 1;
    const answer = post(rig.gateway, chatBody(), 'utf8-json');
    const exchange = await rig.upstream.next();
    exchange.head(200);
    const message = (content: Buffer): Buffer =>
      Buffer.concat([
        Buffer.from(
          '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"a',
        ),
        content,
        Buffer.from('b"},"finish_reason":"stop"}]}'),
      ]);
    exchange.end(message(invalid));
    const response = await answer;
    assert.equal(response.status, 200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    const content = body.choices[0]!.message.content;
    assert.ok(content.startsWith('a') && content.endsWith('b'));
    assert.ok(content.includes('\uFFFD'), 'the invalid bytes are replacement characters, not dropped silently');
    assert.equal(Buffer.from(content).toString('utf8'), content, 'what the client got is valid UTF-8');
    count.ownFormat += 1;
    const entries = await eventually(
      () => entriesOf(rig.gateway, 'utf8-json'),
      (found) => found.length >= 1,
      'the entry',
    );
    assert.equal(entries[0]!.outcome, 'ok');
    count.entries += 1;
  });

  it('inside a stream event: the stream goes on and ends whole', async () => {
    const count = counted('invalid UTF-8 in a stream event');
    count.cases += 1;
    const answer = post(rig.gateway, chatBody(true), 'utf8-stream');
    const exchange = await rig.upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    const event = chunkEvent('xy');
    const cut = event.indexOf('xy') + 1;
    await exchange.write(Buffer.concat([Buffer.from(event.slice(0, cut)), invalid, Buffer.from(event.slice(cut))]));
    await exchange.write(chunkEvent('after'));
    exchange.end('data: [DONE]\n\n');
    const response = await answer;
    const { events, done } = await streamText(response);
    assert.equal(done, true);
    const contents = events
      .slice(0, -1)
      .map(
        (data) => (JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content,
      );
    assert.ok(contents.includes('after'));
    assert.ok(contents.some((content) => content?.includes('\uFFFD')));
    count.ownFormat += 1;
    const entries = await eventually(
      () => entriesOf(rig.gateway, 'utf8-stream'),
      (found) => found.length >= 2,
      'the stream’s entries',
    );
    assert.equal(entries[1]!.outcome, 'ok');
    count.entries += 1;
  });
});

describe('an answer written in one huge chunk', () => {
  const rig = scriptedGateway();

  it('8 MiB in one write (under the 16 MiB bound): relayed whole, byte for byte in its content', async () => {
    const count = counted('8 MiB answer in one chunk');
    count.cases += 1;
    const answer = post(rig.gateway, chatBody(), 'huge-chunk');
    const exchange = await rig.upstream.next();
    const content = 'x'.repeat(8 << 20);
    const body = JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm1',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    });
    exchange.head(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    exchange.end(body);
    const response = await answer;
    assert.equal(response.status, 200);
    const received = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(received.choices[0]!.message.content.length, content.length);
    count.ownFormat += 1;
    await eventually(
      () => entriesOf(rig.gateway, 'huge-chunk'),
      (found) => found.length === 1,
      'the entry',
    );
    count.entries += 1;
  });
});

describe('a storm of 429s', () => {
  const rig = scriptedGateway({}, { routing: { retries: 0 } });

  it('40 concurrent calls refused 429 upstream: 429 upstream_rate_limited until the breaker opens, then 503 no_provider_available, each in the API’s format, 40 entries', async () => {
    const count = counted('429 storm, 40 concurrent calls');
    const calls = Array.from({ length: 40 }, (_, index) => post(rig.gateway, chatBody(), `storm-${index}`));
    // Every request that reaches the upstream is refused; the breaker may keep the later ones from reaching it.
    let settled = false;
    void Promise.allSettled(calls).then(() => (settled = true));
    let reached = 0;
    while (!settled) {
      const exchange = await Promise.race([rig.upstream.next(), Promise.allSettled(calls).then(() => undefined)]);
      if (!exchange) break;
      reached += 1;
      exchange.head(429, { 'content-type': 'application/json', 'retry-after': '1' });
      exchange.end(JSON.stringify({ error: { message: 'slow down, key sk-proj-upstreamsecret', type: 'rate_limit' } }));
    }
    const answers = await Promise.all(calls);
    const codes = new Map<string, number>();
    for (const response of answers) {
      count.cases += 1;
      const text = await response.text();
      // The breaker's cool-down (30 s by default) is what a client refused while it is open should wait.
      if (response.status === 503) {
        const wait = Number(response.headers.get('retry-after'));
        assert.ok(wait > 1 && wait <= 30, `Retry-After ${wait} is the rest of the breaker's cool-down`);
      }
      if (response.status === 500) count.status500 += 1;
      assert.ok(!text.includes('upstreamsecret'), 'the upstream’s words are not passed on');
      const code = (JSON.parse(text) as { error: { code: string } }).error.code;
      codes.set(`${response.status} ${code}`, (codes.get(`${response.status} ${code}`) ?? 0) + 1);
      count.ownFormat += 1;
    }
    console.log(`429 storm: ${reached} of 40 calls reached the upstream; answers ${JSON.stringify([...codes])}`);
    assert.ok(reached >= 1 && (codes.get('429 upstream_rate_limited') ?? 0) === reached, 'each refused call says so');
    for (const answer of codes.keys())
      assert.ok(['429 upstream_rate_limited', '503 no_provider_available'].includes(answer), answer);
    const entries = await eventually(
      async () => (await Promise.all(calls.map((_, index) => entriesOf(rig.gateway, `storm-${index}`)))).flat(),
      (found) => found.length >= 40,
      'an entry for each call',
    );
    assert.equal(entries.length, 40);
    count.entries += entries.length;
    assert.equal((await fetch(`${rig.gateway.url}/healthz`)).status, 200);
  });
});

describe('a provider host that does not resolve', () => {
  const rig = {} as { gateway: TestGateway };
  before(async () => {
    rig.gateway = await startTestGateway({
      // RFC 6761: names under .invalid never resolve.
      providers: [providerEntry('nowhere', 'http://upstream.sovereign.invalid:9/v1', { timeout_ms: 10_000 })],
      models: { default: { candidates: ['nowhere/m1'] } },
      routing: { retries: 0 },
    });
  });
  after(() => rig.gateway.close());

  it('is 502 upstream_error naming the provider, not a 500, with one ledger entry', async () => {
    const answer = post(rig.gateway, chatBody(), 'dns');
    await refusedCall('DNS failure', rig.gateway, answer, 'dns', { status: 502, code: 'upstream_error' });
  });
});
