// Provider kind `local`: registered GGUF models run in-process with node-llama-cpp (its prebuilt CPU
// binary), so an organisation can serve its own weights without any other vendor. Chat uses the
// model's own chat template; streaming, embeddings and JSON-schema constrained output (grammars)
// are supported; LoRA adapters apply to a base model. The weights are verified against the
// weights registry before every load, and a model nobody used for `idle_unload_s` is unloaded.
//
// Capacity: each served model has `sequences` generation slots and a bounded queue. Past the queue
// the call fails as `unavailable`, which routing treats as "try the next allowed candidate" (not
// as ill health), so owned models serve first and overflow goes where the policy allows.
//
// Time: every wait (a queued call's deadline, a generation's deadline, the idle-unload rounds) is a
// sleep on the clock the provider is handed, so a test moves it by hand.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  ChatHistoryItem,
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';
import { z } from 'zod';
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  FinishReason,
  StreamChunk,
} from '../core/chat.js';
import { systemClock, type Clock } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import type {
  CallOptions,
  ChatResult,
  ChatStream,
  Provider,
  ProviderDescription,
  StreamEvent,
} from '../core/provider.js';
import { defineProviderKind, describeProvider, kindSettings } from './provider-kind.js';
import { verifiedWeights, type ResolvedWeights } from './verified-weights.js';

export type { ResolvedWeights } from './verified-weights.js';

// The defaults are sized for a small machine: llama.cpp's own thread default ran ~100× slower on 2 cores.
const settings = kindSettings('local', {
  threads: z
    .number()
    .int()
    .positive()
    .default(2)
    .describe("CPU threads for generation (set it: llama.cpp's own default is slow on small machines)."),
  context_size: z
    .number()
    .int()
    .min(64)
    .default(4096)
    .describe("Context size per sequence, in tokens (capped at the model's training context)."),
  sequences: z.number().int().positive().max(64).default(2).describe('Generations run at once per model.'),
  max_queue: z
    .number()
    .int()
    .nonnegative()
    .default(16)
    .describe('Calls waiting per model; past it routing overflows to the next allowed candidate.'),
  idle_unload_s: z.number().positive().default(600).describe('A model unused this long is unloaded (seconds).'),
  adapters: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        model: z.string().min(1),
        adapter: z.string().min(1),
        scale: z.number().positive().default(1),
      }),
    )
    .optional()
    .describe('Registered LoRA adapters served as their own model names, on a registered base model.'),
}).superRefine((local, context) => {
  local.adapters?.forEach((adapter, position) => {
    if (!local.models.includes(adapter.model))
      context.addIssue({
        code: 'custom',
        path: ['adapters', position, 'model'],
        message: `must be one of this provider's models (${local.models.join(', ')})`,
      });
  });
});
export type LocalSettings = z.output<typeof settings>;

/** The names a local provider serves: its models (registry names), and its adapters. */
const servedNames = (local: LocalSettings): string[] => [
  ...local.models,
  ...(local.adapters ?? []).map((adapter) => adapter.name),
];

export const localKind = defineProviderKind({
  kind: 'local',
  summary: 'registered GGUF models run in this process',
  settings,
  served: servedNames,
  weights: (local) => [
    ...local.models.map((model) => ({ served: model, model: { name: model, kind: 'gguf' as const } })),
    ...(local.adapters ?? []).map((adapter) => ({
      served: adapter.name,
      model: { name: adapter.model, kind: 'gguf' as const },
      adapter: adapter.adapter,
    })),
  ],
  // The embedded default: with no provider of kind local configured, every registered GGUF model is
  // served in-process by an implicit owned provider `local` (or `embedded`, if `local` is taken).
  implicit: (registered, taken) => {
    const models = registered.filter((model) => model.kind === 'gguf').map((model) => model.name);
    if (models.length === 0) return undefined;
    return {
      id: taken('local') ? 'embedded' : 'local',
      kind: 'local',
      jurisdiction: 'local',
      operator: hostname(),
      ownership: 'owned',
      models,
    };
  },
  create: (local, { clock, weights }) =>
    new LocalProvider(
      {
        description: describeProvider(local, servedNames(local)),
        resolve: verifiedWeights(local.adapters ?? [], weights),
        threads: local.threads,
        contextSize: local.context_size,
        sequences: local.sequences,
        maxQueue: local.max_queue,
        idleUnloadMs: local.idle_unload_s * 1000,
      },
      clock,
    ),
});

