// Provider kind `anthropic`: the Anthropic Messages API. Translates the neutral (OpenAI-shaped)
// request into a Messages request, and Messages answers and stream events back into neutral ones.
import type { z } from 'zod';
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ContentPart,
  FinishReason,
  StreamChunk,
  ToolCall,
} from '../core/chat.js';
import { ProviderError } from '../core/errors.js';
import type { CallOptions, ChatResult, ChatStream, Provider, ProviderDescription } from '../core/provider.js';
import { invalid, parseJson } from './openai-compatible.js';
import { defineProviderKind, describeProvider, kindSettings, type ProviderDependencies } from './provider-kind.js';
import {
  apiKeyOf,
  closeUpstreamTarget,
  contextWindowOf,
  createUpstreamTarget,
  occupancyOf,
  whenFree,
  getUpstream,
  httpSettingsKeys,
  postUpstreamBuffered,
  type UpstreamTarget,
} from './upstream-http.js';
import { openUpstreamStream } from './upstream-stream.js';

const anthropicVersion = '2023-06-01';
/** Messages requires max_tokens; used when the client sets none. */
const defaultMaxTokens = 4096;

const settings = kindSettings('anthropic', httpSettingsKeys('anthropic'));
export type AnthropicSettings = z.output<typeof settings>;

export const anthropicKind = defineProviderKind({
  kind: 'anthropic',
  summary: "Anthropic's Messages API over HTTP",
  settings,
  create: (settings, dependencies) => new AnthropicProvider(settings, dependencies),
});

class AnthropicProvider implements Provider {
  readonly description: ProviderDescription;
  private readonly target: UpstreamTarget;
  private readonly headers: Record<string, string>;
  private readonly streamIdleTimeoutMs: number;
  private readonly contextWindows: AnthropicSettings['context_window'];
  /** Counts are the upstream's own (POST /v1/messages/count_tokens): its tokenizer is not published. */
  readonly countsRemotely = true;

  constructor(settings: AnthropicSettings, dependencies: ProviderDependencies) {
    this.description = describeProvider(settings);
    this.contextWindows = settings.context_window;
    const apiKey = apiKeyOf(settings, dependencies.environment);
    this.target = createUpstreamTarget(settings, dependencies.clock, dependencies.maxAnswerBytes, dependencies.resolve);
    this.streamIdleTimeoutMs = dependencies.streamIdleTimeoutMs;
    this.headers = { ...settings.headers, 'content-type': 'application/json', 'anthropic-version': anthropicVersion };
    if (apiKey) this.headers['x-api-key'] = apiKey;
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
    const response = await postUpstreamBuffered(this.target, {
      path: '/messages',
      headers: this.headers,
      body: JSON.stringify(toMessagesRequest(request, options.upstreamModel, false)),
      deadline: options.deadline,
      signal: options.signal,
    });
    const parsed = parseJson(this.description.id, response.body) as AnthropicMessage;
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.content))
      throw invalid(this.description.id, 'a message without content');
    return { response: fromMessage(parsed, createdSeconds(this.target.clock.now())) };
  }

  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const providerId = this.description.id;
    const includeUsage = request.includeUsage;
    const state: StreamState = {
      id: '',
      model: '',
      created: createdSeconds(this.target.clock.now()),
      inputTokens: 0,
      outputTokens: 0,
      toolIndex: -1,
      blockIsTool: new Map(),
    };
    return openUpstreamStream(
      this.target,
      {
        path: '/messages',
        headers: { ...this.headers, accept: 'text/event-stream' },
        body: JSON.stringify(toMessagesRequest(request, options.upstreamModel, true)),
        deadline: options.deadline,
        idleTimeoutMs: this.streamIdleTimeoutMs,
        signal: options.signal,
      },
      (event, emit) => {
        if (event.data === '') return false;
        const data = parseJson(providerId, event.data) as AnthropicStreamEvent;
        for (const chunk of translateStreamEvent(providerId, data, state, includeUsage)) emit({ chunk });
        return data.type === 'message_stop';
      },
      'the stream ended before message_stop',
    );
  }

  translate(request: ChatRequest, upstreamModel: string, stream: boolean): unknown {
    return toMessagesRequest(request, upstreamModel, stream);
  }

  contextWindow(upstreamModel: string): number | undefined {
    return contextWindowOf(this.contextWindows, upstreamModel);
  }

  /** The upstream's count of the request as it would be sent (the same translation, without generation settings). */
  async countTokens(request: ChatRequest, options: CallOptions): Promise<number> {
    const { model, messages, system, tools, tool_choice } = toMessagesRequest(request, options.upstreamModel, false);
    const response = await postUpstreamBuffered(this.target, {
      path: '/messages/count_tokens',
      headers: this.headers,
      body: JSON.stringify({ model, messages, system, tools, tool_choice }),
      deadline: options.deadline,
      signal: options.signal,
    });
    const parsed = parseJson(this.description.id, response.body) as { input_tokens?: unknown };
    if (!parsed || typeof parsed !== 'object' || typeof parsed.input_tokens !== 'number' || parsed.input_tokens < 0)
      throw invalid(this.description.id, 'a token count without input_tokens');
    return parsed.input_tokens;
  }

  probe(deadline: number): Promise<void> {
    return getUpstream(this.target, '/models', this.headers, deadline);
  }

  occupancy(): { inFlight: number; maxConcurrent: number } {
    return occupancyOf(this.target);
  }

  whenFree(signal?: AbortSignal): Promise<void> {
    return whenFree(this.target, signal);
  }

  async close(): Promise<void> {
    await closeUpstreamTarget(this.target);
  }
}

