// The Responses API (POST /v1/responses and the endpoints of a stored response), served over any
// provider by translation: the turn's items (its chain or conversation, then its input) become a
// neutral chat request, the answer becomes output items, and the state is stored here, sealed,
// before the answer is recorded and sent. Streams follow the API's event lifecycle exactly.
import type { ChatRequest, ChatResponse, StreamChunk } from '../core/chat.js';
import { cancellation, GatewayError } from '../core/errors.js';
import type { StreamEvent } from '../core/provider.js';
import type { CallInput, CallOutput, CallPipeline, CallState, DialectWriter, StreamWriter } from '../pipeline/call.js';
import { callerLabels } from '../pipeline/classify.js';
import {
  type FunctionCallItem,
  isJsonObject,
  type Item,
  type ItemReference,
  type MessageItem,
  newCallId,
  newId,
  parseInput,
} from '../state/items.js';
import { type ResponseObject, type ResponsesState, type TurnContext, usageOf } from '../state/responses.js';
import { formatOf, messagesOf, outputItemsOf, toolChoiceOf, toolsOf } from '../state/translate.js';
import { clientMessage, errorBody } from './errors.js';
import type { Exchange, Reply } from './exchange.js';
import { listBody, metadataOf, pageOf } from './state-shapes.js';
import { parseJsonBody } from './http-io.js';
import { bounds, checkDepth, defaultParseLimits, type ParseLimits } from './validation.js';

export const responsesPrefix = '/v1/responses/';

/** A create request, validated; unknown fields are ignored (clients add fields often). */
export interface ResponsesCreate {
  model: string;
  input: Array<Item | ItemReference>;
  instructions?: string;
  tools: unknown[];
  request: Pick<
    ChatRequest,
    'tools' | 'tool_choice' | 'parallel_tool_calls' | 'response_format' | 'max_tokens' | 'temperature' | 'top_p'
  >;
  toolChoice: unknown;
  previousResponseId?: string;
  conversationId?: string;
  store: boolean;
  stream: boolean;
  /** Answered at once (queued); the turn runs on, and is read with GET /v1/responses/{id} or cancelled. */
  background: boolean;
  truncation: 'auto' | 'disabled';
  text: unknown;
  reasoning: unknown;
  metadata: Record<string, string>;
  user?: string;
}

const invalid = (param: string, message: string): GatewayError =>
  new GatewayError('invalid_request', message, { param });

