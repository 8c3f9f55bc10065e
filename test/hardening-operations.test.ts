// Operations tell the truth (issue 16, items 4 and 5): readiness fails while the ledger cannot commit
// and recovers by itself; a cut the ledger cannot record is not made; the dependency report reads no
// ledger per call; the last checkpoint is kept beside the data and a database behind it is refused;
// start-up failures are one line; SIGTERM and kill -9 under load lose no receipt and no log line; a
// signing key written into the project stays out of git.
//
// Faults, bounded: a full disk (or a ledger that cannot commit) is a write-failing shim around the real
// SQLite store, which works as root and in any CI; a read-only data directory is a real one where the
// machine allows it (chmod as a user, `chattr +i` as root), besides a database path that cannot be opened.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createApp, type App } from '../src/api/server.js';
import { parseConfig } from '../src/config/load.js';
import type { EntryRecord } from '../src/ledger/entry.js';
import { encodeEntry } from '../src/ledger/entry.js';
import { leafHash } from '../src/ledger/hash.js';
import { generateSigner } from '../src/ledger/note.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { createProviders } from '../src/pipeline/catalog.js';
import { TrafficTally } from '../src/pipeline/dependency-report.js';
import { fileCheckpointMirror, LedgerIntegrityError, LedgerLog } from '../src/pipeline/ledger-log.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/telemetry/logger.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, temporaryDirectory } from './helpers.js';
import { run, startBin, waitUntil, type Running } from './support/bin.js';
import { ManualClock, until } from './support/manual-clock.js';
import { chatEntryRecord } from './support/entry-record.js';

const signer = generateSigner('test.example/operations');

/** What a full disk does to SQLite: the write fails with SQLITE_FULL. */
const diskFull = (): Error => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

/**
 * The store, with its ledger writes failing while `fault.full` holds (the shim of a full disk, or of a
 * WAL that cannot be synced), and a count of the ledger rows read.
 */
function shimmed(store: Store, fault: { full: boolean; rowsRead: number; reads: number[] }): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (fault.full && (property === 'appendLedgerEntries' || property === 'probeWrite'))
        return async () => {
          throw diskFull();
        };
      if (property === 'ledgerEntries')
        return async (start: number, end: number) => {
          const rows = await target.ledgerEntries(start, end);
          fault.rowsRead += rows.length;
          fault.reads.push(start);
          return rows;
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface Shimmed {
  url: string;
  key: string;
  app: App;
  store: Store;
  ledger: LedgerLog;
  fault: { full: boolean; rowsRead: number; reads: number[] };
  close(): Promise<void>;
}

/** A gateway in-process, as test/helpers.ts starts one, over the shimmed store and a clock the test moves. */
async function startShimmed(upstreamUrl: string, clock: ManualClock): Promise<Shimmed> {
  const dataDirectory = temporaryDirectory();
  const config = parseConfig(
    {
      data_dir: dataDirectory,
      providers: [providerEntry('own', upstreamUrl)],
      models: { default: { candidates: ['own/m1'] } },
      routing: { retries: 0 },
    },
    'test config',
  );
  const real = openSqliteStore(dataDirectory);
  await real.migrate();
  const fault = { full: false, rowsRead: 0, reads: [] as number[] };
  const store = shimmed(real, fault);
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const ledger = new LedgerLog({
    store,
    signer,
    origin: signer.name,
    clock,
    checkpointIntervalMs: config.ledger.checkpoint_interval_ms,
    onError: () => undefined,
  });
  const app = createApp({
    config,
    store,
    providers: createProviders(config, {}, { clock }),
    logger: createLogger('info', sink),
    ledger,
    clock,
  });
  const { key } = await createApiKey(real, { name: 'admin', scopes: ['admin'], rpm: null, now: Date.now() });
  await app.start();
  await new Promise<void>((done) => app.server.listen(0, '127.0.0.1', done));
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    app,
    store,
    ledger,
    fault,
    async close() {
      fault.full = false;
      await app.shutdown(100);
      await real.close();
    },
  };
}

const chatBody = (content: string) => ({ model: 'default', messages: [{ role: 'user', content }] });

