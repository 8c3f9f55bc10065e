// What the gate is handed rather than reaching for: the action store, the ledger append and the
// downstream forward. Interfaces only; the API layer injects the implementations (store/,
// pipeline/ledger-log.ts, providers/downstream.ts), so the decisions are testable with real ones.
import type { EntryRecord } from '../ledger/entry.js';
import type { Store } from '../store/store.js';
import type { ForwardPort } from './forward.js';

/**
 * The part of the store the gate uses. It is the arbiter of "exactly one outcome": settleAction is
 * a conditional update (held → settled) and claimForward one (pending → sending), each won by one caller.
 */
export type ActionStore = Pick<
  Store,
  | 'insertAction'
  | 'action'
  | 'actionsWithStatus'
  | 'actionsToRecover'
  | 'settleAction'
  | 'updateAction'
  | 'claimForward'
>;

/** Appends a ledger entry for the key that asked; resolves with its index once it is durable. */
export type AppendEntry = (record: EntryRecord, keyId: string | null) => Promise<number>;

export interface GatePorts {
  store: ActionStore;
  append: AppendEntry;
  /** Where released actions go; required when `actions.downstream` is set, and only then used. */
  forward?: ForwardPort;
}
