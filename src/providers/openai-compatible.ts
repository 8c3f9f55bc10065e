// Provider kind `openai-compatible`: OpenAI, Mistral, DeepSeek, Groq, Together, OpenRouter, vLLM,
// Ollama's /v1, llama.cpp server, LM Studio. The neutral shapes are OpenAI's, so requests go out
// with only the model renamed and answers come back with their exact bytes kept for relaying.
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, StreamChunk } from '../core/chat.js';
import { ProviderError } from '../core/errors.js';
import type { CallOptions, ChatResult, ChatStream, Provider, ProviderDescription } from '../core/provider.js';
import { createUpstreamTarget, getUpstream, postUpstreamBuffered, remainingMs, type UpstreamTarget } from './upstream-http.js';
import { openUpstreamStream } from './upstream-stream.js';

export interface HttpProviderSettings {
  description: ProviderDescription;
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  maxConnections: number;
  streamIdleTimeoutMs: number;
}

export function createOpenAICompatibleProvider(settings: HttpProviderSettings): Provider {
  return new OpenAICompatibleProvider(settings);
}

class OpenAICompatibleProvider implements Provider {
  readonly description: ProviderDescription;
  private readonly target: UpstreamTarget;
  private readonly headers: Record<string, string>;
  private readonly streamHeaders: Record<string, string>;

  constructor(private readonly settings: HttpProviderSettings) {
    this.description = settings.description;
    this.target = createUpstreamTarget(settings.description.id, settings.baseUrl, settings.maxConnections);
    this.headers = { ...settings.headers, 'content-type': 'application/json', accept: 'application/json' };
    if (settings.apiKey) this.headers.authorization = `Bearer ${settings.apiKey}`;
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
    const timeoutMs = remainingMs(options.deadline);
    const { body: wire } = await postUpstreamBuffered(this.target, {
      path: '/chat/completions',
      headers: this.headers,
      body: JSON.stringify(toWireRequest(request, options.upstreamModel, false)),
      timeoutMs,
      idleTimeoutMs: timeoutMs,
      signal: options.signal,
    });
    const parsed = parseJson(this.description.id, wire);
    if (!isChatResponse(parsed)) throw invalid(this.description.id, 'a chat completion without choices');
    return { response: parsed, wire };
  }

  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const providerId = this.description.id;
    return openUpstreamStream(
      this.target,
      {
        path: '/chat/completions',
        headers: this.streamHeaders,
        body: JSON.stringify(toWireRequest(request, options.upstreamModel, true)),
        timeoutMs: remainingMs(options.deadline),
        idleTimeoutMs: Math.min(this.settings.streamIdleTimeoutMs, remainingMs(options.deadline)),
        signal: options.signal,
      },
      (event, emit) => {
        if (event.data === '[DONE]') return true;
        if (event.data === '') return false;
        const parsed = parseJson(providerId, event.data);
        if (isUpstreamError(parsed)) throw new ProviderError(providerId, 'server', `${providerId} reported an error mid-stream: ${parsed.error.message ?? 'unknown'}`);
        if (!isStreamChunk(parsed)) throw invalid(providerId, 'a stream event that is not a chat.completion.chunk');
        emit({ chunk: parsed, wire: event.raw });
        return false;
      },
      'the stream ended before [DONE]',
    );
  }

  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const timeoutMs = remainingMs(options.deadline);
    const response = await postUpstreamBuffered(this.target, {
      path: '/embeddings',
      headers: this.headers,
      body: JSON.stringify({ ...request.extra, input: request.input, model: options.upstreamModel, encoding_format: request.encoding_format, dimensions: request.dimensions, user: request.user }),
      timeoutMs,
      idleTimeoutMs: timeoutMs,
      signal: options.signal,
    });
    const parsed = parseJson(this.description.id, response.body) as EmbeddingsResponse;
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.data)) throw invalid(this.description.id, 'an embeddings answer without data');
    return parsed;
  }

  probe(deadline: number): Promise<void> {
    return getUpstream(this.target, '/models', this.headers, remainingMs(deadline));
  }

  async close(): Promise<void> {
    await this.target.pool.close();
  }
}

/** The upstream request: the client's parameters as they came, with the upstream's model name. */
export function toWireRequest(request: ChatRequest, model: string, stream: boolean): Record<string, unknown> {
  // Labels the caller declared are the gateway's business: they never leave.
  const { extra, includeUsage, stream: _stream, model: _model, declaredLabels: _declared, ...typed } = request;
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
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'object' && (value as { error?: unknown }).error !== null;
}
