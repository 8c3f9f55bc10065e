// The items of the Responses and Conversations APIs as the gateway stores them: messages, function
// calls and their outputs, reasoning. Parsed once from a client's input (every item gets an id, as
// cursor paging needs), with errors that name the offending path the way the API does.
import { randomBytes } from 'node:crypto';
import { GatewayError } from '../core/errors.js';

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type InputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string | null; file_id: string | null; detail: string }
  | { type: 'input_file'; file_data?: string; file_url?: string; file_id?: string; filename?: string }
  | { type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }
  | { type: 'refusal'; refusal: string };

export interface MessageItem {
  type: 'message';
  id: string;
  role: 'user' | 'system' | 'developer' | 'assistant';
  status: ItemStatus;
  content: InputContent[];
}

export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: ItemStatus;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id: string;
  call_id: string;
  output: string | InputContent[];
  status: ItemStatus;
}

/** Reasoning a model gave; its summary is ours, its encrypted content is a vendor's and never sent to another. */
export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  /** The provider that produced it: opaque vendor state goes back to that provider only. */
  provider?: string;
  status?: ItemStatus;
}

export type Item = MessageItem | FunctionCallItem | FunctionCallOutputItem | ReasoningItem;

/** An `item_reference` (or a bare `{id}`), resolved against stored items by state/responses.ts. */
export interface ItemReference {
  type: 'item_reference';
  id: string;
}

const prefixes = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  reasoning: 'rs',
  response: 'resp',
  conversation: 'conv',
} as const;

/**
 * A fresh id with the API's prefix for its kind (`resp_`, `conv_`, `msg_`, `fc_`, `fco_`, `rs_`): 24 random bytes, hex.
 */
export function newId(kind: keyof typeof prefixes): string {
  return `${prefixes[kind]}_${randomBytes(24).toString('hex')}`;
}

/** A new `call_…` id for a function call an upstream gave without one. */
export function newCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

const invalid = (param: string, message: string): GatewayError =>
  new GatewayError('invalid_request', `Invalid '${param}': ${message}`, { param });
/** A JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(param, 'expected a string.');
  return value;
}

// Bounds as api/validation.ts sets them for every dialect (state/ may not import api/): ids and names are stored and
// logged, parts cost per-part work at every later turn. Text is bounded by the body size.
const maxIdLength = 256;
const maxParts = 1_000;
/** Annotations and logprobs are kept as sent: a few levels deep in the API, never more than this. */
const maxPassthroughDepth = 16;

function identifier(value: unknown, param: string): string {
  const id = text(value, param);
  if (id.length > maxIdLength)
    throw invalid(
      param,
      `string too long. Expected a string with maximum length ${maxIdLength}, but got ${id.length}.`,
    );
  return id;
}

function optionalIdentifier(value: unknown, param: string): string | undefined {
  return value === undefined || value === null ? undefined : identifier(value, param);
}

function list(value: unknown[], param: string): unknown[] {
  if (value.length > maxParts)
    throw invalid(
      param,
      `array too long. Expected an array with maximum length ${maxParts}, but got an array with length ${value.length} instead.`,
    );
  return value;
}

/**
 * A list kept as the client sent it (stored, then serialised at every later turn): an array, not nesting deeper than
 * maxPassthroughDepth, else refused. A deep one would overflow JSON.stringify when the item is stored.
 */
function passthrough(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) return [];
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const next = values.pop() as object;
    const depth = depths.pop()!;
    if (depth > maxPassthroughDepth) throw invalid(param, `nests deeper than ${maxPassthroughDepth} levels.`);
    for (const child of Object.values(next))
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
  }
  return list(value, param);
}

function optionalText(value: unknown, param: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, param);
}

function statusOf(value: unknown, param: string): ItemStatus {
  if (value === undefined || value === null) return 'completed';
  if (value === 'in_progress' || value === 'completed' || value === 'incomplete') return value;
  throw invalid(param, "expected one of 'in_progress', 'completed', 'incomplete'.");
}

function contentPart(raw: unknown, param: string): InputContent {
  if (!isJsonObject(raw)) throw invalid(param, 'expected an object.');
  switch (raw.type) {
    case 'input_text':
      return { type: 'input_text', text: text(raw.text, `${param}.text`) };
    case 'output_text':
      return {
        type: 'output_text',
        text: text(raw.text, `${param}.text`),
        annotations: passthrough(raw.annotations, `${param}.annotations`),
        logprobs: passthrough(raw.logprobs, `${param}.logprobs`),
      };
    case 'refusal':
      return { type: 'refusal', refusal: text(raw.refusal, `${param}.refusal`) };
    case 'input_image': {
      const imageUrl = optionalText(raw.image_url, `${param}.image_url`) ?? null;
      const fileId = optionalIdentifier(raw.file_id, `${param}.file_id`) ?? null;
      if (imageUrl === null && fileId === null) throw invalid(param, 'an input_image needs image_url or file_id.');
      const detail =
        raw.detail === undefined || raw.detail === null ? 'auto' : identifier(raw.detail, `${param}.detail`);
      return { type: 'input_image', image_url: imageUrl, file_id: fileId, detail };
    }
    case 'input_file': {
      const part: InputContent = { type: 'input_file' };
      for (const field of ['file_data', 'file_url', 'file_id', 'filename'] as const) {
        const value = optionalText(raw[field], `${param}.${field}`);
        if (value !== undefined) part[field] = value;
      }
      return part;
    }
    default:
      throw invalid(
        `${param}.type`,
        "expected one of 'input_text', 'input_image', 'input_file', 'output_text', 'refusal'.",
      );
  }
}

