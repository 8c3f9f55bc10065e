// The action gate: an agent's action is released (ALLOW) only with a valid receipt or a human
// approval, as its rule requires; otherwise it is denied (DENY) or held (HALTED) until an approver
// decides or it times out. Fails closed everywhere: an action no rule matches is denied, a receipt
// that does not verify is denied, a held action that nobody releases answers 408.
//
// Exactly one outcome per action: the store is the arbiter. A held action is settled by a
// conditional update (held → allowed | rejected | timed_out) that only one caller (an approver, a
// rejecter, the timer, on this replica or another) can win; the ledger entry, the answer to the
// waiting client and the forward to the downstream all follow the winner. A receipt id is used once
// (a UNIQUE column), and forwarding is claimed once (pending → sending), so a client retrying the
// same receipt never executes the action twice.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../core/canonical-json.js';
import type { ActionEntry, EntryRecord } from '../ledger/entry.js';
import type { VerifierKey } from '../ledger/note.js';
import type { ActionRecord, ActionStatus, Store } from '../store/store.js';
import { checkReceipt, paramsDigest, receiptDigest, trustedKeyMap, type DenyReason } from './receipt.js';
import { checkVeritas, veritasBodySchema } from './veritas.js';

export type Requirement = 'none' | 'receipt' | 'approval' | 'receipt_and_approval';

export interface ActionRule {
  match: { action?: string[]; agent?: string[]; amount_over?: number };
  require: Requirement;
}

export interface GateSettings {
  downstream?: string;
  downstream_timeout_ms: number;
  halt_timeout_s: number;
  receipt_max_age_s: number;
  trusted_keys: string[];
  rules: ActionRule[];
  simulation?: { policy_hash: string; signature: string };
}

export interface GateDependencies {
  settings: GateSettings;
  store: Store;
  policyHash: string;
  /** Appends a ledger entry; resolves with its index once durable. */
  append(record: EntryRecord, keyId: string | null): Promise<number>;
  now(): number;
  onError(error: unknown): void;
  /** How often a waiting client's action is re-read, to see a settlement made by another replica. */
  pollMs?: number;
}

export interface Submitter {
  keyId: string | null;
  name: string;
}

export interface Approver {
  keyId: string;
  name: string;
}

/** A verdict as the HTTP layer sends it. */
export interface Verdict {
  status: number;
  body: Record<string, unknown>;
}

/** A refusal of an approval call (not a verdict on the action): the HTTP layer maps it to an error. */
export class ApprovalError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'action_not_found' | 'action_not_pending' | 'approval_insufficient' | 'self_approval',
    message: string,
  ) {
    super(message);
    this.name = 'ApprovalError';
  }
}

const actionBodySchema = z.strictObject({
  agent_id: z.string().min(1).max(256),
  action: z.string().min(1).max(256),
  params: z.record(z.string(), z.unknown()).optional(),
  amount: z.number().nullable().optional(),
  receipt: z.unknown().optional(),
});

const approvalBodySchema = z.strictObject({ comment: z.string().max(2000).optional() });

const verdictOf: Record<ActionStatus, 'ALLOW' | 'DENY' | 'HALTED'> = { held: 'HALTED', allowed: 'ALLOW', rejected: 'DENY', timed_out: 'HALTED' };

/** A candidate action that passed its receipt checks (if any), before it is stored. */
interface Admitted {
  endpoint: ActionRecord['endpoint'];
  agentId: string;
  action: string;
  amount: number | null;
  params: Record<string, unknown> | undefined;
  rule: number;
  requirement: Requirement;
  receipt: { id: string; sha256: string; signer: string | null; simulated: boolean } | undefined;
  /** Why it is held, if it is. */
  halt?: { reason: string; detail: string };
}

interface Context {
  requestId: string;
  submitter: Submitter;
  requestSha256: string;
}

type Waiter = (verdict: Verdict) => void;

export class ActionGate {
  private readonly trusted: ReadonlyMap<string, VerifierKey>;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Held actions whose HALTED entry is being written: a settlement waits for it, so the ledger keeps their order. */
  private readonly holding = new Map<string, Promise<void>>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polls = 0;
  private stopped = false;

