// The action gate end to end: a real gateway, a real downstream double, real Ed25519 receipts.
// Every DENY and HALTED case must leave the downstream with nothing; every ALLOW must reach it once.
import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import canonicalize from 'canonicalize';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { generateSigner, type SignerKey } from '../src/ledger/note.js';
import { verifyReceipt } from '../src/ledger/receipt.js';
import { paramsDigest, signReceipt, type ActionReceipt } from '../src/gate/receipt.js';
import { createApiKey } from '../src/pipeline/auth.js';
import type { Scope } from '../src/store/store.js';
import { startDownstream, type Downstream } from './doubles/downstream.js';
import { postJson, startTestGateway, temporaryDirectory, type TestGateway } from './helpers.js';

const verifier = generateSigner('verifier.example');
const rogue = generateSigner('rogue.example');

const issueRules = [
  { match: { action: ['EXECUTE_TRANSACTION'], amount_over: 1000 }, require: 'receipt_and_approval' },
  { match: { action: ['EXECUTE_TRANSACTION'] }, require: 'receipt' },
  { match: { action: ['READ_BALANCE'] }, require: 'none' },
  { match: { action: ['DELETE_RECORD'] }, require: 'approval' },
];

interface Rig {
  gateway: TestGateway;
  downstream: Downstream;
  agent: string;
  approver: string;
  auditor: string;
  policyHash: string;
  close(): Promise<void>;
}

async function key(gateway: TestGateway, name: string, scopes: Scope[]): Promise<string> {
  return (await createApiKey(gateway.store, { name, scopes, rpm: null, now: Date.now() })).key;
}

async function startRig(actions: Record<string, unknown> = {}, options: { dataDirectory?: string; signer?: SignerKey; downstream?: Downstream } = {}): Promise<Rig> {
  const downstream = options.downstream ?? (await startDownstream());
  const gateway = await startTestGateway({ actions: { downstream: downstream.url, halt_timeout_s: 1, trusted_keys: [verifier.encoded], rules: issueRules, ...actions } }, { dataDirectory: options.dataDirectory, signer: options.signer });
  const suffix = randomUUID().slice(0, 6);
  const rig: Rig = {
    gateway,
    downstream,
    agent: await key(gateway, `agent-${suffix}`, []),
    approver: await key(gateway, `approver-${suffix}`, ['approver']),
    auditor: await key(gateway, `auditor-${suffix}`, ['auditor']),
    policyHash: gateway.app.gateway.policyHash,
    async close() {
      await gateway.close();
      if (!options.downstream) await downstream.close();
    },
  };
  await gateway.app.keys.refresh();
  return rig;
}

interface ActionBody {
  agent_id: string;
  action: string;
  params?: Record<string, unknown>;
  amount?: number;
  receipt?: unknown;
}

function receiptFor(rig: Rig, body: ActionBody, overrides: Partial<ActionReceipt> = {}, signer: SignerKey = verifier): ActionReceipt {
  return signReceipt(
    {
      receipt_id: randomUUID(),
      agent_id: body.agent_id,
      action: body.action,
      params_sha256: paramsDigest(body.amount, body.params),
      policy_hash: rig.policyHash,
      state_fingerprint: 'ledger-state-42',
      issued_at: new Date().toISOString(),
      ...overrides,
    },
    signer,
  );
}

const transfer = (amount: number, to = 'FR7630006000011234567890189'): ActionBody => ({ agent_id: 'treasury-bot', action: 'EXECUTE_TRANSACTION', params: { to, currency: 'EUR' }, amount });

const submit = (rig: Rig, body: unknown, apiKey = rig.agent) => postJson(`${rig.gateway.url}/v1/actions`, body, { authorization: `Bearer ${apiKey}` });
const decide = (rig: Rig, id: string, verb: 'approve' | 'reject', apiKey = rig.approver, body: unknown = { comment: 'checked with the payee' }) => postJson(`${rig.gateway.url}/v1/actions/${id}/${verb}`, body, { authorization: `Bearer ${apiKey}` });

