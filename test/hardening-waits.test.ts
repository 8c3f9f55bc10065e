// Every wait the gateway makes has a bound it enforces, and every call that reached a provider gets
// its ledger entry with the true outcome, whatever ended it (issue 16). Time is the gateway's
// ManualClock: a bound is seen by moving it, never by sleeping; the upstream doubles drip on real
// timers on their side only, and every assertion waits for an event, not for an amount of time.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { EntryRecord } from '../src/ledger/entry.js';
import { createApiKey } from '../src/pipeline/auth.js';
import {
  chunkEvent,
  type HeldExchange,
  type ScriptedUpstream,
  startScriptedUpstream,
} from './doubles/scripted-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { entriesOf } from './support/entry-record.js';
import { eventually, ManualClock, settle, until } from './support/manual-clock.js';

const chatBody = (stream = false): string =>
  JSON.stringify({ model: 'default', stream, messages: [{ role: 'user', content: 'hello' }] });

async function entriesEventually(gateway: TestGateway, requestId: string, count: number): Promise<EntryRecord[]> {
  return eventually(
    () => entriesOf(gateway, requestId),
    (entries) => entries.length >= count,
    `${count} ledger entries of ${requestId}`,
  );
}

/** A call the test can watch arrive (or not) without waiting a set time for it. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; arrived: () => boolean } {
  let arrived = false;
  void promise.then(
    () => (arrived = true),
    () => (arrived = true),
  );
  return { promise, arrived: () => arrived };
}

/**
 * Waits for a promise that the gateway's bounds must settle, failing (after `until`'s wall-clock limit) rather than
 * hanging when they do not: the old code's failure mode.
 */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  const watch = watched(promise);
  await until(watch.arrived, what);
  return promise;
}

function post(
  gateway: TestGateway,
  body: string,
  requestId: string,
  key = gateway.key,
): Promise<{ status: number; text: string }> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body,
  }).then(async (response) => ({ status: response.status, text: await response.text() }));
}

/**
 * A stream: `opened` resolves once its headers have arrived (the gateway relays it from then on, its bounds running),
 * with its whole SSE text to come.
 */
function openStream(
  gateway: TestGateway,
  requestId: string,
  key = gateway.key,
): Promise<ReturnType<typeof watched<string>>> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: chatBody(true),
  }).then((response) => {
    assert.equal(response.status, 200);
    return watched(response.text());
  });
}

/** The `data:` payloads of an SSE text that carry an error. */
function errorEvents(text: string): Array<{ message: string; code: string }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: {"error"'))
    .map((line) => JSON.parse(line.slice(6)).error);
}

/** A raw socket to the gateway: what it sent back, and when it closed. */
function rawSocket(gateway: TestGateway): { socket: Socket; received: () => string; closed: Promise<void> } {
  const { port } = new URL(gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (data) => (text += data.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => text, closed };
}

/** Posts a chat call on a raw socket; `leave` ends it from the client's side. */
function raw(gateway: TestGateway, requestId: string, stream = false): { leave(): void; received(): string } {
  const { socket, received } = rawSocket(gateway);
  const body = chatBody(stream);
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gateway.key}\r\ncontent-type: application/json\r\nx-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return { leave: () => socket.destroy(), received };
}

/** Opens a stream whose upstream has sent its first event; resolves once the client has its headers. */
async function opened(
  gateway: TestGateway,
  upstream: ScriptedUpstream,
  requestId: string,
  key = gateway.key,
): Promise<{ text: ReturnType<typeof watched<string>>; exchange: HeldExchange }> {
  const stream = openStream(gateway, requestId, key);
  const exchange = await upstream.next();
  exchange.head(200, { 'content-type': 'text/event-stream' });
  await exchange.write(chunkEvent('first'));
  return { text: await stream, exchange };
}

interface Rig {
  clock: ManualClock;
  upstream: ScriptedUpstream;
  gateway: TestGateway;
}

/**
 * A gateway for the suite, with one provider at a scripted upstream, on a ManualClock. `config` adds to (and its
 * `routing` and `limits` to those of) the base config; `provider` adds to the provider's entry.
 */
