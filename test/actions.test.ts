// The action gate end to end: real HTTP, a real downstream double, real Ed25519 receipts, and the
// gateway's clock moved by hand, so every hold, timeout, sweep and downstream deadline is exact.
// Every DENY and HALTED case must leave the downstream with nothing; every ALLOW must reach it once.
import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import canonicalize from 'canonicalize';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../src/config/load.js';
import { amountOf, compareDecimals, decimalOfNumber, recordedAmount } from '../src/gate/amount.js';
import { ActionGate } from '../src/gate/gate.js';
import { paramsDigest, signReceipt, type ActionReceipt } from '../src/gate/receipt.js';
import { RuleBook } from '../src/gate/submission.js';
import { decodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { generateSigner, type SignerKey } from '../src/ledger/note.js';
import { verifyReceipt } from '../src/ledger/receipt.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import type { ActionRecord } from '../src/store/store.js';
import { startDownstreamDouble, type DownstreamDouble } from './doubles/downstream-double.js';
import { postJson, temporaryDirectory } from './helpers.js';
import { startGateHarness, type GateHarness } from './support/gate-harness.js';
import { ManualClock, settle, until } from './support/manual-clock.js';

const verifier = generateSigner('verifier.example');
const rogue = generateSigner('rogue.example');

const issueRules = [
  { match: { action: ['EXECUTE_TRANSACTION'], amount_over: 1000 }, require: 'receipt_and_approval' },
  { match: { action: ['EXECUTE_TRANSACTION'] }, require: 'receipt' },
  { match: { action: ['READ_BALANCE'] }, require: 'none' },
  { match: { action: ['DELETE_RECORD'] }, require: 'approval' },
];

interface Rig {
  harness: GateHarness;
  downstream: DownstreamDouble;
  clock: ManualClock;
  agent: string;
  approver: string;
  auditor: string;
  policyHash: string;
  close(): Promise<void>;
}

interface RigOptions {
  dataDirectory?: string;
  signer?: SignerKey;
  downstream?: DownstreamDouble;
  clock?: ManualClock;
}

async function startRig(actions: Record<string, unknown> = {}, options: RigOptions = {}): Promise<Rig> {
  const clock = options.clock ?? new ManualClock();
  const downstream = options.downstream ?? (await startDownstreamDouble());
  const dataDirectory = options.dataDirectory ?? temporaryDirectory();
  const config = {
    actions: {
      downstream: downstream.url,
      halt_timeout_s: 1,
      trusted_keys: [verifier.encoded],
      rules: issueRules,
      ...actions,
    },
  };
  const harness = await startGateHarness(config, { dataDirectory, clock, signer: options.signer });
  const suffix = randomUUID().slice(0, 6);
  return {
    harness,
    downstream,
    clock,
    agent: await harness.key(`agent-${suffix}`, []),
    approver: await harness.key(`approver-${suffix}`, ['approver']),
    auditor: await harness.key(`auditor-${suffix}`, ['auditor']),
    policyHash: harness.policyHash,
    async close() {
      await harness.close();
      if (!options.downstream) await downstream.close();
      if (!options.dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

interface ActionBody {
  agent_id: string;
  action: string;
  params?: Record<string, unknown>;
  amount?: number | string;
  receipt?: unknown;
}

function receiptFor(
  rig: Rig,
  body: ActionBody,
  overrides: Partial<ActionReceipt> = {},
  signer: SignerKey = verifier,
): ActionReceipt {
  return signReceipt(
    {
      receipt_id: randomUUID(),
      agent_id: body.agent_id,
      action: body.action,
      params_sha256: paramsDigest(body.amount, body.params),
      policy_hash: rig.policyHash,
      state_fingerprint: 'ledger-state-42',
      issued_at: new Date(rig.clock.now()).toISOString(),
      ...overrides,
    },
    signer,
  );
}

const transfer = (amount: number | string, to = 'FR7630006000011234567890189'): ActionBody => ({
  agent_id: 'treasury-bot',
  action: 'EXECUTE_TRANSACTION',
  params: { to, currency: 'EUR' },
  amount,
});

const submit = (rig: Rig, body: unknown, apiKey = rig.agent) =>
  postJson(`${rig.harness.url}/v1/actions`, body, { authorization: `Bearer ${apiKey}` });
const decide = (
  rig: Rig,
  id: string,
  verb: 'approve' | 'reject',
  apiKey = rig.approver,
  body: unknown = { comment: 'checked with the payee' },
) => postJson(`${rig.harness.url}/v1/actions/${id}/${verb}`, body, { authorization: `Bearer ${apiKey}` });

async function getJson(rig: Rig, path: string, apiKey = rig.approver): Promise<{ status: number; json: any }> {
  const response = await fetch(`${rig.harness.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, json: await response.json() };
}

async function entryAt(rig: Rig, index: number): Promise<EntryRecord> {
  const [row] = await rig.harness.store.ledgerEntries(index, index + 1);
  assert.ok(row, `ledger entry ${index} exists`);
  return decodeEntry(row.leaf);
}

/** Re-checks `probe` on every turn of the event loop (never a timed sleep) until it gives a value. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let round = 0; round < 5_000; round += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await settle();
  }
  throw new Error(`never happened: ${what}`);
}

/** The id of this agent's action once it is held, its HALTED entry written and its timeout armed. */
async function heldId(rig: Rig, agentId: string): Promise<string> {
  const id = await eventually(
    async () =>
      (await rig.harness.store.actionsWithStatus('held', 1000)).find(
        (action) => action.agentId === agentId && action.holdIndex !== null,
      )?.id,
    `${agentId} is held`,
  );
  // The timer is armed in the continuation of that write.
  await settle();
  return id;
}

/** The action once it is settled and its verdict's entry written. */
const settledAction = (rig: Rig, id: string): Promise<ActionRecord> =>
  eventually(async () => {
    const action = await rig.harness.store.action(id);
    return action && action.status !== 'held' && action.verdictIndex !== null ? action : undefined;
  }, `${id} is settled`);

/** Tells whether a pending answer has arrived, without waiting for it. */
function watch<T>(pending: Promise<T>): { readonly arrived: boolean } {
  const state = { arrived: false };
  void pending.then(() => (state.arrived = true));
  return state;
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
    assert.equal(executed.headers['x-sovereign-receipt'], String(first.json.ledger_index));
    assert.deepEqual(executed.body.params, body.params);
    assert.equal(executed.body.amount, 250);
    assert.equal(executed.body.ledger_index, first.json.ledger_index);

    const entry = await entryAt(rig, first.json.ledger_index);
    assert.equal(entry.kind, 'action');
    assert.equal(entry.action!.verdict, 'ALLOW');
    assert.equal(entry.action!.receipt_id, first.json.receipt_id);
    assert.equal(entry.time, new Date(rig.clock.now()).toISOString(), "the entry's time is the gateway clock's");
    assert.match(entry.action!.receipt_sha256!, /^[0-9a-f]{64}$/);
    assert.equal(entry.action!.signer, `${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}`);
    assert.ok(!JSON.stringify(entry).includes('FR7630006000011234567890189'), 'params never enter the ledger');

    // The entry's receipt verifies offline with the gateway's key.
    const proof = await getJson(rig, `/v1/ledger/receipts/${first.json.ledger_index}`, rig.agent);
    assert.equal(proof.status, 200);
    assert.equal(
      verifyReceipt(proof.json, [rig.harness.signer], rig.harness.signer.name).entry.action!.verdict,
      'ALLOW',
    );

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
    const minutes = (count: number): string => new Date(rig.clock.now() + count * 60_000).toISOString();
    cases.push([
      'forged signature',
      () => ({ ...base, receipt: { ...valid(), signature: Buffer.alloc(64, 7).toString('base64') } }),
      'bad_signature',
    ]);
    cases.push([
      'signature of another message',
      () => ({ ...base, receipt: { ...valid(), signature: valid().signature } }),
      'bad_signature',
    ]);
    cases.push(['untrusted key', () => ({ ...base, receipt: receiptFor(rig, base, {}, rogue) }), 'untrusted_key']);
    cases.push([
      'a rogue key claiming a trusted key id',
      () => {
        const forged = receiptFor(rig, base, {}, rogue);
        return { ...base, receipt: { ...forged, key_id: valid().key_id } };
      },
      'bad_signature',
    ]);
    for (const field of [
      'receipt_id',
      'agent_id',
      'action',
      'params_sha256',
      'policy_hash',
      'state_fingerprint',
      'issued_at',
      'key_id',
    ] as const) {
      cases.push([
        `tampered ${field}`,
        () => {
          const receipt = valid();
          const tampered: Record<string, string> = { ...receipt };
          const value = tampered[field]!;
          tampered[field] =
            field === 'issued_at'
              ? new Date(Date.parse(value) - 1000).toISOString()
              : field === 'params_sha256'
                ? '0'.repeat(64)
                : field === 'key_id'
                  ? `${verifier.name}+00000000`
                  : `${value}x`;
          return { ...base, receipt: tampered };
        },
        field === 'key_id' ? 'untrusted_key' : 'bad_signature',
      ]);
    }
    cases.push([
      'receipt for other params',
      () => ({ ...base, receipt: receiptFor(rig, transfer(300, 'DE89370400440532013000')) }),
      'params_mismatch',
    ]);
    cases.push(['amount changed after signing', () => ({ ...base, amount: 301, receipt: valid() }), 'params_mismatch']);
    cases.push([
      'the same amount written another way than signed',
      () => ({ ...base, amount: '300', receipt: valid() }),
      'params_mismatch',
    ]);
    cases.push([
      'receipt for another agent',
      () => ({ ...base, receipt: receiptFor(rig, { ...base, agent_id: 'other-bot' }) }),
      'receipt_mismatch',
    ]);
    cases.push(['stale', () => ({ ...base, receipt: receiptFor(rig, base, { issued_at: minutes(-10) }) }), 'stale']);
    cases.push([
      'issued in the future',
      () => ({ ...base, receipt: receiptFor(rig, base, { issued_at: minutes(10) }) }),
      'stale',
    ]);
    cases.push([
      'wrong policy hash',
      () => ({ ...base, receipt: receiptFor(rig, base, { policy_hash: `sha256:${'1'.repeat(64)}` }) }),
      'policy_hash_mismatch',
    ]);
    cases.push(['extra receipt field', () => ({ ...base, receipt: { ...valid(), note: 'hi' } }), 'malformed']);
    cases.push([
      'missing receipt field',
      () => {
        const { state_fingerprint: _gone, ...rest } = valid();
        return { ...base, receipt: rest };
      },
      'malformed',
    ]);
    cases.push(['receipt not an object', () => ({ ...base, receipt: 'trust me' }), 'malformed']);
    cases.push(['body not JSON', () => '{"agent_id": ', 'malformed']);
    cases.push(['unknown body field', () => ({ ...base, receipt: valid(), urgent: true }) as ActionBody, 'malformed']);
    cases.push(['amount not a number', () => ({ ...base, amount: 'three hundred', receipt: valid() }), 'malformed']);
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
    const metrics = await (await fetch(`${rig.harness.url}/metrics`)).text();
    assert.match(
      metrics,
      /^sovereign_action_verdicts_total\{endpoint="actions",verdict="DENY",reason="bad_signature"\} [1-9]/m,
    );
    assert.match(
      metrics,
      /^sovereign_action_verdicts_total\{endpoint="actions",verdict="ALLOW",reason="admitted"\} [1-9]/m,
    );
  });

  test('a receipt is fresh for receipt_max_age_s on the gateway clock, and no longer', async () => {
    const body = transfer(40);
    body.receipt = receiptFor(rig, body, { issued_at: new Date(rig.clock.now() - 300_000).toISOString() });
    assert.equal((await submit(rig, body)).json.verdict, 'ALLOW', 'exactly 300 s old is still fresh');
    const older = transfer(41);
    older.receipt = receiptFor(rig, older, { issued_at: new Date(rig.clock.now() - 301_000).toISOString() });
    assert.equal((await submit(rig, older)).json.reason, 'stale');
  });

  test('an action whose rule requires nothing is released at once', async () => {
    const response = await submit(rig, {
      agent_id: 'treasury-bot',
      action: 'READ_BALANCE',
      params: { account: 'ops' },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.verdict, 'ALLOW');
    assert.equal(response.json.receipt_id, null);
    assert.equal(rig.downstream.received.at(-1)!.body.action_id, response.json.action_id);
  });

  test('the action endpoints need a key, and listing needs a reviewer scope', async () => {
    assert.equal((await postJson(`${rig.harness.url}/v1/actions`, transfer(1))).status, 401);
    const listed = await getJson(rig, '/v1/actions/pending', rig.agent);
    assert.equal(listed.status, 403);
    assert.equal(listed.json.error.code, 'insufficient_scope');
    assert.equal((await getJson(rig, '/v1/actions/pending', rig.auditor)).status, 200);
    assert.equal((await getJson(rig, `/v1/actions/${randomUUID()}`)).json.error.code, 'action_not_found');
  });
});

describe('action gate: amounts are exact decimals', () => {
  const over = (amount: number | string, threshold: number): boolean =>
    compareDecimals(amountOf(amount)!.value, decimalOfNumber(threshold)!) > 0;

  test('an amount is a JSON number or a decimal string; anything else is not an amount', () => {
    for (const sent of [
      10000,
      12.5,
      -3,
      0,
      1e21,
      5e-324,
      '10000',
      '12.50',
      '-3',
      '0',
      '-0.0',
      '0.000001',
      '123456789012345678901234567890.5',
    ]) {
      assert.ok(amountOf(sent), `${JSON.stringify(sent)} is an amount`);
    }
    for (const sent of [
      'ten',
      '1e3',
      '1E3',
      '0.5e1',
      '',
      ' 12',
      '12 ',
      '12\n',
      '+5',
      '12.',
      '.5',
      '007',
      '00',
      '-',
      '1,000',
      '1_000',
      '0x10',
      '--3',
      '\u0661\u0662',
      'Infinity',
      'NaN',
      '1'.repeat(101),
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]) {
      assert.equal(amountOf(sent), undefined, `${JSON.stringify(sent)} is not an amount`);
    }
    assert.ok(amountOf('1'.repeat(100)), 'a 100-character decimal string is still an amount');
  });

  test('negative zero is zero: compared as 0 and recorded as 0, in either form', () => {
    const zero = decimalOfNumber(0)!;
    for (const sent of [-0, '-0', '-0.00']) {
      assert.equal(compareDecimals(amountOf(sent)!.value, zero), 0, JSON.stringify(sent));
      assert.ok(Object.is(recordedAmount(amountOf(sent)!), 0), `${JSON.stringify(sent)} is recorded as 0, not -0`);
    }
    assert.equal(compareDecimals(amountOf('-0.000001')!.value, zero), -1);
  });

  test('the extremes of a double compare exactly, without floating point', () => {
    assert.deepEqual(amountOf(Number.MAX_VALUE)!.value, { units: 17976931348623157n * 10n ** 292n, scale: 0 });
    assert.deepEqual(amountOf(Number.MIN_VALUE)!.value, { units: 5n, scale: 324 });
    assert.equal(compareDecimals(amountOf(Number.MIN_VALUE)!.value, amountOf(0)!.value), 1);
    assert.equal(compareDecimals(amountOf(-Number.MIN_VALUE)!.value, amountOf(0)!.value), -1);
    assert.equal(
      compareDecimals(amountOf('9007199254740993')!.value, decimalOfNumber(9007199254740992)!),
      1,
      'past 2^53 a string keeps its last digit',
    );
  });

  test('equal to amount_over is not over it; the smallest step above is, in either form', () => {
    assert.equal(over(10000, 10000), false);
    assert.equal(over('10000', 10000), false);
    assert.equal(over('10000.000', 10000), false);
    assert.equal(over(10000.000001, 10000), true);
    assert.equal(over('10000.000001', 10000), true);
    // A double cannot tell these from the threshold; the gate can.
    assert.equal(Number('10000.00000000000000000001'), 10000);
    assert.equal(over('10000.00000000000000000001', 10000), true);
    assert.equal(over('0.30000000000000001', 0.3), true);
    assert.equal(over('-3', 0), false);
    assert.equal(over('-0.0', 0), false);
    assert.equal(over(5e-324, 0), true);
  });

  test('a JSON number compares as its shortest decimal text, exponent forms included', () => {
    assert.equal(String(1e21), '1e+21');
    assert.equal(over(1e21, 1e21), false);
    assert.equal(over('1000000000000000000000', 1e21), false);
    assert.equal(over('1000000000000000000000.1', 1e21), true);
    assert.equal(over(1e21 + 1, 1e21), false, 'the same double as 1e21, so the same text');
    assert.equal(String(1e21 + 131_072), '1.0000000000000001e+21');
    assert.equal(over(1e21 + 131_072, 1e21), true, 'the next double up');
    assert.equal(over(1.5e-7, 1e-7), true);
    assert.equal(over('0.00000015', 1.5e-7), false);
  });

  test('an action without an amount matches an amount_over rule (an unknown amount is not shown to be small)', () => {
    const rules = new RuleBook([
      { match: { amount_over: 10000 }, require: 'approval' },
      { match: {}, require: 'receipt' },
    ]);
    assert.equal(rules.ruleFor('bot', 'PAY', null)!.index, 0);
    assert.equal(rules.ruleFor('bot', 'PAY', amountOf('10000')!)!.index, 1);
    assert.equal(rules.ruleFor('bot', 'PAY', amountOf('10000.000001')!)!.index, 0);
  });
});

describe('action gate: amounts on the wire', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ halt_timeout_s: 20 });
  });
  after(() => rig.close());

  test('a decimal string amount is released as sent: its receipt commits to the string, the downstream receives the string', async () => {
    const body = transfer('12.50');
    body.receipt = receiptFor(rig, body);
    const allowed = await submit(rig, body);
    assert.equal(allowed.status, 200, allowed.text);
    const executed = rig.downstream.received.find((item) => item.body.action_id === allowed.json.action_id)!;
    assert.equal(executed.body.amount, '12.50');
    assert.match(executed.text, /"amount":"12\.50"/);
    const entry = await entryAt(rig, allowed.json.ledger_index);
    assert.equal(entry.action!.params_sha256, paramsDigest('12.50', body.params));
    assert.equal(entry.action!.amount, 12.5);

    const signedAsNumber = transfer('12.50');
    signedAsNumber.receipt = receiptFor(rig, transfer(12.5));
    assert.equal(
      (await submit(rig, signedAsNumber)).json.reason,
      'params_mismatch',
      'a receipt for 12.5 is not a receipt for "12.50"',
    );
  });

  test('amount_over 1000: 1000 is released on a receipt, 1000.000001 also needs an approval, in either form', async () => {
    for (const amount of [1000, '1000', '1000.000']) {
      const body = { ...transfer(amount), agent_id: `boundary-${amount}` };
      body.receipt = receiptFor(rig, body);
      const answer = await submit(rig, body);
      assert.equal(answer.json.verdict, 'ALLOW', `${JSON.stringify(amount)}: ${answer.text}`);
    }
    for (const amount of [1000.000001, '1000.000001', '1000.00000000000000000001']) {
      const body = { ...transfer(amount), agent_id: `over-${amount}` };
      body.receipt = receiptFor(rig, body);
      const waiting = submit(rig, body);
      const id = await heldId(rig, body.agent_id);
      const view = await getJson(rig, `/v1/actions/${id}`);
      assert.deepEqual(
        [view.json.reason, view.json.rule, view.json.require],
        ['approval_required', 0, 'receipt_and_approval'],
        JSON.stringify(amount),
      );
      assert.equal((await decide(rig, id, 'reject')).status, 200);
      assert.equal((await waiting).json.reason, 'rejected');
    }
  });

  test('anything else in amount is a DENY malformed, on both endpoints, and forwards nothing', async () => {
    const before = rig.downstream.received.length;
    for (const amount of ['ten', '1e3', '', ' 12', '+5', '12.', '.5', true, {}, [1]]) {
      const answer = await submit(rig, { ...transfer(1), amount });
      assert.equal(answer.status, 403, JSON.stringify(amount));
      assert.deepEqual([answer.json.verdict, answer.json.reason], ['DENY', 'malformed'], JSON.stringify(amount));
      assert.match(answer.json.detail, /^amount: /);
      const compatible = await postJson(
        `${rig.harness.url}/api/v1/veritas-test`,
        { agent_id: 'a', action: 'EXECUTE_TRANSACTION', amount },
        { authorization: `Bearer ${rig.agent}` },
      );
      assert.deepEqual([compatible.status, compatible.json.reason], [403, 'malformed'], JSON.stringify(amount));
    }
    // Raw bodies: a JSON number too large for a double parses to ±Infinity, which is no amount either.
    for (const raw of ['1e400', '-1e400']) {
      const text = `{"agent_id":"treasury-bot","action":"READ_BALANCE","amount":${raw}}`;
      const answer = await submit(rig, text);
      assert.deepEqual([answer.status, answer.json.reason], [403, 'malformed'], raw);
      assert.match(answer.json.detail, /^amount: /);
      const compatible = await postJson(`${rig.harness.url}/api/v1/veritas-test`, text, {
        authorization: `Bearer ${rig.agent}`,
      });
      assert.deepEqual([compatible.status, compatible.json.reason], [403, 'malformed'], raw);
    }
    assert.equal(rig.downstream.received.length, before);
  });

  test('a JSON number in exponent form is a number: released on a receipt over that number, and compared by value', async () => {
    const text = (receipt: unknown): string =>
      `{"agent_id":"exponent-bot","action":"EXECUTE_TRANSACTION","params":{"to":"x"},"amount":1e3,"receipt":${JSON.stringify(receipt)}}`;
    const released = await submit(
      rig,
      text(
        receiptFor(rig, { agent_id: 'exponent-bot', action: 'EXECUTE_TRANSACTION', params: { to: 'x' }, amount: 1000 }),
      ),
    );
    assert.equal(released.status, 200, released.text);
    assert.equal((await entryAt(rig, released.json.ledger_index)).action!.amount, 1000);
    const overText = `{"agent_id":"exponent-over-bot","action":"EXECUTE_TRANSACTION","params":{"to":"x"},"amount":1.000000001e3,"receipt":${JSON.stringify(receiptFor(rig, { agent_id: 'exponent-over-bot', action: 'EXECUTE_TRANSACTION', params: { to: 'x' }, amount: 1000.000001 }))}}`;
    const waiting = submit(rig, overText);
    const id = await heldId(rig, 'exponent-over-bot');
    assert.equal((await getJson(rig, `/v1/actions/${id}`)).json.reason, 'approval_required', 'over amount_over 1000');
    assert.equal((await decide(rig, id, 'reject')).status, 200);
    assert.equal((await waiting).json.reason, 'rejected');
  });

  test('a negative zero amount is zero in the ledger and in the view', async () => {
    const body = { ...transfer('-0.00'), agent_id: 'zero-bot' };
    body.receipt = receiptFor(rig, body);
    const answer = await submit(rig, body);
    assert.equal(answer.status, 200, answer.text);
    const entry = await entryAt(rig, answer.json.ledger_index);
    assert.equal(
      entry.action!.params_sha256,
      paramsDigest('-0.00', body.params),
      'the digest is over the text as sent',
    );
    assert.ok(Object.is(entry.action!.amount, 0));
    assert.equal(
      rig.downstream.received.find((item) => item.body.action_id === answer.json.action_id)!.body.amount,
      '-0.00',
    );
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
    assert.equal(
      rig.downstream.received.filter((item) => item.body.action_id === id).length,
      0,
      'nothing forwarded while held',
    );
    const pending = await getJson(rig, `/v1/actions/${id}`, rig.agent);
    assert.equal(pending.status, 200, 'the submitter may read its action');
    assert.equal(pending.json.verdict, 'HALTED');
    assert.equal(pending.json.reason, 'approval_required');
    assert.equal(
      pending.json.deadline,
      new Date(rig.clock.now() + 20_000).toISOString(),
      'the deadline is halt_timeout_s after submission on the gateway clock',
    );
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
    assert.equal(view.json.approval.at, new Date(rig.clock.now()).toISOString());
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

  test('a key can never approve the action it submitted, even with the approver scope', async () => {
    const both = await rig.harness.key('agent-and-approver', ['approver']);
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
    assert.equal((await decide(rig, id, 'approve', rig.approver, '{"comment": ')).json.error.code, 'invalid_request');
    assert.equal((await decide(rig, id, 'reject', rig.approver, '')).status, 200);
    assert.equal((await waiting).status, 403);
  });
});

describe('action gate: timeouts and races, on the gateway clock', () => {
  test('a held action nobody approves answers 408 at its deadline, not a millisecond before, and can no longer be approved', async () => {
    const rig = await startRig({ halt_timeout_s: 0.3 });
    try {
      const pending = submit(rig, { agent_id: 'waiting-bot', action: 'DELETE_RECORD', params: { id: 1 } });
      const answer = watch(pending);
      await heldId(rig, 'waiting-bot');
      await rig.clock.advance(299);
      assert.equal(answer.arrived, false, 'still held 1 ms before the deadline');
      await rig.clock.advance(1);
      const timedOut = await pending;
      assert.equal(timedOut.status, 408);
      assert.deepEqual(
        [timedOut.json.verdict, timedOut.json.reason, timedOut.json.detail],
        ['HALTED', 'timeout', 'no approval within 0.3 s'],
      );
      assert.equal((await entryAt(rig, timedOut.json.ledger_index)).action!.reason, 'timeout');
      const late = await decide(rig, timedOut.json.action_id, 'approve');
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
      const answers = await Promise.all([
        ...bodies.map((body) => submit(rig, body)),
        ...Array.from({ length: 10 }, () => submit(rig, shared)),
      ]);
      assert.ok(answers.slice(0, 30).every((answer) => answer.status === 200));
      const retried = answers.slice(30);
      assert.equal(
        retried.filter((answer) => answer.status === 200).length,
        1,
        'exactly one use of the receipt is released',
      );
      assert.ok(retried.filter((answer) => answer.status !== 200).every((answer) => answer.json.reason === 'replayed'));
      const allowedIds = answers
        .filter((answer) => answer.status === 200)
        .map((answer) => answer.json.action_id as string);
      assert.equal(rig.downstream.received.length, 31);
      assert.deepEqual(new Set(rig.downstream.received.map((item) => item.body.action_id)), new Set(allowedIds));

      // 21 held actions: 7 approved before their deadline, 7 approved while the clock passes it (a true race), 7 after.
      const held = Array.from({ length: 21 }, (_, index) =>
        submit(rig, { agent_id: `racer-${index}`, action: 'DELETE_RECORD', params: { row: index } }),
      );
      const ids: string[] = [];
      for (let index = 0; index < 21; index += 1) ids.push(await heldId(rig, `racer-${index}`));
      const early = await Promise.all(ids.slice(0, 7).map((id) => decide(rig, id, 'approve')));
      await rig.clock.advance(499);
      const racing = ids.slice(7, 14).map((id) => decide(rig, id, 'approve'));
      await rig.clock.advance(1);
      const raced = await Promise.all(racing);
      const outcomes = await Promise.all(held);
      const late = await Promise.all(ids.slice(14).map((id) => decide(rig, id, 'approve')));
      assert.ok(
        early.every((approval) => approval.status === 200),
        'approvals before the deadline win',
      );
      assert.ok(
        late.every((approval) => approval.status === 409),
        'approvals after the timeout lose',
      );
      const approvals = [...early, ...raced, ...late];
      let allowed = 0;
      for (const [index, outcome] of outcomes.entries()) {
        const id = ids[index]!;
        assert.equal(outcome.json.action_id, id);
        const entry = await entryAt(rig, outcome.json.ledger_index);
        const forwarded = rig.downstream.received.filter((item) => item.body.action_id === id).length;
        if (outcome.status === 200) {
          allowed += 1;
          assert.equal(approvals[index]!.status, 200);
          assert.equal(entry.action!.verdict, 'ALLOW');
          assert.equal(forwarded, 1);
        } else {
          assert.equal(outcome.status, 408);
          assert.equal(approvals[index]!.status, 409);
          assert.equal(entry.action!.verdict, 'HALTED');
          assert.equal(forwarded, 0);
        }
        assert.equal((await getJson(rig, `/v1/actions/${id}`)).json.verdict, outcome.json.verdict);
      }
      assert.ok(allowed >= 7 && allowed <= 14);
      assert.equal(rig.downstream.received.length, 31 + allowed);
    } finally {
      await rig.close();
    }
  });
});

describe('action gate: held by another process', () => {
  test('a held action past its deadline with no timer on this replica is timed out by the sweep, every 5 s', async () => {
    const rig = await startRig();
    try {
      const id = randomUUID();
      const now = rig.clock.now();
      // As another replica would have left it: held, its entry written, its deadline passed, and that replica gone.
      await rig.harness.store.insertAction({
        id,
        endpoint: 'actions',
        agentId: 'orphan-bot',
        action: 'DELETE_RECORD',
        amount: null,
        paramsSha256: paramsDigest(null, {}),
        payload: '{"params":{},"amount":null}',
        receiptId: null,
        receiptSha256: null,
        signer: null,
        rule: 3,
        requirement: 'approval',
        simulated: false,
        status: 'held',
        reason: 'approval_required',
        submittedBy: 'another-key',
        submittedName: 'agent',
        createdAt: now - 10_000,
        deadlineAt: now - 1_000,
        holdIndex: null,
        verdictIndex: null,
        decidedAt: null,
        decidedBy: null,
        approval: null,
        forwardState: 'none',
        downstreamStatus: null,
        downstreamError: null,
      });
      await rig.clock.advance(4_999);
      assert.equal((await rig.harness.store.action(id))!.status, 'held', 'not before the sweep');
      await rig.clock.advance(1);
      const swept = await settledAction(rig, id);
      assert.deepEqual([swept.status, swept.reason], ['timed_out', 'timeout']);
      assert.equal((await entryAt(rig, swept.verdictIndex!)).action!.verdict, 'HALTED');
      assert.equal(rig.downstream.received.length, 0);
    } finally {
      await rig.close();
    }
  });
});

describe('action gate: settled by another replica', () => {
  test("a waiting client learns another replica's settlement at the next poll, every second of the gateway clock", async () => {
    const rig = await startRig({ halt_timeout_s: 20 });
    try {
      const pending = submit(rig, { agent_id: 'polled-bot', action: 'DELETE_RECORD', params: { id: 3 } });
      const answer = watch(pending);
      const id = await heldId(rig, 'polled-bot');
      const held = (await rig.harness.store.action(id))!;
      // As another replica's approver would leave it: settled in the shared store, its entry written there.
      assert.equal(
        await rig.harness.store.settleAction(id, {
          status: 'rejected',
          reason: 'rejected',
          decidedAt: rig.clock.now(),
          decidedBy: 'approver-elsewhere',
          approval: null,
          forwardState: 'none',
        }),
        true,
      );
      await rig.harness.store.updateAction(id, { verdictIndex: held.holdIndex });
      await rig.clock.advance(999);
      assert.equal(answer.arrived, false, 'not before the poll');
      await rig.clock.advance(1);
      // Bounded, so a poll that never comes fails here rather than hanging the suite.
      await until(() => answer.arrived, 'the answer after the poll', 5_000);
      const rejected = await pending;
      assert.equal(rejected.status, 403, rejected.text);
      assert.deepEqual(
        [rejected.json.verdict, rejected.json.reason, rejected.json.detail, rejected.json.action_id],
        ['DENY', 'rejected', 'rejected by approver-elsewhere', id],
      );
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
    const downstream = await startDownstreamDouble();
    const clock = new ManualClock();
    const restart = (haltSeconds: number): Promise<Rig> =>
      startRig({ halt_timeout_s: haltSeconds }, { dataDirectory, signer, downstream, clock });
    try {
      const first = await restart(30);
      const waitingApprove = submit(first, { agent_id: 'restart-approve', action: 'DELETE_RECORD', params: { id: 1 } });
      const approveId = await heldId(first, 'restart-approve');
      await first.close();
      const interrupted = await waitingApprove;
      assert.equal(interrupted.status, 503);
      assert.deepEqual(
        [interrupted.json.verdict, interrupted.json.reason, interrupted.json.action_id],
        ['HALTED', 'shutting_down', approveId],
      );

      const second = await restart(30);
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

      // A held action's deadline is kept across a restart: the clock moves past it while no gateway runs.
      const third = await restart(0.6);
      const waitingTimeout = submit(third, { agent_id: 'restart-timeout', action: 'DELETE_RECORD', params: { id: 2 } });
      const timeoutId = await heldId(third, 'restart-timeout');
      await third.close();
      assert.equal((await waitingTimeout).status, 503);
      await clock.advance(700);
      const fourth = await restart(0.6);
      try {
        // Re-armed at start with its deadline already past: it falls due on the next turn of the clock.
        await clock.advance(0);
        const timedOut = await settledAction(fourth, timeoutId);
        const view = await getJson(fourth, `/v1/actions/${timeoutId}`);
        assert.deepEqual([view.json.state, view.json.verdict, view.json.reason], ['timed_out', 'HALTED', 'timeout']);
        assert.equal((await entryAt(fourth, timedOut.verdictIndex!)).action!.reason, 'timeout');
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

describe('action gate: the downstream', () => {
  test('a downstream that answers 500 is reported in the verdict, and not retried', async () => {
    const rig = await startRig();
    try {
      rig.downstream.answer = 500;
      const answer = await submit(rig, { agent_id: 'reader', action: 'READ_BALANCE' });
      assert.equal(answer.json.verdict, 'ALLOW');
      assert.deepEqual(answer.json.downstream, { state: 'done', status: 500 });
      assert.equal(rig.downstream.received.length, 1);
    } finally {
      await rig.close();
    }
  });

  test('a downstream that does not answer is given downstream_timeout_ms on the gateway clock, then reported, and not retried', async () => {
    const rig = await startRig({ downstream_timeout_ms: 2_000 });
    try {
      rig.downstream.answer = 'silent';
      const pending = submit(rig, { agent_id: 'reader', action: 'READ_BALANCE' });
      const answer = watch(pending);
      await eventually(
        async () => (rig.downstream.received.length === 1 ? true : undefined),
        'the downstream got the action',
      );
      await rig.clock.advance(1_999);
      assert.equal(answer.arrived, false, 'still waiting for the downstream 1 ms before its deadline');
      await rig.clock.advance(1);
      const allowed = await pending;
      assert.equal(allowed.json.verdict, 'ALLOW');
      assert.deepEqual(allowed.json.downstream, { state: 'done', status: null, error: 'no answer within 2000 ms' });
      const view = await getJson(rig, `/v1/actions/${allowed.json.action_id}`);
      assert.deepEqual(view.json.downstream, allowed.json.downstream);
      assert.equal(rig.downstream.received.length, 1);
    } finally {
      await rig.close();
    }
  });

  test('a downstream that cannot be reached is reported, and the action is not sent again', async () => {
    const gone = await startDownstreamDouble();
    await gone.close();
    const rig = await startRig({ downstream: gone.url });
    try {
      const answer = await submit(rig, { agent_id: 'reader', action: 'READ_BALANCE' });
      assert.equal(answer.json.verdict, 'ALLOW');
      assert.equal(answer.json.downstream.status, null);
      assert.match(answer.json.downstream.error, /^could not reach the downstream: /);
    } finally {
      await rig.close();
    }
  });

  test('a gate with a downstream configured but no forward port refuses to start', async () => {
    const dataDirectory = temporaryDirectory();
    const store = openSqliteStore(dataDirectory);
    try {
      const settings = parseConfig({ actions: { downstream: 'http://127.0.0.1:9/execute' } }, 'test config').actions;
      assert.throws(
        () =>
          new ActionGate({
            settings,
            ports: { store, append: async () => 0 },
            policyHash: 'sha256:x',
            clock: new ManualClock(),
            onError: () => undefined,
          }),
        /no forward port/,
      );
    } finally {
      await store.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });
});

describe('action gate: the compatibility endpoint /api/v1/veritas-test', () => {
  const placeholder = { policy_hash: 'sha256:conformance-drill-policy', signature: 'SIMULATED-SIGNATURE-0000' };
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      halt_timeout_s: 0.3,
      rules: [
        { match: { amount_over: 10000 }, require: 'approval' },
        { match: {}, require: 'receipt' },
      ],
      simulation: placeholder,
    });
  });
  after(() => rig.close());

  const veritas = (body: unknown) =>
    postJson(`${rig.harness.url}/api/v1/veritas-test`, body, { authorization: `Bearer ${rig.agent}` });

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
        spacetime_anchor: { gnss_timestamp_ns: String(BigInt(rig.clock.now()) * 1_000_000n), source: 'GPS-L1' },
        signature: '',
      },
      ...overrides,
    };
    const { signature: _unsigned, ...unsignedReceipt } = body.veritas_receipt;
    body.veritas_receipt.signature = signReceiptBytes(
      Buffer.from(canonicalJsonForTest({ ...body, veritas_receipt: unsignedReceipt }), 'utf8'),
    );
    return body;
  }

  test('a missing receipt, or one whose outcome is not ALLOW, halts and answers 408 at halt_timeout_s', async () => {
    const missing = veritas({ agent_id: 'missing-receipt-agent', action: 'EXECUTE_TRANSACTION', amount: 10 });
    await heldId(rig, 'missing-receipt-agent');
    await rig.clock.advance(300);
    const timedOut = await missing;
    assert.equal(timedOut.status, 408, timedOut.text);
    assert.deepEqual([timedOut.json.verdict, timedOut.json.reason], ['HALTED', 'timeout']);

    const denied = signed({ agent_id: 'deny-outcome-agent' });
    denied.veritas_receipt.outcome = 'DENY';
    const notAllow = veritas(denied);
    await heldId(rig, 'deny-outcome-agent');
    await rig.clock.advance(300);
    assert.equal((await notAllow).status, 408);
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
      ['amount as a string', (b) => (b.amount = '1250.5')],
      ['receipt_id', (b) => (b.veritas_receipt.receipt_id += '1')],
      [
        'policy_hash',
        (b) =>
          (b.veritas_receipt.policy_hash = b.veritas_receipt.policy_hash.replace(/.$/, (c: string) =>
            c === '0' ? '1' : '0',
          )),
      ],
      ['state_fingerprint', (b) => (b.veritas_receipt.state_fingerprint = 'ab12cd35')],
      [
        'gnss_timestamp_ns',
        (b) =>
          (b.veritas_receipt.spacetime_anchor.gnss_timestamp_ns = String(
            BigInt(b.veritas_receipt.spacetime_anchor.gnss_timestamp_ns) + 1n,
          )),
      ],
      ['source', (b) => (b.veritas_receipt.spacetime_anchor.source = 'GPS-L2')],
      [
        'signature',
        (b) =>
          (b.veritas_receipt.signature = b.veritas_receipt.signature.replace(/^./, (c: string) =>
            c === 'A' ? 'B' : 'A',
          )),
      ],
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

  test('a decimal string amount is signed and forwarded as sent', async () => {
    const body = signed({ agent_id: 'string-amount-agent', amount: '1250.50' });
    const allowed = await veritas(body);
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(
      rig.downstream.received.find((item) => item.body.action_id === allowed.json.action_id)!.body.amount,
      '1250.50',
    );
  });

  test('amount_over compares the amount as an exact decimal: 10000 is released on its receipt, the smallest step above also needs an approval, in either form', async () => {
    for (const amount of [10000, '10000', '10000.00']) {
      const allowed = await veritas(signed({ agent_id: `veritas-boundary-${amount}`, amount }));
      assert.equal(allowed.status, 200, `${JSON.stringify(amount)}: ${allowed.text}`);
    }
    for (const amount of [10000.000001, '10000.000001', '10000.00000000000000000001']) {
      const agent = `veritas-over-${amount}`;
      const waiting = veritas(signed({ agent_id: agent, amount }));
      const id = await heldId(rig, agent);
      const view = await getJson(rig, `/v1/actions/${id}`);
      assert.deepEqual(
        [view.json.reason, view.json.rule, view.json.require],
        ['approval_required', 0, 'receipt_and_approval'],
        JSON.stringify(amount),
      );
      assert.equal((await decide(rig, id, 'reject')).status, 200);
      assert.equal((await waiting).json.reason, 'rejected');
    }
  });

  test('simulated receipts pass only with the configured placeholders, and every entry says so', async () => {
    const simulated = (receipt: Record<string, unknown>) => ({
      agent_id: 'drill-agent',
      action: 'EXECUTE_TRANSACTION',
      amount: 5,
      veritas_receipt: {
        simulated: true,
        receipt_id: randomUUID(),
        outcome: 'ALLOW',
        policy_hash: placeholder.policy_hash,
        spacetime_anchor: { gnss_timestamp_ns: 1_700_000_000_000_000_000, source: 'SIMULATED' },
        signature: placeholder.signature,
        ...receipt,
      },
    });
    assert.equal(rig.harness.gate.simulation, true);
    assert.ok(
      rig.harness.logs.some((line) => line.includes('SIMULATION MODE')),
      'simulation mode is logged at start',
    );
    const allowed = await veritas(simulated({}));
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.json.simulated, true);
    const entry = await entryAt(rig, allowed.json.ledger_index);
    assert.equal(entry.action!.simulated, true);
    for (const change of [
      { policy_hash: `${placeholder.policy_hash}x` },
      { signature: placeholder.signature.replace(/0$/, '1') },
    ]) {
      const refused = await veritas(simulated(change));
      assert.equal(refused.status, 403);
      assert.equal(refused.json.reason, 'simulation_mismatch');
      assert.equal((await entryAt(rig, refused.json.ledger_index)).action!.simulated, true);
    }
  });

  test('without actions.simulation, a simulated receipt is refused', async () => {
    const strict = await startRig({ halt_timeout_s: 0.3 });
    try {
      const response = await postJson(
        `${strict.harness.url}/api/v1/veritas-test`,
        {
          agent_id: 'a',
          action: 'EXECUTE_TRANSACTION',
          amount: 5,
          veritas_receipt: {
            simulated: true,
            receipt_id: 'r1',
            outcome: 'ALLOW',
            policy_hash: placeholder.policy_hash,
            spacetime_anchor: { gnss_timestamp_ns: '1', source: 'x' },
            signature: placeholder.signature,
          },
        },
        { authorization: `Bearer ${strict.agent}` },
      );
      assert.equal(response.status, 403);
      assert.equal(response.json.reason, 'simulation_disabled');
      assert.equal(strict.harness.gate.simulation, false);
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
      await rig.harness.store.close();
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