async function getJson(rig: Rig, path: string, apiKey = rig.approver): Promise<{ status: number; json: any }> {
  const response = await fetch(`${rig.gateway.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, json: await response.json() };
}

async function entryAt(rig: Rig, index: number): Promise<EntryRecord> {
  const [row] = await rig.gateway.store.ledgerEntries(index, index + 1);
  assert.ok(row, `ledger entry ${index} exists`);
  return decodeEntry(row.leaf);
}

/** Waits until an action with this agent appears among the held ones, and returns its id. */
async function heldId(rig: Rig, agentId: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { json } = await getJson(rig, '/v1/actions/pending?limit=1000');
    const found = (json.actions as any[]).find((action) => action.agent_id === agentId && action.hold_index !== null);
    if (found) return found.action_id;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no held action of ${agentId}`);
}

describe('action gate: receipts', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(() => rig.close());

  test('a valid receipt releases the action once; retrying the same receipt is a replay and executes nothing more', async () => {
    const body = transfer(250);
    body.receipt = receiptFor(rig, body);
    const first = await submit(rig, body);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.verdict, 'ALLOW');
    assert.equal(first.json.receipt_id, (body.receipt as ActionReceipt).receipt_id);
    assert.equal(typeof first.json.ledger_index, 'number');
    assert.deepEqual(first.json.downstream, { state: 'done', status: 200 });
    assert.equal(rig.downstream.received.length, 1);
    const executed = rig.downstream.received[0]!;
    assert.equal(executed.headers['idempotency-key'], first.json.action_id);
    assert.deepEqual(executed.body.params, body.params);
    assert.equal(executed.body.amount, 250);
    assert.equal(executed.body.ledger_index, first.json.ledger_index);

    const entry = await entryAt(rig, first.json.ledger_index);
    assert.equal(entry.kind, 'action');
    assert.equal(entry.action!.verdict, 'ALLOW');
    assert.equal(entry.action!.receipt_id, first.json.receipt_id);
    assert.match(entry.action!.receipt_sha256!, /^[0-9a-f]{64}$/);
    assert.equal(entry.action!.signer, `${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}`);
    assert.ok(!JSON.stringify(entry).includes('FR7630006000011234567890189'), 'params never enter the ledger');

    // The entry's receipt verifies offline with the gateway's key.
    const proof = await getJson(rig, `/v1/ledger/receipts/${first.json.ledger_index}`, rig.agent);
    assert.equal(proof.status, 200);
    assert.equal(verifyReceipt(proof.json, [rig.gateway.signer], rig.gateway.signer.name).entry.action!.verdict, 'ALLOW');

    const again = await submit(rig, body);
    assert.equal(again.status, 403);
    assert.equal(again.json.verdict, 'DENY');
    assert.equal(again.json.reason, 'replayed');
    assert.equal(again.json.original_action_id, first.json.action_id);
    assert.equal(rig.downstream.received.length, 1, 'no double execution');
    assert.equal((await entryAt(rig, again.json.ledger_index)).action!.reason, 'replayed');
  });

  test('every bad receipt is denied, recorded, and never forwarded', async () => {
    const before = rig.downstream.received.length;
    const base = transfer(300);
    const cases: Array<[string, () => ActionBody | string, string]> = [];
    const valid = (): ActionReceipt => receiptFor(rig, base);
    cases.push(['forged signature', () => ({ ...base, receipt: { ...valid(), signature: Buffer.alloc(64, 7).toString('base64') } }), 'bad_signature']);
    cases.push(['signature of another message', () => ({ ...base, receipt: { ...valid(), signature: valid().signature } }), 'bad_signature']);
    cases.push(['untrusted key', () => ({ ...base, receipt: receiptFor(rig, base, {}, rogue) }), 'untrusted_key']);
    cases.push(['a rogue key claiming a trusted key id', () => {
      const forged = receiptFor(rig, base, {}, rogue);
      return { ...base, receipt: { ...forged, key_id: valid().key_id } };
    }, 'bad_signature']);
    for (const field of ['receipt_id', 'agent_id', 'action', 'params_sha256', 'policy_hash', 'state_fingerprint', 'issued_at', 'key_id'] as const) {
      cases.push([`tampered ${field}`, () => {
        const receipt = valid();
        const tampered: Record<string, string> = { ...receipt };
        const value = tampered[field]!;
        tampered[field] = field === 'issued_at' ? new Date(Date.parse(value) - 1000).toISOString() : field === 'params_sha256' ? '0'.repeat(64) : field === 'key_id' ? `${verifier.name}+00000000` : `${value}x`;
        return { ...base, receipt: tampered };
      }, field === 'key_id' ? 'untrusted_key' : 'bad_signature']);
    }
    cases.push(['receipt for other params', () => ({ ...base, receipt: receiptFor(rig, transfer(300, 'DE89370400440532013000')) }), 'params_mismatch']);
    cases.push(['amount changed after signing', () => ({ ...base, amount: 301, receipt: valid() }), 'params_mismatch']);
    cases.push(['receipt for another agent', () => ({ ...base, receipt: receiptFor(rig, { ...base, agent_id: 'other-bot' }) }), 'receipt_mismatch']);
    cases.push(['stale', () => ({ ...base, receipt: receiptFor(rig, base, { issued_at: new Date(Date.now() - 10 * 60_000).toISOString() }) }), 'stale']);
    cases.push(['issued in the future', () => ({ ...base, receipt: receiptFor(rig, base, { issued_at: new Date(Date.now() + 10 * 60_000).toISOString() }) }), 'stale']);
    cases.push(['wrong policy hash', () => ({ ...base, receipt: receiptFor(rig, base, { policy_hash: `sha256:${'1'.repeat(64)}` }) }), 'policy_hash_mismatch']);
    cases.push(['extra receipt field', () => ({ ...base, receipt: { ...valid(), note: 'hi' } }), 'malformed']);
    cases.push(['missing receipt field', () => {
      const { state_fingerprint: _gone, ...rest } = valid();
      return { ...base, receipt: rest };
    }, 'malformed']);
    cases.push(['receipt not an object', () => ({ ...base, receipt: 'trust me' }), 'malformed']);
    cases.push(['body not JSON', () => '{"agent_id": ', 'malformed']);
    cases.push(['unknown body field', () => ({ ...base, receipt: valid(), urgent: true }) as ActionBody, 'malformed']);
    cases.push(['amount not a number', () => ({ ...base, amount: '300' as unknown as number, receipt: valid() }), 'malformed']);
    cases.push(['no rule matches', () => ({ agent_id: 'ops-bot', action: 'DROP_DATABASE' }), 'no_rule']);
    for (const [name, make, reason] of cases) {
      const response = await submit(rig, make());
      assert.equal(response.status, 403, `${name}: ${response.text}`);
      assert.equal(response.json.verdict, 'DENY', name);
      assert.equal(response.json.reason, reason, `${name}: ${response.json.detail}`);
      const entry = await entryAt(rig, response.json.ledger_index);
      assert.equal(entry.action!.verdict, 'DENY', name);
      assert.equal(entry.action!.reason, reason, name);
    }
    assert.equal(rig.downstream.received.length, before, 'nothing denied was forwarded');
    const metrics = await (await fetch(`${rig.gateway.url}/metrics`)).text();
    assert.match(metrics, /^sovereign_action_verdicts_total\{endpoint="actions",verdict="DENY",reason="bad_signature"\} [1-9]/m);
    assert.match(metrics, /^sovereign_action_verdicts_total\{endpoint="actions",verdict="ALLOW",reason="admitted"\} [1-9]/m);
  });

  test('an action whose rule requires nothing is released at once', async () => {
    const response = await submit(rig, { agent_id: 'treasury-bot', action: 'READ_BALANCE', params: { account: 'ops' } });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.verdict, 'ALLOW');
    assert.equal(response.json.receipt_id, null);
    assert.equal(rig.downstream.received.at(-1)!.body.action_id, response.json.action_id);
  });

  test('the action endpoints need a key, and listing needs a reviewer scope', async () => {
    assert.equal((await postJson(`${rig.gateway.url}/v1/actions`, transfer(1))).status, 401);
    const listed = await getJson(rig, '/v1/actions/pending', rig.agent);
    assert.equal(listed.status, 403);
    assert.equal(listed.json.error.code, 'insufficient_scope');
    assert.equal((await getJson(rig, '/v1/actions/pending', rig.auditor)).status, 200);
    assert.equal((await getJson(rig, `/v1/actions/${randomUUID()}`)).json.error.code, 'action_not_found');
  });
});