/** OpenAI's `created`: seconds since the epoch, on the gateway's clock (Messages answers carry no time). */
const createdSeconds = (now: number): number => Math.floor(now / 1000);

// ---- Request: neutral → Messages ----

type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | AnthropicBlock[] };

interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

export function toMessagesRequest(request: ChatRequest, model: string, stream: boolean): Record<string, unknown> {
  const system: string[] = [];
  const messages: AnthropicMessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: AnthropicBlock[]): void => {
    const last = messages[messages.length - 1];
    // Messages wants alternating roles; consecutive same-role turns (e.g. several tool results) merge.
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message));
        break;
      case 'user':
        push('user', toBlocks(message.content));
        break;
      case 'assistant': {
        const blocks = toBlocks(message.content);
        for (const call of message.tool_calls ?? [])
          blocks.push({
            type: 'tool_use',
            id: call.id,
            name: call.function.name,
            input: parseArguments(call.function.arguments),
          });
        if (blocks.length > 0) push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: textOf(message) }]);
        break;
    }
  }
  const body: Record<string, unknown> = {
    model,
    messages,
    max_tokens:
      request.max_tokens ??
      (typeof request.extra.max_completion_tokens === 'number'
        ? request.extra.max_completion_tokens
        : defaultMaxTokens),
    stream,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.user) body.metadata = { user_id: request.user };
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.function.name,
      description: tool.function.description,
      input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = request.tool_choice;
    if (choice === 'required') body.tool_choice = { type: 'any' };
    else if (choice === 'none') body.tool_choice = { type: 'none' };
    else if (typeof choice === 'object') body.tool_choice = { type: 'tool', name: choice.function.name };
    if (request.parallel_tool_calls === false && typeof body.tool_choice === 'object')
      (body.tool_choice as Record<string, unknown>).disable_parallel_tool_use = true;
  }
  return body;
}

function toBlocks(content: ChatMessage['content']): AnthropicBlock[] {
  if (content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part): AnthropicBlock[] => toBlock(part));
}

function toBlock(part: ContentPart): AnthropicBlock[] {
  if (part.type === 'text' && typeof part.text === 'string') return [{ type: 'text', text: part.text }];
  if (part.type === 'image_url') {
    const url = (part as { image_url: { url: string } }).image_url.url;
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (match) return [{ type: 'image', source: { type: 'base64', media_type: match[1]!, data: match[2]! } }];
    return [{ type: 'image', source: { type: 'url', url } }];
  }
  return [];
}

