// A released action as the action gate hands it to the downstream, and how sending it ended: the
// contract between gate/ (which decides) and providers/downstream.ts (which puts it on the wire).

export interface ForwardedAction {
  actionId: string;
  agentId: string;
  action: string;
  params: unknown;
  /** As sent: a JSON number, a decimal string, or null. */
  amount: unknown;
  receiptId: string | null;
  ledgerIndex: number | null;
  approvedBy: string | null;
}

/**
 * The downstream answered (any HTTP status: the action is its to judge), or could not be reached or did not answer in
 * time.
 */
export type ForwardOutcome = { status: number } | { error: string };
