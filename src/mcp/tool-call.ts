// The one path of an MCP tool call: resolve the prefixed name → classify the arguments and decide with
// the policy against the tool server's description (refused: the server is never contacted) → the
// action gate (a rule naming the tool; a receipt or an approval when it says so, the caller held open
// with progress notifications meanwhile) → the call to the server → the result classified → one
// ledger entry (kind tool_call) → the result, with its receipt and verdict in `_meta`. Every result,
// answered, refused, held or timed out, carries `_meta["sovereign/receipt"]` and
// `_meta["sovereign/verdict"]`; a refusal is `isError` with a one-line reason that names the rule or
// the labels, never what was matched.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Clock } from '../core/clock.js';
import { asGatewayError } from '../core/errors.js';
import type { ActionGate } from '../gate/gate.js';
import type { Verdict } from '../gate/verdict.js';
import { type EntryRecord, type ToolEntry, toolCallEntry } from '../ledger/entry.js';
import { sha256Hex } from '../ledger/hash.js';
import { labelLocations } from '../pipeline/classify.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { Federation } from './federation.js';

/** Who calls, in which session, and how to tell them the call is still waiting. */
export interface ToolCaller {
  tenant: { keyId: string; name: string };
  sessionId: string;
  requestId: string;
  signal?: AbortSignal;
  /** Sends a progress notification, when the client asked for them (a `progressToken`). */
  progress?: (message: string) => Promise<void>;
}

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

/** Calls per tool server since start, for GET /v1/mcp/servers. */
export interface ServerCalls {
  calls: number;
  errors: number;
  refused: number;
}

/** The `_meta` keys of a result. */
export const receiptKey = 'sovereign/receipt';
export const verdictKey = 'sovereign/verdict';
/** The `_meta` key of a call's params that carries an action receipt (as POST /v1/actions takes one). */
export const actionReceiptKey = 'sovereign/action_receipt';

type Verdicts = ToolEntry['verdict'];

export class ToolCalls {
  private readonly progressEveryMs: number;
  /** By server id. */
  readonly stats = new Map<string, ServerCalls>();

  constructor(private readonly options: ToolCallOptions) {
    this.progressEveryMs = options.progressEveryMs ?? 15_000;
  }