describe('a ledger that cannot commit (full disk, shimmed)', () => {
  let upstream: Double;
  let gateway: Shimmed;
  const clock = new ManualClock();

  before(async () => {
    upstream = await startOpenAIDouble();
    gateway = await startShimmed(upstream.url, clock);
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const chat = (content: string) =>
    postJson(`${gateway.url}/v1/chat/completions`, chatBody(content), { authorization: `Bearer ${gateway.key}` });

  it('is not commitHealthy after a failed commit, and becomes so again by itself once writes go through', async () => {
    assert.equal(gateway.ledger.commitHealthy, true);
    gateway.fault.full = true;
    const refused = await chat('while full');
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json.error.code, 'ledger_unavailable');
    assert.equal(gateway.ledger.commitHealthy, false);
    // Still failing at the next check: still not healthy.
    await clock.advance(1_000);
    assert.equal(gateway.ledger.commitHealthy, false);
    gateway.fault.full = false;
    // No call arrives (a balancer sends none to an unready replica): the log's own check finds out.
    await clock.advance(1_000);
    await until(() => gateway.ledger.commitHealthy, 'the write check to succeed');
    assert.equal((await chat('after')).status, 200);
  });

  it('a cut the ledger cannot record is not made (503 ledger_unavailable, nothing stored)', async () => {
    gateway.fault.full = true;
    try {
      const response = await postJson(
        `${gateway.url}/v1/admin/cut`,
        { provider: 'own' },
        { authorization: `Bearer ${gateway.key}` },
      );
      assert.equal(response.status, 503, response.text);
      assert.equal(response.json.error.code, 'ledger_unavailable');
      assert.deepEqual(await gateway.store.cuts(), []);
    } finally {
      gateway.fault.full = false;
    }
    await clock.advance(1_000);
    await until(() => gateway.ledger.commitHealthy, 'recovery');
  });

  // Needs serve.ts to ask the ledger (the wiring is in the issue note): readiness is answered there.
  it('/readyz answers 503 while commits fail, and 200 again by itself once they go through', async () => {
    assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
    gateway.fault.full = true;
    try {
      assert.equal((await chat('full again')).status, 503);
      const unready = await fetch(`${gateway.url}/readyz`);
      assert.equal(unready.status, 503, await unready.text());
    } finally {
      gateway.fault.full = false;
    }
    await clock.advance(1_000);
    await until(() => gateway.ledger.commitHealthy, 'recovery');
    assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
  });

  it('the dependency report reads no ledger entries per call: running totals, updated as entries arrive', async () => {
    const report = async () =>
      (await (
        await fetch(`${gateway.url}/v1/reports/dependencies?since=1h`, {
          headers: { authorization: `Bearer ${gateway.key}` },
        })
      ).json()) as any;
    const before = (await report()).traffic.requests;
    for (let count = 0; count < 3; count += 1) assert.equal((await chat(`counted ${count}`)).status, 200);
    gateway.fault.rowsRead = 0;
    for (let count = 0; count < 5; count += 1) assert.equal((await report()).traffic.requests, before + 3);
    assert.equal(gateway.fault.rowsRead, 0, 'no ledger row read for five reports');
    // An entry another process (the CLI, another replica) appended is counted too, by reading it alone.
    const size = await gateway.store.ledgerSize();
    const leaf = encodeEntry(servedEntry('other-process'));
    await gateway.store.appendLedgerEntries([{ leaf, leafHash: leafHash(leaf), keyId: null, createdAt: clock.now() }]);
    gateway.fault.reads = [];
    assert.equal((await report()).traffic.requests, before + 4);
    assert.deepEqual(gateway.fault.reads, [size], 'only the new entry was read');
  });
});

function servedEntry(requestId: string, overrides: Partial<EntryRecord> = {}): EntryRecord {
  return chatEntryRecord({
    request_id: requestId,
    provider: 'own',
    provider_model: 'm1',
    usage: { prompt_tokens: 3, completion_tokens: 4 },
    ...overrides,
  });
}

describe('the traffic totals behind the dependency report', () => {
  it('count entries since a time, to the minute, skip what serves no one, and answer in constant time', (t) => {
    const minute = 60_000;
    const tally = new TrafficTally();
    tally.add(servedEntry('a'), 1 * minute);
    tally.add(servedEntry('b'), 2 * minute);
    tally.add(servedEntry('c', { jurisdiction: 'FR' }), 2 * minute + 30_000);
    tally.add(servedEntry('d'), 3 * minute);
    tally.add(servedEntry('e', { outcome: 'refused' }), 3 * minute);
    tally.add(servedEntry('f', { shadow: true }), 3 * minute);
    tally.add(servedEntry('g', { kind: 'stream_open' }), 3 * minute);
    tally.add(servedEntry('h', { kind: 'tool_call', provider: 'files' }), 3 * minute);
    tally.add(undefined, 3 * minute);
    tally.add({ other: true } as never, 3 * minute);
    const total = (since: number, group = 'served') =>
      tally
        .since(since)
        .filter((row) => row.group === group)
        .reduce((sum, row) => sum + row.requests, 0);
    assert.equal(total(0), 4);
    assert.equal(total(2 * minute), 3);
    // The minute that holds `since` is counted whole.
    assert.equal(total(2 * minute + 45_000), 3);
    assert.equal(total(3 * minute - 1), 3);
    assert.equal(total(3 * minute), 1);
    assert.equal(total(4 * minute), 0);
    assert.equal(total(0, 'tool'), 1);
    const local = tally.since(1 * minute + 30_000).find((row) => row.jurisdiction === 'local')!;
    assert.deepEqual([local.requests, local.inputTokens, local.outputTokens], [3, 9, 12]);
    // A replica whose clock is a little behind: counted, and later searches stay right.
    tally.add(servedEntry('late'), 2 * minute + 50_000);
    assert.equal(total(3 * minute), 2);

    // 338,000 entries over 94 hours: one point a minute, not one a millisecond.
    const big = new TrafficTally();
    for (let index = 0; index < 338_000; index += 1)
      big.add(servedEntry(`r${index}`, { ownership: index % 3 === 0 ? 'rented' : 'owned' }), index * 1_000);
    const started = process.hrtime.bigint();
    for (let round = 0; round < 100; round += 1) big.since(round * 1000);
    const microseconds = Number(process.hrtime.bigint() - started) / 1000 / 100;
    t.diagnostic(`338,000 entries: ${microseconds.toFixed(1)} µs a report's traffic (was 2.7 s reading the ledger)`);
    assert.equal(
      big.since(300_000 * 1_000).reduce((sum, row) => sum + row.requests, 0),
      38_000,
    );
  });
});

describe('the last signed checkpoint, kept beside the data', () => {
  const entry = (index: number) => encodeEntry(servedEntry(`r${index}`));

  async function openLog(directory: string) {
    const store = openSqliteStore(directory);
    await store.migrate();
    const log = new LedgerLog({
      store,
      signer,
      origin: signer.name,
      clock: new ManualClock(),
      checkpointIntervalMs: 1_000,
      onError: (error) => assert.fail(String(error)),
      mirror: fileCheckpointMirror(join(directory, 'ledger-checkpoint')),
    });
    return {
      log,
      close: async () => {
        await log.stop();
        await store.close();
      },
    };
  }

  async function logOfFive(): Promise<string> {
    const directory = temporaryDirectory();
    const { log, close } = await openLog(directory);
    await log.start();
    for (let index = 0; index < 5; index += 1)
      await log.append(JSON.parse(entry(index).toString()) as EntryRecord, { keyId: null });
    await log.signCheckpoint();
    assert.equal(readFileSync(join(directory, 'ledger-checkpoint'), 'utf8'), log.latestCheckpoint()!.note);
    assert.equal(log.latestCheckpoint()!.size, 5);
    await close();
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('.tmp')),
      [],
      'written by rename: nothing half-written left',
    );
    return directory;
  }

  it('is written, atomically, with every checkpoint signed', async () => {
    await logOfFive();
  });

  it('a store whose newest entries were deleted together with their checkpoints is refused at start, saying why', async () => {
    const directory = await logOfFive();
    const database = new BetterSqlite3(join(directory, 'sovereign.db'));
    database.prepare('DELETE FROM ledger_entries WHERE idx >= 3').run();
    database.prepare('DELETE FROM ledger_checkpoints WHERE size > 3').run();
    database.close();
    const { log, close } = await openLog(directory);
    await assert.rejects(
      log.start(),
      (error: unknown) =>
        error instanceof LedgerIntegrityError &&
        error.message.includes('holds 3 ledger entries') &&
        error.message.includes(join(directory, 'ledger-checkpoint')) &&
        /covers 5: entries were deleted/.test(error.message),
    );
    await close();
  });

  it('entries rewritten with the store’s checkpoints removed are caught by the kept one', async () => {
    const directory = await logOfFive();
    const database = new BetterSqlite3(join(directory, 'sovereign.db'));
    const altered = encodeEntry(servedEntry('rewritten'));
    database.prepare('UPDATE ledger_entries SET leaf = ?, leaf_hash = ? WHERE idx = 1').run(altered, leafHash(altered));
    database.prepare('DELETE FROM ledger_checkpoints').run();
    database.close();
    const { log, close } = await openLog(directory);
    await assert.rejects(
      log.start(),
      (error: unknown) =>
        error instanceof LedgerIntegrityError && /size 5 kept in .*: the log was altered/.test(error.message),
    );
    await close();
  });

  it('a kept checkpoint this log did not sign is refused, not trusted', async () => {
    const directory = await logOfFive();
    const other = generateSigner('test.example/operations');
    const note = readFileSync(join(directory, 'ledger-checkpoint'), 'utf8');
    const { signNote } = await import('../src/ledger/note.js');
    writeFileSync(join(directory, 'ledger-checkpoint'), signNote(note.slice(0, note.indexOf('\n\n') + 1), [other]));
    const { log, close } = await openLog(directory);
    await assert.rejects(
      log.start(),
      (error: unknown) => error instanceof LedgerIntegrityError && /is not one this log signed/.test(error.message),
    );
    await close();
  });
});