describe('action gate: held actions and approvals', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ halt_timeout_s: 20 });
  });
  after(() => rig.close());

  test('a large transfer with a receipt waits for an approver, then is released once', async () => {
    const body = { ...transfer(5000), agent_id: 'big-spender' };
    body.receipt = receiptFor(rig, body);
    const waiting = submit(rig, body);
    const id = await heldId(rig, 'big-spender');
    assert.equal(rig.downstream.received.filter((item) => item.body.action_id === id).length, 0, 'nothing forwarded while held');
    const pending = await getJson(rig, `/v1/actions/${id}`, rig.agent);
    assert.equal(pending.status, 200, 'the submitter may read its action');
    assert.equal(pending.json.verdict, 'HALTED');
    assert.equal(pending.json.reason, 'approval_required');
    assert.match(pending.json.approval_challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await entryAt(rig, pending.json.hold_index)).action!.verdict, 'HALTED');

    const byAgent = await decide(rig, id, 'approve', rig.agent);
    assert.equal(byAgent.status, 403, 'an agent key without the approver scope cannot approve');
    const approved = await decide(rig, id, 'approve');
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.verdict, 'ALLOW');
    const released = await waiting;
    assert.equal(released.status, 200);
    assert.equal(released.json.verdict, 'ALLOW');
    assert.equal(released.json.ledger_index, approved.json.ledger_index);
    assert.equal(released.json.approved_by, approved.json.approved_by);
    const entry = await entryAt(rig, released.json.ledger_index);
    assert.equal(entry.action!.verdict, 'ALLOW');
    assert.equal(entry.action!.hold_index, pending.json.hold_index);
    assert.match(entry.action!.approval_sha256!, /^[0-9a-f]{64}$/);
    assert.equal(rig.downstream.received.filter((item) => item.body.action_id === id).length, 1);

    const twice = await decide(rig, id, 'approve');
    assert.equal(twice.status, 409);
    assert.equal(twice.json.error.code, 'action_not_pending');
    const view = await getJson(rig, `/v1/actions/${id}`);
    assert.equal(view.json.verdict, 'ALLOW');
    assert.equal(view.json.approval.decision, 'approve');
    assert.equal(view.json.approval.comment, 'checked with the payee');
    assert.equal(view.json.approval.assertion, null);
  });

  test('a rejected action is denied and never forwarded', async () => {
    const body = { ...transfer(9000), agent_id: 'rejected-bot' };
    body.receipt = receiptFor(rig, body);
    const waiting = submit(rig, body);
    const id = await heldId(rig, 'rejected-bot');
    const rejected = await decide(rig, id, 'reject');
    assert.equal(rejected.status, 200);
    assert.equal(rejected.json.verdict, 'DENY');
    const answer = await waiting;
    assert.equal(answer.status, 403);
    assert.deepEqual([answer.json.verdict, answer.json.reason], ['DENY', 'rejected']);
    assert.equal((await entryAt(rig, answer.json.ledger_index)).action!.verdict, 'DENY');
    assert.equal(rig.downstream.received.filter((item) => item.body.action_id === id).length, 0);
  });

  test('an action without the receipt its rule requires is held, and an approval releases it', async () => {
    const waiting = submit(rig, { ...transfer(10), agent_id: 'no-receipt-bot' });
    const id = await heldId(rig, 'no-receipt-bot');
    assert.equal((await getJson(rig, `/v1/actions/${id}`)).json.reason, 'receipt_required');
    assert.equal((await decide(rig, id, 'approve')).status, 200);
    assert.equal((await waiting).json.verdict, 'ALLOW');
    assert.equal(rig.downstream.received.filter((item) => item.body.action_id === id).length, 1);
  });

  test('an action needing a receipt and an approval cannot be released by an approval alone', async () => {
    const waiting = submit(rig, { ...transfer(50_000), agent_id: 'half-proof-bot' });
    const id = await heldId(rig, 'half-proof-bot');
    const refused = await decide(rig, id, 'approve');
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, 'approval_insufficient');
    assert.equal((await decide(rig, id, 'reject')).status, 200);
    assert.equal((await waiting).status, 403);
    assert.equal(rig.downstream.received.filter((item) => item.body.action_id === id).length, 0);
  });

  test("a key can never approve the action it submitted, even with the approver scope", async () => {
    const both = await key(rig.gateway, 'agent-and-approver', ['approver']);
    await rig.gateway.app.keys.refresh();
    const waiting = submit(rig, { agent_id: 'self-bot', action: 'DELETE_RECORD', params: { id: 7 } }, both);
    const id = await heldId(rig, 'self-bot');
    const self = await decide(rig, id, 'approve', both);
    assert.equal(self.status, 403);
    assert.equal(self.json.error.code, 'insufficient_scope');
    assert.equal((await decide(rig, id, 'approve')).status, 200);
    assert.equal((await waiting).json.verdict, 'ALLOW');
  });

  test('approval calls with a bad body or for unknown actions get clear errors', async () => {
    assert.equal((await decide(rig, randomUUID(), 'approve')).json.error.code, 'action_not_found');
    const waiting = submit(rig, { agent_id: 'body-bot', action: 'DELETE_RECORD' });
    const id = await heldId(rig, 'body-bot');
    const bad = await decide(rig, id, 'approve', rig.approver, { comment: 5 });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_request');
    assert.equal((await decide(rig, id, 'reject', rig.approver, '')).status, 200);
    assert.equal((await waiting).status, 403);
  });
});

