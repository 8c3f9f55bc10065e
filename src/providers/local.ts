// Provider kind `local`: registered GGUF models run in-process with node-llama-cpp (its prebuilt CPU
// binary), so an organisation can serve its own weights without any other vendor. Chat uses the
// model's own chat template; streaming, embeddings and JSON-schema constrained output (grammars)
// are supported; LoRA adapters apply to a base model. The weights are verified by the caller's
// `resolve` before every load, and a model nobody used for `idleUnloadMs` is unloaded.
//
// Capacity: each served model has `sequences` generation slots and a bounded queue. Past the queue
// the call fails as `unavailable`, which routing treats as "try the next allowed candidate" (not
// as ill health), so owned models serve first and overflow goes where the policy allows.
import { randomUUID } from 'node:crypto';
import type { ChatHistoryItem, Llama, LlamaContext, LlamaEmbeddingContext, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import type { ChatMessage, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, FinishReason, StreamChunk } from '../core/chat.js';
import { ProviderError } from '../core/errors.js';
import type { CallOptions, ChatResult, ChatStream, Provider, ProviderDescription, StreamEvent } from '../core/provider.js';

export interface ResolvedWeights {
  path: string;
  sha256: string;
  /** A LoRA adapter applied on top of the base weights. */
  adapter?: { path: string; sha256: string; scale: number };
}

export interface LocalProviderSettings {
  description: ProviderDescription;
  /** Locates a served model's weights and verifies them against the registry; throws (with the digests) when they do not match. */
  resolve(model: string): Promise<ResolvedWeights>;
  threads: number;
  contextSize: number;
  /** Generations run at once per model. */
  sequences: number;
  /** Calls waiting for a slot per model; past it, the call goes to the next candidate. */
  maxQueue: number;
  idleUnloadMs: number;
}

let llamaInstance: Promise<Llama> | undefined;

/** One llama.cpp runtime per process, CPU only, from the prebuilt binary (never built here). */
function runtime(): Promise<Llama> {
  llamaInstance ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) => getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false }));
  return llamaInstance;
}

/** A counting semaphore with a bounded queue. */
class Slots {
  private running = 0;
  private readonly waiting: Array<{ grant: () => void; reject: (error: Error) => void }> = [];

  constructor(
    private readonly size: number,
    private readonly queueLimit: number,
  ) {}

  get busy(): number {
    return this.running + this.waiting.length;
  }

  acquire(onFull: () => Error, signal: AbortSignal | undefined, timeoutMs: number, onTimeout: () => Error): Promise<() => void> {
    const release = (): void => {
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running -= 1;
    };
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve(release);
    }
    if (this.waiting.length >= this.queueLimit) return Promise.reject(onFull());
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          cleanup();
          resolve(release);
        },
        reject,
      };
      const timer = setTimeout(() => fail(onTimeout()), Math.max(0, timeoutMs));
      const onAbort = (): void => fail(new ProviderError('local', 'timeout', 'the call was cancelled while queued'));
      const fail = (error: Error): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        cleanup();
        reject(error);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}

interface Loaded {
  weights: ResolvedWeights;
  model: LlamaModel;
  context: LlamaContext;
  embedding?: Promise<LlamaEmbeddingContext>;
  lastUsed: number;
  active: number;
}

export function createLocalProvider(settings: LocalProviderSettings): Provider {
  return new LocalProvider(settings);
}

