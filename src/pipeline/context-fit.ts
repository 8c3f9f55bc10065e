// Fits a request into the context window of the candidate about to be tried. A provider that knows
// its window (config `context_window`, or a local model's context size) is never sent a request that
// does not fit: with `truncation: auto` (Responses) the oldest turns are dropped until it fits, system
// and developer messages kept; otherwise the attempt fails as `unavailable`, so routing tries the next
// candidate (perhaps a larger window), and when none fits the call is refused with
// `context_length_exceeded`. Counts are the provider's own (its tokenizer, or its count endpoint).
import type { ChatMessage, ChatRequest } from '../core/chat.js';
import { ProviderError } from '../core/errors.js';
import type { CallOptions, Provider } from '../core/provider.js';
import { estimateTokens, tokenBound } from '../core/token-estimate.js';

/** The attempt failed because the request is larger than this candidate's window. */
export class ContextLengthError extends ProviderError {
  constructor(
    providerId: string,
    readonly tokens: number,
    readonly budget: number,
  ) {
    super(
      providerId,
      'unavailable',
      `the input takes ${tokens} tokens; the model's context window leaves ${budget} for it`,
    );
    this.name = 'ContextLengthError';
  }
}

/** A request's input tokens as a provider counts them (its own count, or OpenAI's encoding where it has none). */
export async function tokensOf(provider: Provider, request: ChatRequest, options: CallOptions): Promise<number> {
  return provider.countTokens ? provider.countTokens(request, options) : (await estimateTokens(request)).total;
}

/** What was sent, and how many of the oldest messages were left out to fit. */
export interface Fitted {
  request: ChatRequest;
  dropped: number;
}

/**
 * A remote count costs a round trip; below this share of the window by the local estimate, a request is taken to fit
 * without asking (estimates of other vocabularies are within tens of percent, not a factor of two).
 */
const remoteCountAbove = 0.5;

export async function fitContext(request: ChatRequest, provider: Provider, options: CallOptions): Promise<Fitted> {
  const window = provider.contextWindow?.(options.upstreamModel);
  if (window === undefined) return { request, dropped: 0 };
  const budget = window - (request.max_tokens ?? 0);
  // Within the window by bytes alone: it fits, uncounted (the common case, and no tokenizer on the hot path).
  if (tokenBound(request) <= budget) return { request, dropped: 0 };
  const id = provider.description.id;
  const count = async (candidate: ChatRequest): Promise<number> => {
    if (!provider.countTokens) return tokensOf(provider, candidate, options);
    // Far below the window by the estimate: it fits, and the upstream is not asked (0 stands for "fits").
    if (provider.countsRemotely && (await estimateTokens(candidate)).total < budget * remoteCountAbove) return 0;
    return provider.countTokens(candidate, options);
  };
  const tokens = await count(request);
  if (tokens <= budget) return { request, dropped: 0 };
  if (request.truncation !== 'auto' || budget <= 0) throw new ContextLengthError(id, tokens, Math.max(0, budget));
  // What can be dropped, oldest first. First whole turns: each starts at a user message and holds what answered it
  // (assistant messages, tool results), so a tool result is never sent without its call. Then, within the newest turn
  // (an agent's loop is one user message and many tool rounds), its oldest rounds: an assistant message and the tool
  // results that follow it, the turn's user message kept (a Messages conversation must start with one). The newest
  // round, or the newest turn when it has none, is always kept.
  const messages = request.messages;
  const starts: number[] = [];
  messages.forEach((message, index) => {
    if (message.role === 'user') starts.push(index);
  });
  const last = starts.at(-1) ?? 0;
  const rounds: number[] = [];
  for (let index = last + 1; index < messages.length; index += 1)
    if (messages[index]!.role === 'assistant') rounds.push(index);
  const turns = Math.max(0, starts.length - 1);
  const steps = turns + Math.max(0, rounds.length - 1);
  if (steps === 0) throw new ContextLengthError(id, tokens, budget);
  const without = (step: number): ChatRequest => {
    if (step <= turns) {
      const from = starts[step]!;
      return { ...request, messages: messages.filter((message, index) => index >= from || isPinned(message)) };
    }
    const from = rounds[step - turns]!;
    return {
      ...request,
      messages: messages.filter((message, index) => index === last || index >= from || isPinned(message)),
    };
  };
  // The fewest dropped that fit: counts shrink with every step, so a binary search finds it in log2(steps) counts.
  let low = 1;
  let high = steps;
  let best: number | undefined;
  let smallest = tokens;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const counted = await count(without(middle));
    smallest = Math.min(smallest, counted);
    if (counted <= budget) {
      best = middle;
      high = middle - 1;
    } else low = middle + 1;
  }
  if (best === undefined) throw new ContextLengthError(id, smallest, budget);
  const fitted = without(best);
  return { request: fitted, dropped: request.messages.length - fitted.messages.length };
}

/**
 * The call of one candidate with the request fitted to its window first; a candidate without a known window is called
 * at once (no count, no extra turn of the event loop on the hot path).
 */
export function fitted<T>(
  request: ChatRequest,
  send: (request: ChatRequest, provider: Provider, options: CallOptions) => Promise<T>,
): (candidate: { provider: Provider }, options: CallOptions) => Promise<T> {
  return (candidate, options) =>
    candidate.provider.contextWindow?.(options.upstreamModel) === undefined
      ? send(request, candidate.provider, options)
      : fitContext(request, candidate.provider, options).then((fit) => send(fit.request, candidate.provider, options));
}

/** System and developer messages stay whatever is dropped. */
const isPinned = (message: ChatMessage): boolean => message.role === 'system' || message.role === 'developer';
