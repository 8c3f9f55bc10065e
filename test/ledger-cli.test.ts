// The ledger from the command line, against the real bin: the verifier key, offline receipt
// verification, audits of a running gateway (and of one whose stored history was altered), and
// crash safety under kill -9.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { leafHash } from '../src/ledger/hash.js';
import { MerkleTree } from '../src/ledger/tree.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { temporaryDirectory } from './helpers.js';
import { run, startBin, waitUntil, type Running } from './support/bin.js';

function writeConfig(directory: string, upstreamUrl: string): string {
  const file = join(directory, 'sovereign.yaml');
  writeFileSync(
    file,
    `data_dir: ${join(directory, 'data')}
ledger: { origin: test.example/audited }
log: { level: warn }
providers:
  - { id: local, kind: openai-compatible, base_url: "${upstreamUrl}", jurisdiction: local, operator: IT, ownership: owned, models: [m1] }
models:
  default: { candidates: [local/m1] }
routing: { retries: 0 }
`,
  );
  return file;
}

async function chat(url: string, key: string, body: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
}

describe('ledger commands', () => {
  let upstream: Double;
  let directory: string;
  let config: string;
  let gateway: Running;
  let key: string;
  let verifierKey: string;

  before(async () => {
    upstream = await startOpenAIDouble();
    directory = temporaryDirectory();
    config = writeConfig(directory, upstream.url);
    key = run(['keys', 'create', '--name', 'auditor', '--scope', 'auditor', '--config', config], directory)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    gateway = await startBin(['--config', config], directory);
    verifierKey = run(['ledger', 'key', '--config', config], directory).stdout.trim();
  });
  after(async () => {
    gateway.child.kill('SIGKILL');
    await upstream.close();
  });

  it('ledger key prints the verifier key the gateway serves', async () => {
    assert.match(verifierKey, /^test\.example\/audited\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    assert.equal((await (await fetch(`${gateway.url}/v1/ledger/key`)).text()).trim(), verifierKey);
  });

  it('verify checks a receipt offline, with the request body, and refuses a tampered one', async () => {
    const body = '{"model":"default","messages":[{"role":"user","content":"verify me"}]}';
    const index = (await chat(gateway.url, key, body)).headers.get('x-sovereign-receipt')!;
    const receipt = await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, { headers: { authorization: `Bearer ${key}` } })
    ).text();
    const receiptFile = join(directory, 'receipt.json');
    const bodyFile = join(directory, 'request.json');
    writeFileSync(receiptFile, receipt);
    writeFileSync(bodyFile, body);
    const ok = run(['verify', receiptFile, '--key', verifierKey, '--body', bodyFile], '/');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /OK: entry \d+ is in log test\.example\/audited/);
    assert.match(ok.stdout, /"request_sha256"/);

    writeFileSync(bodyFile, `${body} `);
    const wrongBody = run(['verify', receiptFile, '--key', verifierKey, '--body', bodyFile], '/');
    assert.equal(wrongBody.status, 1);
    assert.match(wrongBody.stderr, /is not the entry's request_sha256/);

    const parsed = JSON.parse(receipt);
    const leaf = Buffer.from(parsed.leaf, 'base64');
    leaf[10]! ^= 1;
    writeFileSync(receiptFile, JSON.stringify({ ...parsed, leaf: leaf.toString('base64') }));
    const tampered = run(['verify', receiptFile, '--key', verifierKey], '/');
    assert.equal(tampered.status, 1);
    assert.match(tampered.stderr, /receipt INVALID \(proof\)/);
  });

  it('ledger audit replays the log, checks the checkpoint, then consistency with the saved one', async () => {
    const state = join(directory, 'audit-state');
    const first = run(
      ['ledger', 'audit', '--url', gateway.url, '--key', verifierKey, '--api-key', key, '--state', state],
      '/',
    );
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^OK: \d+ entries of test\.example\/audited replayed/);
    const signedSize = async (): Promise<number> =>
      Number((await (await fetch(`${gateway.url}/v1/ledger/checkpoint`)).text()).split('\n')[1]);
    const before = await signedSize();
    for (let count = 0; count < 5; count += 1)
      await chat(gateway.url, key, '{"model":"default","messages":[{"role":"user","content":"more"}]}');
    // The checkpointer signs on its own schedule: wait until a checkpoint covers the new entries.
    assert.ok(
      await waitUntil(async () => (await signedSize()) >= before + 5, 10_000),
      'a checkpoint covering the new entries is signed',
    );
    const second = run(
      ['ledger', 'audit', '--url', gateway.url, '--key', verifierKey, '--api-key', key, '--state', state],
      '/',
    );
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /consistent with the checkpoint of size \d+ saved in/);
  });

  it('ledger audit without an API key says one is needed (exit 2), not that the audit failed', () => {
    const result = run(['ledger', 'audit', '--url', gateway.url, '--key', verifierKey], '/', { SOVEREIGN_KEY: '' });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /ledger audit reads the log's entries, which needs an API key: pass --api-key or set SOVEREIGN_KEY/,
    );
    assert.doesNotMatch(result.stderr, /FAILED/);
    const refused = run(
      ['ledger', 'audit', '--url', gateway.url, '--key', verifierKey, '--api-key', `sk-sov-${'x'.repeat(43)}`],
      '/',
    );
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /the gateway refused the API key \(\/v1\/ledger\/entries answered 401\)/);
    assert.doesNotMatch(refused.stderr, /FAILED/);
    assert.equal(
      run(['ledger', 'audit', '--url', gateway.url, '--key', verifierKey], '/', { SOVEREIGN_KEY: key }).status,
      0,
      'SOVEREIGN_KEY is the default',
    );
  });

  it('--key of verify and ledger audit is the verifier key: an API key or a private key given there is named as such (exit 2)', () => {
    const receiptFile = join(directory, 'receipt.json');
    const verify = run(['verify', receiptFile, '--key', key], '/');
    assert.equal(verify.status, 2);
    assert.match(
      verify.stderr,
      /--key takes the log's verifier key \(name\+hexid\+base64: `sovereign ledger key` prints it, GET \/v1\/ledger\/key serves it\), and this is an API key \(sk-sov-…\): verify works offline and needs no API key/,
    );
    const keyFile = join(directory, 'api-key.txt');
    writeFileSync(keyFile, `${key}\n`);
    assert.match(
      run(['verify', receiptFile, '--key', `@${keyFile}`], '/').stderr,
      /--key @.*api-key\.txt takes the log's verifier key .*this is an API key/,
    );

    const swapped = run(['ledger', 'audit', '--url', gateway.url, '--key', key, '--api-key', verifierKey], '/');
    assert.equal(swapped.status, 2);
    assert.match(
      swapped.stderr,
      /--key takes the log's verifier key .*this is an API key \(sk-sov-…\): pass the API key with --api-key/,
    );
    const wrongApiKey = run(
      ['ledger', 'audit', '--url', gateway.url, '--key', verifierKey, '--api-key', verifierKey],
      '/',
    );
    assert.equal(wrongApiKey.status, 2);
    assert.match(
      wrongApiKey.stderr,
      /--api-key takes an API key \(sk-sov-…, from `sovereign keys create`\), and this is a verifier key/,
    );
    const privateKey = run(['verify', receiptFile, '--key', 'PRIVATE+KEY+test.example/audited+00000000+AAAA'], '/');
    assert.equal(privateKey.status, 2);
    assert.match(
      privateKey.stderr,
      /this is a private signing key \(PRIVATE\+KEY\+…\): give its verifier key, never the private one/,
    );
  });

  it('ledger audit fails, saying where, when a stored entry was altered', async () => {
    const database = new BetterSqlite3(join(directory, 'data', 'sovereign.db'));
    const row = database.prepare('SELECT leaf FROM ledger_entries WHERE idx = 1').get() as { leaf: Buffer };
    const altered = Buffer.from(row.leaf.toString().replace('"tenant":"auditor"', '"tenant":"someone"'));
    database.prepare('UPDATE ledger_entries SET leaf = ? WHERE idx = 1').run(altered);
    database.close();
    const result = run(['ledger', 'audit', '--url', gateway.url, '--key', verifierKey, '--api-key', key], '/');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /audit FAILED: the entries replayed do not give the root of the signed checkpoint/);
  });
});

