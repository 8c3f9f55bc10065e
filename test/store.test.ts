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
import type { StoredCapture, StoredFeedback } from '../src/store/learning-store.js';

const key = (name: string, suffix: string) => ({
  id: `id-${suffix}`,
  name,
  keyHash: `hash-${suffix}`,
  keyPrefix: 'sk-sov-abcd',
  scopes: ['admin' as const],
  rpm: 60,
  createdAt: 1_000 + Number(suffix),
});

function contract(
  engine: string,
  open: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
  skip: string | false = false,
): void {
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
      assert.deepEqual(
        keys.map((entry) => entry.name),
        ['team-a', 'team-b'],
      );
      assert.deepEqual(keys[0], { ...key('team-a', '1'), revokedAt: null });
    });

    it('refuses a second active key with the same name', async () => {
      await assert.rejects(
        store.createKey(key('team-a', '3')),
        (error: unknown) => error instanceof StoreError && error.code === 'duplicate_name',
      );
    });

    it('revokes by name or id; revoked keys are no longer active, and the name can be reused', async () => {
      const revoked = await store.revokeKey('team-a', 5_000);
      assert.equal(revoked.revokedAt, 5_000);
      await store.revokeKey('id-2', 6_000);
      assert.deepEqual(await store.activeKeys(), []);
      await store.createKey(key('team-a', '4'));
      assert.deepEqual(
        (await store.activeKeys()).map((entry) => entry.id),
        ['id-4'],
      );
      assert.equal((await store.listKeys()).length, 3);
    });

    it('says not_found for an unknown or already revoked key', async () => {
      await assert.rejects(
        store.revokeKey('nobody', 1),
        (error: unknown) => error instanceof StoreError && error.code === 'not_found',
      );
      await assert.rejects(
        store.revokeKey('id-2', 1),
        (error: unknown) => error instanceof StoreError && error.code === 'not_found',
      );
    });

    it('appends ledger entries at dense indexes, in batches, from concurrent appenders', async () => {
      const entry = (text: string, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({
        leaf: Buffer.from(text),
        leafHash: Buffer.alloc(32, text.length),
        keyId: 'id-1',
        createdAt: 7,
        ...extra,
      });
      assert.equal(await store.ledgerSize(), 0);
      assert.deepEqual(await store.appendLedgerEntries([entry('a'), entry('bb', { opensStream: true })]), { first: 0 });
      const sizes = [1, 2, 1];
      const batches = await Promise.all([
        store.appendLedgerEntries([entry('c')]),
        store.appendLedgerEntries([entry('d'), entry('e')]),
        store.appendLedgerEntries([entry('f')]),
      ]);
      // Whatever order they commit in, the batches tile the indexes 2..5 without holes or overlap.
      const tiles = batches.map((batch, index) => [batch.first, sizes[index]!] as const).sort((a, b) => a[0] - b[0]);
      let expected = 2;
      for (const [first, size] of tiles) {
        assert.equal(first, expected);
        expected += size;
      }
      assert.equal(await store.ledgerSize(), 6);
      const all = await store.ledgerEntries(0, 100);
      assert.deepEqual(
        all.map((row) => row.index),
        [0, 1, 2, 3, 4, 5],
      );
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
      assert.deepEqual(await store.latestCheckpoint(), {
        size: 6,
        root: Buffer.alloc(32, 6),
        note: 'n6',
        createdAt: 2,
      });
      assert.deepEqual(await store.checkpointRoots(), [
        { size: 3, root: Buffer.alloc(32, 3) },
        { size: 6, root: Buffer.alloc(32, 6) },
      ]);
    });

    it('uses a receipt id once, settles a held action once, and lets one caller claim its forward', async () => {
      const action = (id: string, receiptId: string | null): ActionRecord => ({
        id,
        endpoint: 'actions',
        agentId: 'bot',
        action: 'PAY',
        amount: 12.5,
        paramsSha256: 'a'.repeat(64),
        payload: '{"params":{},"amount":12.5}',
        receiptId,
        receiptSha256: receiptId ? 'b'.repeat(64) : null,
        signer: null,
        rule: 0,
        requirement: 'approval',
        simulated: false,
        status: 'held',
        reason: 'approval_required',
        submittedBy: 'key-1',
        submittedName: 'agent',
        createdAt: 5,
        deadlineAt: 1_000,
        holdIndex: null,
        verdictIndex: null,
        decidedAt: null,
        decidedBy: null,
        approval: null,
        forwardState: 'none',
        downstreamStatus: null,
        downstreamError: null,
      });
      assert.deepEqual(await store.insertAction(action('a1', 'r1')), { inserted: true });
      assert.deepEqual(await store.insertAction(action('a2', 'r1')), { inserted: false, duplicateOf: 'a1' });
      assert.deepEqual(await store.insertAction(action('a3', null)), { inserted: true });
      assert.deepEqual(
        await store.insertAction(action('a4', null)),
        { inserted: true },
        'actions without a receipt do not collide',
      );
      assert.deepEqual(
        (await store.actionsWithStatus('held', 10)).map((held) => held.id),
        ['a1', 'a3', 'a4'],
      );
      await store.updateAction('a1', { holdIndex: 7 });
      const settle = {
        status: 'allowed' as const,
        reason: 'approved',
        decidedAt: 9,
        decidedBy: 'alice',
        approval: '{}',
        forwardState: 'pending' as const,
      };
      const results = await Promise.all([
        store.settleAction('a1', settle),
        store.settleAction('a1', { ...settle, status: 'timed_out', forwardState: 'none' }),
      ]);
      assert.deepEqual(results.filter(Boolean).length, 1, 'exactly one settlement wins');
      const settled = (await store.action('a1'))!;
      assert.equal(settled.holdIndex, 7);
      assert.equal(settled.amount, 12.5);
      if (settled.status === 'allowed') {
        const claims = await Promise.all([
          store.claimForward('a1'),
          store.claimForward('a1'),
          store.claimForward('a1'),
        ]);
        assert.equal(claims.filter(Boolean).length, 1, 'exactly one forward');
      }
      assert.ok(
        (await store.actionsToRecover()).some((recovering) => recovering.id === 'a1'),
        'a settled action without its verdict entry is recovered',
      );
      await store.updateAction('a1', { verdictIndex: 8, forwardState: 'done', downstreamStatus: 200 });
      assert.ok(!(await store.actionsToRecover()).some((recovering) => recovering.id === 'a1'));
      assert.equal(await store.action('missing'), undefined);
    });

    it('answers a ping', async () => {
      await store.ping();
    });

    const item = (id: string, role = 'input', labels: string[] = []) => ({
      id,
      role,
      labels,
      createdAt: 5,
      sealed: Buffer.from(`sealed ${id}`),
    });
    const response = (
      id: string,
      previous: string | null = null,
      conversation: string | null = null,
      expiresAt: number | null = 10_000,
    ) => ({
      id,
      owner: 'team-a',
      createdAt: 1,
      expiresAt,
      previousResponseId: previous,
      conversationId: conversation,
      labels: ['pii.email'],
      sealed: Buffer.from(`response ${id}`),
    });

    it('keeps responses with their items in order, for their owner only, until they expire', async () => {
      assert.equal(await store.state.saveResponse(response('resp_1'), [item('msg_a'), item('msg_b', 'output')]), true);
      assert.equal(
        await store.state.saveResponse(response('resp_2', 'resp_1'), [item('msg_a'), item('msg_c', 'output')]),
        true,
        'an item id may be in several responses',
      );
      const stored = await store.state.response('team-a', 'resp_2', 2);
      assert.deepEqual(
        { ...stored, sealed: stored?.sealed.toString() },
        { ...response('resp_2', 'resp_1'), sealed: 'response resp_2' },
      );
      assert.equal(
        await store.state.response('team-b', 'resp_2', 2),
        undefined,
        "another tenant's response is not found",
      );
      assert.equal(await store.state.response('team-a', 'resp_2', 10_000), undefined, 'expired');
      assert.deepEqual(
        (await store.state.itemsOf(['resp_1', 'resp_2'])).map(
          (entry) => `${entry.container}/${entry.id}/${entry.role}`,
        ),
        ['resp_1/msg_a/input', 'resp_1/msg_b/output', 'resp_2/msg_a/input', 'resp_2/msg_c/output'],
      );
      assert.deepEqual((await store.state.itemsById('team-b', ['msg_c'])).length, 0);
      assert.equal((await store.state.itemsById('team-a', ['msg_c']))[0]?.sealed.toString(), 'sealed msg_c');
      assert.equal(await store.state.deleteResponse('team-b', 'resp_1'), false);
      assert.equal(await store.state.deleteResponse('team-a', 'resp_1'), true);
      assert.deepEqual(await store.state.itemsOf(['resp_1']), [], 'its items (their text) went with it');
      assert.equal(await store.state.purgeExpiredResponses(10_000), 1);
      assert.equal(await store.state.response('team-a', 'resp_2', 2), undefined);
    });

    it('changes a background response only while it is what the caller last saw (compare and set)', async () => {
      const queued = Buffer.from('queued');
      assert.equal(await store.state.saveResponse({ ...response('resp_bg'), sealed: queued }, [item('msg_in')]), true);
      const running = Buffer.from('running');
      assert.equal(await store.state.updateResponse('team-b', 'resp_bg', running, queued), false, 'not its owner');
      assert.equal(await store.state.updateResponse('team-a', 'resp_bg', running, Buffer.from('other')), false);
      assert.equal(await store.state.updateResponse('team-a', 'resp_bg', running, queued), true);
      // A cancel elsewhere wins over a finish that still names the earlier object.
      assert.equal(await store.state.updateResponse('team-a', 'resp_bg', Buffer.from('cancelled'), running), true);
      const finish = {
        sealed: Buffer.from('done'),
        expected: running,
        items: [item('msg_out', 'output')],
        position: 1,
      };
      assert.equal(await store.state.finishResponse('team-a', 'resp_bg', finish), 'changed');
      assert.deepEqual(
        (await store.state.itemsOf(['resp_bg'])).map((entry) => entry.id),
        ['msg_in'],
        'a finish that lost stores nothing',
      );
      assert.equal(
        await store.state.finishResponse('team-a', 'resp_bg', { ...finish, expected: Buffer.from('cancelled') }),
        'saved',
      );
      assert.deepEqual(
        (await store.state.itemsOf(['resp_bg'])).map((entry) => `${entry.id}/${entry.role}`),
        ['msg_in/input', 'msg_out/output'],
      );
      assert.equal((await store.state.response('team-a', 'resp_bg', 2))?.sealed.toString(), 'done');
      // A finish into a conversation that is gone is rolled back whole.
      assert.equal(await store.state.saveResponse({ ...response('resp_bg2'), sealed: queued }, []), true);
      assert.equal(
        await store.state.finishResponse(
          'team-a',
          'resp_bg2',
          { ...finish, expected: queued },
          { id: 'conv_gone', items: [item('msg_c2')], labels: [] },
        ),
        'no_conversation',
      );
      assert.equal((await store.state.response('team-a', 'resp_bg2', 2))?.sealed.toString(), 'queued');
      assert.deepEqual(await store.state.itemsOf(['resp_bg2']), []);
    });

    it('appends conversation items at distinct positions, even when many append at once, and pages them', async () => {
      await store.state.createConversation(
        { id: 'conv_1', owner: 'team-a', createdAt: 1, labels: [], sealed: Buffer.from('{}') },
        [item('msg_0', 'item')],
      );
      await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          store.state.appendConversationItems('team-a', 'conv_1', [
            item(`msg_${index + 1}a`, 'item', index === 3 ? ['pii.iban'] : []),
            item(`msg_${index + 1}b`, 'item'),
          ]),
        ),
      );
      const all = await store.state.itemsOf(['conv_1']);
      assert.deepEqual(
        all.map((entry) => entry.position),
        Array.from({ length: 25 }, (_, index) => index),
      );
      assert.deepEqual(
        (await store.state.conversation('team-a', 'conv_1'))?.labels,
        ['pii.iban'],
        'the conversation took in the labels of what was added',
      );
      const first = await store.state.itemPage('conv_1', { limit: 10, order: 'desc' });
      assert.equal(first.items[0]?.position, 24);
      assert.equal(first.hasMore, true);
      const next = await store.state.itemPage('conv_1', { limit: 20, order: 'desc', after: first.items.at(-1)!.id });
      assert.deepEqual(
        next.items.map((entry) => entry.position),
        Array.from({ length: 15 }, (_, index) => 14 - index),
      );
      assert.equal(next.hasMore, false);
      assert.deepEqual(
        (await store.state.itemPage('conv_1', { limit: 5, order: 'asc', after: 'msg_unknown' })).items,
        [],
        'an unknown cursor is an empty page, not the first again',
      );
      assert.equal(
        await store.state.appendConversationItems('team-b', 'conv_1', [item('msg_x', 'item')]),
        undefined,
        'another tenant cannot add to it',
      );
      assert.equal(
        await store.state.saveResponse(response('resp_9', null, 'conv_1'), [item('msg_y')], {
          items: [item('msg_y', 'item')],
          labels: ['secret.token'],
        }),
        true,
      );
      assert.equal((await store.state.itemsOf(['conv_1'])).at(-1)?.id, 'msg_y');
      assert.equal(
        await store.state.saveResponse({ ...response('resp_10', null, 'conv_gone') }, [item('msg_z')], {
          items: [item('msg_z', 'item')],
          labels: [],
        }),
        false,
        'nothing is stored for a conversation that is not there',
      );
      assert.equal(await store.state.response('team-a', 'resp_10', 2), undefined);
      assert.equal(await store.state.deleteConversationItem('team-a', 'conv_1', 'msg_0'), true);
      assert.equal(await store.state.deleteConversation('team-a', 'conv_1'), true);
      assert.deepEqual(await store.state.itemsOf(['conv_1']), []);
    });

    const capture = (id: string, extra: Partial<StoredCapture> = {}): StoredCapture => ({
      id,
      tenant: 'team-b',
      keyId: 'id-2',
      receipt: null,
      responseId: null,
      episodeId: `episode-${id}`,
      alias: 'ward',
      provider: 'own',
      model: 'tiny',
      ownership: 'owned',
      role: 'primary',
      pairOf: null,
      labels: ['pii.email'],
      promptSha256: 'a'.repeat(64),
      latencyMs: 12,
      inputTokens: 7,
      outputTokens: 3,
      cost: 0.25,
      createdAt: 10_000,
      expiresAt: 90_000,
      sealed: Buffer.from([1, 2, 3]),
      ...extra,
    });

    it('keeps captures: found by receipt or response id for their tenant only, paged in order without skips', async () => {
      // 25 captures sharing one created_at: the (created_at, id) cursor must neither skip nor repeat.
      for (let index = 0; index < 25; index += 1)
        await store.learning.saveCapture(
          capture(`cap_${String(index).padStart(2, '0')}`, { receipt: 100 + index, responseId: `resp_${index}` }),
        );
      await store.learning.saveCapture(capture('cap_shadow', { role: 'shadow', pairOf: 'cap_03', createdAt: 10_001 }));
      await store.learning.saveCapture(capture('cap_old', { createdAt: 5_000, expiresAt: 6_000, receipt: 999 }));
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | undefined;
      for (;;) {
        const page = await store.learning.captures({ now: 20_000, role: 'primary' }, after, 7);
        if (page.length === 0) break;
        seen.push(...page.map((row) => row.id));
        after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
      }
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
      const found = await store.learning.captureBy({ receipt: 103 }, 'team-b', 20_000);
      assert.deepEqual(found, capture('cap_03', { receipt: 103, responseId: 'resp_3' }));
      assert.equal(await store.learning.captureBy({ receipt: 103 }, 'team-a', 20_000), undefined);
      assert.equal((await store.learning.captureBy({ responseId: 'resp_4' }, 'team-b', 20_000))?.id, 'cap_04');
      assert.equal(await store.learning.captureBy({ receipt: 999 }, undefined, 20_000), undefined, 'expired');
      assert.equal((await store.learning.shadowOf('cap_03'))?.id, 'cap_shadow');
      const paired = await store.learning.captures({ now: 20_000, role: 'primary', paired: true }, undefined, 100);
      assert.deepEqual(
        paired.map((row) => row.id),
        ['cap_03'],
      );
      assert.equal(await store.learning.episodeExpiry('episode-cap_05', 'team-b', 20_000), 90_000);
      assert.equal(await store.learning.episodeExpiry('episode-cap_05', 'team-a', 20_000), undefined);
      assert.equal(await store.learning.expireCaptures(20_000), 1);
    });

    it('keeps feedback on captures and episodes, oldest first', async () => {
      const feedback = (id: string, extra: Partial<StoredFeedback>): StoredFeedback => ({
        id,
        tenant: 'team-b',
        keyId: 'id-2',
        metric: 'helpful',
        captureId: null,
        episodeId: 'episode-cap_01',
        sealed: Buffer.from('x'),
        ledgerIndex: 7,
        createdAt: 11_000,
        expiresAt: 90_000,
        ...extra,
      });
      await store.learning.saveFeedback(feedback('fb_2', { captureId: 'cap_01', createdAt: 12_000 }));
      await store.learning.saveFeedback(feedback('fb_1', {}));
      await store.learning.saveFeedback(feedback('fb_3', { captureId: 'cap_02', episodeId: 'episode-cap_02' }));
      const rows = await store.learning.feedbackFor({ captureIds: ['cap_01'], episodeIds: ['episode-cap_01'] });
      assert.deepEqual(
        rows.map((row) => row.id),
        ['fb_1', 'fb_2'],
      );
      assert.deepEqual(rows[1], feedback('fb_2', { captureId: 'cap_01', createdAt: 12_000 }));
      assert.deepEqual(await store.learning.feedbackFor({ captureIds: [], episodeIds: [] }), []);
      // A feedback whose ledger entry is not yet recorded is never read; once it is, it is.
      await store.learning.saveFeedback(feedback('fb_4', { captureId: 'cap_09', ledgerIndex: -1 }));
      assert.deepEqual(await store.learning.feedbackFor({ captureIds: ['cap_09'], episodeIds: [] }), []);
      await store.learning.setFeedbackIndex('fb_4', 12);
      assert.equal((await store.learning.feedbackFor({ captureIds: ['cap_09'], episodeIds: [] }))[0]?.ledgerIndex, 12);
      await store.learning.saveFeedback(feedback('fb_5', { captureId: 'cap_09', expiresAt: 15_000 }));
      await store.learning.deleteFeedback('fb_4');
      assert.deepEqual(
        (await store.learning.feedbackFor({ captureIds: ['cap_09'], episodeIds: [] })).map((row) => row.id),
        ['fb_5'],
      );
      // Feedback expires with what it is on.
      await store.learning.expireCaptures(16_000);
      assert.deepEqual(await store.learning.feedbackFor({ captureIds: ['cap_09'], episodeIds: [] }), []);
    });
  });
}

