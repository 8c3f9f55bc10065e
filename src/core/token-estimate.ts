// Token counts of a neutral chat request with OpenAI's BPE encodings (gpt-tokenizer, pure JS, the
// encodings shipped in the package): exact for the text of OpenAI-family models, plus the per-message
// framing their chat format adds (OpenAI's published accounting: 3 tokens a message, 1 for a name,
// 3 to prime the reply). For other models served over the same API it is an estimate, and the
// pipeline uses it as one (to skip a remote count when a request is far from the window).
import type { ChatMessage, ChatRequest } from './chat.js';

export type Encoding = 'o200k_base' | 'cl100k_base';

type Counter = (text: string) => number;

const loaded = new Map<Encoding, Promise<Counter>>();

/**
 * The encoding's counter, loaded on first use: its tables take ~20 ms and tens of MB, which a
 * gateway that never counts should not pay at start.
 */
function counter(encoding: Encoding): Promise<Counter> {
  let loading = loaded.get(encoding);
  if (!loading) {
    loading = (
      encoding === 'cl100k_base'
        ? import('gpt-tokenizer/encoding/cl100k_base')
        : import('gpt-tokenizer/encoding/o200k_base')
    ).then(({ countTokens }) => {
      // Text that looks like a special token (`<|endoftext|>`) is counted as the plain text it is
      // when sent: never refused.
      const options = { disallowedSpecial: new Set<string>() };
      return (text: string) => {
        if (text.length <= pieceLength) return countTokens(text, options);
        let total = 0;
        for (const piece of pieces(text)) total += countTokens(piece, options);
        return total;
      };
    });
    loaded.set(encoding, loading);
    loading.catch(() => loaded.delete(encoding));
  }
  return loading;
}

/**
 * Long text is counted in pieces: the encoder's merge loop is quadratic in the length of one pre-tokenised word, so one
 * run of a repeated character (100 KB of "a", base64 of zeros) took seconds, and 400 KB minutes, on the event loop.
 * Pieces end before a space that follows a non-space (where the encoder's own pre-tokenisation splits, so prose counts
 * the same), or, in a run with no such place, after `runLength` characters (at most one token more per cut).
 */
const pieceLength = 2048;
const runLength = 256;

function* pieces(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > pieceLength) {
    let cut = -1;
    for (let index = start + pieceLength; index > start + runLength; index -= 1) {
      const code = text.charCodeAt(index);
      if ((code === 32 || code === 10) && !isSpace(text.charCodeAt(index - 1))) {
        cut = index;
        break;
      }
    }
    if (cut === -1) {
      // No word boundary in the window: a run. Cut it short so each piece costs little.
      cut = start + runLength;
      // Never between the two halves of a surrogate pair.
      if ((text.charCodeAt(cut - 1) & 0xfc00) === 0xd800) cut += 1;
    }
    yield text.slice(start, cut);
    start = cut;
  }
  yield text.slice(start);
}

const isSpace = (code: number): boolean => code === 32 || code === 10 || code === 9 || code === 13;

const perMessage = 3;
const perName = 1;
const replyPriming = 3;

function messageTokens(count: Counter, message: ChatMessage): number {
  let tokens = perMessage + count(message.role);
  if (typeof message.content === 'string') tokens += count(message.content);
  else if (Array.isArray(message.content))
    for (const part of message.content) {
      if (part.type === 'text' && typeof part.text === 'string') tokens += count(part.text);
      // An image costs what its detail level does; 85 is the low-detail figure, a floor.
      else if (part.type === 'image_url') tokens += 85;
      else tokens += count(JSON.stringify(part));
    }
  if (message.name) tokens += perName + count(message.name);
  for (const call of message.tool_calls ?? []) tokens += 3 + count(call.function.name) + count(call.function.arguments);
  if (message.tool_call_id) tokens += count(message.tool_call_id);
  return tokens;
}

/** Tokens of each message, in order, and of what every message shares (tools, output format, reply priming). */
export interface TokenEstimate {
  messages: number[];
  fixed: number;
  total: number;
}

export async function estimateTokens(request: ChatRequest, encoding: Encoding = 'o200k_base'): Promise<TokenEstimate> {
  const count = await counter(encoding);
  const messages = request.messages.map((message) => messageTokens(count, message));
  let fixed = replyPriming;
  if (request.tools && request.tools.length > 0) fixed += count(JSON.stringify(request.tools));
  if (request.response_format && request.response_format.type === 'json_schema')
    fixed += count(JSON.stringify(request.response_format.json_schema));
  let total = fixed;
  for (const tokens of messages) total += tokens;
  return { messages, fixed, total };
}

/**
 * An upper bound of a request's tokens in any byte-level vocabulary (every token is at least one byte), with room for
 * a chat template's own tokens: when it is within a window, the request fits without being counted.
 */
export function tokenBound(request: ChatRequest): number {
  let bytes = 64;
  for (const message of request.messages) {
    bytes += 32;
    if (typeof message.content === 'string') bytes += Buffer.byteLength(message.content);
    else if (Array.isArray(message.content))
      // An image's tokens are not its bytes (a high-detail one costs more than a small URL): no bound.
      for (const part of message.content)
        bytes += part.type === 'text' && typeof part.text === 'string' ? Buffer.byteLength(part.text) : Infinity;
    if (message.name) bytes += Buffer.byteLength(message.name) + 1;
    for (const call of message.tool_calls ?? [])
      bytes += 8 + Buffer.byteLength(call.function.name) + Buffer.byteLength(call.function.arguments);
    if (message.tool_call_id) bytes += Buffer.byteLength(message.tool_call_id);
  }
  if (request.tools && request.tools.length > 0) bytes += Buffer.byteLength(JSON.stringify(request.tools));
  if (request.response_format && request.response_format.type === 'json_schema')
    bytes += Buffer.byteLength(JSON.stringify(request.response_format.json_schema));
  return bytes;
}

/** The encoding an OpenAI model name uses: cl100k_base for the GPT-4 and GPT-3.5 families, o200k_base otherwise. */
export function encodingFor(model: string): Encoding {
  return /^(gpt-4(?!o|\.1|\.5)|gpt-3\.5|text-embedding-(ada|3))/.test(model) ? 'cl100k_base' : 'o200k_base';
}
