// The action gate: decides over typed submissions (submission.ts) and answers with domain verdicts
// (verdict.ts) — ALLOW with a valid receipt or an approval as the rule requires, DENY, or HALTED
// until an approver decides or it times out; store, ledger and downstream are ports (ports.ts).
//
// Fails closed everywhere, because an agent's action is money or data leaving: no matching rule is
// a DENY, a receipt that does not verify is a DENY, a hold nobody releases times out. Every wait is
// on the gateway's clock. A receipt id is used once (a UNIQUE column): a retried receipt never executes twice.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { VerifierKey } from '../ledger/note.js';
import type { ActionRecord } from '../store/store.js';
import { recordedAmount } from './amount.js';
import { closeInterruptedForward, forwardOnce, type ForwardPort } from './forward.js';
import { HeldActions, type Hold } from './held-actions.js';
import { GateRecorder, submitterOf, type RefusedFacts } from './ledger-entries.js';
import type { ActionStore, GatePorts } from './ports.js';
import { checkReceipt, paramsDigest, receiptDigest, trustedKeyMap } from './receipt.js';
import {
  RuleBook,
  type ActionSubmission,
  type Approver,
  type GateSettings,
  type MatchedRule,
  type Origin,
  type Requirement,
  type VeritasSubmission,
} from './submission.js';
import { checkVeritas } from './veritas.js';
import { verdictOf, type Denied, type Verdict } from './verdict.js';

export interface GateOptions {
  settings: GateSettings;
  ports: GatePorts;
  policyHash: string;
  /** The gateway's clock: receipt freshness, ledger times, hold deadlines, the poll and the sweep. */
  clock: Clock;
  /** Failures of background work (timeouts, polls, sweeps), which have no client to answer. */
  onError(error: unknown): void;
  /** How often a waiting client's action is re-read, to see a settlement made by another replica (default 1 s). */
  pollMs?: number;
  /** How often held actions are swept for deadlines no timer here covers (default 5 s). */
  sweepMs?: number;
}

/** A submission that passed its receipt checks (if any), before it is stored. */
interface Admitted {
  endpoint: ActionRecord['endpoint'];
  agentId: string;
  action: string;
  amount: ActionSubmission['amount'];
  params: Record<string, unknown> | undefined;
  paramsSha256: string;
  rule: number;
  requirement: Requirement;
  receipt: { id: string; sha256: string; signer: string | null; simulated: boolean } | undefined;
  /** Why it is held, if it is. */
  halt?: { reason: string; detail: string };
}

export class ActionGate {
  private readonly settings: GateSettings;
  private readonly store: ActionStore;
  private readonly forward: ForwardPort | undefined;
  private readonly clock: Clock;
  private readonly policyHash: string;
  private readonly trusted: ReadonlyMap<string, VerifierKey>;
  private readonly rules: RuleBook;
  private readonly recorder: GateRecorder;
  private readonly held: HeldActions;

  constructor(options: GateOptions) {
    const { settings, ports, policyHash, clock, onError } = options;
    // Fail closed at start: a configured downstream with nothing to send through would drop released actions.
    if (settings.downstream && !ports.forward)
      throw new Error('actions.downstream is set, but the gate was given no forward port');
    this.settings = settings;
    this.store = ports.store;
    this.forward = settings.downstream ? ports.forward : undefined;
    this.clock = clock;
    this.policyHash = policyHash;
    this.trusted = trustedKeyMap(settings.trusted_keys);
    this.rules = new RuleBook(settings.rules);
    this.recorder = new GateRecorder({ append: ports.append, store: ports.store, policyHash, clock });
    this.held = new HeldActions({
      store: ports.store,
      recorder: this.recorder,
      forward: this.forward,
      forwarding: this.forward !== undefined,
      clock,
      answer: (action) => this.verdictFor(action),
      onError,
      pollMs: options.pollMs ?? 1_000,
      sweepMs: options.sweepMs ?? 5_000,
    });
  }

