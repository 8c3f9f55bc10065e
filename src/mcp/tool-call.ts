// The one path of an MCP tool call: resolve the prefixed name → classify the arguments and decide with
// the policy against the tool server's description (refused: the server is never contacted) → the
// action gate (a rule naming the tool; a receipt or an approval when it says so, the caller held open
// with progress notifications meanwhile) → the call to the server → the result classified → one
// ledger entry (kind tool_call) → the result, with its receipt and verdict in `_meta`. Every result,
// answered, refused, held or timed out, carries `_meta["sovereign/receipt"]` and
// `_meta["sovereign/verdict"]`; a refusal is `isError` with a one-line reason that names the rule or
// the labels, never what was matched.
import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { ActionGate } from '../gate/gate.js';
import type { Verdict } from '../gate/verdict.js';
import type { EntryRecord, ToolEntry } from '../ledger/entry.js';
import { sha256Hex } from '../ledger/hash.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { Federation } from './federation.js';
import { ToolReads } from './reads.js';
import { serverFailure, type ToolCaller, ToolLedger, type Verdicts } from './tool-record.js';

export { receiptKey, type ServerCalls, type ToolCaller, verdictKey } from './tool-record.js';

export interface ToolCallOptions {
  federation: Federation;
  gateway: Gateway;
  gate: ActionGate;
  append: (record: EntryRecord, keyId: string | null) => Promise<number>;
  clock: Clock;
  /** Between two progress notifications while a call is held (15 s). */
  progressEveryMs?: number;
  /** Told of every call's end (metrics). */
  onCall?: (server: string, tool: string, verdict: ToolEntry['verdict'], outcome: EntryRecord['outcome']) => void;
}

/** The largest tool result relayed (its canonical JSON, in characters): the body limit's default, 4 MiB. */
export const maxResultCharacters = 4 * 1024 * 1024;

/** The `_meta` key of a call's params that carries an action receipt (as POST /v1/actions takes one). */
export const actionReceiptKey = 'sovereign/action_receipt';

export class ToolCalls {
  private readonly progressEveryMs: number;
  private readonly ledger: ToolLedger;
  private readonly reads: ToolReads;

  constructor(private readonly options: ToolCallOptions) {
    this.progressEveryMs = options.progressEveryMs ?? 15_000;
    this.ledger = new ToolLedger(options);
    this.reads = new ToolReads(options, this.ledger);
  }

  /** Calls per tool server since start. */
  get stats(): ToolLedger['stats'] {
    return this.ledger.stats;
  }

  /** Calls, reads and prompts being answered, for a shutdown that lets them finish. */
  private readonly inFlight = new Set<Promise<unknown>>();

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  /** Resolves once every call in flight now has been answered (a shutdown waits for it within its grace). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  readResource(caller: ToolCaller, uri: string): Promise<ReadResourceResult> {
    return this.tracked(this.reads.readResource(caller, uri));
  }

  getPrompt(caller: ToolCaller, name: string, args: Record<string, string>): Promise<GetPromptResult> {
    return this.tracked(this.reads.getPrompt(caller, name, args));
  }

  /** Whether a key may read a resource (`<server>__resources/read`) or get a prompt (its prefixed name). */
  mayRead(tenant: string, name: string): boolean {
    return this.reads.mayRead(tenant, name);
  }

  call(
    caller: ToolCaller,
    name: string,
    args: Record<string, unknown>,
    meta: Record<string, unknown> | undefined,
  ): Promise<CallToolResult> {
    return this.tracked(this.answer(caller, name, args, meta));
  }

