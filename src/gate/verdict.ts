// The gate's answers as domain values: ALLOW, DENY (with its reason) or HALTED, and what the client
// is told with them. api/ maps each outcome to its HTTP status and JSON; nothing here knows HTTP.
import type { ActionRecord, ForwardState } from '../store/store.js';
import type { DenyReason } from './receipt.js';

/** The downstream's part of an ALLOW: null when no downstream is configured. */
export interface DownstreamView {
  state: ForwardState;
  status: number | null;
  error?: string;
}

/** What every answer about a stored action names. */
interface ActionAnswer {
  actionId: string;
  receiptId: string | null;
  /** The verdict's ledger entry (a held action's: its HALTED entry); null for the instant before it is written. */
  ledgerIndex: number | null;
  simulated: boolean;
}

/** Released: the rule is met (a valid receipt, an approval, or nothing required). */
export interface Allowed extends ActionAnswer {
  outcome: 'allowed';
  verdict: 'ALLOW';
  approvedBy: string | null;
  downstream: DownstreamView | null;
}

/** Refused outright (the receipt or the request is wrong, a replay, no rule): nothing was stored. */
export interface Denied {
  outcome: 'denied';
  verdict: 'DENY';
  reason: DenyReason;
  detail: string;
  ledgerIndex: number;
  /** For `replayed`: the action that used the receipt first. */
  originalActionId?: string;
}

/** Held, then refused by an approver. */
export interface Rejected extends ActionAnswer {
  outcome: 'rejected';
  verdict: 'DENY';
  reason: 'rejected';
  detail: string;
}

/** Still held for a receipt or an approval (what a poll of the action sees). */
export interface Held extends ActionAnswer {
  outcome: 'held';
  verdict: 'HALTED';
  reason: string;
  /** When it times out (ms since the epoch). */
  deadline: number | null;
}

/** Held until `halt_timeout_s` passed with nobody releasing it. */
export interface TimedOut extends ActionAnswer {
  outcome: 'timed_out';
  verdict: 'HALTED';
  reason: 'timeout';
  detail: string;
}

/** The gateway is stopping while the client waits: the action stays held and can be polled. */
export interface Interrupted {
  outcome: 'interrupted';
  verdict: 'HALTED';
  reason: 'shutting_down';
  actionId: string;
  detail: string;
}

export type Verdict = Allowed | Denied | Rejected | Held | TimedOut | Interrupted;

/** What the client (waiting, retrying or polling) is told about a stored action. */
export function verdictOf(
  action: ActionRecord,
  options: { haltTimeoutS: number; forwarding: boolean },
): Allowed | Rejected | Held | TimedOut {
  const answer: ActionAnswer = {
    actionId: action.id,
    receiptId: action.receiptId,
    ledgerIndex: action.status === 'held' ? action.holdIndex : action.verdictIndex,
    simulated: action.simulated,
  };
  switch (action.status) {
    case 'allowed':
      return {
        outcome: 'allowed',
        verdict: 'ALLOW',
        ...answer,
        approvedBy: action.decidedBy,
        downstream: options.forwarding ? downstreamView(action) : null,
      };
    case 'rejected':
      return {
        outcome: 'rejected',
        verdict: 'DENY',
        reason: 'rejected',
        detail: `rejected by ${action.decidedBy}`,
        ...answer,
      };
    case 'timed_out':
      return {
        outcome: 'timed_out',
        verdict: 'HALTED',
        reason: 'timeout',
        detail: `no approval within ${options.haltTimeoutS} s`,
        ...answer,
      };
    case 'held':
      return { outcome: 'held', verdict: 'HALTED', reason: action.reason, ...answer, deadline: action.deadlineAt };
  }
}

function downstreamView(action: ActionRecord): DownstreamView {
  return {
    state: action.forwardState,
    status: action.downstreamStatus,
    ...(action.downstreamError ? { error: action.downstreamError } : {}),
  };
}

/** The three verdicts, by the stored status of an action. */
export const verdictOfStatus: Record<ActionRecord['status'], 'ALLOW' | 'DENY' | 'HALTED'> = {
  held: 'HALTED',
  allowed: 'ALLOW',
  rejected: 'DENY',
  timed_out: 'HALTED',
};