export function parseResponsesCreate(body: Buffer, limits: ParseLimits = defaultParseLimits): ResponsesCreate {
  const raw = parseJsonBody(body);
  if (!isJsonObject(raw)) throw invalid('body', 'The request body must be a JSON object.');
  if (typeof raw.model !== 'string' || raw.model === '')
    throw new GatewayError('invalid_request', "Missing required parameter: 'model'.", { param: 'model' });
  checkLength('model', raw.model, bounds.name);
  if (Array.isArray(raw.input) && raw.input.length > bounds.messages)
    throw invalid(
      'input',
      `Invalid 'input': array too long. Expected an array with maximum length ${bounds.messages}, but got an array with length ${raw.input.length} instead.`,
    );
  if (Array.isArray(raw.tools) && raw.tools.length > bounds.tools)
    throw invalid(
      'tools',
      `Invalid 'tools': array too long. Expected an array with maximum length ${bounds.tools}, but got an array with length ${raw.tools.length} instead.`,
    );
  const conversation =
    raw.conversation === undefined || raw.conversation === null
      ? undefined
      : typeof raw.conversation === 'string'
        ? raw.conversation
        : isJsonObject(raw.conversation) && typeof raw.conversation.id === 'string'
          ? raw.conversation.id
          : null;
  if (conversation === null || conversation === '')
    throw invalid('conversation', 'Invalid \'conversation\': expected a conversation id or {"id": …}.');
  if (conversation !== undefined) checkLength('conversation', conversation, bounds.name);
  const previous =
    raw.previous_response_id === undefined || raw.previous_response_id === null ? undefined : raw.previous_response_id;
  if (previous !== undefined && (typeof previous !== 'string' || previous === ''))
    throw invalid('previous_response_id', "Invalid 'previous_response_id': expected a response id.");
  if (previous !== undefined) checkLength('previous_response_id', previous, bounds.name);
  if (typeof raw.user === 'string') checkLength('user', raw.user, bounds.name);
  if (conversation !== undefined && previous !== undefined)
    throw new GatewayError(
      'mutually_exclusive_parameters',
      "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
    );
  const background = raw.background === true;
  if (background && raw.store === false)
    throw invalid(
      'background',
      "Invalid 'background': a background response must be stored (store: true) to be read later.",
    );
  if (background && raw.stream === true)
    throw invalid(
      'background',
      "Invalid 'background': background responses are not streamed here; create it with background and poll GET /v1/responses/{id}, or stream it without background.",
    );
  const number = (
    name: string,
    value: unknown,
    check: (value: number) => boolean,
    what: string,
  ): number | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value))
      throw invalid(name, `Invalid '${name}': expected ${what}.`);
    return value;
  };
  const truncation = raw.truncation === undefined || raw.truncation === null ? 'disabled' : raw.truncation;
  if (truncation !== 'auto' && truncation !== 'disabled')
    throw invalid('truncation', "Invalid 'truncation': expected 'auto' or 'disabled'.");
  if (raw.instructions !== undefined && raw.instructions !== null && typeof raw.instructions !== 'string')
    throw invalid('instructions', "Invalid 'instructions': expected a string.");
  // What is kept as sent (tool parameters, the format's schema) is walked for depth; the rest is rebuilt from what was
  // understood, or ignored.
  checkDepth(raw.tools, limits, { param: 'tools', level: 2 });
  if (isJsonObject(raw.text)) checkDepth(raw.text.format, limits, { param: 'text.format', level: 3 });
  const request: ResponsesCreate['request'] = {};
  const tools = toolsOf(raw.tools);
  for (const [index, tool] of (tools ?? []).entries())
    checkLength(`tools[${index}].name`, tool.function.name, bounds.name);
  if (tools) request.tools = tools;
  const toolChoice = toolChoiceOf(raw.tool_choice);
  if (typeof toolChoice === 'object') checkLength('tool_choice.name', toolChoice.function.name, bounds.name);
  if (toolChoice) request.tool_choice = toolChoice;
  if (typeof raw.parallel_tool_calls === 'boolean') request.parallel_tool_calls = raw.parallel_tool_calls;
  const format = formatOf(raw.text);
  if (format) request.response_format = format;
  const maxTokens = number(
    'max_output_tokens',
    raw.max_output_tokens,
    (value) => Number.isSafeInteger(value) && value > 0,
    'a positive integer',
  );
  if (maxTokens !== undefined) request.max_tokens = maxTokens;
  const temperature = number(
    'temperature',
    raw.temperature,
    (value) => value >= 0 && value <= 2,
    'a number from 0 to 2',
  );
  if (temperature !== undefined) request.temperature = temperature;
  const topP = number('top_p', raw.top_p, (value) => value >= 0 && value <= 1, 'a number from 0 to 1');
  if (topP !== undefined) request.top_p = topP;
  const parsed: ResponsesCreate = {
    model: raw.model,
    input: parseInput(raw.input),
    tools: (tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.function.name,
      description: tool.function.description ?? null,
      parameters: tool.function.parameters ?? null,
      strict: tool.function.strict ?? null,
    })),
    request,
    toolChoice: toolChoiceEcho(toolChoice),
    store: raw.store !== false,
    stream: raw.stream === true,
    background,
    truncation,
    // Echoed on the response object and stored: rebuilt from what was understood, never the client's value as sent
    // (a deep or huge value there would be stored and echoed without ever being checked).
    text: {
      format: formatEcho(format),
      ...(isJsonObject(raw.text) && typeof raw.text.verbosity === 'string'
        ? { verbosity: raw.text.verbosity.slice(0, 16) }
        : {}),
    },
    reasoning: reasoningEcho(raw.reasoning),
    metadata: metadataOf(raw.metadata),
  };
  if (typeof raw.instructions === 'string') parsed.instructions = raw.instructions;
  if (previous !== undefined) parsed.previousResponseId = previous;
  if (conversation !== undefined) parsed.conversationId = conversation;
  if (typeof raw.user === 'string') parsed.user = raw.user;
  return parsed;
}