function scriptedGateway(
  config: Record<string, unknown> = {},
  options: { provider?: Record<string, unknown>; keyRefreshMs?: number } = {},
): Rig {
  const rig = { clock: new ManualClock() } as Rig;
  before(async () => {
    rig.upstream = await startScriptedUpstream();
    rig.gateway = await startTestGateway(
      {
        providers: [providerEntry('scripted', rig.upstream.url, options.provider)],
        models: { default: { candidates: ['scripted/m1'] } },
        ...config,
        routing: { retries: 0, ...(config.routing as object | undefined) },
      },
      { clock: rig.clock, keyRefreshMs: options.keyRefreshMs },
    );
  });
  after(async () => {
    await rig.gateway.close();
    await rig.upstream.close();
  });
  return rig;
}

describe('a non-streamed answer is bounded whole by its attempt deadline', () => {
  const rig = scriptedGateway({}, { provider: { timeout_ms: 5_000 } });

  it('headers then one byte at a time is cut when the clock reaches the deadline, and recorded as deadline', async () => {
    const { clock, gateway, upstream } = rig;
    const call = watched(post(gateway, chatBody(), 'drip-1'));
    const exchange = await upstream.next();
    exchange.head(200);
    // One byte of JSON whitespace every 20 ms of real time: the upstream is never idle, only slow.
    exchange.drip(' ', 20);
    await until(() => exchange.bytesWritten >= 3, 'the upstream to drip its first bytes');
    await clock.advance(4_999);
    await settle();
    assert.equal(call.arrived(), false, 'cut before its deadline');
    await clock.advance(1);
    const answer = await call.promise;
    assert.equal(answer.status, 504);
    assert.equal(JSON.parse(answer.text).error.code, 'upstream_timeout');
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true, 'the upstream request was aborted');
    const [entry] = await entriesEventually(gateway, 'drip-1', 1);
    assert.equal(entry!.outcome, 'deadline');
    assert.equal(entry!.error_code, 'upstream_timeout');
  });
});

describe('a stream is bounded by the idle time between its events; comments do not count', () => {
  const rig = scriptedGateway({ routing: { stream_idle_timeout_ms: 10_000 } });

  it('an upstream that only sends ": keep-alive" after its first event is cut at stream_idle_timeout_ms', async () => {
    const { clock, gateway, upstream } = rig;
    const { text, exchange } = await opened(gateway, upstream, 'keepalive-1');
    // A comment read 6 s after the last event: counted as silence, so the idle bound still ends at 10 s.
    await clock.advance(6_000);
    await exchange.write(': keep-alive\n\n');
    await settle();
    await clock.advance(3_999);
    await settle();
    assert.equal(text.arrived(), false, 'cut before the idle time had passed');
    await clock.advance(1);
    const [error] = errorEvents(await bounded(text.promise, 'the stream to end'));
    assert.equal(error?.code, 'upstream_timeout');
    await bounded(exchange.closed, 'the upstream connection to close');
    const [, close] = await entriesEventually(gateway, 'keepalive-1', 2);
    assert.equal(close!.kind, 'stream_close');
    assert.equal(close!.outcome, 'deadline');
    assert.equal(close!.error_code, 'upstream_timeout');
  });
});

describe('a stream lasts at most routing.max_stream_s', () => {
  // An idle bound well above the 5 s between events: only the whole duration can end this stream.
  const rig = scriptedGateway({ routing: { stream_idle_timeout_ms: 30_000, max_stream_s: 60 } });

  it('a stream that outlasts it ends with stream_duration_exceeded, recorded as deadline', async () => {
    const { clock, gateway, upstream } = rig;
    const { text, exchange } = await opened(gateway, upstream, 'long-1');
    // An event every 5 s of the clock: never idle, only long.
    for (let second = 5; second < 60; second += 5) {
      await exchange.write(chunkEvent(` ${second}`));
      await settle();
      await clock.advance(5_000);
      await settle();
      assert.equal(text.arrived(), false, `ended at ${second} s`);
    }
    await exchange.write(chunkEvent(' 60'));
    await settle();
    await clock.advance(5_000);
    const body = await bounded(text.promise, 'the stream to end');
    assert.match(body, /" 55"/, 'what came before the bound was relayed');
    assert.equal(errorEvents(body)[0]?.code, 'stream_duration_exceeded');
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true);
    const [, close] = await entriesEventually(gateway, 'long-1', 2);
    assert.equal(close!.outcome, 'deadline');
    assert.equal(close!.error_code, 'stream_duration_exceeded');
  });
});