describe('action gate: timeouts and races', () => {
  test('a held action nobody approves answers 408 and can no longer be approved', async () => {
    const rig = await startRig({ halt_timeout_s: 0.3 });
    try {
      const started = Date.now();
      const answer = await submit(rig, { agent_id: 'waiting-bot', action: 'DELETE_RECORD', params: { id: 1 } });
      assert.equal(answer.status, 408);
      assert.deepEqual([answer.json.verdict, answer.json.reason], ['HALTED', 'timeout']);
      assert.ok(Date.now() - started >= 250, 'it waited for the timeout');
      assert.equal((await entryAt(rig, answer.json.ledger_index)).action!.reason, 'timeout');
      const late = await decide(rig, answer.json.action_id, 'approve');
      assert.equal(late.status, 409);
      assert.equal(rig.downstream.received.length, 0);
    } finally {
      await rig.close();
    }
  });

  test('many agents at once, one receipt sent ten times, approvals racing timeouts: one outcome per action everywhere', async () => {
    const rig = await startRig({ halt_timeout_s: 0.5 });
    try {
      // 30 agents with their own valid receipts, all at once.
      const bodies = Array.from({ length: 30 }, (_, index) => {
        const body = { ...transfer(100 + index), agent_id: `agent-${index}` };
        body.receipt = receiptFor(rig, body);
        return body;
      });
      const shared = { ...transfer(999), agent_id: 'retrying-bot' };
      shared.receipt = receiptFor(rig, shared);
      const answers = await Promise.all([...bodies.map((body) => submit(rig, body)), ...Array.from({ length: 10 }, () => submit(rig, shared))]);
      assert.ok(answers.slice(0, 30).every((answer) => answer.status === 200));
      const retried = answers.slice(30);
      assert.equal(retried.filter((answer) => answer.status === 200).length, 1, 'exactly one use of the receipt is released');
      assert.ok(retried.filter((answer) => answer.status !== 200).every((answer) => answer.json.reason === 'replayed'));
      const allowedIds = answers.filter((answer) => answer.status === 200).map((answer) => answer.json.action_id as string);
      assert.equal(rig.downstream.received.length, 31);
      assert.deepEqual(new Set(rig.downstream.received.map((item) => item.body.action_id)), new Set(allowedIds));

      // 20 held actions; approvals sent around their deadline.
      const held = Array.from({ length: 20 }, (_, index) => submit(rig, { agent_id: `racer-${index}`, action: 'DELETE_RECORD', params: { row: index } }));
      const ids = await Promise.all(Array.from({ length: 20 }, (_, index) => heldId(rig, `racer-${index}`)));
      const created = Date.now();
      const approvals = await Promise.all(
        ids.map(async (id, index) => {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, 300 + index * 20 - (Date.now() - created))));
          return decide(rig, id, 'approve');
        }),
      );
      const outcomes = await Promise.all(held);
      const approvedByRacer = new Map(approvals.map((approval, index) => [ids[index]!, approval]));
      let allowed = 0;
      for (const outcome of outcomes) {
        const id = outcome.json.action_id as string;
        const approval = approvedByRacer.get(id)!;
        const entry = await entryAt(rig, outcome.json.ledger_index);
        const forwarded = rig.downstream.received.filter((item) => item.body.action_id === id).length;
        if (outcome.status === 200) {
          allowed += 1;
          assert.equal(approval.status, 200);
          assert.equal(entry.action!.verdict, 'ALLOW');
          assert.equal(forwarded, 1);
        } else {
          assert.equal(outcome.status, 408);
          assert.equal(approval.status, 409);
          assert.equal(entry.action!.verdict, 'HALTED');
          assert.equal(forwarded, 0);
        }
        assert.equal((await getJson(rig, `/v1/actions/${id}`)).json.verdict, outcome.json.verdict);
      }
      assert.equal(rig.downstream.received.length, 31 + allowed);
    } finally {
      await rig.close();
    }
  });
});

