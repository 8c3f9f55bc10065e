// POST /v1/messages — Anthropic's Messages dialect, translated to the neutral request and back,
// whichever provider the route picks.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ContentPart,
  FinishReason,
  StreamChunk,
  Usage,
} from '../core/chat.js';
import type { DialectWriter, StreamWriter } from '../pipeline/call.js';
import { anthropicErrorBody } from './errors.js';
import { parseJsonBody } from './http-io.js';
import { validationError } from './validation.js';
import { takeLabels } from './declared-labels.js';

const block = z.looseObject({ type: z.string() });
const messagesBody = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(block)]) }))
    .min(1),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  tool_choice: z
    .looseObject({
      type: z.enum(['auto', 'any', 'tool', 'none']),
      name: z.string().optional(),
      disable_parallel_tool_use: z.boolean().optional(),
    })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

/** POST /v1/messages/count_tokens takes the same body without generation settings: max_tokens is not required. */
const countBody = messagesBody.extend({ max_tokens: z.number().int().positive().optional() });

type Block = { type: string; [field: string]: unknown };

/** A Messages body (or, with `count`, a count_tokens body) as the neutral request. */
export function parseMessagesRequest(body: Buffer, count = false): ChatRequest {
  const parsed = (count ? countBody : messagesBody).safeParse(parseJsonBody(body));
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const messages: ChatMessage[] = [];
  if (input.system !== undefined) {
    const text = typeof input.system === 'string' ? input.system : input.system.map((part) => part.text).join('\n\n');
    if (text !== '') messages.push({ role: 'system', content: text });
  }
  for (const turn of input.messages) {
    if (typeof turn.content === 'string') {
      messages.push({ role: turn.role, content: turn.content });
      continue;
    }
    const blocks = turn.content as Block[];
    if (turn.role === 'assistant') {
      const text = blocks
        .filter((entry) => entry.type === 'text')
        .map((entry) => String(entry.text ?? ''))
        .join('');
      const toolCalls = blocks
        .filter((entry) => entry.type === 'tool_use')
        .map((entry) => ({
          id: String(entry.id ?? ''),
          type: 'function' as const,
          function: { name: String(entry.name ?? ''), arguments: JSON.stringify(entry.input ?? {}) },
        }));
      messages.push({
        role: 'assistant',
        content: text === '' && toolCalls.length > 0 ? null : text,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      });
      continue;
    }
    // A user turn: tool results become tool messages, the rest one user message, in order.
    let parts: ContentPart[] = [];
    const flush = (): void => {
      if (parts.length > 0) messages.push({ role: 'user', content: parts });
      parts = [];
    };
    for (const entry of blocks) {
      if (entry.type === 'tool_result') {
        flush();
        messages.push({
          role: 'tool',
          tool_call_id: String(entry.tool_use_id ?? ''),
          content: toolResultText(entry.content),
        });
      } else if (entry.type === 'text') {
        parts.push({ type: 'text', text: String(entry.text ?? '') });
      } else if (entry.type === 'image') {
        const source = entry.source as { type?: string; media_type?: string; data?: string; url?: string } | undefined;
        const url = source?.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source?.url;
        if (url) parts.push({ type: 'image_url', image_url: { url } });
      }
    }
    flush();
  }
  const request: ChatRequest = {
    model: input.model,
    messages,
    stream: !count && input.stream === true,
    includeUsage: true,
    ...(input.max_tokens !== undefined ? { max_tokens: input.max_tokens } : {}),
    declaredLabels: takeLabels(input.metadata).labels,
    extra: {},
  };
  if (input.temperature !== undefined) request.temperature = input.temperature;
  if (input.top_p !== undefined) request.top_p = input.top_p;
  if (input.stop_sequences) request.stop = input.stop_sequences;
  if (input.metadata?.user_id) request.user = input.metadata.user_id;
  if (input.tools)
    request.tools = input.tools.map((entry) => ({
      type: 'function',
      function: { name: entry.name, description: entry.description, parameters: entry.input_schema },
    }));
  if (input.tool_choice) {
    const choice = input.tool_choice;
    request.tool_choice =
      choice.type === 'any'
        ? 'required'
        : choice.type === 'none'
          ? 'none'
          : choice.type === 'tool'
            ? { type: 'function', function: { name: choice.name ?? '' } }
            : 'auto';
    if (choice.disable_parallel_tool_use) request.parallel_tool_calls = false;
  }
  return request;
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((entry: Block) => (entry.type === 'text' ? String(entry.text ?? '') : '')).join('');
  return '';
}