describe('a client that goes away stops its call', () => {
  const rig = scriptedGateway();

  it('closing during a non-streamed call aborts the upstream request; the entry says client_closed, no digest', async () => {
    const { gateway, upstream } = rig;
    const { port } = new URL(gateway.url);
    const client = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json', 'x-request-id': 'gone-1' },
    });
    client.on('error', () => undefined);
    client.end(chatBody());
    const exchange = await upstream.next();
    client.destroy();
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true, 'the upstream request was aborted');
    const [entry] = await entriesEventually(gateway, 'gone-1', 1);
    assert.equal(entry!.outcome, 'client_closed');
    assert.equal(entry!.error_code, 'client_closed');
    assert.equal(entry!.response_sha256, null, 'no digest of an answer never delivered');
  });

  it('aborting mid-upload is no internal_error: no upstream call, recorded as client_closed', async () => {
    const { gateway, upstream } = rig;
    await until(() => gateway.app.metrics.inFlight === 0, 'the calls before to be done');
    const before = upstream.exchanges.length;
    const logged = gateway.logs.length;
    const { socket, closed } = rawSocket(gateway);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gateway.key}\r\ncontent-type: application/json\r\nx-request-id: upload-1\r\ncontent-length: 1000\r\n\r\n{"model":`,
    );
    await until(() => gateway.app.metrics.inFlight === 1, 'the gateway to read the body');
    socket.destroy();
    await closed;
    await until(() => gateway.app.metrics.inFlight === 0, 'the gateway to finish the request');
    const [entry] = await entriesEventually(gateway, 'upload-1', 1);
    assert.equal(entry!.outcome, 'client_closed');
    assert.equal(entry!.response_sha256, null);
    assert.equal(upstream.exchanges.length, before, 'no upstream call');
    const logs = gateway.logs.slice(logged).join('');
    assert.doesNotMatch(logs, /internal_error|failed unexpectedly/);
    assert.match(logs, /"status":499/);
  });
});

describe('the server bounds how long headers and bodies may take', () => {
  // Headers are bounded by Node itself (they arrive before any code of the gateway runs): a short bound here.
  const rig = scriptedGateway({ limits: { body_timeout_ms: 20_000, headers_timeout_ms: 300 } });

  it('a body that never completes is answered 408 body_timeout at limits.body_timeout_ms, and its socket closed', async () => {
    const { clock, gateway } = rig;
    const { socket, received, closed } = rawSocket(gateway);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gateway.key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`,
    );
    await until(() => gateway.app.metrics.inFlight === 1, 'the gateway to read the body');
    await clock.advance(19_999);
    await settle();
    assert.equal(received(), '', 'answered before the body timeout');
    await clock.advance(1);
    await bounded(closed, 'the gateway to close the socket');
    assert.match(received(), /^HTTP\/1\.1 408 /);
    assert.match(received(), /"code":"body_timeout"/);
    assert.match(received(), /connection: close/i);
  });

  it('a key refused before its body is read does not keep the socket open for the rest of the body', async () => {
    const { gateway, upstream } = rig;
    const { socket, received, closed } = rawSocket(gateway);
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-sov-wrong\r\ncontent-length: 100000\r\n\r\n{"model":',
    );
    // The socket stays writable from this side: the gateway must be the one that ends it.
    await bounded(closed, 'the gateway to close the socket');
    assert.match(received(), /^HTTP\/1\.1 401 /);
    assert.equal(upstream.exchanges.length, 0);
  });

  it('headers that never complete have their socket closed after limits.headers_timeout_ms', async () => {
    const { gateway } = rig;
    const { socket, closed } = rawSocket(gateway);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
    // Node's own timer (checked every second): the wait is for the close, bounded by `until`'s limit.
    await bounded(closed, 'the gateway to close the socket');
    assert.equal(socket.destroyed, true);
  });
});

