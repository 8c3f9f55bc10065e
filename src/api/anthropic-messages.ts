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
  ToolCall,
  Usage,
} from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import type { DialectWriter, StreamWriter } from '../pipeline/call.js';
import { anthropicErrorBody } from './errors.js';
import {
  bounds,
  checkDeclaredLabels,
  defaultParseLimits,
  checkDepth,
  type ParseLimits,
  validationError,
} from './validation.js';
import { parseJsonBody } from './http-io.js';
import { takeLabels } from './declared-labels.js';

const name = z.string().max(bounds.name);
const block = z.looseObject({ type: z.string() });
const messagesBody = z.looseObject({
  model: name.min(1),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(block).max(bounds.parts)]),
      }),
    )
    .min(1)
    .max(bounds.messages),
  system: z
    .union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() })).max(bounds.parts)])
    .optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string().max(bounds.stopLength)).max(bounds.stop).optional(),
  tools: z
    .array(
      z.looseObject({
        name: name.min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
    .max(bounds.anthropicTools)
    .optional(),
  tool_choice: z
    .looseObject({
      type: z.enum(['auto', 'any', 'tool', 'none']),
      name: name.optional(),
      disable_parallel_tool_use: z.boolean().optional(),
    })
    .optional(),
  metadata: z.looseObject({ user_id: name.nullish() }).optional(),
});

/** POST /v1/messages/count_tokens takes the same body without generation settings: max_tokens is not required. */
const countBody = messagesBody.extend({ max_tokens: z.number().int().positive().optional() });

type Block = { type: string; [field: string]: unknown };

const invalid = (param: string, message: string): GatewayError =>
  new GatewayError('invalid_request', `Invalid value for "${param}": ${message}`, { param });

/**
 * A field of a block the translation reads, as text. The Messages API types them as strings; anything else is refused
 * (String() of an object is "[object Object]", or a TypeError for one whose toString is not a function).
 */
function blockText(entry: Block, field: string, param: string, fallback?: string): string {
  const value = entry[field];
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw invalid(`${param}.${field}`, 'expected a string.');
}

/** An id or a name of a block: text, at most `bounds.name` characters (it reaches logs and upstreams' errors). */
function blockName(entry: Block, field: string, param: string): string {
  const value = blockText(entry, field, param, '');
  if (value.length > bounds.name) throw invalid(`${param}.${field}`, `at most ${bounds.name} characters.`);
  return value;
}

/** A Messages body (or, with `count`, a count_tokens body) as the neutral request. */
export function parseMessagesRequest(
  body: Buffer,
  count = false,
  limits: ParseLimits = defaultParseLimits,
): ChatRequest {
  // Only what the translation keeps is walked for depth (tool inputs and schemas): the rest is typed to a fixed depth,
  // or dropped unread.
  const parsed = (count ? countBody : messagesBody).safeParse(parseJsonBody(body));
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  checkDeclaredLabels(input.metadata);
  const messages: ChatMessage[] = [];
  if (input.system !== undefined) {
    const text = typeof input.system === 'string' ? input.system : input.system.map((part) => part.text).join('\n\n');
    if (text !== '') messages.push({ role: 'system', content: text });
  }
  input.messages.forEach((turn, turnIndex) => {
    if (typeof turn.content === 'string') {
      messages.push({ role: turn.role, content: turn.content });
      return;
    }
    const blocks = turn.content as Block[];
    const at = (index: number): string => `messages[${turnIndex}].content[${index}]`;
    if (turn.role === 'assistant') {
      let text = '';
      const toolCalls: ToolCall[] = [];
      blocks.forEach((entry, index) => {
        if (entry.type === 'text') text += blockText(entry, 'text', at(index));
        else if (entry.type === 'tool_use')
          toolCalls.push({
            id: blockName(entry, 'id', at(index)),
            type: 'function',
            function: {
              name: blockName(entry, 'name', at(index)),
              // Bounded first: a deep input would overflow JSON.stringify.
              arguments: JSON.stringify(keptInput(entry.input, `${at(index)}.input`, limits)),
            },
          });
      });
      messages.push({
        role: 'assistant',
        content: text === '' && toolCalls.length > 0 ? null : text,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      });
      return;
    }
    // A user turn: tool results become tool messages, the rest one user message, in order.
    let parts: ContentPart[] = [];
    const flush = (): void => {
      if (parts.length > 0) messages.push({ role: 'user', content: parts });
      parts = [];
    };
    blocks.forEach((entry, index) => {
      if (entry.type === 'tool_result') {
        flush();
        messages.push({
          role: 'tool',
          tool_call_id: blockName(entry, 'tool_use_id', at(index)),
          content: toolResultText(entry.content, `${at(index)}.content`),
        });
      } else if (entry.type === 'text') {
        parts.push({ type: 'text', text: blockText(entry, 'text', at(index)) });
      } else if (entry.type === 'image') {
        const url = imageUrl(entry.source, `${at(index)}.source`);
        if (url) parts.push({ type: 'image_url', image_url: { url } });
      }
    });
    flush();
  });
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
    request.tools = input.tools.map((entry, index) => {
      checkDepth(entry.input_schema, limits, { param: `tools[${index}].input_schema`, level: 4 });
      return {
        type: 'function',
        function: { name: entry.name, description: entry.description, parameters: entry.input_schema },
      };
    });
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

/** A tool_use block's input (level 6 of the body: body, messages, turn, content, block, input), depth-checked. */
function keptInput(value: unknown, param: string, limits: ParseLimits): unknown {
  checkDepth(value, limits, { param, level: 6 });
  return value ?? {};
}

/** An image block's source as a URL (a data: URL for base64), or undefined for a source the gateway cannot send. */
function imageUrl(source: unknown, param: string): string | undefined {
  if (source === undefined || source === null) return undefined;
  if (typeof source !== 'object' || Array.isArray(source)) throw invalid(param, 'expected an object.');
  const fields = source as Record<string, unknown>;
  for (const field of ['type', 'media_type', 'data', 'url'])
    if (fields[field] !== undefined && typeof fields[field] !== 'string')
      throw invalid(`${param}.${field}`, 'expected a string.');
  const { type, media_type: mediaType, data, url } = fields as Record<string, string | undefined>;
  return type === 'base64' ? `data:${mediaType};base64,${data}` : url || undefined;
}

function toolResultText(content: unknown, param: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(param, 'expected a string or a list of content blocks.');
  let text = '';
  content.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw invalid(`${param}[${index}]`, 'expected a content block.');
    if ((entry as Block).type === 'text') text += blockText(entry as Block, 'text', `${param}[${index}]`);
  });
  return text;
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