/** A local provider outside the config (the deep scan's model), from settings already resolved. */
export interface LocalProviderSettings {
  description: ProviderDescription;
  /**
   * Locates a served model's weights and verifies them against the registry; throws (with the digests) when they do not
   * match.
   */
  resolve(model: string): Promise<ResolvedWeights>;
  threads: number;
  contextSize: number;
  /** Generations run at once per model. */
  sequences: number;
  /** Calls waiting for a slot per model; past it, the call goes to the next candidate. */
  maxQueue: number;
  idleUnloadMs: number;
}

/** `clock` is the gateway's; the default is for callers that measure their deadlines on the system clock. */
export function createLocalProvider(settings: LocalProviderSettings, clock: Clock = systemClock): Provider {
  return new LocalProvider(settings, clock);
}

let llamaInstance: Promise<Llama> | undefined;

/** One llama.cpp runtime per process, CPU only, from the prebuilt binary (never built here). */
function runtime(): Promise<Llama> {
  llamaInstance ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) =>
    getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false }),
  );
  return llamaInstance;
}

interface SlotErrors {
  full(): Error;
  timeout(): Error;
  cancelled(): Error;
}

/** A counting semaphore with a bounded queue; a queued call waits until its deadline on the clock at most. */
class Slots {
  private running = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(
    private readonly size: number,
    private readonly queueLimit: number,
    private readonly clock: Clock,
  ) {}

  get busy(): number {
    return this.running + this.waiting.length;
  }

