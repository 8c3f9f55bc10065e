// The record of every MCP call the gateway answers (tools, resource reads, prompts): one ledger entry
// of kind tool_call with the server as described, the verdict and the digests, counted per server, and
// the answer handed back only with its receipt and verdict in `_meta` (the ledger down: withheld).
import { storedKeyId } from '../pipeline/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../core/clock.js';
import { asGatewayError } from '../core/errors.js';
import { labelLocations } from '../pipeline/classify.js';
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

  /**
   * The policy over what a call sends to its server (classified like a model call's fields, decided against the
   * server's description): its labels and where they were found, or the refusal, recorded.
   */
  async screen(
    caller: ToolCaller,
    target: Target,
    sent: Record<string, unknown>,
    argumentsSha256: string,
  ): Promise<{ labels: string[]; findings: EntryRecord['findings'] } | { refused: CallToolResult }> {
    let check: Awaited<ReturnType<Gateway['checkDestination']>>;
    try {
      check = await this.options.gateway.checkDestination(sent, [], target.server.description);
    } catch (error) {
      const failure = asGatewayError(error);
      return {
        refused: await this.refuse(
          caller,
          { found: target },
          argumentsSha256,
          [],
          failure.code,
          'DENY',
          failure.message,
        ),
      };
    }
    const labels = check.classification.labels;
    const findings = labelLocations(check.classification).locations;
    if (check.allowed) return { labels, findings };
    return {
      refused: await this.refuse(
        caller,
        { found: target },
        argumentsSha256,
        labels,
        'policy',
        'DENY',
        `Refused by policy: ${check.why}`,
        findings,
      ),
    };
  }

  /** The labels the detectors find in what a server answered (`opaque.unscanned` when it cannot be read). */
  resultLabels(answer: unknown, target: Target): Promise<string[]> {
    return this.options.gateway
      .checkDestination(answer, [], target.server.description)
      .then((seen) => seen.classification.labels)
      .catch(() => ['opaque.unscanned']);
  }

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
      index = await this.options.append(entry, storedKeyId(caller.tenant));
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
/** A server's failure as the agent is told it: one line, the server's own message, shortened. */
export function serverFailure(target: Target, error: unknown): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `The tool server "${target.server.config.id}" failed: ${safeMessage(error)}` }],
  };
}

export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