  async call(
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
      return this.refuse(
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
      return this.refuse(
        caller,
        base,
        argumentsSha256,
        [],
        'quarantined',
        'DENY',
        `The tool ${name} is quarantined: its definition changed since it was pinned (or reads as instructions to the model); an admin must accept it first.`,
      );
    let check: Awaited<ReturnType<Gateway['checkDestination']>>;
    try {
      check = await gateway.checkDestination({ arguments: args }, [], found.server.description);
    } catch (error) {
      const failure = asGatewayError(error);
      return this.refuse(caller, base, argumentsSha256, [], failure.code, 'DENY', failure.message);
    }
    const labels = check.classification.labels;
    const findings = labelLocations(check.classification).locations;
    if (!check.allowed)
      return this.refuse(
        caller,
        base,
        argumentsSha256,
        labels,
        'policy',
        'DENY',
        `Refused by policy: ${check.why}`,
        findings,
      );
    const readOnly = found.tool.annotations?.readOnlyHint === true;
    const rule = gate.toolRule(caller.tenant.name, name, readOnly);
    if (!rule)
      return this.refuse(
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
      const verdict = await this.held(
        caller,
        gate.submit(
          { agentId: caller.tenant.name, action: name, params: args, amount: null, receipt: meta?.[actionReceiptKey] },
          {
            requestId: caller.requestId,
            submitter: { keyId: caller.tenant.keyId, name: caller.tenant.name },
            requestSha256: argumentsSha256,
          },
          { rule },
        ),
      );
      if (verdict.outcome !== 'allowed') {
        const { verdict: said, reason, detail } = refusalOf(verdict);
        return this.refuse(
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
    }
    let result: CallToolResult;
    let outcome: EntryRecord['outcome'] = 'ok';
    let errorCode: string | null = null;
    try {
      result = await found.server.call(found.tool.name, args, caller.signal);
    } catch (error) {
      outcome = caller.signal?.aborted ? 'client_closed' : 'error';
      errorCode = outcome === 'client_closed' ? 'client_closed' : 'tool_server_error';
      result = {
        isError: true,
        content: [{ type: 'text', text: `The tool server "${found.server.config.id}" failed: ${safeMessage(error)}` }],
      };
    }
    const resultLabels = await gateway
      .checkDestination(
        { content: result.content, structuredContent: result.structuredContent },
        [],
        found.server.description,
      )
      .then((seen) => seen.classification.labels)
      .catch(() => ['opaque.unscanned']);
    const { _meta: _dropped, ...unmarked } = result;
    const resultSha256 = sha256Hex(canonicalJson(unmarked));
    return this.record(caller, {
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
  private async held(caller: ToolCaller, waiting: Promise<Verdict>): Promise<Verdict> {
    if (!caller.progress) return waiting;
    const over = new AbortController();
    let settled = false;
    void waiting.finally(() => {
      settled = true;
      over.abort();
    });
    void (async () => {
      while (!settled) {
        await this.options.clock.sleep(this.progressEveryMs, over.signal);
        if (settled) break;
        await caller.progress!('held for an approval').catch(() => undefined);
      }
    })();
    return waiting;
  }

  private refuse(
    caller: ToolCaller,
    base: { found: NonNullable<ReturnType<Federation['find']>>; actionId?: string } | undefined,
    argumentsSha256: string,
    labels: readonly string[],
    reason: string,
    verdict: Verdicts,
    detail: string,
    findings?: EntryRecord['findings'],
  ): Promise<CallToolResult> {
    return this.record(caller, {
      found: base?.found,
      argumentsSha256,
      resultSha256: null,
      labels,
      findings,
      outcome: 'refused',
      errorCode: reason,
      verdict,
      reason,
      actionId: base?.actionId,
      result: { isError: true, content: [{ type: 'text', text: detail.split('\n')[0]!.slice(0, 500) }] },
    });
  }

  /** One ledger entry for the call; the result goes back only with its receipt (the ledger down: withheld). */
  private async record(
    caller: ToolCaller,
    facts: {
      found: NonNullable<ReturnType<Federation['find']>> | undefined;
      argumentsSha256: string;
      resultSha256: string | null;
      labels: readonly string[];
      findings?: EntryRecord['findings'];
      outcome: EntryRecord['outcome'];
      errorCode: string | null;
      verdict: Verdicts;
      reason: string;
      actionId?: string;
      approvalSha256?: string;
      resultLabels?: string[];
      result: CallToolResult;
    },
  ): Promise<CallToolResult> {
    const server = facts.found?.server.description;
    if (server) {
      const stats = this.stats.get(server.id) ?? { calls: 0, errors: 0, refused: 0 };
      stats.calls += 1;
      if (facts.outcome === 'error') stats.errors += 1;
      if (facts.outcome === 'refused') stats.refused += 1;
      this.stats.set(server.id, stats);
      this.options.onCall?.(server.id, facts.found!.name, facts.verdict, facts.outcome);
    }
    const entry = toolCallEntry({
      time: this.options.clock.now(),
      requestId: caller.requestId,
      tenant: caller.tenant.name,
      policyHash: this.options.gateway.policyHash,
      server: server ?? { id: '', jurisdiction: '', ownership: '', operator: '' },
      labels: facts.labels,
      findings: facts.findings,
      outcome: facts.outcome,
      errorCode: facts.errorCode,
      tool: {
        name: facts.found?.name ?? '',
        server: server?.id ?? '',
        session: caller.sessionId,
        definition_sha256: facts.found?.definitionSha256 ?? null,
        arguments_sha256: facts.argumentsSha256,
        result_sha256: facts.resultSha256,
        verdict: facts.verdict,
        reason: facts.reason,
        ...(facts.actionId ? { action_id: facts.actionId } : {}),
        ...(facts.approvalSha256 ? { approval_sha256: facts.approvalSha256 } : {}),
        ...(facts.resultLabels && facts.resultLabels.length > 0 ? { result_labels: facts.resultLabels } : {}),
      },
    });
    let index: number;
    try {
      index = await this.options.append(entry, caller.tenant.keyId === 'anonymous' ? null : caller.tenant.keyId);
    } catch {
      return {
        isError: true,
        content: [{ type: 'text', text: 'The ledger could not record this call, so its result is withheld.' }],
        _meta: { [verdictKey]: facts.verdict },
      };
    }
    return { ...facts.result, _meta: { ...facts.result._meta, [receiptKey]: index, [verdictKey]: facts.verdict } };
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

/** A tool server's error, shortened; an MCP error's message is the server's, not the agent's. */
function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
