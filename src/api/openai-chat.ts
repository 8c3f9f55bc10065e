// POST /v1/chat/completions — OpenAI's chat completions dialect, streaming and not.
import { z } from 'zod';
import type { ChatRequest, ChatResponse } from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import type { DialectWriter, StreamWriter } from '../pipeline/call.js';
import { openAIErrorBody } from './errors.js';
import {
  bounds,
  checkDeclaredLabels,
  defaultParseLimits,
  type ParseLimits,
  parseBodyJson,
  validationError,
} from './validation.js';
import { takeLabels } from './declared-labels.js';

const name = z.string().max(bounds.name);
/**
 * A part the gateway reads (text, image_url) must have the shape every provider's translation relies on; other parts
 * (audio, files…) travel as they came.
 */
const contentPart = z.looseObject({ type: z.string() }).superRefine((part, context) => {
  if (part.type === 'text' && typeof part.text !== 'string')
    context.addIssue({ code: 'custom', path: ['text'], message: 'a text part needs "text" as a string' });
  if (part.type === 'image_url') {
    const image = part.image_url as { url?: unknown } | null | undefined;
    if (typeof image !== 'object' || image === null || typeof image.url !== 'string')
      context.addIssue({ code: 'custom', path: ['image_url'], message: 'an image_url part needs "image_url.url"' });
  }
});
const toolCall = z.looseObject({
  id: name,
  type: z.literal('function'),
  function: z.looseObject({ name, arguments: z.string() }),
});
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart).max(bounds.parts), z.null()]).optional(),
  name: name.optional(),
  tool_calls: z.array(toolCall).max(bounds.toolCalls).optional(),
  tool_call_id: name.optional(),
});
const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: name.min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});
const stopSequence = z.string().max(bounds.stopLength);

const chatBody = z.looseObject({
  model: name.min(1),
  messages: z.array(message).min(1).max(bounds.messages),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([stopSequence, z.array(stopSequence).max(bounds.stop)]).nullish(),
  tools: z.array(tool).max(bounds.tools).nullish(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name }) }),
    ])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: z
    .union([
      z.looseObject({ type: z.literal('text') }),
      z.looseObject({ type: z.literal('json_object') }),
      z.looseObject({
        type: z.literal('json_schema'),
        json_schema: z.looseObject({ name, schema: z.record(z.string(), z.unknown()).optional() }),
      }),
    ])
    .nullish(),
  user: name.nullish(),
});

const typedKeys = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'user',
]);

export function parseChatRequest(body: Buffer, limits: ParseLimits = defaultParseLimits): ChatRequest {
  const parsed = chatBody.safeParse(parseBodyJson(body, limits));
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (!typedKeys.has(key) && value !== undefined) extra[key] = value;
  checkDeclaredLabels(extra.metadata);
  const { labels, rest } = takeLabels(extra.metadata);
  if (rest === undefined) delete extra.metadata;
  else extra.metadata = rest;
  const request: ChatRequest = {
    model: input.model,
    messages: input.messages.map((entry) => ({ ...entry, content: entry.content ?? null })) as ChatRequest['messages'],
    stream: input.stream === true,
    includeUsage: input.stream_options?.include_usage === true,
    declaredLabels: labels,
    extra,
  };
  if (input.max_tokens != null) request.max_tokens = input.max_tokens;
  if (input.temperature != null) request.temperature = input.temperature;
  if (input.top_p != null) request.top_p = input.top_p;
  if (input.stop != null) request.stop = typeof input.stop === 'string' ? [input.stop] : input.stop;
  if (input.tools != null) request.tools = input.tools as ChatRequest['tools'];
  if (input.tool_choice != null) request.tool_choice = input.tool_choice as ChatRequest['tool_choice'];
  if (input.parallel_tool_calls != null) request.parallel_tool_calls = input.parallel_tool_calls;
  if (input.response_format != null) request.response_format = input.response_format as ChatRequest['response_format'];
  if (input.user != null) request.user = input.user;
  return request;
}

/** OpenAI's chat completions on the wire: an upstream of the same dialect is relayed byte for byte. */
export const openAIChatWriter: DialectWriter<ChatResponse> = {
  answer: (response, wire) => wire ?? JSON.stringify(response),
  stream: () => openAIStreamWriter,
  error: (error) => openAIErrorBody(error),
};

const openAIStreamWriter: StreamWriter = {
  event: (event) => event.wire ?? `data: ${JSON.stringify(event.chunk)}\n\n`,
  end: () => 'data: [DONE]\n\n',
  // The shape the OpenAI SDKs raise as an APIError when it arrives inside a stream.
  error: (message, code) => `data: ${openAIErrorBody(new GatewayError(code as 'upstream_error', message))}\n\n`,
};

export type { ChatResponse };
