// What every provider kind implements. A provider knows its wire format and nothing else:
// no policy, no ledger, no store.
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, StreamChunk } from './chat.js';

export type Ownership = 'owned' | 'contracted' | 'rented';

/** What the catalogue says of a provider: who runs it, where, on whose hardware. */
export interface ProviderDescription {
  id: string;
  kind: string;
  jurisdiction: string;
  operator: string;
  ownership: Ownership;
  models: readonly string[];
}

export interface CallOptions {
  /** The model name at the upstream (the part after `provider/`). */
  upstreamModel: string;
  /**
   * Absolute deadline for this attempt, in ms since the epoch on the gateway's clock (clock.ts): the
   * same clock the provider was created with, whose now() tells it how much time is left. It bounds
   * the whole answer (headers and body), or a stream until its first event.
   */
  deadline: number;
  /**
   * Aborts the attempt: the client went away, hedging picked another, or a shutdown's grace is over (the reason, a
   * GatewayError from `cancellation`, says which). Aborted, an attempt fails at once as a `timeout` ProviderError.
   */
  signal?: AbortSignal;
}

/**
 * A non-streaming answer; `wire` keeps the exact upstream bytes when they are already in OpenAI's shape, so they can be
 * relayed without re-serialising.
 */
export interface ChatResult {
  response: ChatResponse;
  wire?: Buffer;
}

/** One streamed event: the neutral chunk, and the exact upstream SSE bytes when they are already OpenAI's. */
export interface StreamEvent {
  chunk: StreamChunk;
  wire?: Buffer;
}

/**
 * A stream from an upstream. The first event has already arrived when `chatStream` resolves, so a
 * failure before the first byte surfaces as a rejected promise (and the pipeline can fall back);
 * later failures surface as errors thrown by the iterator.
 */
export interface ChatStream extends AsyncIterable<StreamEvent> {
  /** Stop reading and release the connection. */
  cancel(): void;
}

export interface Provider {
  readonly description: ProviderDescription;
  chat(request: ChatRequest, options: CallOptions): Promise<ChatResult>;
  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream>;
  /** Absent when the provider kind has no embeddings API. */
  embeddings?(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse>;
  /**
   * The request body this provider would send for a chat request, for classification. A kind whose
   * translation makes new strings out of the neutral request's (joins, re-serialised arguments)
   * must offer it, so the policy sees what leaves; a kind that sends the neutral request's own
   * strings (the provider contract test checks which) need not.
   */
  translate?(request: ChatRequest, upstreamModel: string, stream: boolean): unknown;
  /**
   * The context window of a served model (the part after `provider/`), in tokens, when this provider knows it: from its
   * config (`context_window`) or the weights it runs. With it, a call that does not fit is not sent (see
   * pipeline/context-fit.ts).
   */
  contextWindow?(upstreamModel: string): number | undefined;
  /**
   * The input tokens of a request as this provider's model counts them: its own tokenizer, or the upstream's count
   * endpoint (a call that sends the request, so the policy must allow this provider first). `remote` says which, so
   * the caller can avoid a round trip when an estimate shows the request is far from the window.
   */
  countTokens?(request: ChatRequest, options: CallOptions): Promise<number>;
  /** True when countTokens asks the upstream (a network call) rather than counting here. */
  readonly countsRemotely?: boolean;
  /**
   * A cheap call (its model list) that proves the upstream answers by `deadline` (on the same clock); throws a
   * ProviderError if not.
   */
  probe(deadline: number): Promise<void>;
  /**
   * Calls in flight against `max_concurrent` (HTTP kinds): a provider at its limit fails an attempt at once with a
   * `busy` ProviderError, and `whenFree` resolves when one of its slots frees (or `signal` aborts).
   */
  occupancy?(): { inFlight: number; maxConcurrent: number };
  whenFree?(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
