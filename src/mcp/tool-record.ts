// The record of every MCP call the gateway answers (tools, resource reads, prompts): one ledger entry
// of kind tool_call with the server as described, the verdict and the digests, counted per server, and
// the answer handed back only with its receipt and verdict in `_meta` (the ledger down: withheld).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../core/clock.js';
import { type EntryRecord, type ToolEntry, toolCallEntry } from '../ledger/entry.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { ToolServer } from './tool-server.js';

/** The `_meta` keys of a result. */
export const receiptKey = 'sovereign/receipt';
export const verdictKey = 'sovereign/verdict';

export type Verdicts = ToolEntry['verdict'];

/** What a call went to: a tool, or a server's resources or prompts (`<server>__resources/read`, `<server>__<prompt>`). */
export interface Target {
  name: string;
  server: ToolServer;
  definitionSha256: string | null;
}

/** Calls per tool server since start, for GET /v1/mcp/servers. */
export interface ServerCalls {
  calls: number;
  errors: number;
  refused: number;
}

/** Who calls, in which session, and how to tell them the call is still waiting. */
export interface ToolCaller {
  tenant: { keyId: string; name: string };
  sessionId: string;
  requestId: string;
  signal?: AbortSignal;
  /** Sends a progress notification, when the client asked for them (a `progressToken`). */
  progress?: (message: string) => Promise<void>;
}

export interface ToolLedgerOptions {
  gateway: Gateway;
  append: (record: EntryRecord, keyId: string | null) => Promise<number>;
  clock: Clock;
  /** Told of every call's end (metrics). */
  onCall?: (server: string, tool: string, verdict: ToolEntry['verdict'], outcome: EntryRecord['outcome']) => void;
}

export class ToolLedger {
  /** By server id. */
  readonly stats = new Map<string, ServerCalls>();

  constructor(private readonly options: ToolLedgerOptions) {}

  refuse(
    caller: ToolCaller,
    base: { found: Target; actionId?: string } | undefined,
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
  async record(
    caller: ToolCaller,
    facts: {
      found: Target | undefined;
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

/** A tool server's error, shortened; an MCP error's message is the server's, not the agent's. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