class LocalProvider implements Provider {
  readonly description: ProviderDescription;
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly slots = new Map<string, Slots>();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly idleTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly settings: LocalProviderSettings) {
    this.description = settings.description;
    this.idleTimer = setInterval(() => void this.unloadIdle(), Math.max(1_000, Math.min(60_000, settings.idleUnloadMs / 2)));
    this.idleTimer.unref();
  }

  /** The digest of the weights that answer for a served model (for the ledger). */
  async weightsOf(model: string): Promise<ResolvedWeights> {
    return (await this.load(model)).weights;
  }

  private fail(kind: ConstructorParameters<typeof ProviderError>[1], message: string, cause?: unknown): ProviderError {
    return new ProviderError(this.description.id, kind, message, { cause });
  }

  private load(name: string): Promise<Loaded> {
    let loading = this.loaded.get(name);
    if (!loading) {
      loading = (async () => {
        let weights: ResolvedWeights;
        try {
          weights = await this.settings.resolve(name);
        } catch (error) {
          // The weights do not match their manifest (or are gone): this model is not served, and routing moves on.
          throw this.fail('unavailable', (error as Error).message, error);
        }
        const llama = await runtime();
        // Read into memory rather than mapped: with a mapping, a file changed on disk after its
        // verification would change the weights being served.
        const model = await llama.loadModel({ modelPath: weights.path, gpuLayers: 0, useMmap: false });
        const context = await model.createContext({
          contextSize: Math.min(this.settings.contextSize * this.settings.sequences, model.trainContextSize * this.settings.sequences),
          sequences: this.settings.sequences,
          threads: this.settings.threads,
          ...(weights.adapter ? { lora: { adapters: [{ filePath: weights.adapter.path, scale: weights.adapter.scale }] } } : {}),
        });
        return { weights, model, context, lastUsed: Date.now(), active: 0 };
      })();
      this.loaded.set(name, loading);
      loading.catch(() => this.loaded.delete(name));
    }
    return loading;
  }

  private async unloadIdle(): Promise<void> {
    const now = Date.now();
    for (const [name, loading] of this.loaded) {
      const loaded = await loading.catch(() => undefined);
      if (!loaded || loaded.active > 0 || now - loaded.lastUsed < this.settings.idleUnloadMs) continue;
      this.loaded.delete(name);
      await this.dispose(loaded);
    }
  }

  private async dispose(loaded: Loaded): Promise<void> {
    await (await loaded.embedding?.catch(() => undefined))?.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  /** Waits for a generation slot of this model (bounded), then loads it (verified) if needed. */
  private async enter(name: string, options: CallOptions): Promise<{ loaded: Loaded; leave: () => void }> {
    if (this.closed) throw this.fail('unavailable', 'the local runtime is shut down');
    if (!this.description.models.includes(name)) throw this.fail('rejected', `model "${name}" is not served by ${this.description.id}`);
    let slots = this.slots.get(name);
    if (!slots) this.slots.set(name, (slots = new Slots(this.settings.sequences, this.settings.maxQueue)));
    const release = await slots.acquire(
      () => this.fail('unavailable', `local model "${name}" is at capacity (${this.settings.sequences} running, ${this.settings.maxQueue} queued)`),
      options.signal,
      options.deadline - Date.now(),
      () => this.fail('timeout', `local model "${name}" had no free slot before the deadline`),
    );
    let loaded: Loaded;
    try {
      loaded = await this.load(name);
    } catch (error) {
      release();
      throw error instanceof ProviderError ? error : this.fail('server', `loading local model "${name}" failed: ${(error as Error).message}`, error);
    }
    loaded.active += 1;
    return {
      loaded,
      leave: () => {
        loaded.active -= 1;
        loaded.lastUsed = Date.now();
        release();
      },
    };
  }

  private async grammarFor(request: ChatRequest): Promise<LlamaGrammar | undefined> {
    const format = request.response_format;
    if (!format || format.type === 'text') return undefined;
    const key = format.type === 'json_object' ? 'json' : JSON.stringify(format.json_schema.schema ?? {});
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = runtime().then((llama) => (format.type === 'json_object' ? llama.getGrammarFor('json') : llama.createGrammarForJsonSchema((format.json_schema.schema ?? {}) as never)));
      this.grammars.set(key, grammar);
      grammar.catch(() => this.grammars.delete(key));
    }
    try {
      return await grammar;
    } catch (error) {
      throw this.fail('unavailable', `the JSON schema cannot be turned into a grammar here: ${(error as Error).message}`, error);
    }
  }

  /** Runs one generation; `onText` receives the text as it is produced. */
  private async generate(request: ChatRequest, options: CallOptions, onText?: (text: string) => void, onStarted?: () => void): Promise<{ text: string; finish: FinishReason; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } }> {
    const history = toHistory(request.messages, (message) => this.fail('unavailable', message));
    if (request.tools && request.tools.length > 0 && request.tool_choice !== 'none') throw this.fail('unavailable', 'tool calls are not supported by the local runtime; routing tries the next candidate');
    const grammar = await this.grammarFor(request);
    const { loaded, leave } = await this.enter(options.upstreamModel, options);
    const { LlamaChat } = await import('node-llama-cpp');
    let chat: InstanceType<typeof LlamaChat> | undefined;
    try {
      const sequence = loaded.context.getSequence();
      chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: true });
      const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(loaded.model.tokenizer).length;
      let completionTokens = 0;
      const seed = typeof request.extra.seed === 'number' ? request.extra.seed : undefined;
      onStarted?.();
      const timeoutMs = options.deadline - Date.now();
      const deadline = AbortSignal.timeout(Math.max(1, timeoutMs));
      const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
      const result = await chat.generateResponse(history, {
        maxTokens: request.max_tokens ?? Math.max(16, Math.floor(this.settings.contextSize / 2)),
        temperature: request.temperature ?? 0.8,
        topP: request.top_p,
        seed,
        grammar,
        signal,
        stopOnAbortSignal: true,
        customStopTriggers: request.stop,
        onToken: (tokens) => (completionTokens += tokens.length),
        onTextChunk: onText,
      });
      if (deadline.aborted) throw this.fail('timeout', `local model "${options.upstreamModel}" exceeded the deadline`);
      const stop = result.metadata.stopReason;
      return { text: result.response, finish: stop === 'maxTokens' ? 'length' : 'stop', usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw this.fail('server', `local generation failed: ${(error as Error).message}`, error);
    } finally {
      chat?.dispose({ disposeSequence: true });
      leave();
    }
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
    const { text, finish, usage } = await this.generate(request, options);
    const response: ChatResponse = {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: options.upstreamModel,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
      usage,
    };
    return { response };
  }

  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: StreamChunk['choices'][number]['delta'], finish: FinishReason | null): StreamEvent => ({ chunk: { id, object: 'chat.completion.chunk', created, model: options.upstreamModel, choices: [{ index: 0, delta, finish_reason: finish }] } });
    const queue: StreamEvent[] = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const push = (event: StreamEvent): void => {
      queue.push(event);
      wake?.();
    };
    const cancel = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
    return new Promise<ChatStream>((resolve, reject) => {
      let started = false;
      const stream: ChatStream = {
        cancel: () => cancel.abort(),
        async *[Symbol.asyncIterator]() {
          for (;;) {
            if (queue.length > 0) {
              yield queue.shift()!;
              continue;
            }
            if (failure) throw failure;
            if (done) return;
            await new Promise<void>((resume) => (wake = resume));
            wake = undefined;
          }
        },
      };
      this.generate({ ...request }, { ...options, signal }, (text) => push(chunk({ content: text }, null)), () => {
        started = true;
        push(chunk({ role: 'assistant', content: '' }, null));
        resolve(stream);
      })
        .then(({ finish, usage }) => {
          push(chunk({}, finish));
          if (request.includeUsage) push({ chunk: { id, object: 'chat.completion.chunk', created, model: options.upstreamModel, choices: [], usage } });
          done = true;
          wake?.();
        })
        .catch((error: unknown) => {
          if (!started) return reject(error);
          failure = error;
          wake?.();
        });
    });
  }

  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    if (!inputs.every((input): input is string => typeof input === 'string')) throw this.fail('unavailable', 'the local runtime embeds text inputs only (not token arrays)');
    const { loaded, leave } = await this.enter(options.upstreamModel, options);
    try {
      loaded.embedding ??= loaded.model.createEmbeddingContext({ contextSize: Math.min(this.settings.contextSize, loaded.model.trainContextSize), threads: this.settings.threads });
      const context = await loaded.embedding;
      const data: EmbeddingsResponse['data'] = [];
      let tokens = 0;
      for (const [index, input] of inputs.entries()) {
        tokens += loaded.model.tokenize(input).length;
        const { vector } = await context.getEmbeddingFor(input);
        const values = request.dimensions ? vector.slice(0, request.dimensions) : [...vector];
        data.push({ object: 'embedding', index, embedding: request.encoding_format === 'base64' ? Buffer.from(Float32Array.from(values).buffer).toString('base64') : values });
      }
      return { object: 'list', data, model: options.upstreamModel, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw this.fail('server', `local embedding failed: ${(error as Error).message}`, error);
    } finally {
      leave();
    }
  }

  /** Healthy when the runtime loads; models load (and are verified) on first use. */
  async probe(): Promise<void> {
    try {
      await runtime();
    } catch (error) {
      throw this.fail('unavailable', `the llama.cpp runtime cannot start: ${(error as Error).message}`, error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.idleTimer);
    for (const loading of this.loaded.values()) {
      const loaded = await loading.catch(() => undefined);
      if (loaded) await this.dispose(loaded);
    }
    this.loaded.clear();
  }
}

function textOf(message: ChatMessage, unsupported: (message: string) => Error): string {
  if (message.content === null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => {
      if (part.type === 'text') return (part as { text: string }).text;
      throw unsupported(`the local runtime takes text only, not ${part.type} parts; routing tries the next candidate`);
    })
    .join('');
}

/** OpenAI messages → node-llama-cpp chat history, ending with the model's turn (an assistant message last is continued). */
function toHistory(messages: readonly ChatMessage[], unsupported: (message: string) => Error): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    const text = textOf(message, unsupported);
    if (message.role === 'system' || message.role === 'developer') history.push({ type: 'system', text });
    else if (message.role === 'assistant') history.push({ type: 'model', response: [text] });
    else if (message.role === 'tool') throw unsupported('tool results are not supported by the local runtime; routing tries the next candidate');
    else history.push({ type: 'user', text });
  }
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}