contract('sqlite', async () => {
  const directory = temporaryDirectory();
  return {
    store: openSqliteStore(directory),
    cleanup: async () => rmSync(directory, { recursive: true, force: true }),
  };
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
    other
      .prepare(
        "INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, rpm, created_at) VALUES ('x', 'from-cli', 'h', 'p', '', NULL, 1)",
      )
      .run();
    assert.deepEqual(
      (await store.activeKeys()).map((entry) => entry.name),
      ['from-cli'],
    );
    other.close();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('two replicas on one PostgreSQL share conversation state', { skip: postgresSkipReason() }, () => {
  it('a chain started on one continues on the other; appends from both get distinct positions', async () => {
    const database = await createTestDatabase();
    const one = openPostgresStore(database.url);
    const two = openPostgresStore(database.url);
    try {
      await one.migrate();
      await one.state.saveResponse(
        {
          id: 'resp_a',
          owner: 't',
          createdAt: 1,
          expiresAt: null,
          previousResponseId: null,
          conversationId: null,
          labels: [],
          sealed: Buffer.from('a'),
        },
        [{ id: 'msg_1', role: 'input', labels: [], createdAt: 1, sealed: Buffer.from('x') }],
      );
      assert.equal((await two.state.response('t', 'resp_a', 2))?.sealed.toString(), 'a');
      await one.state.createConversation(
        { id: 'conv_r', owner: 't', createdAt: 1, labels: [], sealed: Buffer.from('{}') },
        [],
      );
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 ? one : two).state.appendConversationItems('t', 'conv_r', [
            { id: `msg_${index}`, role: 'item', labels: [], createdAt: 1, sealed: Buffer.from('y') },
          ]),
        ),
      );
      assert.deepEqual(
        (await one.state.itemsOf(['conv_r'])).map((entry) => entry.position),
        Array.from({ length: 10 }, (_, index) => index),
      );
    } finally {
      await one.close();
      await two.close();
      await database.drop();
    }
  });
});
