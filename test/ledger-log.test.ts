// The log service over a real SQLite store: group commit, restart recovery, refusing altered history.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { decodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { generateSigner, parseVerifierKey } from '../src/ledger/note.js';
import { LedgerIntegrityError, LedgerLog } from '../src/pipeline/ledger-log.js';
import { openPostgresStore, openSqliteStore } from '../src/store/kysely-store.js';
import { MerkleTree } from '../src/ledger/tree.js';
import { verifyReceipt } from '../src/ledger/receipt.js';
import { createTestDatabase, postgresSkipReason } from './postgres.js';
import { temporaryDirectory } from './helpers.js';
import { systemClock } from '../src/core/clock.js';
import { chatEntryRecord } from './support/entry-record.js';

const signer = generateSigner('test.example/log');
const record = (requestId: string, kind: EntryRecord['kind'] = 'chat'): EntryRecord =>
  chatEntryRecord({ kind, request_id: requestId });

async function openLog(directory: string): Promise<{ log: LedgerLog; close(): Promise<void> }> {
  const store = openSqliteStore(directory);
  await store.migrate();
  const log = new LedgerLog({
    store,
    signer,
    origin: signer.name,
    clock: systemClock,
    checkpointIntervalMs: 1000,
    onError: (error) => assert.fail(String(error)),
  });
  return {
    log,
    close: async () => {
      await log.stop();
      await store.close();
    },
  };
}

describe('the ledger log', () => {
  it('gives concurrent appends distinct, dense indexes (shared commits), and a checkpoint covers them', async () => {
    const directory = temporaryDirectory();
    const { log, close } = await openLog(directory);
    await log.start();
    const indexes = await Promise.all(
      Array.from({ length: 500 }, (_, index) => log.append(record(`r${index}`), { keyId: null })),
    );
    assert.deepEqual(
      [...indexes].sort((a, b) => a - b),
      Array.from({ length: 500 }, (_, index) => index),
    );
    const found = await log.receipt(499, 2_000);
    assert.ok(found && found.receipt.index === 499);
    await close();
  });

  it('at restart, closes streams left open as interrupted', async () => {
    const directory = temporaryDirectory();
    const first = await openLog(directory);
    await first.log.start();
    const openIndex = await first.log.append(record('s1', 'stream_open'), { keyId: 'k1', opensStream: true });
    await first.close();
    const second = await openLog(directory);
    const { interrupted } = await second.log.start();
    assert.equal(interrupted, 1);
    const database = new BetterSqlite3(join(directory, 'sovereign.db'), { readonly: true });
    const last = database.prepare('SELECT leaf, key_id FROM ledger_entries ORDER BY idx DESC LIMIT 1').get() as {
      leaf: Buffer;
      key_id: string;
    };
    database.close();
    const close = decodeEntry(last.leaf);
    assert.equal(close.kind, 'stream_close');
    assert.equal(close.outcome, 'interrupted');
    assert.equal(close.open_index, openIndex);
    assert.equal(close.request_id, 's1');
    assert.equal(last.key_id, 'k1');
    await second.close();
  });

  it('integrates entries appended by another process in index order', async () => {
    const directory = temporaryDirectory();
    const { log, close } = await openLog(directory);
    await log.start();
    await log.append(record('a'), { keyId: null });
    const other = openSqliteStore(directory);
    const leaf = Buffer.from('{"other":true}');
    const { leafHash } = await import('../src/ledger/hash.js');
    await other.appendLedgerEntries([{ leaf, leafHash: leafHash(leaf), keyId: null, createdAt: 1 }]);
    await other.close();
    const index = await log.append(record('b'), { keyId: null });
    assert.equal(index, 2);
    await log.signCheckpoint();
    assert.equal(log.latestCheckpoint()?.size, 3);
    const found = await log.receipt(1, 1_000);
    assert.equal(Buffer.from(found!.receipt.leaf, 'base64').toString(), '{"other":true}');
    await close();
  });

  it('refuses to start when a stored leaf no longer hashes to its stored hash', async () => {
    const directory = temporaryDirectory();
    const first = await openLog(directory);
    await first.log.start();
    await first.log.append(record('r'), { keyId: null });
    await first.close();
    const database = new BetterSqlite3(join(directory, 'sovereign.db'));
    database.prepare('UPDATE ledger_entries SET leaf = ? WHERE idx = 0').run(Buffer.from('{"altered":true}'));
    database.close();
    const second = await openLog(directory);
    await assert.rejects(
      second.log.start(),
      (error: unknown) => error instanceof LedgerIntegrityError && /entry 0 does not hash/.test(error.message),
    );
    await second.close();
  });

  it('refuses to start when stored entries no longer match a signed checkpoint', async () => {
    const directory = temporaryDirectory();
    const first = await openLog(directory);
    await first.log.start();
    for (let index = 0; index < 5; index += 1) await first.log.append(record(`r${index}`), { keyId: null });
    await first.close();
    const database = new BetterSqlite3(join(directory, 'sovereign.db'));
    const { leafHash } = await import('../src/ledger/hash.js');
    const altered = Buffer.from('{"altered":true}');
    database.prepare('UPDATE ledger_entries SET leaf = ?, leaf_hash = ? WHERE idx = 2').run(altered, leafHash(altered));
    database.close();
    const second = await openLog(directory);
    await assert.rejects(
      second.log.start(),
      (error: unknown) => error instanceof LedgerIntegrityError && /altered/.test(error.message),
    );
    await second.close();
  });
});

describe('two gateway replicas on one PostgreSQL ledger', { skip: postgresSkipReason() }, () => {
  it('share one dense order, and every checkpoint either signs extends the other', async () => {
    const database = await createTestDatabase();
    const stores = [openPostgresStore(database.url), openPostgresStore(database.url)];
    await stores[0]!.migrate();
    const logs = stores.map(
      (store) =>
        new LedgerLog({
          store,
          signer,
          origin: signer.name,
          clock: systemClock,
          checkpointIntervalMs: 1000,
          onError: (error) => assert.fail(String(error)),
        }),
    );
    for (const log of logs) await log.start();
    const indexes = await Promise.all(
      Array.from({ length: 200 }, (_, index) => logs[index % 2]!.append(record(`r${index}`), { keyId: null })),
    );
    assert.deepEqual(
      [...indexes].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, index) => index),
    );
    for (const log of logs) await log.signCheckpoint();
    const roots = await stores[0]!.checkpointRoots();
    const tree = new MerkleTree();
    for (const row of await stores[0]!.ledgerEntries(0, 1000)) tree.append(row.leafHash);
    for (const checkpoint of roots)
      assert.ok(tree.root(checkpoint.size).equals(checkpoint.root), `checkpoint ${checkpoint.size}`);
    const receipt = await logs[1]!.receipt(0, 1_000);
    assert.ok(receipt);
    verifyReceipt(receipt.receipt, [parseVerifierKey(signer.encoded)]);
    for (const log of logs) await log.stop();
    for (const store of stores) await store.close();
    await database.drop();
  });
});