function messageContent(raw: unknown, param: string): InputContent[] {
  if (typeof raw === 'string') return [{ type: 'input_text', text: raw }];
  if (!Array.isArray(raw)) throw invalid(param, 'expected a string or an array of content parts.');
  return list(raw, param).map((part, index) => contentPart(part, `${param}[${index}]`));
}

/** One input item; ids the client gave are kept (an assistant message sent back keeps its `msg_…`). */
export function parseItem(raw: unknown, param: string): Item | ItemReference {
  if (!isJsonObject(raw)) throw invalid(param, 'expected an object.');
  const id = optionalIdentifier(raw.id, `${param}.id`);
  const type = raw.type ?? (raw.role !== undefined ? 'message' : id !== undefined ? 'item_reference' : undefined);
  switch (type) {
    case 'message': {
      const role = raw.role;
      if (role !== 'user' && role !== 'system' && role !== 'developer' && role !== 'assistant')
        throw invalid(`${param}.role`, "expected one of 'user', 'system', 'developer', 'assistant'.");
      const content = messageContent(raw.content, `${param}.content`);
      // An assistant's words are output text; what a client writes as the assistant becomes output text too.
      const normalised =
        role === 'assistant'
          ? content.map(
              (part): InputContent =>
                part.type === 'input_text'
                  ? { type: 'output_text', text: part.text, annotations: [], logprobs: [] }
                  : part,
            )
          : content;
      return {
        type: 'message',
        id: id ?? newId('message'),
        role,
        status: statusOf(raw.status, `${param}.status`),
        content: normalised,
      };
    }
    case 'function_call': {
      const args = raw.arguments === undefined ? '' : text(raw.arguments, `${param}.arguments`);
      return {
        type: 'function_call',
        id: id ?? newId('function_call'),
        call_id: identifier(raw.call_id, `${param}.call_id`),
        name: identifier(raw.name, `${param}.name`),
        arguments: args,
        status: statusOf(raw.status, `${param}.status`),
      };
    }
    case 'function_call_output': {
      const output =
        typeof raw.output === 'string'
          ? raw.output
          : Array.isArray(raw.output)
            ? list(raw.output, `${param}.output`).map((part, index) => contentPart(part, `${param}.output[${index}]`))
            : undefined;
      if (output === undefined) throw invalid(`${param}.output`, 'expected a string or an array of content parts.');
      return {
        type: 'function_call_output',
        id: id ?? newId('function_call_output'),
        call_id: identifier(raw.call_id, `${param}.call_id`),
        output,
        status: statusOf(raw.status, `${param}.status`),
      };
    }
    case 'reasoning': {
      const summary = Array.isArray(raw.summary)
        ? list(raw.summary, `${param}.summary`).map((part, index) => ({
            type: 'summary_text' as const,
            text: text(isJsonObject(part) ? part.text : undefined, `${param}.summary[${index}].text`),
          }))
        : [];
      const item: ReasoningItem = { type: 'reasoning', id: id ?? newId('reasoning'), summary };
      if (Array.isArray(raw.content))
        item.content = list(raw.content, `${param}.content`).map((part, index) => ({
          type: 'reasoning_text' as const,
          text: text(isJsonObject(part) ? part.text : undefined, `${param}.content[${index}].text`),
        }));
      if (typeof raw.encrypted_content === 'string') item.encrypted_content = raw.encrypted_content;
      return item;
    }
    case 'item_reference':
      if (id === undefined)
        throw new GatewayError('invalid_request', `Missing required parameter: '${param}.id'.`, {
          param: `${param}.id`,
        });
      return { type: 'item_reference', id };
    default:
      throw invalid(
        `${param}.type`,
        "expected one of 'message', 'function_call', 'function_call_output', 'reasoning', 'item_reference'.",
      );
  }
}

/** `input`: a string (one user message) or a list of items. */
export function parseInput(raw: unknown, param = 'input'): Array<Item | ItemReference> {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string')
    return [
      {
        type: 'message',
        id: newId('message'),
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_text', text: raw }],
      },
    ];
  if (!Array.isArray(raw)) throw invalid(param, 'expected a string or an array of items.');
  return raw.map((item, index) => parseItem(item, `${param}[${index}]`));
}

/** An item as the API shows it: the gateway's own bookkeeping (which provider made a reasoning item) left out. */
export function publicItem(item: Item): Item {
  if (item.type !== 'reasoning' || item.provider === undefined) return item;
  const { provider: _provider, ...shown } = item;
  return shown;
}