  get simulation(): boolean {
    return this.settings.simulation !== undefined;
  }

  /**
   * Finishes what a crash left undone (ledger entries, forwards), re-arms the timers of held actions, starts the poll
   * and the sweep.
   */
  async start(): Promise<void> {
    for (const action of await this.store.actionsToRecover()) {
      if (action.status === 'held') {
        if (action.holdIndex === null) {
          const index = await this.recorder.record(
            action,
            { verdict: 'HALTED', reason: action.reason },
            { requestId: `recovery-${action.id}`, submitter: submitterOf(action), requestSha256: '' },
          );
          await this.store.updateAction(action.id, { holdIndex: index });
        }
        this.held.arm(action.id, action.deadlineAt ?? this.clock.now());
        continue;
      }
      let settled = action;
      if (action.verdictIndex === null) settled = await this.recorder.recordSettlement(action, `recovery-${action.id}`);
      // At most once: a forward the process stopped in the middle of is reported, never re-sent.
      if (settled.status === 'allowed' && settled.forwardState === 'sending')
        await closeInterruptedForward(action, this.store);
      else if (settled.status === 'allowed') await forwardOnce(settled, this.store, this.forward);
    }
    this.held.startLoops();
  }

  /** Answers every waiting client that the gateway is stopping (their actions stay held), and stops every timer. */
  stop(): void {
    this.held.stop();
  }

  /**
   * A body that is not a submission at all (not JSON, or not the schema): DENY malformed, recorded like every verdict.
   */
  refuseMalformed(origin: Origin, detail: string): Promise<Denied> {
    return this.recorder.deny(origin, undefined, 'malformed', detail);
  }

  /** What an MCP tool call needs (see RuleBook.toolRuleFor); undefined: no rule allows it. */
  toolRule(agentId: string, tool: string, readOnly: boolean): MatchedRule | undefined {
    return this.rules.toolRuleFor(agentId, tool, readOnly);
  }

  /**
   * POST /v1/actions; and an MCP tool call that needs a receipt or an approval (`tool` given: its rule, found by
   * toolRule; the action is the prefixed tool name, the params its arguments; it is run by the MCP gateway, never
   * forwarded downstream).
   */
  async submit(submission: ActionSubmission, origin: Origin, tool?: { rule: MatchedRule }): Promise<Verdict> {
    const matched = tool ? { facts: this.factsOf(submission), rule: tool.rule } : await this.match(submission, origin);
    if ('outcome' in matched) return matched;
    const { facts, rule } = matched;
    const { index, requirement } = rule;
    let receipt: Admitted['receipt'];
    const raw = submission.receipt;
    if (raw !== undefined && raw !== null) {
      const check = checkReceipt(raw, {
        agentId: submission.agentId,
        action: submission.action,
        paramsSha256: facts.paramsSha256,
        policyHash: this.policyHash,
        now: this.clock.now(),
        maxAgeMs: this.settings.receipt_max_age_s * 1000,
        trusted: this.trusted,
      });
      const digest = receiptDigestSafe(raw);
      if (!check.ok)
        return this.recorder.deny(
          origin,
          { ...facts, rule: index, requirement, receiptSha256: digest, receiptId: receiptIdOf(raw) },
          check.reason,
          check.detail,
        );
      receipt = {
        id: (raw as { receipt_id: string }).receipt_id,
        sha256: digest!,
        signer: check.signer,
        simulated: false,
      };
    }
    const admitted: Admitted = {
      endpoint: tool ? 'mcp' : 'actions',
      agentId: submission.agentId,
      action: submission.action,
      amount: submission.amount,
      params: submission.params,
      paramsSha256: facts.paramsSha256,
      rule: index,
      requirement,
      receipt,
    };
    const needsReceipt = requirement === 'receipt' || requirement === 'receipt_and_approval';
    const needsApproval = requirement === 'approval' || requirement === 'receipt_and_approval';
    if (needsReceipt && !receipt)
      admitted.halt = {
        reason: 'receipt_required',
        detail: `rule ${index} requires a receipt; the action is held until an approver releases it`,
      };
    else if (needsApproval)
      admitted.halt = {
        reason: 'approval_required',
        detail: `rule ${index} requires an approval; the action is held until an approver decides`,
      };
    return this.admit(origin, admitted);
  }