describe('revoking a key ends its open streams', () => {
  // Keys are reloaded every 500 ms of the clock, as `sovereign start` does.
  const rig = scriptedGateway({}, { keyRefreshMs: 500 });

  it('at the next key reload (within a second) the stream ends with a final error event, recorded as refused', async () => {
    const { clock, gateway, upstream } = rig;
    const { key, record } = await createApiKey(gateway.store, {
      name: 'soon-revoked',
      scopes: ['admin'],
      rpm: null,
      now: clock.now(),
    });
    await clock.advance(500);
    await until(() => gateway.app.keys.size === 2, 'the new key to be loaded');
    const { text, exchange } = await opened(gateway, upstream, 'revoked-1', key);
    await gateway.store.revokeKey(record.id, clock.now());
    await clock.advance(500);
    const body = await bounded(text.promise, 'the stream to end');
    assert.match(body, /"first"/);
    const [error] = errorEvents(body);
    assert.equal(error?.code, 'invalid_api_key');
    assert.match(body, /: x-sovereign-receipt-close \d+/, 'the stream is closed in the ledger');
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true, 'the upstream stream was stopped');
    const [, close] = await entriesEventually(gateway, 'revoked-1', 2);
    assert.equal(close!.outcome, 'refused');
    assert.equal(close!.error_code, 'invalid_api_key');
  });
});

describe('a shutdown ends what remains after its grace time', () => {
  /** A gateway shut down by the test itself (its data directory removed after). */
  async function shutDown(config: Record<string, unknown>, clock: ManualClock) {
    const gateway = await startTestGateway(config, { clock });
    return {
      gateway,
      async cleanUp() {
        await gateway.store.close();
        rmSync(gateway.dataDirectory, { recursive: true, force: true });
      },
    };
  }

  /**
   * Moves the clock half a second at a time (the shutdown's waits are on it) until the grace is over, which the
   * upstream sees first: its request is aborted. Then the clock stands still while the call records its entry and
   * answers (the shutdown gives that a second of the clock, which a test moving on could take from it).
   */
  async function passGrace(clock: ManualClock, exchange: HeldExchange): Promise<void> {
    for (let moved = 0; !exchange.isClosed && moved < 20_000; moved += 500) {
      await clock.advance(500);
      await settle();
    }
    await bounded(exchange.closed, 'the grace to end');
  }

  it('a non-streamed call still waiting on its upstream gets 503 shutting_down, recorded as shutdown', async () => {
    const clock = new ManualClock();
    const upstream = await startScriptedUpstream();
    const { gateway, cleanUp } = await shutDown(
      { providers: [providerEntry('stuck', upstream.url)], models: { default: { candidates: ['stuck/m1'] } } },
      clock,
    );
    try {
      const call = watched(post(gateway, chatBody(), 'shutdown-1'));
      const exchange = await upstream.next();
      // Headers, then nothing: Pool.close() would wait for this answer for ever.
      exchange.head(200);
      const stopping = gateway.app.shutdown(10_000);
      await settle();
      await clock.advance(5_000);
      await settle();
      assert.equal(call.arrived(), false, 'ended within the grace time');
      await passGrace(clock, exchange);
      const answer = await bounded(call.promise, 'the answer');
      assert.equal(answer.status, 503);
      assert.equal(JSON.parse(answer.text).error.code, 'shutting_down');
      await bounded(stopping, 'the shutdown to finish');
      const [entry] = await entriesOf(gateway, 'shutdown-1');
      assert.equal(entry?.outcome, 'shutdown');
      assert.equal(entry?.error_code, 'shutting_down');
    } finally {
      await cleanUp();
      await upstream.close();
    }
  });

  it('an open stream ends with a final shutting_down event, and its closing entry says shutdown', async () => {
    const clock = new ManualClock();
    const upstream = await startScriptedUpstream();
    const { gateway, cleanUp } = await shutDown(
      { providers: [providerEntry('stuck', upstream.url)], models: { default: { candidates: ['stuck/m1'] } } },
      clock,
    );
    try {
      const { text, exchange } = await opened(gateway, upstream, 'shutdown-2');
      const stopping = gateway.app.shutdown(10_000);
      await passGrace(clock, exchange);
      const body = await bounded(text.promise, 'the stream to end');
      assert.equal(errorEvents(body)[0]?.code, 'shutting_down');
      assert.match(body, /: x-sovereign-receipt-close \d+/);
      await bounded(stopping, 'the shutdown to finish');
      const [, close] = await entriesOf(gateway, 'shutdown-2');
      assert.equal(close?.outcome, 'shutdown');
      assert.equal(close?.error_code, 'shutting_down');
    } finally {
      await cleanUp();
      await upstream.close();
    }
  });
});

