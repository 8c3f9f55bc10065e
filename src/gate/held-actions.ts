// Held actions: their waiting clients, approvals and rejections, the timeout of each hold and the
// sweep that times out holds another replica left behind. Every wait is on the gateway's clock.
//
// Exactly one outcome per action: a held action is settled by the store's conditional update
// (held → allowed | rejected | timed_out), which only one caller (an approver, a rejecter, a timer,
// on this replica or another) can win; the ledger entry, the waiting client's answer and the
// forward all follow the winner.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import { every, type Clock } from '../core/clock.js';
import type { ActionRecord, ActionStatus } from '../store/store.js';
import { forwardOnce, type ForwardPort } from './forward.js';
import type { GateRecorder } from './ledger-entries.js';
import type { ActionStore } from './ports.js';
import type { Approver } from './submission.js';
import { verdictOfStatus, type Interrupted, type Verdict } from './verdict.js';

/** A refusal of an approval call (not a verdict on the action): api/ maps it to an error. */
export class ApprovalError extends Error {
  constructor(
    readonly code: 'action_not_found' | 'action_not_pending' | 'approval_insufficient' | 'self_approval',
    message: string,
  ) {
    super(message);
    this.name = 'ApprovalError';
  }
}

export interface HeldActionsOptions {
  store: ActionStore;
  recorder: GateRecorder;
  forward: ForwardPort | undefined;
  /** Whether an allowed action is to be forwarded (`actions.downstream` is set). */
  forwarding: boolean;
  clock: Clock;
  /** What a client is told about a stored action. */
  answer(action: ActionRecord): Verdict;
  onError(error: unknown): void;
  /** How often waiting clients' actions are re-read, to see a settlement made by another replica. */
  pollMs: number;
  /** How often held actions are swept for deadlines that passed with no timer here (docs/action-gate.md: every 5 s). */
  sweepMs: number;
}

/**
 * A hold being opened: its client is listening before the action is visible to approvers, so no settlement is missed.
 */
export interface Hold {
  /** The client's final answer. */
  waiting: Promise<Verdict>;
  /** The HALTED entry is written (or failed): settlements may go on, in ledger order after it. */
  written(): void;
  /** The action was never held after all (refused, or the store failed). */
  abandon(): void;
}

type Waiter = (verdict: Verdict) => void;