  /** POST /api/v1/veritas-test: the same gate over the compatibility receipt shape; a receipt is always required. */
  async submitVeritas(submission: VeritasSubmission, origin: Origin): Promise<Verdict> {
    const matched = await this.match(submission, origin);
    if ('outcome' in matched) return matched;
    const { facts, rule } = matched;
    // This endpoint's contract: no valid receipt, no release without a human. A rule may add an approval.
    const requirement: Requirement =
      rule.requirement === 'approval' || rule.requirement === 'receipt_and_approval'
        ? 'receipt_and_approval'
        : 'receipt';
    const check = checkVeritas(submission.signed, {
      policyHash: this.policyHash,
      now: this.clock.now(),
      maxAgeMs: this.settings.receipt_max_age_s * 1000,
      trusted: this.trusted,
      simulation: this.settings.simulation,
    });
    const raw = submission.signed.veritas_receipt;
    const digest = receiptDigestSafe(raw);
    const simulated = (raw as { simulated?: unknown } | undefined)?.simulated === true;
    if (check.kind === 'deny')
      return this.recorder.deny(
        origin,
        { ...facts, rule: rule.index, requirement, receiptSha256: digest, receiptId: receiptIdOf(raw), simulated },
        check.reason,
        check.detail,
      );
    const admitted: Admitted = {
      endpoint: 'veritas',
      agentId: submission.agentId,
      action: submission.action,
      amount: submission.amount,
      params: submission.params,
      paramsSha256: facts.paramsSha256,
      rule: rule.index,
      requirement,
      receipt: undefined,
    };
    if (check.kind === 'halt') {
      // A held action may still be released by an approver: an approval stands in for the missing proof.
      admitted.requirement = 'approval';
      admitted.halt = { reason: check.reason, detail: check.detail };
    } else {
      admitted.receipt = {
        id: check.receipt.receipt_id,
        sha256: digest!,
        signer: check.signer,
        simulated: check.simulated,
      };
      if (requirement === 'receipt_and_approval')
        admitted.halt = {
          reason: 'approval_required',
          detail: `rule ${rule.index} requires an approval; the action is held until an approver decides`,
        };
    }
    return this.admit(origin, admitted);
  }

  /**
   * What both endpoints do first: digest the amount and params as sent, find the rule; or the DENY that says none
   * matches.
   */
  private async match(
    submission: ActionSubmission | VeritasSubmission,
    origin: Origin,
  ): Promise<Denied | { facts: RefusedFacts & { paramsSha256: string }; rule: MatchedRule }> {
    const facts = this.factsOf(submission);
    const rule = this.rules.ruleFor(submission.agentId, submission.action, submission.amount);
    if (!rule) return this.recorder.deny(origin, facts, 'no_rule', 'no rule in actions.rules matches this action');
    return { facts, rule };
  }

  /** The amount and params digested as sent. */
  private factsOf(submission: ActionSubmission | VeritasSubmission): RefusedFacts & { paramsSha256: string } {
    return {
      agentId: submission.agentId,
      action: submission.action,
      amount: recordedAmount(submission.amount),
      paramsSha256: paramsDigest(submission.amount?.sent ?? null, submission.params),
    };
  }