/** A string longer than `most` is refused, naming the param (it would be stored, logged, echoed). */
function checkLength(name: string, value: string, most: number): void {
  if (value.length > most)
    throw invalid(
      name,
      `Invalid '${name}': string too long. Expected a string with maximum length ${most}, but got a string with length ${value.length} instead.`,
    );
}

/** `tool_choice` as the response object shows it: rebuilt from what was understood, as `text` is. */
function toolChoiceEcho(choice: ChatRequest['tool_choice']): unknown {
  if (choice === undefined) return 'auto';
  if (typeof choice === 'string') return choice;
  return { type: 'function', name: choice.function.name };
}

/** `text.format` as the response object shows it. */
function formatEcho(format: ChatRequest['response_format']): Record<string, unknown> {
  if (!format || format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', ...format.json_schema };
}

/** `reasoning` as the response object shows it: its two known members, as short strings. */
function reasoningEcho(raw: unknown): { effort: string | null; summary: string | null } | null {
  if (!isJsonObject(raw)) return null;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value.slice(0, 16) : null);
  return { effort: text(raw.effort), summary: text(raw.summary) };
}

export interface ResponsesApiOptions {
  calls: CallPipeline;
  state: ResponsesState;
  now: () => number;
  /** Waits for `work` within the shutdown's grace time (on the gateway's clock). */
  grace: (work: Promise<unknown>) => Promise<void>;
  /** A background turn failed outside the pipeline (the store, a bug): logged, never thrown. */
  onError?: (error: unknown) => void;
  /** Background turns running at once: in this process, and for one tenant (`state.max_background…`). */
  limits?: { total: number; perOwner: number };
}

