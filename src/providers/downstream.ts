// The action gate's downstream: each released action POSTed once over an undici pool, within
// `actions.downstream_timeout_ms` measured on the gateway's clock. Never retried, and a failure is
// an outcome rather than an exception: a retry could execute the action twice.
import { Pool } from 'undici';
import { guardedLookup } from '../core/address-guard.js';
import type { Clock } from '../core/clock.js';
import type { ForwardedAction, ForwardOutcome } from '../core/forwarded-action.js';

export interface Downstream {
  forward(action: ForwardedAction): Promise<ForwardOutcome>;
  close(): Promise<void>;
}

export interface DownstreamOptions {
  /** `actions.downstream`: an http:// or https:// URL. */
  url: string;
  /** `actions.downstream_timeout_ms`: from sending until the downstream's status line and headers. */
  timeoutMs: number;
  clock: Clock;
  /** Most actions in flight to the downstream at once. */
  connections?: number;
}

export function createDownstream(options: DownstreamOptions): Downstream {
  const url = new URL(options.url);
  const path = `${url.pathname}${url.search}`;
  // The downstream is the organisation's own system that executes its actions: owned, for the SSRF guard (it may be
  // on a private network; not on a link-local address, nor on a name that resolves to one). The config's schema checks
  // an address written in the URL itself.
  const rule = { name: 'actions.downstream', ownership: 'owned' as const };
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 16,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { lookup: guardedLookup(rule) },
  });
  const { clock, timeoutMs } = options;

  function forward(action: ForwardedAction): Promise<ForwardOutcome> {
    // The wire contract (docs/action-gate.md): these fields, and the action id as idempotency key.
    const body = JSON.stringify({
      action_id: action.actionId,
      agent_id: action.agentId,
      action: action.action,
      params: action.params,
      amount: action.amount,
      receipt_id: action.receiptId,
      ledger_index: action.ledgerIndex,
      approved_by: action.approvedBy,
    });
    const headers = {
      'content-type': 'application/json',
      'idempotency-key': action.actionId,
      'x-sovereign-action': action.actionId,
      'x-sovereign-receipt': String(action.ledgerIndex),
    };
    return new Promise<ForwardOutcome>((resolve) => {
      const deadline = new AbortController();
      let settled = false;
      let abortRequest: ((reason: Error) => void) | undefined;
      const finish = (outcome: ForwardOutcome): void => {
        if (settled) return;
        settled = true;
        deadline.abort();
        resolve(outcome);
      };
      void clock.sleep(timeoutMs, deadline.signal).then(() => {
        if (settled) return;
        finish({ error: `no answer within ${timeoutMs} ms` });
        abortRequest?.(new Error(`no answer within ${timeoutMs} ms`));
      });
      try {
        pool.dispatch(
          // The deadline is the clock's (above); undici's own only bounds draining a body nobody reads.
          { method: 'POST', path, headers, body, headersTimeout: 0, bodyTimeout: timeoutMs },
          {
            onRequestStart(controller) {
              abortRequest = (reason) => controller.abort(reason);
              if (settled) controller.abort(new Error('the deadline passed before the request started'));
            },
            // The status is the outcome: the body is drained, not read.
            onResponseStart(_controller, status) {
              finish({ status });
            },
            onResponseData() {},
            onResponseEnd() {},
            onResponseError(_controller, error) {
              finish({ error: `could not reach the downstream: ${error.message}` });
            },
          },
        );
      } catch (error) {
        finish({ error: `could not reach the downstream: ${(error as Error).message}` });
      }
    });
  }

  return { forward, close: () => pool.close() };
}
