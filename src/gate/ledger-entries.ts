// The ledger entries of the gate's verdicts: every DENY, every HALTED hold and every settlement is
// one entry, naming the policy in force; params never enter it, only their digest.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { type ActionEntry, actionEntry, type EntryRecord } from '../ledger/entry.js';
import type { ActionRecord } from '../store/store.js';
import type { ActionStore, AppendEntry } from './ports.js';
import type { DenyReason } from './receipt.js';
import type { Origin, Submitter } from './submission.js';
import { verdictOfStatus, type Denied } from './verdict.js';

/** What is known of a refused submission, for its entry (nothing, for a body that is not a submission). */
export interface RefusedFacts {
  agentId?: string;
  action?: string;
  amount?: number | null;
  paramsSha256?: string;
  rule?: number;
  requirement?: string;
  receiptId?: string | null;
  receiptSha256?: string | null;
  simulated?: boolean;
}

/** What an action is, in the names the ledger and the API use. */
export function actionFacts(
  action: ActionRecord,
): Pick<
  ActionEntry,
  'agent_id' | 'action' | 'amount' | 'params_sha256' | 'receipt_id' | 'receipt_sha256' | 'signer' | 'rule' | 'require'
> {
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

/**
 * The entry of a settlement belongs to the submitter (its receipt is served to the submitting key); the decider is in
 * decided_by.
 */
export function submitterOf(action: ActionRecord): Submitter {
  return { keyId: action.submittedBy === 'anonymous' ? null : action.submittedBy, name: action.submittedName };
}

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

export class GateRecorder {
  constructor(
    private readonly options: { append: AppendEntry; store: ActionStore; policyHash: string; clock: Clock },
  ) {}

  /** Records a refusal and returns it as the verdict. */
  async deny(
    origin: Origin,
    facts: RefusedFacts | undefined,
    reason: DenyReason,
    detail: string,
    originalActionId?: string,
  ): Promise<Denied> {
    const entry: ActionEntry = {
      id: null,
      agent_id: facts?.agentId ?? null,
      action: facts?.action ?? null,
      amount: facts?.amount ?? null,
      params_sha256: facts?.paramsSha256 ?? null,
      receipt_id: facts?.receiptId ?? null,
      receipt_sha256: facts?.receiptSha256 ?? null,
      signer: null,
      verdict: 'DENY',
      reason,
      rule: facts?.rule ?? null,
      require: facts?.requirement ?? null,
      ...(facts?.simulated ? { simulated: true } : {}),
    };
    const ledgerIndex = await this.options.append(this.entry(entry, origin, 403, reason), origin.submitter.keyId);
    return {
      outcome: 'denied',
      verdict: 'DENY',
      reason,
      detail,
      ledgerIndex,
      ...(originalActionId ? { originalActionId } : {}),
    };
  }

  /** The entry of a stored action's hold (HALTED, still held) or of its verdict. */
  record(
    action: ActionRecord,
    outcome: { verdict: 'ALLOW' | 'DENY' | 'HALTED'; reason: string },
    origin: Origin,
  ): Promise<number> {
    const approval = action.approval;
    const entry: ActionEntry = {
      id: action.id,
      ...actionFacts(action),
      verdict: outcome.verdict,
      reason: outcome.reason,
      ...(action.status !== 'held' && action.holdIndex !== null ? { hold_index: action.holdIndex } : {}),
      ...(approval
        ? { decided_by: action.decidedBy ?? '', approval_sha256: sha256(Buffer.from(approval, 'utf8')) }
        : {}),
      ...(action.simulated ? { simulated: true } : {}),
    };
    // The HTTP status the entry states is the one the waiting client is given (202 while held).
    const status =
      outcome.verdict === 'ALLOW' ? 200 : outcome.verdict === 'DENY' ? 403 : action.status === 'timed_out' ? 408 : 202;
    return this.options.append(
      this.entry(entry, origin, status, outcome.verdict === 'ALLOW' ? null : outcome.reason),
      origin.submitter.keyId,
    );
  }

  /** Writes the entry of a settled action's verdict and remembers its index. */
  async recordSettlement(action: ActionRecord, requestId: string, origin?: Origin): Promise<ActionRecord> {
    const index = await this.record(
      action,
      { verdict: verdictOfStatus[action.status], reason: action.reason },
      origin ?? { requestId, submitter: submitterOf(action), requestSha256: '' },
    );
    await this.options.store.updateAction(action.id, { verdictIndex: index });
    return { ...action, verdictIndex: index };
  }

  private entry(action: ActionEntry, origin: Origin, status: number, errorCode: string | null): EntryRecord {
    return actionEntry({
      time: this.options.clock.now(),
      requestId: origin.requestId,
      tenant: origin.submitter.name,
      endpoint: 'actions',
      policyHash: this.options.policyHash,
      outcome: action.verdict === 'ALLOW' ? 'ok' : 'refused',
      status,
      errorCode,
      requestSha256: origin.requestSha256 || null,
      action,
    });
  }
}