  private async answer(
    caller: ToolCaller,
    name: string,
    args: Record<string, unknown>,
    meta: Record<string, unknown> | undefined,
  ): Promise<CallToolResult> {
    const { federation, gateway, gate } = this.options;
    const argumentsSha256 = sha256Hex(canonicalJson(args));
    const found = federation.find(name);
    if (!found)
      // The name a client typed is not recorded: it could carry data. Only a tool's own name is.
      return this.ledger.refuse(
        caller,
        undefined,
        argumentsSha256,
        [],
        'no_such_tool',
        'DENY',
        'No tool of this name is served.',
      );
    const base = { found, argumentsSha256 };
    if (found.status === 'quarantined')
      return this.ledger.refuse(
        caller,
        base,
        argumentsSha256,
        [],
        'quarantined',
        'DENY',
        `The tool ${name} is quarantined: its definition changed since it was pinned (or reads as instructions to the model); an admin must accept it first.`,
      );
    const screened = await this.ledger.screen(caller, found, { arguments: args }, argumentsSha256);
    if ('refused' in screened) return screened.refused;
    const { labels, findings } = screened;
    const rule = gate.toolRule(caller.tenant.name, name, found.readOnly);
    if (!rule)
      return this.ledger.refuse(
        caller,
        base,
        argumentsSha256,
        labels,
        'no_rule',
        'DENY',
        'No rule in actions.rules names this tool for this key.',
        findings,
      );
    let gated: { reason: string; actionId?: string; approvalSha256?: string } = {
      reason: rule.requirement === 'none' ? 'allowed' : rule.requirement,
    };
    if (rule.requirement !== 'none') {
      let verdict: Verdict;
      try {
        verdict = await this.held(
          caller,
          gate.submit(
            {
              agentId: caller.tenant.name,
              action: name,
              params: args,
              amount: null,
              receipt: meta?.[actionReceiptKey],
            },
            {
              requestId: caller.requestId,
              submitter: { keyId: caller.tenant.keyId, name: caller.tenant.name },
              requestSha256: argumentsSha256,
            },
            { rule },
          ),
        );
      } catch (error) {
        if (error instanceof CallerGone) {
          // The caller left, or the gateway ended its session (its key revoked), during the hold: nothing runs.
          const reason = caller.signal?.reason;
          const revoked = reason instanceof GatewayError;
          return this.ledger.refuse(
            caller,
            base,
            argumentsSha256,
            labels,
            revoked ? reason.code : 'client_closed',
            'DENY',
            revoked ? reason.message : 'The caller went away while the call was held; it was not run.',
            findings,
          );
        }
        // The gate could not store or record the action: nothing runs, and the refusal is recorded here.
        return this.ledger.refuse(
          caller,
          base,
          argumentsSha256,
          labels,
          'gate_unavailable',
          'DENY',
          'The action gate could not record this call; it was not run. Retry later.',
          findings,
        );
      }
      if (verdict.outcome !== 'allowed') {
        const { verdict: said, reason, detail } = refusalOf(verdict);
        return this.ledger.refuse(
          caller,
          { ...base, actionId: 'actionId' in verdict ? verdict.actionId : undefined },
          argumentsSha256,
          labels,
          reason,
          said,
          detail,
          findings,
        );
      }
      gated = { reason: verdict.approvedBy ? 'approved' : 'receipt', actionId: verdict.actionId };
      // A hold can last minutes: what was checked before it is checked again (the tool as pinned, the policy's answer,
      // a cut, the caller still there) before anything runs.
      const now = federation.find(name);
      if (now?.status !== 'active' || now.definitionSha256 !== found.definitionSha256)
        return this.ledger.refuse(
          caller,
          { ...base, actionId: gated.actionId },
          argumentsSha256,
          labels,
          'changed_while_held',
          'DENY',
          `The tool ${name} changed or went away while the call was held; it was not run.`,
          findings,
        );
      const again = await gateway
        .checkDestination({ arguments: args }, [], found.server.description)
        .catch(() => undefined);
      if (!again?.allowed)
        return this.ledger.refuse(
          caller,
          { ...base, actionId: gated.actionId },
          argumentsSha256,
          labels,
          'policy',
          'DENY',
          `Refused by policy after the hold: ${again?.why ?? 'the arguments could not be classified again'}`,
          findings,
        );
      if (caller.signal?.aborted)
        return this.ledger.refuse(
          caller,
          { ...base, actionId: gated.actionId },
          argumentsSha256,
          labels,
          'client_closed',
          'DENY',
          'The caller went away while the call was held; it was not run.',
          findings,
        );
    }
    let result: CallToolResult;
    let outcome: EntryRecord['outcome'] = 'ok';
    let errorCode: string | null = null;
    try {
      result = await found.server.call(found.tool.name, args, caller.signal);
    } catch (error) {
      const ended = caller.signal?.aborted ? caller.signal.reason : undefined;
      if (ended instanceof GatewayError) {
        // The gateway ended the call (its key was revoked): refused, in the gateway's words.
        outcome = 'refused';
        errorCode = ended.code;
        result = { isError: true, content: [{ type: 'text', text: ended.message }] };
      } else {
        outcome = caller.signal?.aborted ? 'client_closed' : 'error';
        errorCode = outcome === 'client_closed' ? 'client_closed' : 'tool_server_error';
        result = serverFailure(found, error);
      }
    }
    let { _meta: _dropped, ...unmarked } = result;
    let canonical = canonicalJson(unmarked);
    if (canonical.length > maxResultCharacters) {
      // A tool server cannot make the gateway hold, scan and send any amount: past the limit the result is withheld.
      outcome = 'error';
      errorCode = 'result_too_large';
      result = {
        isError: true,
        content: [
          { type: 'text', text: `The tool's result is larger than ${maxResultCharacters} characters; it is withheld.` },
        ],
      };
      ({ _meta: _dropped, ...unmarked } = result);
      canonical = canonicalJson(unmarked);
    }
    const resultLabels = await this.ledger.resultLabels(
      { content: result.content, structuredContent: result.structuredContent },
      found,
    );
    const resultSha256 = sha256Hex(canonical);
    return this.ledger.record(caller, {
      found,
      argumentsSha256,
      resultSha256,
      labels,
      findings,
      outcome,
      errorCode,
      verdict: 'ALLOW',
      reason: gated.reason,
      actionId: gated.actionId,
      approvalSha256: gated.approvalSha256,
      resultLabels,
      result,
    });
  }