describe('action gate: held by another process', () => {
  test('a held action past its deadline with no timer on this replica is timed out by the sweep', async () => {
    const rig = await startRig();
    try {
      const id = randomUUID();
      // As another replica would have left it: held, its entry written, its deadline passed, and that replica gone.
      await rig.gateway.store.insertAction({
        id, endpoint: 'actions', agentId: 'orphan-bot', action: 'DELETE_RECORD', amount: null, paramsSha256: paramsDigest(null, {}), payload: '{"params":{},"amount":null}', receiptId: null, receiptSha256: null, signer: null,
        rule: 3, requirement: 'approval', simulated: false, status: 'held', reason: 'approval_required', submittedBy: 'another-key', submittedName: 'agent', createdAt: Date.now() - 10_000,
        deadlineAt: Date.now() - 1_000, holdIndex: null, verdictIndex: null, decidedAt: null, decidedBy: null, approval: null, forwardState: 'none', downstreamStatus: null, downstreamError: null,
      });
      const deadline = Date.now() + 8_000;
      let view = await getJson(rig, `/v1/actions/${id}`);
      while ((view.json.state === 'held' || view.json.ledger_index === null) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await getJson(rig, `/v1/actions/${id}`);
      }
      assert.deepEqual([view.json.state, view.json.reason], ['timed_out', 'timeout']);
      assert.equal((await entryAt(rig, view.json.ledger_index)).action!.verdict, 'HALTED');
      assert.equal(rig.downstream.received.length, 0);
    } finally {
      await rig.close();
    }
  });
});