export class HeldActions {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** One per armed timeout; aborting it disarms the timer. */
  private readonly timers = new Map<string, AbortController>();
  /** Held actions whose HALTED entry is being written: a settlement waits for it, so the ledger keeps their order. */
  private readonly holding = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: HeldActionsOptions) {}

  open(id: string): Hold {
    const waiting = new Promise<Verdict>((resolve) => this.addWaiter(id, resolve));
    let written: () => void = () => {};
    this.holding.set(id, new Promise<void>((resolve) => (written = resolve)));
    const release = (): void => {
      written();
      this.holding.delete(id);
    };
    return {
      waiting,
      written: release,
      abandon: () => {
        this.waiters.delete(id);
        release();
      },
    };
  }

  /** Times the action out at `deadline` (ms since the epoch) on the gateway's clock, unless it is settled first. */
  arm(id: string, deadline: number): void {
    if (this.stopping.signal.aborted) return;
    this.disarm(id);
    const timer = new AbortController();
    this.timers.set(id, timer);
    const { clock } = this.options;
    void clock
      .sleep(Math.max(0, deadline - clock.now()), timer.signal)
      .then(async () => {
        if (timer.signal.aborted) return;
        this.timers.delete(id);
        await this.timeOut(id);
      })
      .catch(this.options.onError);
  }

  private disarm(id: string): void {
    this.timers.get(id)?.abort();
    this.timers.delete(id);
  }

  /** Starts re-reading waiting clients' actions and sweeping held ones; both stop with `stop()`. */
  startLoops(): void {
    const { clock, pollMs, sweepMs, onError } = this.options;
    void every(clock, pollMs, this.stopping.signal, () => this.poll(), onError);
    void every(clock, sweepMs, this.stopping.signal, () => this.sweep(), onError);
  }

  /** Answers every waiting client 503 (their actions stay held, and can be polled), and stops every timer. */
  stop(): void {
    this.stopping.abort();
    for (const timer of this.timers.values()) timer.abort();
    this.timers.clear();
    for (const [id, waiters] of this.waiters) {
      const verdict: Interrupted = {
        outcome: 'interrupted',
        verdict: 'HALTED',
        reason: 'shutting_down',
        actionId: id,
        detail: `The gateway is shutting down; the action stays held. Poll GET /v1/actions/${id}.`,
      };
      for (const waiter of waiters) waiter(verdict);
    }
    this.waiters.clear();
  }

  /** Approves (or rejects) a held action; the approver's answer, and the waiting client's, follow. */
  async decide(
    id: string,
    decision: 'approve' | 'reject',
    approver: Approver,
    comment: string | null,
    requestId: string,
  ): Promise<Verdict> {
    const { store, clock } = this.options;
    const action = await store.action(id);
    if (!action) throw new ApprovalError('action_not_found', `No action ${id}.`);
    if (action.submittedBy === approver.keyId)
      throw new ApprovalError('self_approval', 'The key that submitted an action can never approve or reject it.');
    if (action.status !== 'held')
      throw new ApprovalError(
        'action_not_pending',
        `Action ${id} is no longer held: its verdict is ${verdictOfStatus[action.status]} (${action.reason}).`,
      );
    if (decision === 'approve' && action.requirement === 'receipt_and_approval' && action.receiptId === null) {
      throw new ApprovalError(
        'approval_insufficient',
        `Action ${id} requires a valid receipt as well as an approval, and came without one; it can only be rejected (or left to time out).`,
      );
    }
    const approval = {
      v: 1,
      action_id: id,
      decision,
      approver_key_id: approver.keyId,
      approver: approver.name,
      at: new Date(clock.now()).toISOString(),
      comment,
      challenge: approvalChallenge(action),
      // Reserved for a FIDO2/WebAuthn assertion over `challenge` (docs/action-gate.md, "Approvals").
      assertion: null,
    };
    const won = await this.settle(
      action,
      decision === 'approve' ? 'allowed' : 'rejected',
      decision === 'approve' ? 'approved' : 'rejected',
      approver.name,
      canonicalJson(approval),
      requestId,
    );
    if (!won) {
      const current = await store.action(id);
      throw new ApprovalError(
        'action_not_pending',
        `Action ${id} was settled first by another decision: its verdict is ${verdictOfStatus[current!.status]} (${current!.reason}).`,
      );
    }
    return this.options.answer(won);
  }

  /** Settles a held action; returns the settled record if this call won, undefined if another settlement came first. */
  private async settle(
    action: ActionRecord,
    status: Exclude<ActionStatus, 'held'>,
    reason: string,
    decidedBy: string | null,
    approval: string | null,
    requestId: string,
  ): Promise<ActionRecord | undefined> {
    const { store, recorder, clock } = this.options;
    await this.holding.get(action.id);
    const settlement = {
      status,
      reason,
      decidedAt: clock.now(),
      decidedBy,
      approval,
      // An MCP tool call is run by the MCP gateway that holds its caller, never forwarded downstream.
      forwardState:
        status === 'allowed' && this.options.forwarding && action.endpoint !== 'mcp'
          ? ('pending' as const)
          : ('none' as const),
    };
    if (!(await store.settleAction(action.id, settlement))) return undefined;
    this.disarm(action.id);
    const holdIndex = action.holdIndex ?? (await store.action(action.id))?.holdIndex ?? null;
    let settled: ActionRecord = { ...action, ...settlement, holdIndex };
    settled = await recorder.recordSettlement(settled, requestId);
    if (settled.status === 'allowed') settled = await forwardOnce(settled, store, this.options.forward);
    this.resolveWaiters(settled.id, this.options.answer(settled));
    return settled;
  }

  private async timeOut(id: string): Promise<void> {
    const action = await this.options.store.action(id);
    if (action?.status !== 'held') return;
    await this.settle(action, 'timed_out', 'timeout', null, null, `timeout-${id}`);
  }

  /** Settlements made by another replica (or another process) reach this replica's waiting clients. */
  private async poll(): Promise<void> {
    for (const id of [...this.waiters.keys()]) {
      const action = await this.options.store.action(id);
      if (
        action &&
        action.status !== 'held' &&
        action.verdictIndex !== null &&
        (action.status !== 'allowed' || action.forwardState === 'done' || action.forwardState === 'none')
      ) {
        this.resolveWaiters(id, this.options.answer(action));
      }
    }
  }

  /**
   * Held actions whose deadline passed with no timer here (their replica stopped, or another process held them) are
   * timed out by whichever replica sees them first.
   */
  private async sweep(): Promise<void> {
    const now = this.options.clock.now();
    for (const action of await this.options.store.actionsWithStatus('held', 1000)) {
      if (!this.timers.has(action.id) && action.deadlineAt !== null && action.deadlineAt <= now)
        await this.timeOut(action.id);
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

/** What a FIDO2/WebAuthn assertion will sign: base64url SHA-256 of the action's identity and proof. */
export function approvalChallenge(action: ActionRecord): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        action_id: action.id,
        agent_id: action.agentId,
        action: action.action,
        params_sha256: action.paramsSha256,
        receipt_sha256: action.receiptSha256,
        hold_index: action.holdIndex,
      }),
    )
    .digest('base64url');
}
