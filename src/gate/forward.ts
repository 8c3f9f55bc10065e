// Releasing an allowed action to the downstream: at most once, whoever tries. The store's claim
// (pending → sending) picks one sender among replicas, recovery and retrying clients; an outcome
// that cannot be known (the process stopped mid-send) is reported, never re-sent.
import type { ForwardedAction, ForwardOutcome } from '../core/forwarded-action.js';
import type { ActionRecord, Store } from '../store/store.js';

/** The part of the store that claims and records forwards. */
type ForwardStore = Pick<Store, 'claimForward' | 'action' | 'updateAction'>;

export type { ForwardedAction, ForwardOutcome } from '../core/forwarded-action.js';

/** Sends one released action; it never throws, and it never retries (a retry could execute twice). */
export interface ForwardPort {
  forward(action: ForwardedAction): Promise<ForwardOutcome>;
}

/** Sends an allowed action to the downstream if this caller wins its claim; returns the record with the outcome. */
export async function forwardOnce(
  action: ActionRecord,
  store: ForwardStore,
  port: ForwardPort | undefined,
): Promise<ActionRecord> {
  if (!port || action.forwardState !== 'pending') return action;
  // Claimed elsewhere (another replica, or recovery): its outcome is in the store.
  if (!(await store.claimForward(action.id))) return (await store.action(action.id)) ?? action;
  const payload = JSON.parse(action.payload) as { params: unknown; amount: unknown };
  let outcome: ForwardOutcome;
  try {
    outcome = await port.forward({
      actionId: action.id,
      agentId: action.agentId,
      action: action.action,
      params: payload.params,
      amount: payload.amount,
      receiptId: action.receiptId,
      ledgerIndex: action.verdictIndex,
      approvedBy: action.decidedBy,
    });
  } catch (error) {
    outcome = { error: `could not reach the downstream: ${(error as Error).message}` };
  }
  const progress =
    'status' in outcome
      ? { forwardState: 'done' as const, downstreamStatus: outcome.status, downstreamError: null }
      : { forwardState: 'done' as const, downstreamStatus: null, downstreamError: outcome.error };
  await store.updateAction(action.id, progress);
  return { ...action, ...progress };
}

/**
 * A forward the process stopped in the middle of: whether the downstream acted is unknown, so it is reported and not
 * sent again.
 */
export async function closeInterruptedForward(action: ActionRecord, store: ForwardStore): Promise<void> {
  await store.updateAction(action.id, {
    forwardState: 'done',
    downstreamError: 'unknown: the gateway stopped while forwarding; not sent again',
  });
}