/** The real bin, its data in `directory/data`, one owned provider at `upstreamUrl`. */
function writeConfig(directory: string, upstreamUrl: string, dataDirectory = join(directory, 'data')): string {
  const file = join(directory, 'sovereign.yaml');
  writeFileSync(
    file,
    `data_dir: ${dataDirectory}
ledger: { origin: test.example/operations }
log: { level: info }
shutdown_grace_ms: 5000
providers:
  - { id: local, kind: openai-compatible, base_url: "${upstreamUrl}", jurisdiction: local, operator: IT, ownership: owned, models: [m1] }
models:
  default: { candidates: [local/m1] }
routing: { retries: 0 }
`,
  );
  return file;
}

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, not a stack:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at /m);
  return lines[0]!;
};

describe('start-up failures are one line naming the path and the cause', () => {
  it('a database path that cannot be opened (a directory where the file belongs)', () => {
    const directory = temporaryDirectory();
    mkdirSync(join(directory, 'data', 'sovereign.db'), { recursive: true });
    const config = writeConfig(directory, 'http://127.0.0.1:9/v1');
    const result = run(['start', '--config', config, '--port', '0'], directory);
    assert.equal(result.status, 1);
    const line = oneLine(result.stderr);
    assert.ok(line.includes(join(directory, 'data', 'sovereign.db')), line);
    assert.match(line, /SQLITE_CANTOPEN/);
  });

  const root = process.getuid?.() === 0;
  const immutable = root && spawnSync('chattr', ['--help']).error === undefined;
  it('a read-only data directory', {
    skip: root && !immutable ? 'running as root without chattr: no way to make a directory read-only' : false,
  }, (t) => {
    const directory = temporaryDirectory();
    const data = join(directory, 'data');
    mkdirSync(data);
    const config = writeConfig(directory, 'http://127.0.0.1:9/v1');
    // chmod does not stop root; an immutable directory does (where the filesystem allows it).
    if (root) {
      if (spawnSync('chattr', ['+i', data]).status !== 0) return t.skip('chattr +i is not allowed here');
    } else chmodSync(data, 0o500);
    try {
      const result = run(['start', '--config', config, '--port', '0'], directory);
      assert.equal(result.status, 1);
      const line = oneLine(result.stderr);
      assert.ok(line.includes(data), line);
      assert.match(line, /SQLITE_CANTOPEN|SQLITE_READONLY|EACCES|EPERM|EROFS/);
    } finally {
      if (root) spawnSync('chattr', ['-i', data]);
      else chmodSync(data, 0o700);
    }
  });

  it('a config path that cannot be read', () => {
    const directory = temporaryDirectory();
    const result = run(['start', '--config', directory, '--port', '0'], directory);
    assert.equal(result.status, 2);
    const line = oneLine(result.stderr);
    assert.ok(line.includes(directory) && /EISDIR/.test(line), line);
  });
});