describe('crash safety: kill -9 under load, then restart', () => {
  let upstream: Double;
  before(async () => {
    upstream = await startOpenAIDouble();
    upstream.setDefault({ kind: 'slow', delayMs: 5 });
  });
  after(() => upstream.close());

  for (let round = 1; round <= 3; round += 1) {
    it(`round ${round}: every index handed out is stored, open streams are closed as interrupted, every checkpoint matches, the log goes on`, async () => {
      const directory = temporaryDirectory();
      const config = writeConfig(directory, upstream.url);
      const key = run(['keys', 'create', '--name', 'load', '--admin', '--config', config], directory)
        .stdout.trim()
        .split('\n')
        .at(-1)!;
      let gateway = await startBin(['--config', config], directory);
      const handedOut: number[] = [];
      let stop = false;
      const worker = async (stream: boolean): Promise<void> => {
        for (let count = 0; count < 400 && !stop; count += 1) {
          try {
            const response = await chat(
              gateway.url,
              key,
              `{"model":"default","stream":${stream},"messages":[{"role":"user","content":"load ${count}"}]}`,
            );
            const index = response.headers.get('x-sovereign-receipt');
            if (index !== null) handedOut.push(Number(index));
            await response.text();
          } catch {
            return; // the gateway died under us
          }
        }
      };
      const load = Promise.all([
        ...Array.from({ length: 6 }, () => worker(false)),
        ...Array.from({ length: 2 }, () => worker(true)),
      ]);
      await waitUntil(async () => handedOut.length >= 40 + round * 20, 20_000);
      gateway.child.kill('SIGKILL');
      await gateway.exited;
      stop = true;
      await load;
      assert.ok(handedOut.length >= 40, `load ran (${handedOut.length} receipts)`);

      gateway = await startBin(['--config', config], directory);
      try {
        const database = new BetterSqlite3(join(directory, 'data', 'sovereign.db'), { readonly: true });
        const indexes = new Set(
          (database.prepare('SELECT idx FROM ledger_entries').all() as Array<{ idx: number }>).map((row) => row.idx),
        );
        for (const index of handedOut) assert.ok(indexes.has(index), `index ${index} handed to a client is stored`);
        const open = database
          .prepare('SELECT count(*) AS open FROM ledger_streams WHERE close_index IS NULL')
          .get() as { open: number };
        assert.equal(open.open, 0, 'every opening entry has its closing entry');
        const leaves = (database.prepare('SELECT leaf FROM ledger_entries').all() as Array<{ leaf: Buffer }>).map(
          (row) => JSON.parse(row.leaf.toString()),
        );
        const opened = leaves
          .filter((entry) => entry.kind === 'stream_open')
          .map((entry, _index, all) => all.indexOf(entry));
        const closes = leaves.filter((entry) => entry.kind === 'stream_close');
        assert.equal(closes.length, opened.length, 'one closing entry per opening entry');
        for (const close of closes.filter((entry) => entry.outcome === 'interrupted'))
          assert.equal(leaves[close.open_index].kind, 'stream_open');
        const tree = new MerkleTree();
        for (const row of database.prepare('SELECT leaf_hash FROM ledger_entries ORDER BY idx').all() as Array<{
          leaf_hash: Buffer;
        }>)
          tree.append(row.leaf_hash);
        assert.equal(tree.size, indexes.size, 'no holes');
        for (const checkpoint of database.prepare('SELECT size, root FROM ledger_checkpoints').all() as Array<{
          size: number;
          root: Buffer;
        }>) {
          assert.ok(
            tree.root(checkpoint.size).equals(checkpoint.root),
            `checkpoint at size ${checkpoint.size} matches the stored entries`,
          );
        }
        for (const row of database.prepare('SELECT leaf, leaf_hash FROM ledger_entries').all() as Array<{
          leaf: Buffer;
          leaf_hash: Buffer;
        }>)
          assert.ok(leafHash(row.leaf).equals(row.leaf_hash));
        database.close();
        const next = Number(
          (
            await chat(gateway.url, key, '{"model":"default","messages":[{"role":"user","content":"after"}]}')
          ).headers.get('x-sovereign-receipt'),
        );
        assert.equal(next, tree.size, 'the log goes on from where it stopped');
      } finally {
        gateway.child.kill('SIGKILL');
        await gateway.exited;
      }
    });
  }
});