  /** Stores an admitted action (using its receipt once), then allows it or holds it. */
  private async admit(origin: Origin, admitted: Admitted): Promise<Verdict> {
    const created = this.clock.now();
    const held = admitted.halt !== undefined;
    const record: ActionRecord = {
      id: randomUUID(),
      endpoint: admitted.endpoint,
      agentId: admitted.agentId,
      action: admitted.action,
      amount: recordedAmount(admitted.amount),
      paramsSha256: admitted.paramsSha256,
      // The downstream gets params and amount exactly as sent (a decimal string stays a string).
      payload: JSON.stringify({ params: admitted.params ?? {}, amount: admitted.amount?.sent ?? null }),
      receiptId: admitted.receipt?.id ?? null,
      receiptSha256: admitted.receipt?.sha256 ?? null,
      signer: admitted.receipt?.signer ?? null,
      rule: admitted.rule,
      requirement: admitted.requirement,
      simulated: admitted.receipt?.simulated ?? false,
      status: held ? 'held' : 'allowed',
      reason: held ? admitted.halt!.reason : admitted.receipt ? 'receipt' : 'no_requirement',
      submittedBy: origin.submitter.keyId ?? 'anonymous',
      submittedName: origin.submitter.name,
      createdAt: created,
      deadlineAt: held ? created + Math.round(this.settings.halt_timeout_s * 1000) : null,
      holdIndex: null,
      verdictIndex: null,
      decidedAt: held ? null : created,
      decidedBy: null,
      approval: null,
      forwardState: !held && this.forward && admitted.endpoint !== 'mcp' ? 'pending' : 'none',
      downstreamStatus: null,
      downstreamError: null,
    };
    const hold: Hold | undefined = held ? this.held.open(record.id) : undefined;
    let inserted: Awaited<ReturnType<ActionStore['insertAction']>>;
    try {
      inserted = await this.store.insertAction(record);
    } catch (error) {
      hold?.abandon();
      throw error;
    }
    if (!inserted.inserted) {
      hold?.abandon();
      const original = inserted.duplicateOf;
      return this.recorder.deny(
        origin,
        { ...record, requirement: admitted.requirement },
        'replayed',
        `receipt ${record.receiptId} was already used, by action ${original}; see GET /v1/actions/${original}`,
        original,
      );
    }
    if (!hold) {
      const settled = await this.recorder.recordSettlement(record, origin.requestId, origin);
      return this.verdictFor(await forwardOnce(settled, this.store, this.forward));
    }
    try {
      const holdIndex = await this.recorder.record(record, { verdict: 'HALTED', reason: record.reason }, origin);
      await this.store.updateAction(record.id, { holdIndex });
      record.holdIndex = holdIndex;
    } catch (error) {
      // Stored but unrecorded: the client is told the gate failed; the sweep times the action out at its deadline.
      hold.abandon();
      throw error;
    }
    hold.written();
    this.held.arm(record.id, record.deadlineAt!);
    return hold.waiting;
  }

  /** Approves (or rejects) a held action; throws ApprovalError when the call itself is refused. */
  decide(
    id: string,
    decision: 'approve' | 'reject',
    approver: Approver,
    comment: string | null,
    requestId: string,
  ): Promise<Verdict> {
    return this.held.decide(id, decision, approver, comment, requestId);
  }

  /** An action's record, for GET /v1/actions/<id>. */
  view(id: string): Promise<ActionRecord | undefined> {
    return this.store.action(id);
  }

  pending(limit: number): Promise<ActionRecord[]> {
    return this.store.actionsWithStatus('held', limit);
  }

  /** What a client is told about a stored action. */
  verdictFor(action: ActionRecord): Exclude<Verdict, Denied | { outcome: 'interrupted' }> {
    return verdictOf(action, {
      haltTimeoutS: this.settings.halt_timeout_s,
      forwarding: this.settings.downstream !== undefined,
    });
  }
}

function receiptDigestSafe(receipt: unknown): string | null {
  if (receipt === undefined || receipt === null) return null;
  try {
    return receiptDigest(receipt);
  } catch {
    return null;
  }
}

function receiptIdOf(receipt: unknown): string | null {
  const id = (receipt as { receipt_id?: unknown } | null | undefined)?.receipt_id;
  return typeof id === 'string' ? id.slice(0, 256) : null;
}