  acquire(deadline: number, signal: AbortSignal | undefined, errors: SlotErrors): Promise<() => void> {
    const release = (): void => {
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running -= 1;
    };
    if (signal?.aborted) return Promise.reject(errors.cancelled());
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve(release);
    }
    if (this.waiting.length >= this.queueLimit) return Promise.reject(errors.full());
    const wait = deadline - this.clock.now();
    if (wait <= 0) return Promise.reject(errors.timeout());
    return new Promise((resolve, reject) => {
      // Aborted once the wait is over, however it ends: it ends the deadline's sleep too.
      const over = new AbortController();
      const settle = (): void => {
        over.abort();
        signal?.removeEventListener('abort', onAbort);
      };
      const entry = {
        grant: () => {
          settle();
          resolve(release);
        },
      };
      const fail = (error: Error): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        settle();
        reject(error);
      };
      const onAbort = (): void => fail(errors.cancelled());
      void this.clock.sleep(wait, over.signal).then(() => {
        if (!over.signal.aborted) fail(errors.timeout());
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}

interface Loaded {
  weights: ResolvedWeights;
  model: LlamaModel;
  context: LlamaContext;
  /** The model's chat template, for counting a prompt as it will be laid out (resolved on first count). */
  wrapper?: ChatWrapper;
  embedding?: Promise<LlamaEmbeddingContext>;
  /**
   * Sequences of the context not in use, kept rather than disposed: the runtime reclaims a disposed sequence's id
   * asynchronously, so a call let in by the slot it freed could find none left ("No sequences left").
   */
  idle: LlamaContextSequence[];
  lastUsed: number;
  active: number;
}

class LocalProvider implements Provider {
  readonly description: ProviderDescription;
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly slots = new Map<string, Slots>();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  /** Each loaded model's training context, which caps its window. */
  private readonly trained = new Map<string, number>();
  /** Aborted by close(): ends the idle-unload rounds' sleep. */
  private readonly closing = new AbortController();
  /** The idle-unload rounds, running while a model is loaded. */
  private idleRounds: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly settings: LocalProviderSettings,
    private readonly clock: Clock,
  ) {
    this.description = settings.description;
  }

  private fail(kind: ConstructorParameters<typeof ProviderError>[1], message: string, cause?: unknown): ProviderError {
    // In-process: the message is the gateway's own (weights, capacity, the runtime), never a remote party's text.
    return new ProviderError(this.description.id, kind, message, { cause, ownWords: true });
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
        this.trained.set(name, model.trainContextSize);
        const context = await model.createContext({
          contextSize: Math.min(
            this.settings.contextSize * this.settings.sequences,
            model.trainContextSize * this.settings.sequences,
          ),
          sequences: this.settings.sequences,
          threads: this.settings.threads,
          ...(weights.adapter
            ? { lora: { adapters: [{ filePath: weights.adapter.path, scale: weights.adapter.scale }] } }
            : {}),
        });
        return { weights, model, context, idle: [], lastUsed: this.clock.now(), active: 0 };
      })();
      this.loaded.set(name, loading);
      loading.catch(() => this.loaded.delete(name));
      this.watchIdle();
    }
    return loading;
  }

  /**
   * Unloads idle models in rounds of half the idle time (1 s to 60 s), for as long as one is loaded and the provider is
   * open.
   */
  private watchIdle(): void {
    if (this.idleRounds || this.closed) return;
    const roundMs = Math.max(1_000, Math.min(60_000, this.settings.idleUnloadMs / 2));
    this.idleRounds = (async () => {
      while (!this.closed && this.loaded.size > 0) {
        await this.clock.sleep(roundMs, this.closing.signal);
        if (this.closed) break;
        await this.unloadIdle();
      }
      this.idleRounds = undefined;
    })();
  }

  private async unloadIdle(): Promise<void> {
    const now = this.clock.now();
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
    if (!this.description.models.includes(name))
      throw this.fail('rejected', `model "${name}" is not served by ${this.description.id}`);
    let slots = this.slots.get(name);
    if (!slots) this.slots.set(name, (slots = new Slots(this.settings.sequences, this.settings.maxQueue, this.clock)));
    const release = await slots.acquire(options.deadline, options.signal, {
      full: () =>
        this.fail(
          'unavailable',
          `local model "${name}" is at capacity (${this.settings.sequences} running, ${this.settings.maxQueue} queued)`,
        ),
      timeout: () => this.fail('timeout', `local model "${name}" had no free slot before the deadline`),
      cancelled: () => this.fail('timeout', 'the call was cancelled while queued'),
    });
    let loaded: Loaded;
    try {
      loaded = await this.load(name);
    } catch (error) {
      release();
      throw error instanceof ProviderError
        ? error
        : this.fail('server', `loading local model "${name}" failed: ${(error as Error).message}`, error);
    }
    loaded.active += 1;
    return {
      loaded,
      leave: () => {
        loaded.active -= 1;
        loaded.lastUsed = this.clock.now();
        release();
      },
    };
  }

  /** The window of each sequence: context_size, capped at the training context once the model is loaded. */
  contextWindow(upstreamModel: string): number | undefined {
    if (!this.description.models.includes(upstreamModel)) return undefined;
    return Math.min(this.settings.contextSize, this.trained.get(upstreamModel) ?? Number.POSITIVE_INFINITY);
  }

  /** The prompt's tokens as this model lays it out (its chat template) and tokenizes it; loads the model if needed. */
  async countTokens(request: ChatRequest, options: CallOptions): Promise<number> {
    if (!this.description.models.includes(options.upstreamModel))
      throw this.fail('rejected', `model "${options.upstreamModel}" is not served by ${this.description.id}`);
    if (this.closed) throw this.fail('unavailable', 'the local runtime is shut down');
    const history = toHistory(request.messages, (message) => this.fail('unavailable', message));
    let loaded: Loaded;
    try {
      loaded = await this.load(options.upstreamModel);
    } catch (error) {
      throw error instanceof ProviderError
        ? error
        : this.fail('server', `loading local model "${options.upstreamModel}" failed: ${(error as Error).message}`);
    }
    // Counted as in use while counting: an idle-unload round never disposes a model under a count.
    loaded.active += 1;
    try {
      if (!loaded.wrapper) {
        const { resolveChatWrapper } = await import('node-llama-cpp');
        loaded.wrapper = resolveChatWrapper(loaded.model);
      }
      return loaded.wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(loaded.model.tokenizer)
        .length;
    } catch (error) {
      throw this.fail(
        'server',
        `counting with local model "${options.upstreamModel}" failed: ${(error as Error).message}`,
      );
    } finally {
      loaded.active -= 1;
      loaded.lastUsed = this.clock.now();
    }
  }

  private async grammarFor(request: ChatRequest): Promise<LlamaGrammar | undefined> {
    const format = request.response_format;
    if (!format || format.type === 'text') return undefined;
    const key = format.type === 'json_object' ? 'json' : JSON.stringify(format.json_schema.schema ?? {});
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = runtime().then((llama) =>
        format.type === 'json_object'
          ? llama.getGrammarFor('json')
          : llama.createGrammarForJsonSchema((format.json_schema.schema ?? {}) as never),
      );
      this.grammars.set(key, grammar);
      grammar.catch(() => this.grammars.delete(key));
    }
    try {
      return await grammar;
    } catch (error) {
      throw this.fail(
        'unavailable',
        `the JSON schema cannot be turned into a grammar here: ${(error as Error).message}`,
        error,
      );
    }
  }

  /** Runs one generation; `onText` receives the text as it is produced. */
  private async generate(
    request: ChatRequest,
    options: CallOptions,
    onText?: (text: string) => void,
    onStarted?: () => void,
  ): Promise<{
    text: string;
    finish: FinishReason;
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  }> {
    const history = toHistory(request.messages, (message) => this.fail('unavailable', message));
    if (request.tools && request.tools.length > 0 && request.tool_choice !== 'none')
      throw this.fail(
        'unavailable',
        'tool calls are not supported by the local runtime; routing tries the next candidate',
      );
    if (options.signal?.aborted) throw this.cancelled();
    const grammar = await this.grammarFor(request);
    const { loaded, leave } = await this.enter(options.upstreamModel, options);
    const { LlamaChat } = await import('node-llama-cpp');
    let chat: InstanceType<typeof LlamaChat> | undefined;
    let sequence: LlamaContextSequence | undefined;
    // Aborted when the generation is over: ends the deadline's sleep. `expired` is aborted by that sleep.
    const over = new AbortController();
    const expired = new AbortController();
    try {
      const left = options.deadline - this.clock.now();
      if (left <= 0) throw this.expired(options.upstreamModel);
      void this.clock.sleep(left, over.signal).then(() => {
        if (!over.signal.aborted) expired.abort();
      });
      const signal = options.signal ? AbortSignal.any([options.signal, expired.signal]) : expired.signal;
      sequence = loaded.idle.pop() ?? loaded.context.getSequence();
      chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
      const promptTokens = chat.chatWrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(loaded.model.tokenizer).length;
      let completionTokens = 0;
      const seed = typeof request.extra.seed === 'number' ? request.extra.seed : undefined;
      onStarted?.();
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
      // Stopped by a signal, the runtime returns what it had written so far: not an answer.
      if (expired.signal.aborted) throw this.expired(options.upstreamModel);
      if (options.signal?.aborted) throw this.cancelled();
      const stop = result.metadata.stopReason;
      return {
        text: result.response,
        finish: stop === 'maxTokens' ? 'length' : 'stop',
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      if (expired.signal.aborted) throw this.expired(options.upstreamModel);
      if (options.signal?.aborted) throw this.cancelled();
      throw this.fail('server', `local generation failed: ${(error as Error).message}`, error);
    } finally {
      over.abort();
      chat?.dispose({ disposeSequence: false });
      // The sequence is emptied before it goes back: the next call starts from a clean state.
      if (sequence)
        await sequence.clearHistory().then(
          () => loaded.idle.push(sequence!),
          () => sequence!.dispose(),
        );
      leave();
    }
  }

  private expired(model: string): ProviderError {
    return this.fail('timeout', `local model "${model}" exceeded the deadline`);
  }

  private cancelled(): ProviderError {
    return this.fail('timeout', 'the call was cancelled');
  }

  async chat(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
    const { text, finish, usage } = await this.generate(request, options);
    const response: ChatResponse = {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(this.clock.now() / 1000),
      model: options.upstreamModel,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
      usage,
    };
    return { response };
  }

  chatStream(request: ChatRequest, options: CallOptions): Promise<ChatStream> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(this.clock.now() / 1000);
    const chunk = (delta: StreamChunk['choices'][number]['delta'], finish: FinishReason | null): StreamEvent => ({
      chunk: {
        id,
        object: 'chat.completion.chunk',
        created,
        model: options.upstreamModel,
        choices: [{ index: 0, delta, finish_reason: finish }],
      },
    });
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
          try {
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
          } finally {
            // A consumer that stops reading stops the generation (and frees its slot).
            if (!done) cancel.abort();
          }
        },
      };
      this.generate(
        { ...request },
        { ...options, signal },
        (text) => push(chunk({ content: text }, null)),
        () => {
          started = true;
          push(chunk({ role: 'assistant', content: '' }, null));
          resolve(stream);
        },
      )
        .then(({ finish, usage }) => {
          push(chunk({}, finish));
          if (request.includeUsage)
            push({
              chunk: { id, object: 'chat.completion.chunk', created, model: options.upstreamModel, choices: [], usage },
            });
          done = true;
          wake?.();
        })
        .catch((error: unknown) => {
          if (!started) return reject(error);
          // Cancelled by its reader: the stream just ends.
          if (!cancel.signal.aborted) failure = error;
          done = true;
          wake?.();
        });
    });
  }

  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    if (!inputs.every((input): input is string => typeof input === 'string'))
      throw this.fail('unavailable', 'the local runtime embeds text inputs only (not token arrays)');
    const { loaded, leave } = await this.enter(options.upstreamModel, options);
    try {
      loaded.embedding ??= loaded.model.createEmbeddingContext({
        contextSize: Math.min(this.settings.contextSize, loaded.model.trainContextSize),
        threads: this.settings.threads,
      });
      const context = await loaded.embedding;
      const data: EmbeddingsResponse['data'] = [];
      let tokens = 0;
      for (const [index, input] of inputs.entries()) {
        tokens += loaded.model.tokenize(input).length;
        const { vector } = await context.getEmbeddingFor(input);
        const values = request.dimensions ? vector.slice(0, request.dimensions) : [...vector];
        data.push({
          object: 'embedding',
          index,
          embedding:
            request.encoding_format === 'base64'
              ? Buffer.from(Float32Array.from(values).buffer).toString('base64')
              : values,
        });
      }
      return {
        object: 'list',
        data,
        model: options.upstreamModel,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
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
    this.closing.abort();
    await this.idleRounds;
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

/**
 * OpenAI messages → node-llama-cpp chat history, ending with the model's turn (an assistant message last is continued).
 */
function toHistory(messages: readonly ChatMessage[], unsupported: (message: string) => Error): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    const text = textOf(message, unsupported);
    if (message.role === 'system' || message.role === 'developer') history.push({ type: 'system', text });
    else if (message.role === 'assistant') history.push({ type: 'model', response: [text] });
    else if (message.role === 'tool')
      throw unsupported('tool results are not supported by the local runtime; routing tries the next candidate');
    else history.push({ type: 'user', text });
  }
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}