export function createResponsesApi({
  calls,
  state,
  now,
  grace,
  onError,
  limits = { total: 64, perOwner: 8 },
}: ResponsesApiOptions) {
  /** Background turns running in this process, by response id. */
  const running = new Map<string, { controller: AbortController; work: Promise<void> }>();
  /** How many of them each tenant has. */
  const perOwner = new Map<string, number>();
  let stopping = false;
  const writerError = (error: GatewayError): string => errorBody('openai', error);

  /** Answers a background create at once (queued, stored) and runs the turn on, on its own signal. */
  async function background(input: CallInput, turn: Turn): Promise<CallOutput> {
    const owner = input.tenant.name;
    const mine = perOwner.get(owner) ?? 0;
    if (running.size >= limits.total || mine >= limits.perOwner)
      return calls.refused(
        input,
        new GatewayError(
          'rate_limited',
          running.size >= limits.total
            ? `Too many background responses are running on this gateway (${limits.total}); retry when one has finished.`
            : `This key has ${mine} background responses running, its most (${limits.perOwner}); retry when one has finished.`,
          { retryAfterSeconds: 1 },
        ),
        { error: writerError },
      );
    // Counted from now: a create waiting on the store is running as far as the limits go.
    perOwner.set(owner, mine + 1);
    const leave = (): void => {
      const left = (perOwner.get(owner) ?? 1) - 1;
      if (left <= 0) perOwner.delete(owner);
      else perOwner.set(owner, left);
    };
    let queued: ResponseObject;
    try {
      queued = await turn.begin(input.headerLabels);
    } catch (error) {
      leave();
      return calls.refused(input, error, { error: writerError });
    }
    if (stopping) {
      // The gateway began to stop while this was stored: it does not start (stop() would not wait for it).
      leave();
      await turn.failed({ code: 'server_shutdown', message: 'The gateway stopped before this response started.' });
      return calls.refused(
        input,
        new GatewayError('no_provider_available', 'The gateway is shutting down.', { retryAfterSeconds: 1 }),
        { error: writerError },
      );
    }
    const controller = new AbortController();
    const work = calls
      .chat({ ...input, signal: controller.signal }, (callState) => turn.prepare(input.body!, callState), turn.writer())
      .then(async (output) => {
        if (output.kind !== 'reply') return;
        if (output.unrecorded !== undefined) {
          onError?.(output.unrecorded);
          // No answer without its proof: a turn whose ledger entry could not be written is not served as completed.
          await turn.failed({ code: 'ledger_unavailable', message: 'The ledger could not record this response.' });
        } else if (output.failure) {
          if (output.failure.code === 'internal_error') onError?.(output.failure.cause ?? output.failure);
          await turn.failed(
            stopping && controller.signal.aborted
              ? { code: 'server_shutdown', message: 'The gateway stopped before this response finished.' }
              : { code: output.failure.code, message: clientMessage(output.failure) },
          );
        } else await turn.complete();
      })
      .catch((error: unknown) => onError?.(error))
      .finally(() => {
        running.delete(turn.id);
        leave();
      });
    running.set(turn.id, { controller, work });
    return {
      kind: 'reply',
      status: 200,
      headers: { 'x-request-id': input.requestId },
      body: JSON.stringify(queued),
      state: {},
    };
  }

  return {
    /** POST /v1/responses: one turn through the pipeline; its state stored before the answer leaves. */
    async create(input: CallInput): Promise<CallOutput> {
      const turn = new Turn(state, input.tenant.name, now);
      // A look ahead for `background`; a body that does not parse is refused by the pipeline, which records it.
      const create = await turn.load(input.body!).catch(() => undefined);
      if (create?.background && !stopping) return background(input, turn);
      return calls.chat(input, (callState) => turn.prepare(input.body!, callState), turn.writer());
    },

    /**
     * At shutdown: background turns get the grace time to finish, then are stopped (stored as failed, recorded in the
     * ledger as every call is).
     */
    async stop(): Promise<void> {
      stopping = true;
      if (running.size === 0) return;
      const all = (): Promise<unknown> => Promise.allSettled([...running.values()].map((turn) => turn.work));
      await grace(all());
      for (const turn of running.values()) turn.controller.abort(cancellation('shutdown'));
      await all();
    },

    /**
     * POST /v1/responses/input_tokens: the tokens a create request with this body would send (its chain or
     * conversation included), counted as the model that would answer counts them.
     */
    inputTokens(input: CallInput): Promise<CallOutput> {
      const turn = new Turn(state, input.tenant.name, now, true);
      return calls.countTokens(input, (callState) => turn.prepare(input.body!, callState), {
        answer: (tokens) => JSON.stringify({ object: 'response.input_tokens', input_tokens: tokens }),
        error: (error) => errorBody('openai', error),
      });
    },

    /** GET and DELETE /v1/responses/{id}, GET …/input_items, POST …/cancel. */
    async byId(exchange: Exchange, path: string, query: URLSearchParams): Promise<Reply> {
      const [id, verb, ...rest] = path.slice(responsesPrefix.length).split('/');
      const owner = exchange.tenant.name;
      const method = exchange.request.method;
      if (!id || rest.length > 0) throw new GatewayError('not_found', `No endpoint ${method} /v1/responses/{id}/….`);
      if (verb === undefined) {
        if (method === 'GET') return { status: 200, body: JSON.stringify(await state.get(owner, id)) };
        if (method === 'DELETE') {
          await state.delete(owner, id);
          running.get(id)?.controller.abort();
          return { status: 200, body: JSON.stringify({ id, object: 'response.deleted', deleted: true }) };
        }
        throw new GatewayError('method_not_allowed', '/v1/responses/{id} accepts GET and DELETE.');
      }
      if (verb === 'input_items') {
        if (method !== 'GET')
          throw new GatewayError('method_not_allowed', '/v1/responses/{id}/input_items accepts GET only.');
        const page = pageOf(query);
        const { items, hasMore } = await state.inputItems(owner, id, page);
        return { status: 200, body: listBody(items, hasMore) };
      }
      if (verb === 'cancel') {
        if (method !== 'POST')
          throw new GatewayError('method_not_allowed', '/v1/responses/{id}/cancel accepts POST only.');
        const cancelled = await state.cancel(owner, id);
        // Stored as cancelled first: the turn, stopped here or on the replica running it, then stores nothing.
        if (cancelled.status === 'cancelled') running.get(id)?.controller.abort();
        return { status: 200, body: JSON.stringify(cancelled) };
      }
      throw new GatewayError('not_found', `No endpoint ${method} /v1/responses/{id}/….`);
    },
  };
}