  /** Waits for the gate's verdict on a held call, telling the client it waits every `progressEveryMs`. */
  private async held(caller: ToolCaller, held: Promise<Verdict>): Promise<Verdict> {
    // The hold ends when the caller does (it left, or its session was ended): CallerGone, and nothing runs.
    const signal = caller.signal;
    let waiting = held;
    if (signal) {
      if (signal.aborted) throw new CallerGone();
      let stop: (() => void) | undefined;
      waiting = Promise.race([
        held,
        new Promise<never>((_, reject) => {
          const gone = (): void => reject(new CallerGone());
          signal.addEventListener('abort', gone, { once: true });
          stop = () => signal.removeEventListener('abort', gone);
        }),
      ]).finally(() => stop?.());
    }
    if (!caller.progress) return waiting;
    const over = new AbortController();
    let settled = false;
    void waiting
      .finally(() => {
        settled = true;
        over.abort();
      })
      .catch(() => undefined);
    void (async () => {
      while (!settled) {
        await this.options.clock.sleep(this.progressEveryMs, over.signal);
        if (settled) break;
        await caller.progress!('held for an approval').catch(() => undefined);
      }
    })();
    return waiting;
  }
}

/** What a client is told of a gate verdict that did not release the call. */
function refusalOf(verdict: Exclude<Verdict, { outcome: 'allowed' }>): {
  verdict: Verdicts;
  reason: string;
  detail: string;
} {
  switch (verdict.outcome) {
    case 'denied':
      return { verdict: 'DENY', reason: verdict.reason, detail: `Refused by the action gate: ${verdict.detail}` };
    case 'rejected':
      return { verdict: 'DENY', reason: 'rejected', detail: `Rejected: ${verdict.detail}; the tool was not called.` };
    case 'timed_out':
      return { verdict: 'HALTED', reason: 'timeout', detail: `Held, and ${verdict.detail}; the tool was not called.` };
    case 'held':
      return { verdict: 'HALTED', reason: verdict.reason, detail: 'Held for an approval; the tool was not called.' };
    case 'interrupted':
      return { verdict: 'HALTED', reason: 'shutting_down', detail: `${verdict.detail} The tool was not called.` };
  }
}

/** A held call whose caller is gone (see ToolCalls.held). */
class CallerGone extends Error {}
