// Provider kind `openai-compatible`: OpenAI, Mistral, DeepSeek, Groq, Together, OpenRouter, vLLM,
// Ollama's /v1, llama.cpp server, LM Studio. The neutral shapes are OpenAI's, so requests go out
// with only the model renamed and answers come back with their exact bytes kept for relaying.
import { z } from 'zod';
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, StreamChunk } from '../core/chat.js';
import { ProviderError } from '../core/errors.js';
import { type Encoding, encodingFor, estimateTokens } from '../core/token-estimate.js';
import type { CallOptions, ChatResult, ChatStream, Provider, ProviderDescription } from '../core/provider.js';
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

const settings = kindSettings('openai-compatible', {
  ...httpSettingsKeys('openai-compatible'),
  tokenizer: z
    .enum(['o200k_base', 'cl100k_base'])
    .optional()
    .describe(
      "The encoding tokens are counted with (context_window, input_tokens): by default cl100k_base for GPT-4 and GPT-3.5 names, o200k_base otherwise. For other models' vocabularies the count is OpenAI's, an estimate.",
    ),
});
export type OpenAICompatibleSettings = z.output<typeof settings>;

export const openAICompatibleKind = defineProviderKind({
  kind: 'openai-compatible',
  summary: "an HTTP API in OpenAI's shape",
  settings,
  create: (settings, dependencies) => new OpenAICompatibleProvider(settings, dependencies),
});

class OpenAICompatibleProvider implements Provider {
  readonly description: ProviderDescription;
  private readonly target: UpstreamTarget;
  private readonly headers: Record<string, string>;
  private readonly streamHeaders: Record<string, string>;
  private readonly streamIdleTimeoutMs: number;
  private readonly contextWindows: OpenAICompatibleSettings['context_window'];
  private readonly tokenizer: Encoding | undefined;

  constructor(settings: OpenAICompatibleSettings, dependencies: ProviderDependencies) {
    this.description = describeProvider(settings);
    this.contextWindows = settings.context_window;
    this.tokenizer = settings.tokenizer;
    const apiKey = apiKeyOf(settings, dependencies.environment);
    this.target = createUpstreamTarget(settings, dependencies.clock, dependencies.maxAnswerBytes, dependencies.resolve);
    this.streamIdleTimeoutMs = dependencies.streamIdleTimeoutMs;
    this.headers = { ...settings.headers, 'content-type': 'application/json', accept: 'application/json' };
    if (apiKey) this.headers.authorization = `Bearer ${apiKey}`;
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
    const { body: wire } = await postUpstreamBuffered(this.target, {
      path: '/chat/completions',
      headers: this.headers,
      body: JSON.stringify(toWireRequest(request, options.upstreamModel, false)),
      deadline: options.deadline,
      signal: options.signal,
    });
    const parsed = parseJson(this.description.id, wire);
    if (!isChatResponse(parsed)) throw invalid(this.description.id, 'a chat completion without choices');
    return { response: parsed, wire };
  }

  contextWindow(upstreamModel: string): number | undefined {
    return contextWindowOf(this.contextWindows, upstreamModel);
  }

  /** Counted here with OpenAI's encoding for the model (or the configured `tokenizer`). */
  async countTokens(request: ChatRequest, options: CallOptions): Promise<number> {
    return (await estimateTokens(request, this.tokenizer ?? encodingFor(options.upstreamModel))).total;
  }

  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const providerId = this.description.id;
    return openUpstreamStream(
      this.target,
      {
        path: '/chat/completions',
        headers: this.streamHeaders,
        body: JSON.stringify(toWireRequest(request, options.upstreamModel, true)),
        deadline: options.deadline,
        idleTimeoutMs: this.streamIdleTimeoutMs,
        signal: options.signal,
      },
      (event, emit) => {
        if (event.data === '[DONE]') return true;
        if (event.data === '') return false;
        const parsed = parseJson(providerId, event.data);
        if (isUpstreamError(parsed))
          throw new ProviderError(
            providerId,
            'server',
            `${providerId} reported an error mid-stream: ${parsed.error.message ?? 'unknown'}`,
          );
        if (!isStreamChunk(parsed)) throw invalid(providerId, 'a stream event that is not a chat.completion.chunk');
        emit({ chunk: parsed, wire: event.raw });
        return false;
      },
      'the stream ended before [DONE]',
    );
  }

  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const response = await postUpstreamBuffered(this.target, {
      path: '/embeddings',
      headers: this.headers,
      body: JSON.stringify({
        ...request.extra,
        input: request.input,
        model: options.upstreamModel,
        encoding_format: request.encoding_format,
        dimensions: request.dimensions,
        user: request.user,
      }),
      deadline: options.deadline,
      signal: options.signal,
    });
    const parsed = parseJson(this.description.id, response.body) as EmbeddingsResponse;
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.data))
      throw invalid(this.description.id, 'an embeddings answer without data');
    return parsed;
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

/** The upstream request: the client's parameters as they came, with the upstream's model name. */
export function toWireRequest(request: ChatRequest, model: string, stream: boolean): Record<string, unknown> {
  // Labels the caller declared are the gateway's business: they never leave.
  const {
    extra,
    includeUsage,
    stream: _stream,
    model: _model,
    declaredLabels: _declared,
    truncation: _truncation,
    ...typed
  } = request;
  const wire: Record<string, unknown> = { ...extra, ...typed, model, stream };
  if (stream && includeUsage) wire.stream_options = { include_usage: true };
  return wire;
}

export function parseJson(providerId: string, input: Buffer | string): unknown {
  try {
    return JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch {
    throw invalid(providerId, 'malformed JSON');
  }
}

export function invalid(providerId: string, what: string): ProviderError {
  return new ProviderError(providerId, 'invalid_response', `${providerId} answered with ${what}`);
}

function isChatResponse(value: unknown): value is ChatResponse {
  return typeof value === 'object' && value !== null && Array.isArray((value as ChatResponse).choices);
}

function isStreamChunk(value: unknown): value is StreamChunk {
  return typeof value === 'object' && value !== null && Array.isArray((value as StreamChunk).choices);
}

function isUpstreamError(value: unknown): value is { error: { message?: string } } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { error?: unknown }).error === 'object' &&
    (value as { error?: unknown }).error !== null
  );
}