function textOf(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (message.content === null) return '';
  return message.content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

// ---- Answer: Messages → neutral ----

interface AnthropicMessage {
  id: string;
  model: string;
  content: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

export function finishReasonOf(stopReason: string | null | undefined): FinishReason | null {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return stopReason ? 'stop' : null;
  }
}

function fromMessage(message: AnthropicMessage, created: number): ChatResponse {
  const text = message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
  const toolCalls: ToolCall[] = message.content
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      id: block.id ?? '',
      type: 'function',
      function: { name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) },
    }));
  const input = message.usage?.input_tokens ?? 0;
  const output = message.usage?.output_tokens ?? 0;
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(message.stop_reason),
      },
    ],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
  };
}

type AnthropicStreamEvent =
  | {
      type: 'message_start';
      message: { id: string; model: string; usage?: { input_tokens?: number; output_tokens?: number } };
    }
  | { type: 'content_block_start'; index: number; content_block: { type: string; id?: string; name?: string } }
  | { type: 'content_block_delta'; index: number; delta: { type: string; text?: string; partial_json?: string } }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason?: string | null };
      usage?: { output_tokens?: number; input_tokens?: number };
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type?: string; message?: string } };

interface StreamState {
  id: string;
  model: string;
  created: number;
  inputTokens: number;
  outputTokens: number;
  toolIndex: number;
  /** Anthropic content block index → OpenAI tool_calls index. */
  blockIsTool: Map<number, number>;
}

function translateStreamEvent(
  providerId: string,
  event: AnthropicStreamEvent,
  state: StreamState,
  includeUsage: boolean,
): StreamChunk[] {
  const chunk = (delta: StreamChunk['choices'][number]['delta'], finish: FinishReason | null = null): StreamChunk => ({
    id: state.id,
    object: 'chat.completion.chunk',
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  switch (event.type) {
    case 'message_start':
      state.id = event.message.id;
      state.model = event.message.model;
      state.inputTokens = event.message.usage?.input_tokens ?? 0;
      state.outputTokens = event.message.usage?.output_tokens ?? 0;
      return [chunk({ role: 'assistant', content: '' })];
    case 'content_block_start':
      if (event.content_block.type === 'tool_use') {
        state.toolIndex += 1;
        state.blockIsTool.set(event.index, state.toolIndex);
        return [
          chunk({
            tool_calls: [
              {
                index: state.toolIndex,
                id: event.content_block.id ?? '',
                type: 'function',
                function: { name: event.content_block.name ?? '', arguments: '' },
              },
            ],
          }),
        ];
      }
      return [];
    case 'content_block_delta':
      if (event.delta.type === 'text_delta') return [chunk({ content: event.delta.text ?? '' })];
      if (event.delta.type === 'input_json_delta') {
        const index = state.blockIsTool.get(event.index) ?? 0;
        return [chunk({ tool_calls: [{ index, function: { arguments: event.delta.partial_json ?? '' } }] })];
      }
      return [];
    case 'message_delta': {
      if (event.usage?.output_tokens !== undefined) state.outputTokens = event.usage.output_tokens;
      if (event.usage?.input_tokens !== undefined) state.inputTokens = event.usage.input_tokens;
      const chunks = [chunk({}, finishReasonOf(event.delta.stop_reason))];
      if (includeUsage) {
        chunks.push({
          id: state.id,
          object: 'chat.completion.chunk',
          created: state.created,
          model: state.model,
          choices: [],
          usage: {
            prompt_tokens: state.inputTokens,
            completion_tokens: state.outputTokens,
            total_tokens: state.inputTokens + state.outputTokens,
          },
        });
      }
      return chunks;
    }
    case 'error':
      throw new ProviderError(
        providerId,
        'server',
        `${providerId} reported an error mid-stream: ${event.error?.message ?? 'unknown'}`,
      );
    default:
      return [];
  }
}