describe('a client that leaves, at every phase of a call', () => {
  const rig = scriptedGateway({ routing: { retries: 1, max_retry_wait_ms: 5_000 } });

  /** The call's last entry once it is written: the closing one of a stream that had opened, else the only one. */
  async function lastEntry(gateway: TestGateway, requestId: string): Promise<EntryRecord> {
    await until(() => gateway.app.metrics.inFlight === 0, `${requestId} to be done`);
    const entries = await entriesEventually(gateway, requestId, 1);
    return entries.at(-1)!;
  }

  it('before the upstream answers a stream: the upstream request is aborted, one entry, client_closed', async () => {
    const { gateway, upstream } = rig;
    const call = raw(gateway, 'leave-1', true);
    const exchange = await upstream.next();
    call.leave();
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true);
    const entries = await entriesEventually(gateway, 'leave-1', 1);
    await until(() => gateway.app.metrics.inFlight === 0, 'the call to be done');
    assert.equal((await entriesOf(gateway, 'leave-1')).length, 1, 'no stream was opened: one entry');
    assert.equal(entries[0]!.outcome, 'client_closed');
    assert.equal(entries[0]!.response_sha256, null);
  });

  it('after the upstream headers, before its first event: aborted, client_closed', async () => {
    const { gateway, upstream } = rig;
    const call = raw(gateway, 'leave-2', true);
    const exchange = await upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    await exchange.write(': ok\n\n');
    call.leave();
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true);
    const entry = await lastEntry(gateway, 'leave-2');
    assert.equal(entry.outcome, 'client_closed');
  });

  it('mid-stream: the upstream stream is aborted and the closing entry says client_closed', async () => {
    const { gateway, upstream } = rig;
    const call = raw(gateway, 'leave-3', true);
    const exchange = await upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    await exchange.write(chunkEvent('first'));
    await until(() => call.received().includes('first'), 'the first event to reach the client');
    call.leave();
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true);
    const entries = await entriesEventually(gateway, 'leave-3', 2);
    assert.equal(entries[0]!.outcome, 'ok', 'the opening entry: the stream began');
    assert.equal(entries[1]!.outcome, 'client_closed');
  });

  it('while the gateway waits out a Retry-After: no second attempt, client_closed', async () => {
    const { gateway, upstream, clock } = rig;
    const call = raw(gateway, 'leave-4', false);
    const first = await upstream.next();
    const waiting = clock.waiting;
    first.head(429, { 'content-type': 'application/json', 'retry-after': '2' });
    first.end(JSON.stringify({ error: { message: 'busy' } }));
    await until(() => clock.waiting > waiting, 'the gateway to wait before retrying');
    const attempts = upstream.exchanges.length;
    call.leave();
    const entry = await lastEntry(gateway, 'leave-4');
    assert.equal(entry.outcome, 'client_closed');
    assert.equal(clock.waiting, waiting, 'the wait ended with the call');
    await clock.advance(5_000);
    await settle();
    assert.equal(upstream.exchanges.length, attempts, 'the retry was not sent');
  });

  it('while a non-streamed answer is being received: aborted, client_closed, no digest', async () => {
    const { gateway, upstream } = rig;
    const call = raw(gateway, 'leave-5', false);
    const exchange = await upstream.next();
    exchange.head(200, { 'content-type': 'application/json' });
    await exchange.write('{"id":"x","object":"chat.completion","choices":[');
    call.leave();
    await bounded(exchange.closed, 'the upstream connection to close');
    assert.equal(exchange.abandoned, true);
    const entry = await lastEntry(gateway, 'leave-5');
    assert.equal(entry.outcome, 'client_closed');
    assert.equal(entry.response_sha256, null);
  });
});