  constructor(private readonly dependencies: GateDependencies) {
    this.trusted = trustedKeyMap(dependencies.settings.trusted_keys);
  }

  get simulation(): boolean {
    return this.dependencies.settings.simulation !== undefined;
  }

  /** Finishes what a crash left undone (ledger entries, forwards) and re-arms the timers of held actions. */
  async start(): Promise<void> {
    const { store } = this.dependencies;
    for (const action of await store.actionsToRecover()) {
      if (action.status === 'held') {
        if (action.holdIndex === null) {
          const submitter = { keyId: action.submittedBy === 'anonymous' ? null : action.submittedBy, name: action.submittedName };
          const index = await this.record(action, { verdict: 'HALTED', reason: action.reason }, { requestId: `recovery-${action.id}`, submitter, requestSha256: '' });
          await store.updateAction(action.id, { holdIndex: index });
        }
        this.arm(action.id, action.deadlineAt ?? this.dependencies.now());
        continue;
      }
      let settled = action;
      if (action.verdictIndex === null) settled = await this.recordSettlement(action, `recovery-${action.id}`);
      if (settled.status === 'allowed' && settled.forwardState === 'sending') {
        // The process stopped while forwarding: whether the downstream acted is unknown, and sending
        // again could execute it twice. At most once: it is reported, never re-sent.
        await store.updateAction(action.id, { forwardState: 'done', downstreamError: 'unknown: the gateway stopped while forwarding; not sent again' });
      } else if (settled.status === 'allowed') await this.forward(settled);
    }
    this.pollTimer = setInterval(() => void this.poll().catch(this.dependencies.onError), this.dependencies.pollMs ?? 1_000);
    this.pollTimer.unref();
  }