async function chat(url: string, key: string, requestId: string, stream: boolean): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: `{"model":"default","stream":${stream},"messages":[{"role":"user","content":"${requestId}"}]}`,
  });
}

interface Load {
  /** Receipts clients got (the header), and the request ids whose answers they read to the end. */
  receipts: number[];
  answered: string[];
  stop(): Promise<void>;
}

/** Six non-streamed and two streamed clients in a loop until stopped, or until the gateway dies under them. */
function load(gateway: Running, key: string, tag: string): Load {
  const receipts: number[] = [];
  const answered: string[] = [];
  let stopped = false;
  const worker = async (name: string, stream: boolean): Promise<void> => {
    for (let count = 0; !stopped && count < 2_000; count += 1) {
      const requestId = `${tag}-${name}-${count}`;
      try {
        const response = await chat(gateway.url, key, requestId, stream);
        const index = response.headers.get('x-sovereign-receipt');
        if (index !== null) receipts.push(Number(index));
        await response.text();
        if (response.status === 200) answered.push(requestId);
      } catch {
        return; // the gateway went away under us
      }
    }
  };
  const workers = Promise.all([
    ...Array.from({ length: 6 }, (_, index) => worker(`n${index}`, false)),
    ...Array.from({ length: 2 }, (_, index) => worker(`s${index}`, true)),
  ]);
  return {
    receipts,
    answered,
    async stop() {
      stopped = true;
      await workers;
    },
  };
}

