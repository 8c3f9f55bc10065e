// Resource reads and prompts of the federated servers, each one way: what is sent (the server's own
// URI, the prompt's arguments) classified and decided with the policy against the server's
// description, the request, the answer classified, one ledger entry. Reading needs no gate rule:
// nothing acts. A refusal is a JSON-RPC error that carries the receipt and verdict as its data.
import {
  type CallToolResult,
  ErrorCode,
  type GetPromptResult,
  McpError,
  type ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../core/canonical-json.js';
import { sha256Hex } from '../ledger/hash.js';
import type { ActionGate } from '../gate/gate.js';
import type { Federation } from './federation.js';
import { serverFailure, type Target, type ToolCaller, type ToolLedger } from './tool-record.js';

/** A resource read or a prompt the policy or the ledger did not let through: a JSON-RPC error with the proof. */
function refusedRequest(result: CallToolResult): McpError {
  const text = (result.content[0] as { text?: string } | undefined)?.text ?? 'Refused.';
  return new McpError(ErrorCode.InvalidRequest, text, result._meta);
}

export class ToolReads {
  constructor(
    private readonly options: { federation: Federation; gate: ActionGate },
    private readonly ledger: ToolLedger,
  ) {}

  /**
   * resources/read of one of the gateway's resource URIs: the server's URI is what is sent (classified and decided
   * like a tool's arguments), the contents are classified, and the read is a ledger entry (kind tool_call, named
   * `<server>__resources/read`). Nothing acts, so nothing is held: with no rule naming tools a read passes; once rules
   * name tools, a read needs one naming it (`files__resources/read`, `files__*`) with `require: none`.
   */
  async readResource(caller: ToolCaller, uri: string): Promise<ReadResourceResult> {
    const resolved = this.options.federation.resolveResource(uri);
    if (!resolved) throw new McpError(ErrorCode.InvalidParams, 'No resource of this URI is served.');
    const target = {
      name: `${resolved.server.config.id}__resources/read`,
      server: resolved.server,
      definitionSha256: null,
    };
    const result = await this.relay(caller, target, { uri: resolved.uri }, () =>
      resolved.server.readResource(resolved.uri, caller.signal),
    );
    if ('refused' in result) throw refusedRequest(result.refused);
    return result.answer;
  }

  /** prompts/get of a federated prompt: its arguments classified and decided, the messages classified, recorded. */
  async getPrompt(caller: ToolCaller, name: string, args: Record<string, string>): Promise<GetPromptResult> {
    const found = this.options.federation.findPrompt(name);
    if (!found) throw new McpError(ErrorCode.InvalidParams, 'No prompt of this name is served.');
    const target = { name: found.name, server: found.server, definitionSha256: null };
    const result = await this.relay(caller, target, { arguments: args }, () =>
      found.server.getPrompt(found.prompt.name, args, caller.signal),
    );
    if ('refused' in result) throw refusedRequest(result.refused);
    return result.answer;
  }

  /** Whether this key may read this (a resource's `<server>__resources/read`, a prompt's name): see readResource. */
  mayRead(tenant: string, name: string): boolean {
    return this.options.gate.toolRule(tenant, name, true)?.requirement === 'none';
  }

  /** The path of a read (a resource, a prompt): policy over what is sent, the request, its answer classified, one entry. */
  private async relay<Answer extends { _meta?: Record<string, unknown> }>(
    caller: ToolCaller,
    target: Target,
    sent: Record<string, unknown>,
    request: () => Promise<Answer>,
  ): Promise<{ answer: Answer } | { refused: CallToolResult }> {
    const argumentsSha256 = sha256Hex(canonicalJson(sent));
    if (!this.mayRead(caller.tenant.name, target.name))
      return {
        refused: await this.ledger.refuse(
          caller,
          { found: target },
          argumentsSha256,
          [],
          'no_rule',
          'DENY',
          'No rule in actions.rules lets this key read this (reads need a rule naming them with require: none).',
        ),
      };
    const screened = await this.ledger.screen(caller, target, sent, argumentsSha256);
    if ('refused' in screened) return screened;
    const { labels, findings } = screened;
    let answer: Answer;
    try {
      answer = await request();
    } catch (error) {
      return {
        refused: await this.ledger.record(caller, {
          found: target,
          argumentsSha256,
          resultSha256: null,
          labels,
          findings,
          outcome: caller.signal?.aborted ? 'client_closed' : 'error',
          errorCode: 'tool_server_error',
          verdict: 'ALLOW',
          reason: 'allowed',
          result: serverFailure(target, error),
        }),
      };
    }
    const { _meta: _dropped, ...unmarked } = answer;
    const resultLabels = await this.ledger.resultLabels(unmarked, target);
    const recorded = await this.ledger.record(caller, {
      found: target,
      argumentsSha256,
      resultSha256: sha256Hex(canonicalJson(unmarked)),
      labels,
      findings,
      outcome: 'ok',
      errorCode: null,
      verdict: 'ALLOW',
      reason: 'allowed',
      resultLabels,
      result: { content: [] },
    });
    if (recorded.isError) return { refused: recorded };
    return { answer: { ...answer, _meta: { ...answer._meta, ...recorded._meta } } };
  }
}