/** One turn: what it continues, the request it becomes, and the writers that store it as they answer. */
class Turn {
  private create!: ResponsesCreate;
  private context!: TurnContext;
  private loading: Promise<ResponsesCreate> | undefined;
  readonly id = newId('response');
  private readonly createdAt: number;
  /** A background turn's stored object as its next change must name it (compare and set in the store). */
  private token: Buffer | undefined;
  /** A background turn's labels, declared when it was stored. */
  private labels: string[] = [];
  /** A background turn's answer, held until its ledger entry is written. */
  private answered: ResponseObject | undefined;

  constructor(
    private readonly state: ResponsesState,
    private readonly owner: string,
    private readonly now: () => number,
    /** Only counted (input_tokens): no response is made, so none is named in the ledger. */
    private readonly counting = false,
  ) {
    this.createdAt = Math.floor(now() / 1000);
  }

  /** Parses the body and reads what the turn continues, once (the pipeline's parse step and a look ahead share it). */
  load(body: Buffer): Promise<ResponsesCreate> {
    this.loading ??= (async () => {
      const create = parseResponsesCreate(body);
      this.context = await this.state.context(this.owner, create);
      this.create = create;
      return create;
    })();
    return this.loading;
  }

  async prepare(body: Buffer, callState: CallState): Promise<ChatRequest> {
    const create = await this.load(body);
    callState.responses = this.counting ? {} : { responseId: this.id };
    // Only ids proven to be this tenant's go into the ledger: what a client typed there could be data, and the
    // ledger keeps it for good.
    if (create.previousResponseId) callState.responses.previousResponseId = create.previousResponseId;
    if (create.conversationId) callState.responses.conversationId = create.conversationId;
    if (this.token) {
      this.token = await this.state.advance(this.owner, this.response('in_progress', [], null), this.token);
      if (!this.token) throw new GatewayError('invalid_request', 'The response was cancelled before it started.');
    }
    const declared = [...this.context.labels];
    if (typeof create.metadata.labels === 'string') declared.push(...create.metadata.labels.split(','));
    return {
      model: create.model,
      messages: messagesOf([...this.context.items, ...this.context.input], create.instructions),
      stream: !this.counting && create.stream,
      includeUsage: true,
      truncation: create.truncation,
      ...create.request,
      ...(create.user ? { user: create.user } : {}),
      declaredLabels: declared.map((label) => label.trim()).filter((label) => label !== ''),
      extra: {},
    };
  }

  /**
   * Stores a background turn as queued, before it runs: its input items, and the labels declared for it and before it
   * (the header's too: the pipeline reads them again, and they must travel with what is stored now).
   */
  async begin(headerLabels: string | string[] | undefined): Promise<ResponseObject> {
    const create = this.create;
    this.labels = [
      ...new Set([...this.context.labels, ...callerLabels(headerLabels, { labels: create.metadata.labels })]),
    ].sort();
    const queued = this.response('queued', [], null);
    const { token, input } = await this.state.begin(this.owner, queued, this.context.input, this.labels);
    this.token = token;
    this.context = { ...this.context, input };
    return queued;
  }