describe('action gate: restart while held', () => {
  test('held actions survive a restart: their clients get 503, and they can be approved or time out afterwards', async () => {
    const dataDirectory = temporaryDirectory();
    const signer = generateSigner('test.example/sovereign-gateway');
    const downstream = await startDownstream();
    try {
      const first = await startRig({ halt_timeout_s: 30 }, { dataDirectory, signer, downstream });
      const waitingApprove = submit(first, { agent_id: 'restart-approve', action: 'DELETE_RECORD', params: { id: 1 } });
      const approveId = await heldId(first, 'restart-approve');
      await first.close();
      const interrupted = await waitingApprove;
      assert.equal(interrupted.status, 503);
      assert.deepEqual([interrupted.json.verdict, interrupted.json.reason, interrupted.json.action_id], ['HALTED', 'shutting_down', approveId]);

      const second = await startRig({ halt_timeout_s: 30 }, { dataDirectory, signer, downstream });
      try {
        assert.equal((await getJson(second, `/v1/actions/${approveId}`)).json.state, 'held');
        const approved = await decide(second, approveId, 'approve');
        assert.equal(approved.status, 200, approved.text);
        assert.equal(approved.json.verdict, 'ALLOW');
        assert.equal(downstream.received.filter((item) => item.body.action_id === approveId).length, 1);
        const view = await getJson(second, `/v1/actions/${approveId}`);
        assert.equal(view.json.verdict, 'ALLOW');
        assert.equal(view.json.downstream.status, 200);
      } finally {
        await second.close();
      }

      // A held action's deadline is kept across a restart.
      const third = await startRig({ halt_timeout_s: 0.6 }, { dataDirectory, signer, downstream });
      const waitingTimeout = submit(third, { agent_id: 'restart-timeout', action: 'DELETE_RECORD', params: { id: 2 } });
      const timeoutId = await heldId(third, 'restart-timeout');
      await third.close();
      assert.equal((await waitingTimeout).status, 503);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const fourth = await startRig({ halt_timeout_s: 0.6 }, { dataDirectory, signer, downstream });
      try {
        const deadline = Date.now() + 5_000;
        let view = await getJson(fourth, `/v1/actions/${timeoutId}`);
        while ((view.json.state === 'held' || view.json.ledger_index === null) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          view = await getJson(fourth, `/v1/actions/${timeoutId}`);
        }
        assert.deepEqual([view.json.state, view.json.verdict, view.json.reason], ['timed_out', 'HALTED', 'timeout']);
        assert.equal((await entryAt(fourth, view.json.ledger_index)).action!.reason, 'timeout');
        assert.equal(downstream.received.filter((item) => item.body.action_id === timeoutId).length, 0);
      } finally {
        await fourth.close();
      }
    } finally {
      await downstream.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });
});

describe('action gate: the compatibility endpoint /api/v1/veritas-test', () => {
  const placeholder = { policy_hash: 'sha256:conformance-drill-policy', signature: 'SIMULATED-SIGNATURE-0000' };
  let rig: Rig;
  before(async () => {
    rig = await startRig({ halt_timeout_s: 0.3, rules: [{ match: {}, require: 'receipt' }], simulation: placeholder });
  });
  after(() => rig.close());

  const veritas = (body: unknown) => postJson(`${rig.gateway.url}/api/v1/veritas-test`, body, { authorization: `Bearer ${rig.agent}` });

  function signed(overrides: Record<string, unknown> = {}): Record<string, any> {
    const body: Record<string, any> = {
      agent_id: 'payments-agent',
      action: 'EXECUTE_TRANSACTION',
      amount: 1250.5,
      veritas_receipt: {
        simulated: false,
        receipt_id: randomUUID(),
        outcome: 'ALLOW',
        policy_hash: rig.policyHash,
        state_fingerprint: 'ab12cd34',
        spacetime_anchor: { gnss_timestamp_ns: String(BigInt(Date.now()) * 1_000_000n), source: 'GPS-L1' },
        signature: '',
      },
      ...overrides,
    };
    const { signature: _unsigned, ...unsignedReceipt } = body.veritas_receipt;
    body.veritas_receipt.signature = (signReceiptBytes(Buffer.from(canonicalJsonForTest({ ...body, veritas_receipt: unsignedReceipt }), 'utf8')));
    return body;
  }

  test('a missing receipt, or one whose outcome is not ALLOW, halts and answers 408', async () => {
    const missing = await veritas({ agent_id: 'payments-agent', action: 'EXECUTE_TRANSACTION', amount: 10 });
    assert.equal(missing.status, 408, missing.text);
    assert.deepEqual([missing.json.verdict, missing.json.reason], ['HALTED', 'timeout']);
    const denied = signed();
    denied.veritas_receipt.outcome = 'DENY';
    const notAllow = await veritas(denied);
    assert.equal(notAllow.status, 408);
    assert.equal(rig.downstream.received.length, 0);
  });

  test('a receipt signed by a trusted key is allowed with its receipt id; any changed field is refused', async () => {
    const body = signed();
    const allowed = await veritas(body);
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.json.verdict, 'ALLOW');
    assert.equal(allowed.json.receipt_id, body.veritas_receipt.receipt_id);
    assert.equal((await entryAt(rig, allowed.json.ledger_index)).action!.verdict, 'ALLOW');
    assert.equal(rig.downstream.received.length, 1);
    assert.equal((await veritas(body)).json.reason, 'replayed');

    const changes: Array<[string, (body: Record<string, any>) => void]> = [
      ['agent_id', (b) => (b.agent_id = 'other-agent')],
      ['action', (b) => (b.action = 'EXECUTE_TRANSACTIOM')],
      ['amount', (b) => (b.amount = 1250.51)],
      ['receipt_id', (b) => (b.veritas_receipt.receipt_id += '1')],
      ['policy_hash', (b) => (b.veritas_receipt.policy_hash = b.veritas_receipt.policy_hash.replace(/.$/, (c: string) => (c === '0' ? '1' : '0')))],
      ['state_fingerprint', (b) => (b.veritas_receipt.state_fingerprint = 'ab12cd35')],
      ['gnss_timestamp_ns', (b) => (b.veritas_receipt.spacetime_anchor.gnss_timestamp_ns = String(BigInt(b.veritas_receipt.spacetime_anchor.gnss_timestamp_ns) + 1n))],
      ['source', (b) => (b.veritas_receipt.spacetime_anchor.source = 'GPS-L2')],
      ['signature', (b) => (b.veritas_receipt.signature = b.veritas_receipt.signature.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')))],
      ['simulated', (b) => (b.veritas_receipt.simulated = true)],
    ];
    for (const [field, change] of changes) {
      const tampered = signed();
      change(tampered);
      const response = await veritas(tampered);
      assert.equal(response.status, 403, `${field}: ${response.text}`);
      assert.equal(response.json.verdict, 'DENY', field);
    }
    assert.equal(rig.downstream.received.length, 1, 'only the untouched receipt was executed');
  });

  test('simulated receipts pass only with the configured placeholders, and every entry says so', async () => {
    const simulated = (receipt: Record<string, unknown>) => ({
      agent_id: 'drill-agent',
      action: 'EXECUTE_TRANSACTION',
      amount: 5,
      veritas_receipt: { simulated: true, receipt_id: randomUUID(), outcome: 'ALLOW', policy_hash: placeholder.policy_hash, spacetime_anchor: { gnss_timestamp_ns: 1_700_000_000_000_000_000, source: 'SIMULATED' }, signature: placeholder.signature, ...receipt },
    });
    const allowed = await veritas(simulated({}));
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.json.simulated, true);
    const entry = await entryAt(rig, allowed.json.ledger_index);
    assert.equal(entry.action!.simulated, true);
    for (const change of [{ policy_hash: `${placeholder.policy_hash}x` }, { signature: placeholder.signature.replace(/0$/, '1') }]) {
      const refused = await veritas(simulated(change));
      assert.equal(refused.status, 403);
      assert.equal(refused.json.reason, 'simulation_mismatch');
      assert.equal((await entryAt(rig, refused.json.ledger_index)).action!.simulated, true);
    }
    assert.ok(rig.gateway.logs.some((line) => line.includes('SIMULATION MODE')), 'simulation mode is logged at start');
  });

  test('without actions.simulation, a simulated receipt is refused', async () => {
    const strict = await startRig({ halt_timeout_s: 0.3 });
    try {
      const response = await postJson(`${strict.gateway.url}/api/v1/veritas-test`, { agent_id: 'a', action: 'EXECUTE_TRANSACTION', amount: 5, veritas_receipt: { simulated: true, receipt_id: 'r1', outcome: 'ALLOW', policy_hash: placeholder.policy_hash, spacetime_anchor: { gnss_timestamp_ns: '1', source: 'x' }, signature: placeholder.signature } }, { authorization: `Bearer ${strict.agent}` });
      assert.equal(response.status, 403);
      assert.equal(response.json.reason, 'simulation_disabled');
      assert.equal(strict.downstream.received.length, 0);
    } finally {
      await strict.close();
    }
  });
});

function signReceiptBytes(bytes: Buffer): string {
  return sign(null, bytes, verifier.privateKey).toString('base64');
}

/** The reference RFC 8785 implementation, as another tool making receipts would use one. */
function canonicalJsonForTest(value: unknown): string {
  return (canonicalize as unknown as (input: unknown) => string)(value);
}

describe('action gate: storage failure', () => {
  test('when the store fails mid-verdict the gate fails closed with 503 ledger_unavailable and forwards nothing', async () => {
    const rig = await startRig();
    try {
      await rig.gateway.store.close();
      const body = transfer(10);
      body.receipt = receiptFor(rig, body);
      const response = await submit(rig, body);
      assert.equal(response.status, 503, response.text);
      assert.equal(response.json.error.code, 'ledger_unavailable');
      assert.equal(rig.downstream.received.length, 0);
    } finally {
      await rig.close().catch(() => undefined);
    }
  });
});
