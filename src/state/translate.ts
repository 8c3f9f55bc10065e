// Stored items to the neutral chat request every provider kind speaks, and a neutral answer back to
// output items. This is what lets a conversation move between vendors: the items are ours, and each
// turn is translated afresh for whichever provider the route picks. Opaque vendor state (encrypted
// reasoning, signatures) is never put in a request: another vendor could not read it, and it is not
// ours to hand on.
import type {
  ChatMessage,
  ChatResponse,
  ContentPart,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import { type InputContent, type Item, isJsonObject, newCallId, newId } from './items.js';

function partsOf(content: readonly InputContent[]): ContentPart[] {
  const parts: ContentPart[] = [];
  for (const part of content) {
    if (part.type === 'input_text' || part.type === 'output_text') parts.push({ type: 'text', text: part.text });
    else if (part.type === 'refusal') parts.push({ type: 'text', text: part.refusal });
    else if (part.type === 'input_image') {
      if (part.image_url === null)
        throw new GatewayError(
          'invalid_request',
          'An input_image by file_id cannot be sent: this gateway keeps no files; send image_url (a URL or a data: URL).',
          { param: 'input' },
        );
      const detail = part.detail === 'low' || part.detail === 'high' ? part.detail : 'auto';
      parts.push({ type: 'image_url', image_url: { url: part.image_url, detail } });
    } else {
      const file: Record<string, string> = {};
      if (part.file_data !== undefined) file.file_data = part.file_data;
      if (part.file_id !== undefined) file.file_id = part.file_id;
      if (part.filename !== undefined) file.filename = part.filename;
      if (part.file_url !== undefined) file.file_url = part.file_url;
      parts.push({ type: 'file', file });
    }
  }
  return parts;
}

/** Plain text when every part is text (what every upstream takes), parts otherwise. */
function contentOf(content: readonly InputContent[]): string | ContentPart[] {
  const parts = partsOf(content);
  return parts.every((part) => part.type === 'text')
    ? parts.map((part) => (part as { text: string }).text).join('')
    : parts;
}

/** The messages of a turn: `instructions` first (never inherited), then every item in order. */
export function messagesOf(items: readonly Item[], instructions: string | undefined): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  for (const item of items) {
    switch (item.type) {
      case 'message':
        if (item.role === 'assistant') {
          const text = item.content
            .map((part) =>
              part.type === 'output_text' || part.type === 'input_text'
                ? part.text
                : part.type === 'refusal'
                  ? part.refusal
                  : '',
            )
            .join('');
          messages.push({ role: 'assistant', content: text });
        } else {
          messages.push({ role: item.role, content: contentOf(item.content) });
        }
        break;
      case 'function_call': {
        // Calls that follow an assistant turn belong to it, as chat completions expects.
        const call = {
          id: item.call_id,
          type: 'function' as const,
          function: { name: item.name, arguments: item.arguments },
        };
        const last = messages.at(-1);
        if (
          last?.role === 'assistant' &&
          (last.tool_calls !== undefined || last.content === '' || last.content === null)
        )
          last.tool_calls = [...(last.tool_calls ?? []), call];
        else if (last?.role === 'assistant' && typeof last.content === 'string') last.tool_calls = [call];
        else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
        break;
      }
      case 'function_call_output':
        messages.push({
          role: 'tool',
          tool_call_id: item.call_id,
          content: typeof item.output === 'string' ? item.output : contentOf(item.output),
        });
        break;
      case 'reasoning':
        // A model's reasoning is not replayed to a model: the summary is for people, the encrypted part for its vendor
        // only.
        break;
    }
  }
  return messages;
}

/**
 * Responses tools are flat (`{type:"function", name, parameters}`); only function tools can be served, by any provider.
 */
export function toolsOf(raw: unknown): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw))
    throw new GatewayError('invalid_request', "Invalid 'tools': expected an array.", { param: 'tools' });
  return raw.map((tool, index) => {
    const param = `tools[${index}]`;
    if (!isJsonObject(tool))
      throw new GatewayError('invalid_request', `Invalid '${param}': expected an object.`, { param });
    if (tool.type !== 'function')
      throw new GatewayError(
        'invalid_request',
        `Invalid '${param}.type': this gateway serves function tools only (a built-in tool would run at one vendor).`,
        { param: `${param}.type` },
      );
    if (typeof tool.name !== 'string' || tool.name === '')
      throw new GatewayError('invalid_request', `Missing required parameter: '${param}.name'.`, {
        param: `${param}.name`,
      });
    const definition: ToolDefinition = { type: 'function', function: { name: tool.name } };
    if (typeof tool.description === 'string') definition.function.description = tool.description;
    if (isJsonObject(tool.parameters)) definition.function.parameters = tool.parameters;
    if (typeof tool.strict === 'boolean') definition.function.strict = tool.strict;
    return definition;
  });
}

export function toolChoiceOf(raw: unknown): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'none' || raw === 'auto' || raw === 'required') return raw;
  if (isJsonObject(raw) && raw.type === 'function' && typeof raw.name === 'string')
    return { type: 'function', function: { name: raw.name } };
  throw new GatewayError(
    'invalid_request',
    "Invalid 'tool_choice': expected 'none', 'auto', 'required' or {\"type\": \"function\", \"name\": …}.",
    { param: 'tool_choice' },
  );
}

/** `text.format` → the chat API's `response_format`. */
export function formatOf(raw: unknown): ResponseFormat | undefined {
  if (!isJsonObject(raw) || raw.format === undefined || raw.format === null) return undefined;
  const format = raw.format;
  if (!isJsonObject(format))
    throw new GatewayError('invalid_request', "Invalid 'text.format': expected an object.", { param: 'text.format' });
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    if (typeof format.name !== 'string')
      throw new GatewayError('invalid_request', "Missing required parameter: 'text.format.name'.", {
        param: 'text.format.name',
      });
    const schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } = {
      name: format.name,
    };
    if (isJsonObject(format.schema)) schema.schema = format.schema;
    if (typeof format.strict === 'boolean') schema.strict = format.strict;
    if (typeof format.description === 'string') schema.description = format.description;
    return { type: 'json_schema', json_schema: schema };
  }
  throw new GatewayError(
    'invalid_request',
    "Invalid 'text.format.type': expected 'text', 'json_object' or 'json_schema'.",
    { param: 'text.format.type' },
  );
}

/** The output items of an answer: its text as one message, each tool call as a function_call item. */
export function outputItemsOf(response: ChatResponse): { items: Item[]; incomplete: boolean } {
  const choice = response.choices[0];
  const items: Item[] = [];
  if (!choice) return { items, incomplete: false };
  const incomplete = choice.finish_reason === 'length';
  const status = incomplete ? 'incomplete' : 'completed';
  const { content, refusal, tool_calls: calls } = choice.message;
  if (typeof refusal === 'string' && refusal !== '')
    items.push({
      type: 'message',
      id: newId('message'),
      role: 'assistant',
      status,
      content: [{ type: 'refusal', refusal }],
    });
  else if (typeof content === 'string' && (content !== '' || !calls?.length))
    items.push({
      type: 'message',
      id: newId('message'),
      role: 'assistant',
      status,
      content: [{ type: 'output_text', text: content, annotations: [], logprobs: [] }],
    });
  for (const call of calls ?? [])
    items.push({
      type: 'function_call',
      id: newId('function_call'),
      call_id: call.id || newCallId(),
      name: call.function.name,
      arguments: call.function.arguments,
      status: 'completed',
    });
  return { items, incomplete };
}
