// The store contract, run against both engines: embedded SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore } from '../src/store/kysely-store.js';
import { StoreError, type ActionRecord, type NewLedgerEntry, type Store } from '../src/store/store.js';
import { temporaryDirectory } from './helpers.js';
import { createTestDatabase, postgresSkipReason } from './postgres.js';

const key = (name: string, suffix: string) => ({ id: `id-${suffix}`, name, keyHash: `hash-${suffix}`, keyPrefix: 'sk-sov-abcd', scopes: ['admin' as const], rpm: 60, createdAt: 1_000 + Number(suffix) });

function contract(engine: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>, skip: string | false = false): void {
  describe(`store contract: ${engine}`, { skip }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await open());
      await store.migrate();
      await store.migrate(); // idempotent on every start
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('creates and lists keys, never needing the key itself', async () => {
      await store.createKey(key('team-a', '1'));
      await store.createKey(key('team-b', '2'));
      const keys = await store.listKeys();
      assert.deepEqual(keys.map((entry) => entry.name), ['team-a', 'team-b']);
      assert.deepEqual(keys[0], { ...key('team-a', '1'), revokedAt: null });
    });

    it('refuses a second active key with the same name', async () => {
      await assert.rejects(store.createKey(key('team-a', '3')), (error: unknown) => error instanceof StoreError && error.code === 'duplicate_name');
    });

    it('revokes by name or id; revoked keys are no longer active, and the name can be reused', async () => {
      const revoked = await store.revokeKey('team-a', 5_000);
      assert.equal(revoked.revokedAt, 5_000);
      await store.revokeKey('id-2', 6_000);
      assert.deepEqual(await store.activeKeys(), []);
      await store.createKey(key('team-a', '4'));
      assert.deepEqual((await store.activeKeys()).map((entry) => entry.id), ['id-4']);
      assert.equal((await store.listKeys()).length, 3);
    });

    it('says not_found for an unknown or already revoked key', async () => {
      await assert.rejects(store.revokeKey('nobody', 1), (error: unknown) => error instanceof StoreError && error.code === 'not_found');
      await assert.rejects(store.revokeKey('id-2', 1), (error: unknown) => error instanceof StoreError && error.code === 'not_found');
    });

    it('appends ledger entries at dense indexes, in batches, from concurrent appenders', async () => {
      const entry = (text: string, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({ leaf: Buffer.from(text), leafHash: Buffer.alloc(32, text.length), keyId: 'id-1', createdAt: 7, ...extra });
      assert.equal(await store.ledgerSize(), 0);
      assert.deepEqual(await store.appendLedgerEntries([entry('a'), entry('bb', { opensStream: true })]), { first: 0 });
      const sizes = [1, 2, 1];
      const batches = await Promise.all([store.appendLedgerEntries([entry('c')]), store.appendLedgerEntries([entry('d'), entry('e')]), store.appendLedgerEntries([entry('f')])]);
      // Whatever order they commit in, the batches tile the indexes 2..5 without holes or overlap.
      const tiles = batches.map((batch, index) => [batch.first, sizes[index]!] as const).sort((a, b) => a[0] - b[0]);
      let expected = 2;
      for (const [first, size] of tiles) {
        assert.equal(first, expected);
        expected += size;
      }
      assert.equal(await store.ledgerSize(), 6);
      const all = await store.ledgerEntries(0, 100);
      assert.deepEqual(all.map((row) => row.index), [0, 1, 2, 3, 4, 5]);
      assert.equal(all[1]!.leaf.toString(), 'bb');
      assert.deepEqual(all[1]!.leafHash, Buffer.alloc(32, 2));
      assert.equal(all[0]!.keyId, 'id-1');
      assert.deepEqual(await store.openStreamIndexes(), [1]);
      assert.equal(await store.streamCloseIndex(1), null);
      const { first: closeIndex } = await store.appendLedgerEntries([entry('close', { closesStream: 1 })]);
      assert.deepEqual(await store.openStreamIndexes(), []);
      assert.equal(await store.streamCloseIndex(1), closeIndex);
    });

    it('keeps signed checkpoints, the first per size', async () => {
      assert.equal(await store.latestCheckpoint(), undefined);
      await store.saveCheckpoint({ size: 3, root: Buffer.alloc(32, 3), note: 'n3', createdAt: 1 });
      await store.saveCheckpoint({ size: 6, root: Buffer.alloc(32, 6), note: 'n6', createdAt: 2 });
      await store.saveCheckpoint({ size: 6, root: Buffer.alloc(32, 9), note: 'other', createdAt: 3 });
      assert.deepEqual(await store.latestCheckpoint(), { size: 6, root: Buffer.alloc(32, 6), note: 'n6', createdAt: 2 });
      assert.deepEqual(await store.checkpointRoots(), [{ size: 3, root: Buffer.alloc(32, 3) }, { size: 6, root: Buffer.alloc(32, 6) }]);
    });

    it('uses a receipt id once, settles a held action once, and lets one caller claim its forward', async () => {
      const action = (id: string, receiptId: string | null): ActionRecord => ({
        id, endpoint: 'actions', agentId: 'bot', action: 'PAY', amount: 12.5, paramsSha256: 'a'.repeat(64), payload: '{"params":{},"amount":12.5}', receiptId, receiptSha256: receiptId ? 'b'.repeat(64) : null,
        signer: null, rule: 0, requirement: 'approval', simulated: false, status: 'held', reason: 'approval_required', submittedBy: 'key-1', submittedName: 'agent', createdAt: 5,
        deadlineAt: 1_000, holdIndex: null, verdictIndex: null, decidedAt: null, decidedBy: null, approval: null, forwardState: 'none', downstreamStatus: null, downstreamError: null,
      });
      assert.deepEqual(await store.insertAction(action('a1', 'r1')), { inserted: true });
      assert.deepEqual(await store.insertAction(action('a2', 'r1')), { inserted: false, duplicateOf: 'a1' });
      assert.deepEqual(await store.insertAction(action('a3', null)), { inserted: true });
      assert.deepEqual(await store.insertAction(action('a4', null)), { inserted: true }, 'actions without a receipt do not collide');
      assert.deepEqual((await store.actionsWithStatus('held', 10)).map((held) => held.id), ['a1', 'a3', 'a4']);
      await store.updateAction('a1', { holdIndex: 7 });
      const settle = { status: 'allowed' as const, reason: 'approved', decidedAt: 9, decidedBy: 'alice', approval: '{}', forwardState: 'pending' as const };
      const results = await Promise.all([store.settleAction('a1', settle), store.settleAction('a1', { ...settle, status: 'timed_out', forwardState: 'none' })]);
      assert.deepEqual(results.filter(Boolean).length, 1, 'exactly one settlement wins');
      const settled = (await store.action('a1'))!;
      assert.equal(settled.holdIndex, 7);
      assert.equal(settled.amount, 12.5);
      if (settled.status === 'allowed') {
        const claims = await Promise.all([store.claimForward('a1'), store.claimForward('a1'), store.claimForward('a1')]);
        assert.equal(claims.filter(Boolean).length, 1, 'exactly one forward');
      }
      assert.ok((await store.actionsToRecover()).some((recovering) => recovering.id === 'a1'), 'a settled action without its verdict entry is recovered');
      await store.updateAction('a1', { verdictIndex: 8, forwardState: 'done', downstreamStatus: 200 });
      assert.ok(!(await store.actionsToRecover()).some((recovering) => recovering.id === 'a1'));
      assert.equal(await store.action('missing'), undefined);
    });

    it('answers a ping', async () => {
      await store.ping();
    });
  });
}

contract('sqlite', async () => {
  const directory = temporaryDirectory();
  return { store: openSqliteStore(directory), cleanup: async () => rmSync(directory, { recursive: true, force: true }) };
});

contract(
  'postgres',
  async () => {
    const database = await createTestDatabase();
    return { store: openPostgresStore(database.url), cleanup: () => database.drop() };
  },
  postgresSkipReason(),
);

describe('the embedded SQLite store', () => {
  it('runs in WAL mode with full synchronous commits, so the CLI can share it while the gateway runs', async () => {
    const directory = temporaryDirectory();
    const store = openSqliteStore(directory);
    await store.migrate();
    const other = new BetterSqlite3(join(directory, 'sovereign.db'));
    assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
    other.prepare("INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, rpm, created_at) VALUES ('x', 'from-cli', 'h', 'p', '', NULL, 1)").run();
    assert.deepEqual((await store.activeKeys()).map((entry) => entry.name), ['from-cli']);
    other.close();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });
});