describe('a client that leaves a hedged call', () => {
  const clock = new ManualClock();
  let first: ScriptedUpstream;
  let second: ScriptedUpstream;
  let gateway: TestGateway;
  before(async () => {
    first = await startScriptedUpstream();
    second = await startScriptedUpstream();
    gateway = await startTestGateway(
      {
        providers: [providerEntry('first', first.url), providerEntry('second', second.url)],
        models: { default: { candidates: ['first/m1', 'second/m1'], hedge_after_ms: 200 } },
        routing: { retries: 0 },
      },
      { clock },
    );
  });
  after(async () => {
    await gateway.close();
    await first.close();
    await second.close();
  });

  it('stops both attempts once the hedge has started, recorded client_closed', async () => {
    const call = raw(gateway, 'hedge-1');
    const primary = await first.next();
    await clock.advance(200);
    const hedge = await second.next();
    call.leave();
    await bounded(primary.closed, 'the first upstream request to close');
    await bounded(hedge.closed, 'the hedged upstream request to close');
    assert.equal(primary.abandoned, true);
    assert.equal(hedge.abandoned, true);
    const [entry] = await entriesEventually(gateway, 'hedge-1', 1);
    assert.equal(entry!.outcome, 'client_closed');
    assert.deepEqual(
      entry!.attempts.map((attempt) => attempt.provider).sort(),
      ['first', 'second'],
      'both attempts are recorded',
    );
  });

  it('before the hedge starts: the first attempt stops, no second one is sent, and its attempt is recorded', async () => {
    const before = second.exchanges.length;
    const call = raw(gateway, 'hedge-2');
    const primary = await first.next();
    call.leave();
    await bounded(primary.closed, 'the first upstream request to close');
    const [entry] = await entriesEventually(gateway, 'hedge-2', 1);
    assert.equal(entry!.outcome, 'client_closed');
    assert.deepEqual(
      entry!.attempts.map((attempt) => attempt.provider),
      ['first'],
    );
    await clock.advance(200);
    await settle();
    assert.equal(second.exchanges.length, before, 'no hedge for a call that has ended');
  });
});

describe('a client that does not read its stream', () => {
  const rig = scriptedGateway({
    routing: { stream_idle_timeout_ms: 5_000 },
    limits: { max_answer_bytes: 64 * 2 ** 20 },
  });

  it('pauses the upstream (the gateway buffers a bounded amount) and is ended after the idle time, recorded', async () => {
    const { gateway, upstream, clock } = rig;
    const { port } = new URL(gateway.url);
    const client = connect(Number(port), '127.0.0.1');
    client.on('error', () => undefined);
    const body = chatBody(true);
    client.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gateway.key}\r\ncontent-type: application/json\r\nx-request-id: stalled-1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Never reads: what the gateway sends stays in the kernel's buffers, then in the gateway's.
    client.pause();
    const exchange = await upstream.next();
    exchange.head(200, { 'content-type': 'text/event-stream' });
    const event = chunkEvent('x'.repeat(16 * 1024));
    const total = 48 * 2 ** 20;
    await exchange.write(event);
    for (let written = event.length; written < total; written += event.length) void exchange.write(event);
    // The gateway stops reading once the client's socket and its own bounded queue are full: the rest waits upstream.
    const queued = exchange.pending;
    await settle();
    assert.ok(exchange.pending > queued / 2, `the upstream is paused: ${exchange.pending} of ${queued} bytes not read`);
    const entries = await eventually(
      async () => {
        await clock.advance(5_000);
        return entriesOf(gateway, 'stalled-1');
      },
      (found) => found.length >= 2,
      'the stream to be ended',
    );
    assert.equal(entries[1]!.outcome, 'deadline');
    assert.equal(entries[1]!.error_code, 'client_stalled');
    await bounded(exchange.closed, 'the upstream stream to be stopped');
    assert.equal(exchange.abandoned, true);
    client.destroy();
  });
});