function storedIndexes(dataDirectory: string): { indexes: Set<number>; open: number; latestNote: string | undefined } {
  const database = new BetterSqlite3(join(dataDirectory, 'sovereign.db'), { readonly: true });
  try {
    const indexes = new Set(
      (database.prepare('SELECT idx FROM ledger_entries').all() as Array<{ idx: number }>).map((row) => row.idx),
    );
    const { open } = database
      .prepare('SELECT count(*) AS open FROM ledger_streams WHERE close_index IS NULL')
      .get() as {
      open: number;
    };
    const latest = database.prepare('SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1').get() as
      | { note: string }
      | undefined;
    return { indexes, open, latestNote: latest?.note };
  } finally {
    database.close();
  }
}

/** The request ids of the access-log lines in the bin's output. */
function logged(output: string): Set<string> {
  const ids = new Set<string>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { requestId?: string; msg?: string };
      if (parsed.msg === 'request' && parsed.requestId) ids.add(parsed.requestId);
    } catch {
      // A line cut by the kill: not one of the answered requests' lines, which were written before.
    }
  }
  return ids;
}

describe('SIGTERM and kill -9 under load, with the real bin', () => {
  let upstream: Double;
  let directory: string;
  let data: string;
  let config: string;
  let key: string;

  before(async () => {
    upstream = await startOpenAIDouble();
    upstream.setDefault({ kind: 'slow', delayMs: 5 });
    directory = temporaryDirectory();
    data = join(directory, 'data');
    config = writeConfig(directory, upstream.url);
    key = run(['keys', 'create', '--name', 'load', '--admin', '--config', config], directory)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
  });
  after(() => upstream.close());

  it('SIGTERM under load: exit 0, every receipt stored, every answer logged, the kept checkpoint covers the log', async () => {
    const gateway = await startBin(['--config', config], directory);
    const traffic = load(gateway, key, 'term');
    await waitUntil(async () => traffic.receipts.length >= 60, 20_000);
    gateway.child.kill('SIGTERM');
    const code = await gateway.exited;
    await traffic.stop();
    assert.equal(code, 0, gateway.output());
    assert.ok(traffic.receipts.length >= 60, `load ran (${traffic.receipts.length} receipts)`);
    const stored = storedIndexes(data);
    for (const index of traffic.receipts) assert.ok(stored.indexes.has(index), `receipt ${index} is stored`);
    assert.equal(stored.open, 0, 'every stream opened was closed');
    const kept = readFileSync(join(data, 'ledger-checkpoint'), 'utf8');
    assert.equal(kept, stored.latestNote, 'the file holds the last checkpoint signed');
    assert.equal(Number(kept.split('\n')[1]), stored.indexes.size, 'signed at stop: it covers every entry');
    assert.equal((statSync(join(data, 'ledger-checkpoint')).mode & 0o777).toString(8), '600');
    const lines = logged(gateway.output());
    for (const requestId of traffic.answered) assert.ok(lines.has(requestId), `${requestId} is logged`);
    assert.match(gateway.output(), /"msg":"stopped"/);
  });

  it('a database whose newest entries were deleted with their checkpoints is refused at start, in one line', async () => {
    const stored = storedIndexes(data);
    const size = stored.indexes.size;
    const database = new BetterSqlite3(join(data, 'sovereign.db'));
    database.prepare('DELETE FROM ledger_entries WHERE idx >= ?').run(size - 3);
    database.prepare('DELETE FROM ledger_checkpoints WHERE size > ?').run(size - 3);
    database.close();
    const result = run(['start', '--config', config, '--port', '0'], directory);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const line = oneLine(result.stderr);
    assert.match(line, /^sovereign: refusing to start: the store holds \d+ ledger entries, but the last checkpoint/);
    assert.ok(line.includes(join(data, 'ledger-checkpoint')), line);
  });

  it('kill -9 under load: every receipt a client got is in the ledger after restart, which the kept checkpoint allows', async () => {
    const fresh = temporaryDirectory();
    const freshData = join(fresh, 'data');
    const freshConfig = writeConfig(fresh, upstream.url);
    const freshKey = run(['keys', 'create', '--name', 'load', '--admin', '--config', freshConfig], fresh)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    let gateway = await startBin(['--config', freshConfig], fresh);
    const traffic = load(gateway, freshKey, 'kill');
    await waitUntil(
      async () => traffic.receipts.length >= 80 && existsSync(join(freshData, 'ledger-checkpoint')),
      20_000,
    );
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await traffic.stop();
    gateway = await startBin(['--config', freshConfig], fresh);
    try {
      const stored = storedIndexes(freshData);
      for (const index of traffic.receipts) assert.ok(stored.indexes.has(index), `receipt ${index} is stored`);
      assert.equal(stored.open, 0, 'streams cut by the kill are closed as interrupted');
      const response = await chat(gateway.url, freshKey, 'after-restart', false);
      assert.equal(response.status, 200);
      assert.equal(Number(response.headers.get('x-sovereign-receipt')), stored.indexes.size, 'the log goes on');
    } finally {
      gateway.child.kill('SIGKILL');
      await gateway.exited;
    }
  });

  it('kill -9 loses no log line of an answer a client got: at a quiet time, and after load', async () => {
    const fresh = temporaryDirectory();
    const freshConfig = writeConfig(fresh, upstream.url);
    const freshKey = run(['keys', 'create', '--name', 'load', '--admin', '--config', freshConfig], fresh)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    /** Kills the gateway once every client has its answer; returns the answered requests without a log line. */
    const killAndRead = async (gateway: Running, answered: string[]): Promise<string[]> => {
      // An answer's line is written just after its last byte, in the same turn of the event loop: one
      // more request answered shows the gateway has run past those turns (batched lines would still wait).
      assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
      gateway.child.kill('SIGKILL');
      await gateway.exited;
      const lines = logged(gateway.output());
      return answered.filter((requestId) => !lines.has(requestId));
    };
    // Quiet: one call, its line the only one (a batch of 4 KB never filled, so never written).
    let gateway = await startBin(['--config', freshConfig], fresh);
    const quiet = await chat(gateway.url, freshKey, 'quiet-1', false);
    assert.equal(quiet.status, 200);
    await quiet.text();
    assert.deepEqual(await killAndRead(gateway, ['quiet-1']), [], 'the one answered request is logged');
    // After load: whatever the last lines were.
    gateway = await startBin(['--config', freshConfig], fresh);
    const traffic = load(gateway, freshKey, 'lines');
    await waitUntil(async () => traffic.answered.length >= 40, 20_000);
    await traffic.stop();
    const missing = await killAndRead(gateway, traffic.answered);
    assert.deepEqual(missing, [], `${missing.length} of ${traffic.answered.length} answered requests have no log line`);
  });
});

describe('a private key written by `sovereign keys signing-key --out` in the project', () => {
  /** The .gitignore patterns of the form `*.ext` or plain names, as git matches a file's base name. */
  const ignored = (name: string): boolean =>
    readFileSync(resolve('.gitignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.includes('/'))
      .some((pattern) =>
        new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name),
      );

  it('is ignored by git (the names the docs use), and is written mode 0600 whatever the umask', () => {
    for (const name of ['risk.key', 'risk-engine.key']) assert.ok(ignored(name), `${name} is in .gitignore`);
    const directory = temporaryDirectory();
    const previous = process.umask(0);
    let result: ReturnType<typeof run>;
    try {
      result = run(['keys', 'signing-key', '--name', 'risk.example', '--out', 'risk.key'], directory);
    } finally {
      process.umask(previous);
    }
    assert.equal(result.status, 0, result.stderr);
    assert.equal((statSync(join(directory, 'risk.key')).mode & 0o777).toString(8), '600');
    assert.match(readFileSync(join(directory, 'risk.key'), 'utf8'), /^PRIVATE\+KEY\+risk\.example\+/);
    assert.equal(run(['keys', 'signing-key', '--name', 'risk.example', '--out', 'risk.key'], directory).status, 2);
  });
});