  /**
   * A background turn whose answer was recorded: stored finished (its output, its conversation's items), unless it was
   * cancelled or deleted meanwhile.
   */
  async complete(): Promise<void> {
    if (!this.token || !this.answered) return;
    this.token = await this.state.complete(this.owner, this.answered, this.context.input, this.labels, this.token);
  }

  /** A background turn that failed (or was withheld for want of its ledger entry): stored as failed, unless changed. */
  async failed(error: { code: string; message: string }): Promise<void> {
    if (!this.token) return;
    const failed = this.response('failed', [], null, { error });
    this.token = await this.state.advance(this.owner, failed, this.token);
  }

  /** The response object in a given state. */
  response(
    status: ResponseObject['status'],
    output: Item[],
    usage: ResponseObject['usage'],
    extra: Partial<ResponseObject> = {},
  ): ResponseObject {
    const create = this.create;
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      completed_at: status === 'completed' ? Math.floor(this.now() / 1000) : null,
      error: null,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: create.instructions ?? null,
      max_output_tokens: create.request.max_tokens ?? null,
      model: create.model,
      output,
      parallel_tool_calls: create.request.parallel_tool_calls ?? true,
      previous_response_id: create.previousResponseId ?? null,
      conversation: create.conversationId ? { id: create.conversationId } : null,
      reasoning: create.reasoning,
      store: create.store,
      temperature: create.request.temperature ?? null,
      text: create.text,
      tool_choice: create.toolChoice,
      tools: create.tools,
      top_p: create.request.top_p ?? null,
      truncation: create.truncation,
      usage,
      metadata: create.metadata,
      background: create.background,
      user: create.user ?? null,
      ...extra,
    };
  }

  /**
   * Stores the finished response (when asked to) with the labels declared for it and before it. Labels the
   * detectors found need no carrying: every stored item is sent, and so classified, again at every turn (and
   * redacted again where the rule says, which a label carried as declared would forbid).
   */
  async finish(response: ResponseObject, callState: CallState): Promise<void> {
    if (this.token) {
      // A background turn is stored finished only once its ledger entry is written (complete(), after the pipeline):
      // a client polling it must never read an answer that has no proof.
      this.answered = response;
      return;
    }
    if (!this.create.store && !this.create.conversationId) return;
    const labels = [...new Set([...this.context.labels, ...(callState.declaredLabels ?? [])])].sort();
    await this.state.save(this.owner, response, this.context.input, labels, { keepResponse: this.create.store });
  }

  writer(): DialectWriter<ChatResponse> {
    return {
      answer: async (answer, _wire, callState) => {
        const { items, incomplete } = outputItemsOf(answer);
        const response = this.response(incomplete ? 'incomplete' : 'completed', items, usageOf(answer.usage));
        await this.finish(response, callState);
        return JSON.stringify(response);
      },
      stream: (_model, callState) => new ResponsesStreamWriter(this, callState),
      error: (error) => errorBody('openai', error),
    };
  }
}

/** Neutral stream chunks → the Responses event lifecycle, each event with the next sequence number. */
class ResponsesStreamWriter implements StreamWriter {
  private sequence = 0;
  private started = false;
  private readonly output: Item[] = [];
  private message: MessageItem | undefined;
  private text = '';
  /** The function call being streamed, by the upstream's tool-call index. */
  private call: { index: number; item: FunctionCallItem } | undefined;
  private incomplete = false;
  private usage: StreamChunk['usage'];

  constructor(
    private readonly turn: Turn,
    private readonly callState: CallState,
  ) {}