export function stopReasonOf(finish: FinishReason | null | undefined): string {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

function messageId(id: string | undefined): string {
  return id?.startsWith('msg_') ? id : `msg_${(id || randomUUID()).replace(/[^A-Za-z0-9_-]/g, '')}`;
}

export function toAnthropicMessage(response: ChatResponse): Record<string, unknown> {
  const choice = response.choices[0];
  const content: Block[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? [])
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments),
    });
  return {
    id: messageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: { input_tokens: response.usage?.prompt_tokens ?? 0, output_tokens: response.usage?.completion_tokens ?? 0 },
  };
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Anthropic's Messages on the wire, whichever provider answered. */
export const anthropicMessagesWriter: DialectWriter<ChatResponse> = {
  answer: (response) => JSON.stringify(toAnthropicMessage(response)),
  stream: (model) => new AnthropicStreamWriter(model),
  error: (error) => anthropicErrorBody(error),
};

/** POST /v1/messages/count_tokens: `{"input_tokens": n}`. */
export const anthropicCountWriter: DialectWriter<number> = {
  answer: (tokens) => JSON.stringify({ input_tokens: tokens }),
  error: (error) => anthropicErrorBody(error),
};

const sse = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** Neutral chunks → Messages stream events (message_start, content blocks, message_delta, message_stop). */
class AnthropicStreamWriter implements StreamWriter {
  private started = false;
  private blockIndex = -1;
  private openBlock: 'text' | 'tool' | undefined;
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;

  constructor(private readonly model: string) {}

  event({ chunk }: { chunk: StreamChunk }): string | undefined {
    let out = '';
    if (!this.started) {
      this.started = true;
      out += sse('message_start', {
        message: {
          id: messageId(chunk.id),
          type: 'message',
          role: 'assistant',
          model: chunk.model || this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      });
    }
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      const delta = choice.delta;
      if (typeof delta.content === 'string' && delta.content !== '') {
        if (this.openBlock !== 'text') out += this.startBlock('text', { type: 'text', text: '' });
        out += sse('content_block_delta', {
          index: this.blockIndex,
          delta: { type: 'text_delta', text: delta.content },
        });
      }
      for (const call of delta.tool_calls ?? []) {
        if (call.id !== undefined || !this.toolBlocks.has(call.index)) {
          out += this.startBlock('tool', {
            type: 'tool_use',
            id: call.id ?? `toolu_${call.index}`,
            name: call.function?.name ?? '',
            input: {},
          });
          this.toolBlocks.set(call.index, this.blockIndex);
        }
        const argumentsText = call.function?.arguments;
        if (argumentsText)
          out += sse('content_block_delta', {
            index: this.toolBlocks.get(call.index),
            delta: { type: 'input_json_delta', partial_json: argumentsText },
          });
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    return out === '' ? undefined : out;
  }

  end(): string {
    let out = this.started
      ? ''
      : sse('message_start', {
          message: {
            id: messageId(undefined),
            type: 'message',
            role: 'assistant',
            model: this.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        });
    out += this.closeBlock();
    out += sse('message_delta', {
      delta: { stop_reason: stopReasonOf(this.finish), stop_sequence: null },
      usage: { input_tokens: this.usage?.prompt_tokens ?? 0, output_tokens: this.usage?.completion_tokens ?? 0 },
    });
    return out + sse('message_stop', {});
  }

  error(message: string): string {
    return sse('error', { error: { type: 'api_error', message } });
  }

  private startBlock(kind: 'text' | 'tool', contentBlock: Record<string, unknown>): string {
    const out = this.closeBlock();
    this.blockIndex += 1;
    this.openBlock = kind;
    return out + sse('content_block_start', { index: this.blockIndex, content_block: contentBlock });
  }

  private closeBlock(): string {
    if (this.openBlock === undefined) return '';
    this.openBlock = undefined;
    return sse('content_block_stop', { index: this.blockIndex });
  }
}
