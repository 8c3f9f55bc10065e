// A tool server's sampling request (sampling/createMessage), for a server the config lets sample: it
// becomes a chat call through the gateway's own pipeline (classified, decided by the policy, routed
// to the configured model's candidates, recorded in the ledger under the tenant `mcp:<server id>`),
// never a call the server makes past the gateway. What the model answers goes back as the MCP
// result; a refusal or failure is an MCP error with the gateway's reason.
import { randomUUID } from 'node:crypto';
import {
  type CreateMessageRequest,
  type CreateMessageResult,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { ChatMessage, ChatRequest, ChatResponse, ContentPart } from '../core/chat.js';
import type { CallPipeline } from '../pipeline/call.js';
import type { ToolServer } from './tool-server.js';

type SamplingParams = CreateMessageRequest['params'];

function partsOf(content: unknown): ContentPart[] {
  const blocks = Array.isArray(content) ? content : [content];
  const parts: ContentPart[] = [];
  for (const block of blocks as Array<{ type?: string; text?: string; data?: string; mimeType?: string }>) {
    if (block?.type === 'text' && typeof block.text === 'string') parts.push({ type: 'text', text: block.text });
    else if (block?.type === 'image' && typeof block.data === 'string')
      parts.push({
        type: 'image_url',
        image_url: { url: `data:${block.mimeType ?? 'image/png'};base64,${block.data}` },
      });
    else if (block && typeof block === 'object')
      parts.push({ ...(block as object), type: String(block.type ?? 'unknown') });
  }
  return parts;
}

/** The sampling request as a neutral chat request for the configured model. */
export function samplingRequest(model: string, maxTokens: number, params: SamplingParams): ChatRequest {
  const messages: ChatMessage[] = [];
  if (params.systemPrompt) messages.push({ role: 'system', content: params.systemPrompt });
  for (const message of params.messages) {
    const parts = partsOf(message.content);
    const text = parts.every((part) => part.type === 'text');
    messages.push({
      role: message.role === 'assistant' ? 'assistant' : 'user',
      content: text ? parts.map((part) => (part as { text: string }).text).join('') : parts,
    });
  }
  const request: ChatRequest = {
    model,
    messages,
    stream: false,
    includeUsage: true,
    max_tokens: Math.min(maxTokens, params.maxTokens),
    extra: {},
  };
  if (typeof params.temperature === 'number') request.temperature = params.temperature;
  if (params.stopSequences && params.stopSequences.length > 0) request.stop = params.stopSequences;
  return request;
}

function resultOf(response: ChatResponse): CreateMessageResult {
  const choice = response.choices[0];
  const finish = choice?.finish_reason;
  return {
    role: 'assistant',
    content: { type: 'text', text: choice?.message.content ?? '' },
    model: response.model,
    stopReason: finish === 'length' ? 'maxTokens' : finish === 'stop' ? 'endTurn' : (finish ?? 'endTurn'),
  };
}

/** The `sample` dependency of tool servers: each request one chat call through the pipeline. */
export function samplingThrough(calls: CallPipeline) {
  return async (server: ToolServer, params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult> => {
    const settings = server.config.sampling!;
    const body = Buffer.from(JSON.stringify(params));
    const output = await calls.chat(
      {
        requestId: `mcp-sampling-${randomUUID()}`,
        tenant: { keyId: 'anonymous', name: `mcp:${server.config.id}`, scopes: [], rpm: 0 },
        endpoint: 'chat',
        body,
        headerLabels: undefined,
        signal,
      },
      () => samplingRequest(settings.model, settings.max_tokens, params),
      {
        answer: (response) => JSON.stringify(resultOf(response)),
        error: (error) => JSON.stringify({ code: error.code, message: error.message }),
      },
    );
    if (output.kind !== 'reply')
      throw new McpError(ErrorCode.InternalError, 'The gateway cannot stream a sampling answer.');
    if (output.status !== 200 || output.unrecorded !== undefined) {
      const reason = output.failure?.message ?? 'the ledger could not record it';
      throw new McpError(ErrorCode.InvalidRequest, `The gateway did not answer this sampling request: ${reason}`);
    }
    return JSON.parse(String(output.body)) as CreateMessageResult;
  };
}