  private frame(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...fields })}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.turn.response('in_progress', [], null);
    return this.frame('response.created', { response }) + this.frame('response.in_progress', { response });
  }

  private closeMessage(): string {
    const message = this.message;
    if (!message) return '';
    this.message = undefined;
    const index = this.output.length;
    const part = { type: 'output_text', text: this.text, annotations: [], logprobs: [] };
    const done: MessageItem = {
      ...message,
      status: this.incomplete ? 'incomplete' : 'completed',
      content: [{ type: 'output_text', text: this.text, annotations: [], logprobs: [] }],
    };
    this.output.push(done);
    return (
      this.frame('response.output_text.done', {
        item_id: message.id,
        output_index: index,
        content_index: 0,
        text: this.text,
        logprobs: [],
      }) +
      this.frame('response.content_part.done', { item_id: message.id, output_index: index, content_index: 0, part }) +
      this.frame('response.output_item.done', { output_index: index, item: done })
    );
  }

  private closeCall(): string {
    const call = this.call;
    if (!call) return '';
    this.call = undefined;
    const index = this.output.length;
    const done: FunctionCallItem = { ...call.item, status: 'completed' };
    this.output.push(done);
    return (
      this.frame('response.function_call_arguments.done', {
        item_id: done.id,
        output_index: index,
        arguments: done.arguments,
        name: done.name,
      }) + this.frame('response.output_item.done', { output_index: index, item: done })
    );
  }

  event(event: StreamEvent): string | undefined {
    const chunk = event.chunk;
    if (chunk.usage) this.usage = chunk.usage;
    let out = this.start();
    const choice = chunk.choices[0];
    if (choice?.finish_reason === 'length') this.incomplete = true;
    const delta = choice?.delta;
    if (typeof delta?.content === 'string' && delta.content !== '') {
      out += this.closeCall();
      if (!this.message) {
        this.message = { type: 'message', id: newId('message'), role: 'assistant', status: 'in_progress', content: [] };
        this.text = '';
        const index = this.output.length;
        out += this.frame('response.output_item.added', { output_index: index, item: this.message });
        out += this.frame('response.content_part.added', {
          item_id: this.message.id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
        });
      }
      this.text += delta.content;
      out += this.frame('response.output_text.delta', {
        item_id: this.message.id,
        output_index: this.output.length,
        content_index: 0,
        delta: delta.content,
        logprobs: [],
      });
    }
    for (const call of delta?.tool_calls ?? []) {
      if (!this.call || this.call.index !== call.index) {
        out += this.closeMessage() + this.closeCall();
        const item: FunctionCallItem = {
          type: 'function_call',
          id: newId('function_call'),
          call_id: call.id || newCallId(),
          name: call.function?.name ?? '',
          arguments: '',
          status: 'in_progress',
        };
        this.call = { index: call.index, item };
        out += this.frame('response.output_item.added', { output_index: this.output.length, item: { ...item } });
      } else if (call.function?.name) {
        this.call.item.name += call.function.name;
      }
      const fragment = call.function?.arguments ?? '';
      if (fragment !== '') {
        this.call.item.arguments += fragment;
        out += this.frame('response.function_call_arguments.delta', {
          item_id: this.call.item.id,
          output_index: this.output.length,
          delta: fragment,
        });
      }
    }
    return out === '' ? undefined : out;
  }

  async end(): Promise<string> {
    let out = this.start() + this.closeMessage() + this.closeCall();
    const status = this.incomplete ? 'incomplete' : 'completed';
    const response = this.turn.response(status, this.output, usageOf(this.usage ?? undefined));
    // Stored before the terminal event: a client that sees `response.completed` can continue from it at once.
    await this.turn.finish(response, this.callState);
    out += this.frame(status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
    return out;
  }

  error(message: string, code: string): string {
    const response = this.turn.response('failed', this.output, usageOf(this.usage ?? undefined), {
      error: { code: code === 'upstream_rate_limited' ? 'rate_limit_exceeded' : 'server_error', message },
    });
    return this.start() + this.frame('response.failed', { response });
  }
}