  /** Answers every waiting client 503 (their actions stay held, and can be polled), and stops the timers. */
  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const [id, waiters] of this.waiters) {
      const verdict: Verdict = { status: 503, body: { verdict: 'HALTED', reason: 'shutting_down', action_id: id, detail: `The gateway is shutting down; the action stays held. Poll GET /v1/actions/${id}.` } };
      for (const waiter of waiters) waiter(verdict);
    }
    this.waiters.clear();
  }

  /** POST /v1/actions. */
  async submit(body: Buffer, submitter: Submitter, requestId: string): Promise<Verdict> {
    const context: Context = { requestId, submitter, requestSha256: sha256(body) };
    const parsed = await this.parseSubmission(body, actionBodySchema, context);
    if ('verdict' in parsed) return parsed.verdict;
    const { request, amount, paramsSha256, partial } = parsed;
    const { index, requirement } = parsed.rule;
    let receipt: Admitted['receipt'];
    if (request.receipt !== undefined && request.receipt !== null) {
      const check = checkReceipt(request.receipt, {
        agentId: request.agent_id,
        action: request.action,
        paramsSha256,
        policyHash: this.dependencies.policyHash,
        now: this.dependencies.now(),
        maxAgeMs: this.dependencies.settings.receipt_max_age_s * 1000,
        trusted: this.trusted,
      });
      const digest = receiptDigestSafe(request.receipt);
      if (!check.ok) return this.deny(context, { ...partial, rule: index, requirement, receiptSha256: digest, receiptId: receiptIdOf(request.receipt) }, check.reason, check.detail);
      receipt = { id: (request.receipt as { receipt_id: string }).receipt_id, sha256: digest!, signer: check.signer, simulated: false };
    }
    const admitted: Admitted = { endpoint: 'actions', agentId: request.agent_id, action: request.action, amount, params: request.params, rule: index, requirement, receipt };
    const needsReceipt = requirement === 'receipt' || requirement === 'receipt_and_approval';
    const needsApproval = requirement === 'approval' || requirement === 'receipt_and_approval';
    if (needsReceipt && !receipt) admitted.halt = { reason: 'receipt_required', detail: `rule ${index} requires a receipt; the action is held until an approver releases it` };
    else if (needsApproval) admitted.halt = { reason: 'approval_required', detail: `rule ${index} requires an approval; the action is held until an approver decides` };
    return this.admit(context, admitted, paramsSha256);
  }

  /** POST /api/v1/veritas-test: the same gate over the compatibility receipt shape; a receipt is always required. */
  async submitVeritas(body: Buffer, submitter: Submitter, requestId: string): Promise<Verdict> {
    const context: Context = { requestId, submitter, requestSha256: sha256(body) };
    const parsed = await this.parseSubmission(body, veritasBodySchema, context);
    if ('verdict' in parsed) return parsed.verdict;
    const { request, amount, paramsSha256, partial, rule } = parsed;
    // This endpoint's contract: no valid receipt, no release without a human. A rule may add an approval.
    const requirement: Requirement = rule.requirement === 'approval' || rule.requirement === 'receipt_and_approval' ? 'receipt_and_approval' : 'receipt';
    const { settings } = this.dependencies;
    const check = checkVeritas(request, { policyHash: this.dependencies.policyHash, now: this.dependencies.now(), maxAgeMs: settings.receipt_max_age_s * 1000, trusted: this.trusted, simulation: settings.simulation });
    const digest = receiptDigestSafe(request.veritas_receipt);
    const receiptId = receiptIdOf(request.veritas_receipt);
    const simulated = (request.veritas_receipt as { simulated?: unknown } | undefined)?.simulated === true;
    if (check.kind === 'deny') return this.deny(context, { ...partial, rule: rule.index, requirement, receiptSha256: digest, receiptId, simulated }, check.reason, check.detail);
    const admitted: Admitted = { endpoint: 'veritas', agentId: request.agent_id, action: request.action, amount, params: request.params, rule: rule.index, requirement, receipt: undefined };
    if (check.kind === 'halt') {
      // A held action may still be released by an approver: an approval stands in for the missing proof.
      admitted.requirement = 'approval';
      admitted.halt = { reason: check.reason, detail: check.detail };
    } else {
      admitted.receipt = { id: check.receipt.receipt_id, sha256: digest!, signer: check.signer, simulated: check.simulated };
      if (requirement === 'receipt_and_approval') admitted.halt = { reason: 'approval_required', detail: `rule ${rule.index} requires an approval; the action is held until an approver decides` };
    }
    return this.admit(context, admitted, paramsSha256);
  }

  /** What both endpoints do first: parse the body, digest the params, find the rule; or the DENY that says why not. */
  private async parseSubmission<Body extends { agent_id: string; action: string; amount?: number | null; params?: Record<string, unknown> }>(
    body: Buffer,
    schema: z.ZodType<Body>,
    context: Context,
  ): Promise<{ verdict: Verdict } | { request: Body; amount: number | null; paramsSha256: string; partial: { agentId: string; action: string; amount: number | null; paramsSha256: string }; rule: { index: number; requirement: Requirement } }> {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return { verdict: await this.deny(context, undefined, 'malformed', 'the body is not JSON') };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return { verdict: await this.deny(context, undefined, 'malformed', describeIssue(parsed.error)) };
    const request = parsed.data;
    const amount = request.amount ?? null;
    const paramsSha256 = paramsDigest(amount, request.params);
    const partial = { agentId: request.agent_id, action: request.action, amount, paramsSha256 };
    const rule = this.ruleFor(request.agent_id, request.action, amount);
    if (!rule) return { verdict: await this.deny(context, partial, 'no_rule', 'no rule in actions.rules matches this action') };
    return { request, amount, paramsSha256, partial, rule };
  }

  private ruleFor(agentId: string, action: string, amount: number | null): { index: number; requirement: Requirement } | undefined {
    const index = this.dependencies.settings.rules.findIndex(({ match }) => {
      if (match.action && !match.action.includes(action)) return false;
      if (match.agent && !match.agent.includes(agentId)) return false;
      // An action without an amount is not shown to be under the threshold: the stricter rule applies.
      if (match.amount_over !== undefined && amount !== null && !(amount > match.amount_over)) return false;
      return true;
    });
    return index < 0 ? undefined : { index, requirement: this.dependencies.settings.rules[index]!.require };
  }

  /** Stores an admitted action (using its receipt once), then allows it or holds it. */
  private async admit(context: Context, admitted: Admitted, paramsSha256: string): Promise<Verdict> {
    const { settings, store, now } = this.dependencies;
    const created = now();
    const held = admitted.halt !== undefined;
    const record: ActionRecord = {
      id: randomUUID(),
      endpoint: admitted.endpoint,
      agentId: admitted.agentId,
      action: admitted.action,
      amount: admitted.amount,
      paramsSha256,
      payload: JSON.stringify({ params: admitted.params ?? {}, amount: admitted.amount }),
      receiptId: admitted.receipt?.id ?? null,
      receiptSha256: admitted.receipt?.sha256 ?? null,
      signer: admitted.receipt?.signer ?? null,
      rule: admitted.rule,
      requirement: admitted.requirement,
      simulated: admitted.receipt?.simulated ?? false,
      status: held ? 'held' : 'allowed',
      reason: held ? admitted.halt!.reason : admitted.receipt ? 'receipt' : 'no_requirement',
      submittedBy: context.submitter.keyId ?? 'anonymous',
      submittedName: context.submitter.name,
      createdAt: created,
      deadlineAt: held ? created + Math.round(settings.halt_timeout_s * 1000) : null,
      holdIndex: null,
      verdictIndex: null,
      decidedAt: held ? null : created,
      decidedBy: null,
      approval: null,
      forwardState: !held && settings.downstream ? 'pending' : 'none',
      downstreamStatus: null,
      downstreamError: null,
    };
    let waiting: Promise<Verdict> | undefined;
    let holdWritten: () => void = () => {};
    if (held) {
      // Listening before the action is visible to approvers, so no settlement can be missed.
      waiting = new Promise<Verdict>((resolve) => this.addWaiter(record.id, resolve));
      this.holding.set(record.id, new Promise<void>((resolve) => (holdWritten = resolve)));
    }
    const abandon = (): void => {
      this.waiters.delete(record.id);
      holdWritten();
      this.holding.delete(record.id);
    };
    let inserted: Awaited<ReturnType<Store['insertAction']>>;
    try {
      inserted = await store.insertAction(record);
    } catch (error) {
      abandon();
      throw error;
    }
    if (!inserted.inserted) {
      abandon();
      return this.deny(context, { ...record, requirement: admitted.requirement }, 'replayed', `receipt ${record.receiptId} was already used, by action ${inserted.duplicateOf}; see GET /v1/actions/${inserted.duplicateOf}`, { original_action_id: inserted.duplicateOf });
    }
    if (!held) {
      const settled = await this.recordSettlement(record, context.requestId, context);
      return this.verdictFor(await this.forward(settled));
    }
    try {
      const holdIndex = await this.record(record, { verdict: 'HALTED', reason: record.reason }, context);
      await store.updateAction(record.id, { holdIndex });
      record.holdIndex = holdIndex;
    } finally {
      holdWritten();
      this.holding.delete(record.id);
    }
    this.arm(record.id, record.deadlineAt!);
    return waiting!;
  }

  /** Approves (or rejects) a held action; the approver's answer, and the waiting client's, follow. */
  async decide(id: string, decision: 'approve' | 'reject', approver: Approver, body: Buffer, requestId: string): Promise<Verdict> {
    let comment: string | null = null;
    if (body.length > 0) {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw new ApprovalError('invalid_request', 'The body is not JSON; send {"comment": "…"} or nothing.');
      }
      const parsed = approvalBodySchema.safeParse(json);
      if (!parsed.success) throw new ApprovalError('invalid_request', describeIssue(parsed.error));
      comment = parsed.data.comment ?? null;
    }
    const action = await this.dependencies.store.action(id);
    if (!action) throw new ApprovalError('action_not_found', `No action ${id}.`);
    if (action.submittedBy === approver.keyId) throw new ApprovalError('self_approval', 'The key that submitted an action can never approve or reject it.');
    if (action.status !== 'held') throw new ApprovalError('action_not_pending', `Action ${id} is no longer held: its verdict is ${verdictOf[action.status]} (${action.reason}).`);
    if (decision === 'approve' && action.requirement === 'receipt_and_approval' && action.receiptId === null) {
      throw new ApprovalError('approval_insufficient', `Action ${id} requires a valid receipt as well as an approval, and came without one; it can only be rejected (or left to time out).`);
    }
    const now = this.dependencies.now();
    const approval = {
      v: 1,
      action_id: id,
      decision,
      approver_key_id: approver.keyId,
      approver: approver.name,
      at: new Date(now).toISOString(),
      comment,
      challenge: approvalChallenge(action),
      // Reserved for a FIDO2/WebAuthn assertion over `challenge` (README, "Approvals").
      assertion: null,
    };
    const won = await this.settle(action, decision === 'approve' ? 'allowed' : 'rejected', decision === 'approve' ? 'approved' : 'rejected', approver.name, canonicalJson(approval), requestId);
    if (!won) {
      const current = await this.dependencies.store.action(id);
      throw new ApprovalError('action_not_pending', `Action ${id} was settled first by another decision: its verdict is ${verdictOf[current!.status]} (${current!.reason}).`);
    }
    return this.verdictFor(won);
  }

  /** A held action's view, for GET /v1/actions/<id>. */
  async view(id: string): Promise<ActionRecord | undefined> {
    return this.dependencies.store.action(id);
  }

  pending(limit: number): Promise<ActionRecord[]> {
    return this.dependencies.store.actionsWithStatus('held', limit);
  }

  /** Settles a held action; returns the settled record if this call won, undefined if another settlement came first. */
  private async settle(action: ActionRecord, status: Exclude<ActionStatus, 'held'>, reason: string, decidedBy: string | null, approval: string | null, requestId: string): Promise<ActionRecord | undefined> {
    const { store, settings, now } = this.dependencies;
    await this.holding.get(action.id);
    const settlement = { status, reason, decidedAt: now(), decidedBy, approval, forwardState: status === 'allowed' && settings.downstream ? ('pending' as const) : ('none' as const) };
    if (!(await store.settleAction(action.id, settlement))) return undefined;
    this.disarm(action.id);
    const holdIndex = action.holdIndex ?? (await store.action(action.id))?.holdIndex ?? null;
    let settled: ActionRecord = { ...action, ...settlement, holdIndex };
    settled = await this.recordSettlement(settled, requestId);
    if (settled.status === 'allowed') settled = await this.forward(settled);
    this.resolveWaiters(settled.id, this.verdictFor(settled));
    return settled;
  }

  /** Writes the entry of a settled action's verdict and remembers its index. */
  private async recordSettlement(action: ActionRecord, requestId: string, context?: Context): Promise<ActionRecord> {
    const verdict = verdictOf[action.status];
    // The entry is the submitter's (its receipt is served to the submitting key); the decider is in decided_by.
    const submitter = { keyId: action.submittedBy === 'anonymous' ? null : action.submittedBy, name: action.submittedName };
    const index = await this.record(action, { verdict, reason: action.reason }, context ?? { requestId, submitter, requestSha256: '' });
    await this.dependencies.store.updateAction(action.id, { verdictIndex: index });
    return { ...action, verdictIndex: index };
  }

  /** Sends an allowed action to the downstream, once (whoever claims it); returns the record with the outcome. */
  private async forward(action: ActionRecord): Promise<ActionRecord> {
    const { settings, store } = this.dependencies;
    if (!settings.downstream || action.forwardState !== 'pending') return action;
    // Claimed elsewhere (another replica, or recovery): its outcome is in the store.
    if (!(await store.claimForward(action.id))) return (await store.action(action.id)) ?? action;
    let downstreamStatus: number | null = null;
    let downstreamError: string | null = null;
    const payload = JSON.parse(action.payload) as { params: unknown; amount: unknown };
    try {
      const response = await fetch(settings.downstream, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': action.id, 'x-sovereign-action': action.id, 'x-sovereign-receipt': String(action.verdictIndex) },
        body: JSON.stringify({ action_id: action.id, agent_id: action.agentId, action: action.action, params: payload.params, amount: payload.amount, receipt_id: action.receiptId, ledger_index: action.verdictIndex, approved_by: action.decidedBy }),
        signal: AbortSignal.timeout(settings.downstream_timeout_ms),
      });
      downstreamStatus = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      downstreamError = (error as Error).name === 'TimeoutError' ? `no answer within ${settings.downstream_timeout_ms} ms` : `could not reach the downstream: ${(error as Error).message}`;
    }
    await store.updateAction(action.id, { forwardState: 'done', downstreamStatus, downstreamError });
    return { ...action, forwardState: 'done', downstreamStatus, downstreamError };
  }

  private async deny(context: Context, partial: Partial<Pick<ActionRecord, 'agentId' | 'action' | 'amount' | 'paramsSha256' | 'rule' | 'receiptSha256' | 'receiptId' | 'signer' | 'simulated'>> & { requirement?: string } | undefined, reason: DenyReason, detail: string, extra: Record<string, unknown> = {}): Promise<Verdict> {
    const entry: ActionEntry = {
      id: null,
      agent_id: partial?.agentId ?? null,
      action: partial?.action ?? null,
      amount: partial?.amount ?? null,
      params_sha256: partial?.paramsSha256 ?? null,
      receipt_id: partial?.receiptId ?? null,
      receipt_sha256: partial?.receiptSha256 ?? null,
      signer: null,
      verdict: 'DENY',
      reason,
      rule: partial?.rule ?? null,
      require: partial?.requirement ?? null,
      ...(partial?.simulated ? { simulated: true } : {}),
    };
    const index = await this.dependencies.append(this.entry(entry, context, 403, reason), context.submitter.keyId);
    return { status: 403, body: { verdict: 'DENY', reason, detail, ledger_index: index, ...extra } };
  }

  private record(action: ActionRecord, outcome: { verdict: 'ALLOW' | 'DENY' | 'HALTED'; reason: string }, context: Context): Promise<number> {
    const approval = action.approval;
    const entry: ActionEntry = {
      id: action.id,
      ...actionFacts(action),
      verdict: outcome.verdict,
      reason: outcome.reason,
      ...(action.status !== 'held' && action.holdIndex !== null ? { hold_index: action.holdIndex } : {}),
      ...(approval ? { decided_by: action.decidedBy ?? '', approval_sha256: sha256(Buffer.from(approval, 'utf8')) } : {}),
      ...(action.simulated ? { simulated: true } : {}),
    };
    const status = outcome.verdict === 'ALLOW' ? 200 : outcome.verdict === 'DENY' ? 403 : action.status === 'timed_out' ? 408 : 202;
    return this.dependencies.append(this.entry(entry, context, status, outcome.verdict === 'ALLOW' ? null : outcome.reason), context.submitter.keyId);
  }

  private entry(action: ActionEntry, context: Context, status: number, errorCode: string | null): EntryRecord {
    return {
      v: 1,
      kind: 'action',
      time: new Date(this.dependencies.now()).toISOString(),
      request_id: context.requestId,
      tenant: context.submitter.name,
      endpoint: 'actions',
      model_requested: '',
      provider: null,
      provider_model: null,
      jurisdiction: null,
      ownership: null,
      operator: null,
      labels: [],
      policy_hash: this.dependencies.policyHash,
      outcome: action.verdict === 'ALLOW' ? 'ok' : 'refused',
      status,
      error_code: errorCode,
      request_sha256: context.requestSha256 || null,
      response_sha256: null,
      attempts: [],
      usage: null,
      action,
    };
  }

  /** What the client (waiting, retrying or polling) is told about a settled action. */
  verdictFor(action: ActionRecord): Verdict {
    // A settled action's index is its verdict's entry (null for the instant before it is written).
    const base = { action_id: action.id, receipt_id: action.receiptId, ledger_index: action.status === 'held' ? action.holdIndex : action.verdictIndex, ...(action.simulated ? { simulated: true } : {}) };
    switch (action.status) {
      case 'allowed':
        return { status: 200, body: { verdict: 'ALLOW', ...base, approved_by: action.decidedBy ?? undefined, downstream: downstreamView(action, this.dependencies.settings.downstream) } };
      case 'rejected':
        return { status: 403, body: { verdict: 'DENY', reason: 'rejected', detail: `rejected by ${action.decidedBy}`, ...base } };
      case 'timed_out':
        return { status: 408, body: { verdict: 'HALTED', reason: 'timeout', detail: `no approval within ${this.dependencies.settings.halt_timeout_s} s`, ...base } };
      case 'held':
        return { status: 202, body: { verdict: 'HALTED', reason: action.reason, ...base, deadline: action.deadlineAt === null ? null : new Date(action.deadlineAt).toISOString() } };
    }
  }

  private arm(id: string, deadline: number): void {
    if (this.stopped) return;
    this.disarm(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.timeOut(id).catch(this.dependencies.onError);
    }, Math.max(0, deadline - this.dependencies.now()));
    this.timers.set(id, timer);
  }

  private disarm(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private async timeOut(id: string): Promise<void> {
    const action = await this.dependencies.store.action(id);
    if (!action || action.status !== 'held') return;
    await this.settle(action, 'timed_out', 'timeout', null, null, `timeout-${id}`);
  }

  /** Settlements made by another replica (or another process) reach this replica's waiting clients. */
  private async poll(): Promise<void> {
    // Held actions whose deadline passed with no timer here (their replica stopped, or they were
    // held by another process) are timed out by whichever replica sees them first.
    this.polls += 1;
    if (this.polls % 5 === 0) {
      const now = this.dependencies.now();
      for (const action of await this.dependencies.store.actionsWithStatus('held', 1000)) {
        if (!this.timers.has(action.id) && action.deadlineAt !== null && action.deadlineAt <= now) await this.timeOut(action.id);
      }
    }
    for (const id of [...this.waiters.keys()]) {
      const action = await this.dependencies.store.action(id);
      if (action && action.status !== 'held' && action.verdictIndex !== null && (action.status !== 'allowed' || action.forwardState === 'done' || action.forwardState === 'none')) {
        this.resolveWaiters(id, this.verdictFor(action));
      }
    }
  }

  private addWaiter(id: string, waiter: Waiter): void {
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(waiter);
  }

  private resolveWaiters(id: string, verdict: Verdict): void {
    const set = this.waiters.get(id);
    this.waiters.delete(id);
    for (const waiter of set ?? []) waiter(verdict);
  }
}

