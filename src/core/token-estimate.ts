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
      return (text: string) => countTokens(text, options);
    });
    loaded.set(encoding, loading);
    loading.catch(() => loaded.delete(encoding));
  }
  return loading;
}

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

/** The encoding an OpenAI model name uses: cl100k_base for the GPT-4 and GPT-3.5 families, o200k_base otherwise. */
export function encodingFor(model: string): Encoding {
  return /^(gpt-4(?!o|\.1|\.5)|gpt-3\.5|text-embedding-(ada|3))/.test(model) ? 'cl100k_base' : 'o200k_base';
}