function downstreamView(action: ActionRecord, downstream: string | undefined): Record<string, unknown> | null {
  if (!downstream) return null;
  return { state: action.forwardState, status: action.downstreamStatus, ...(action.downstreamError ? { error: action.downstreamError } : {}) };
}

/** What an action is, in the names the ledger and the API use. */
export function actionFacts(action: ActionRecord): Pick<ActionEntry, 'agent_id' | 'action' | 'amount' | 'params_sha256' | 'receipt_id' | 'receipt_sha256' | 'signer' | 'rule' | 'require'> {
  return {
    agent_id: action.agentId,
    action: action.action,
    amount: action.amount,
    params_sha256: action.paramsSha256,
    receipt_id: action.receiptId,
    receipt_sha256: action.receiptSha256,
    signer: action.signer,
    rule: action.rule,
    require: action.requirement,
  };
}

/** What a FIDO2/WebAuthn assertion will sign: base64url SHA-256 of the action's identity and proof. */
export function approvalChallenge(action: ActionRecord): string {
  return createHash('sha256')
    .update(canonicalJson({ action_id: action.id, agent_id: action.agentId, action: action.action, params_sha256: action.paramsSha256, receipt_sha256: action.receiptSha256, hold_index: action.holdIndex }))
    .digest('base64url');
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

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

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
