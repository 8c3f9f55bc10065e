// The one path of a call: an authenticated request, parsed by its dialect into the neutral shape,
// goes classify → policy → route → dispatch (retries, fallback, hedging, mid-stream continuation) →
// record, and comes back as the exact bytes to send: a complete reply, or a stream of pieces. The
// API only parses wire formats and writes bytes; it hands the dialect's writer in.
import type { ChatMessage, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from '../core/chat.js';
import { asGatewayError, cancellation, GatewayError } from '../core/errors.js';
import type { EntryKind } from '../ledger/entry.js';
import { storedKeyId, type Tenant } from './auth.js';
import { detect } from '../policy/detectors.js';
import { callerLabels, labelLocations } from './classify.js';
import type { Gateway, Plan } from './gateway.js';
import type { LedgerLog } from './ledger-log.js';
import { CallRecorder, type CallOutcome, type CallState } from './record.js';
import { relay, type RelayedStream, type StreamWriter } from './stream-relay.js';

export type { CallState } from './record.js';
export type { StreamWriter } from './stream-relay.js';

/** One call as the API hands it over: who, which endpoint, the exact bytes, and when the client goes away. */
export interface CallInput {
  requestId: string;
  tenant: Tenant;
  /** The ledger's name for the endpoint: chat, messages, responses, embeddings, count_tokens. */
  endpoint: 'chat' | 'messages' | 'responses' | 'embeddings' | 'count_tokens';
  /** The exact request bytes (the ledger commits to their SHA-256), or undefined when they were never read. */
  body: Buffer | undefined;
  /** Labels from the `x-sovereign-labels` header. */
  headerLabels: string | string[] | undefined;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
  /** The client's `x-sovereign-episode` (the learning loop groups calls by it); checked here. */
  episode?: string;
  /**
   * The client's `x-sovereign-capture`: `off` keeps this call out of capture and shadow traffic (a judge's calls,
   * which would otherwise become training data); `on`, the default, leaves it to the config. Checked here.
   */
  capture?: string;
}

/** A chat call whose answer has left, with its receipt: what the learning loop reads (capture, shadow). */
export interface AnsweredCall {
  input: CallInput;
  request: ChatRequest;
  answer: ChatMessage;
  state: CallState;
  /** The call's receipt index (a stream's opening entry, the one its client holds). */
  receipt: number;
  latencyMs: number;
}

/** How a dialect writes what the pipeline produces. */
export interface DialectWriter<Response> {
  /**
   * A complete answer; `wire` is the upstream's exact bytes when the upstream already speaks this
   * dialect. A dialect that keeps state (Responses) stores it here, before the answer is recorded and sent.
   */
  answer(response: Response, wire: Buffer | undefined, state: CallState): string | Buffer | Promise<string | Buffer>;
  /** A fresh writer for one stream. */
  stream?(model: string, state: CallState): StreamWriter;
  error(error: GatewayError): string;
}

export type CallOutput =
  | {
      kind: 'reply';
      status: number;
      headers: Record<string, string>;
      body: string | Buffer;
      state: CallState;
      failure?: GatewayError;
      unrecorded?: unknown;
    }
  | { kind: 'stream'; headers: Record<string, string>; stream: RelayedStream; state: CallState };

/** Failures the gateway decided (rather than suffered) are recorded as refusals. */
const refusalCodes = new Set(['rate_limited', 'insufficient_scope', 'no_allowed_provider', 'scan_limit_exceeded']);

export interface CallPipelineOptions {
  gateway: Gateway;
  ledger: LedgerLog;
  now: () => number;
  weights?: (name: string) => { model_sha256: string; adapter_sha256?: string } | undefined;
  /**
   * Told of every chat call answered well, after its answer is recorded; it must only queue work (capture, shadow):
   * it runs before the answer is written.
   */
  answered?: (call: AnsweredCall) => void;
}

export class CallPipeline {
  constructor(private readonly options: CallPipelineOptions) {}

  /** A chat call (OpenAI chat completions, Anthropic messages): parse, plan, dispatch, record. */
  async chat(
    input: CallInput,
    parse: (state: CallState) => ChatRequest | Promise<ChatRequest>,
    writer: DialectWriter<ChatResponse>,
  ): Promise<CallOutput> {
    const { gateway, answered, now } = this.options;
    const state: CallState = {};
    const recorder = this.recorder(input);
    const started = answered ? now() : 0;
    try {
      const { request, plan } = await this.planned(input, state, parse);
      if (!request.stream) {
        const { value, candidate, attempts, redactedLabels } = await gateway.chat(request, plan, input.signal);
        Object.assign(state, { candidate, attempts, redactedLabels, usage: value.response.usage });
        // Answered after the client went away: not written (nor stored by the dialect), recorded as what happened.
        throwIfStopped(input);
        const output = await this.reply(
          input,
          recorder,
          state,
          200,
          await writer.answer(value.response, value.wire, state),
          writer,
        );
        const message = value.response.choices[0]?.message;
        if (answered && output.kind === 'reply' && !output.failure && message)
          answered({
            input,
            request,
            answer: message,
            state,
            receipt: Number(output.headers['x-sovereign-receipt']),
            latencyMs: now() - started,
          });
        return output;
      }
      const {
        value: stream,
        candidate,
        attempts,
        redactedLabels,
      } = await gateway.chatStream(request, plan, input.signal);
      Object.assign(state, { candidate, attempts, redactedLabels });
      if (input.signal?.aborted) {
        stream.cancel();
        throwIfStopped(input);
      }
      let openIndex: number;
      try {
        openIndex = await recorder.open(state);
      } catch (error) {
        stream.cancel();
        throw new GatewayError(
          'ledger_unavailable',
          'The ledger could not record the opening of this stream; nothing was sent.',
          { cause: error, retryAfterSeconds: 1 },
        );
      }
      const relayed = relay(
        stream,
        writer.stream!(request.model, state),
        state,
        recorder,
        openIndex,
        async (delivered, failed) => {
          const next = await gateway.continueChatStream(request, plan, delivered, failed);
          return (
            next && { stream: next.value, provider: next.candidate.provider.description.id, attempts: next.attempts }
          );
        },
        answered &&
          ((answer) => answered({ input, request, answer, state, receipt: openIndex, latencyMs: now() - started })),
      );
      return {
        kind: 'stream',
        headers: { ...this.headers(input, state), 'x-sovereign-receipt': String(openIndex) },
        stream: relayed,
        state,
      };
    } catch (error) {
      return this.failure(input, recorder, state, error, writer);
    }
  }

  /** An embeddings call. */
  async embeddings(
    input: CallInput,
    parse: () => EmbeddingsRequest,
    writer: DialectWriter<EmbeddingsResponse>,
  ): Promise<CallOutput> {
    const { gateway } = this.options;
    const state: CallState = {};
    const recorder = this.recorder(input);
    try {
      const request = parse();
      state.alias = gateway.knownModel(request.model);
      const plan = await gateway.planEmbeddings(
        request,
        callerLabels(input.headerLabels, { labels: request.declaredLabels }),
      );
      learnPlan(state, plan);
      const { value, candidate, attempts } = await gateway.embeddings(request, plan, input.signal);
      Object.assign(state, {
        candidate,
        attempts,
        usage: {
          prompt_tokens: value.usage?.prompt_tokens ?? 0,
          completion_tokens: 0,
          total_tokens: value.usage?.total_tokens ?? 0,
        },
      });
      return await this.reply(input, recorder, state, 200, await writer.answer(value, undefined, state), writer);
    } catch (error) {
      return this.failure(input, recorder, state, error, writer);
    }
  }

  /**
   * A token count (POST /v1/responses/input_tokens, /v1/messages/count_tokens): planned like a chat call, since a
   * provider's count endpoint is sent the request; recorded like one, with the count as its input tokens.
   */
  async countTokens(
    input: CallInput,
    parse: (state: CallState) => ChatRequest | Promise<ChatRequest>,
    writer: DialectWriter<number>,
  ): Promise<CallOutput> {
    const { gateway } = this.options;
    const state: CallState = {};
    const recorder = this.recorder(input);
    try {
      const { request, plan } = await this.planned(input, state, parse);
      const { value, candidate, attempts } = await gateway.countTokens(request, plan, input.signal);
      Object.assign(state, {
        candidate,
        attempts,
        usage: { prompt_tokens: value, completion_tokens: 0, total_tokens: value },
      });
      return await this.reply(input, recorder, state, 200, await writer.answer(value, undefined, state), writer);
    } catch (error) {
      return this.failure(input, recorder, state, error, writer);
    }
  }

  /** A call that failed before its dialect could be parsed (rate limit, body too large): recorded like any other. */
  refused(input: CallInput, error: unknown, writer: Pick<DialectWriter<unknown>, 'error'>): Promise<CallOutput> {
    return this.failure(input, this.recorder(input), {}, error, writer);
  }

  /** Parse, classify and decide: the neutral request and its plan, learnt into the call's state. */
  private async planned(
    input: CallInput,
    state: CallState,
    parse: (state: CallState) => ChatRequest | Promise<ChatRequest>,
  ): Promise<{ request: ChatRequest; plan: Plan }> {
    const { gateway } = this.options;
    checkEpisode(input.episode);
    if (input.capture !== undefined && input.capture !== 'on' && input.capture !== 'off')
      throw new GatewayError('invalid_request', "Invalid x-sovereign-capture: 'on' or 'off'.", {
        param: 'x-sovereign-capture',
      });
    const request = await parse(state);
    state.alias = gateway.knownModel(request.model);
    state.stream = request.stream;
    const plan = await gateway.planChat(request, callerLabels(input.headerLabels, { labels: request.declaredLabels }));
    learnPlan(state, plan);
    return { request, plan };
  }

  private recorder(input: CallInput): CallRecorder {
    const { ledger, gateway, now, weights } = this.options;
    return new CallRecorder(ledger, {
      requestId: input.requestId,
      tenantName: input.tenant.name,
      keyId: storedKeyId(input.tenant),
      endpoint: input.endpoint,
      body: input.body,
      policyHash: gateway.policyHash,
      now,
      weights,
    });
  }

  private headers(input: CallInput, state: CallState): Record<string, string> {
    const headers: Record<string, string> = {
      'x-request-id': input.requestId,
      'x-sovereign-policy': this.options.gateway.policyHash,
    };
    if (state.candidate) headers['x-sovereign-provider'] = state.candidate.provider.description.id;
    return headers;
  }

  /** Records the answer, then hands it back with its receipt index; no answer leaves without its proof. */
  private async reply(
    input: CallInput,
    recorder: CallRecorder,
    state: CallState,
    status: number,
    body: string | Buffer,
    writer: Pick<DialectWriter<unknown>, 'error'>,
  ): Promise<CallOutput> {
    if (input.signal?.aborted) return this.failure(input, recorder, state, stopReason(input.signal), writer);
    try {
      const index = await recorder.call(kindOf(input.endpoint), state, {
        status,
        outcome: 'ok',
        errorCode: null,
        responseBody: body,
      });
      return {
        kind: 'reply',
        status,
        headers: { ...this.headers(input, state), 'x-sovereign-receipt': String(index) },
        body,
        state,
      };
    } catch (error) {
      // Fail closed: the answer is withheld.
      const unavailable = new GatewayError(
        'ledger_unavailable',
        'The ledger could not record this call, so its answer is withheld; retry later.',
        { retryAfterSeconds: 1 },
      );
      state.error = unavailable.code;
      return {
        kind: 'reply',
        status: unavailable.status,
        headers: { ...this.headers(input, {}), ...retryHeaders(unavailable) },
        body: writer.error(unavailable),
        state,
        failure: unavailable,
        unrecorded: error,
      };
    }
  }

  private async failure(
    input: CallInput,
    recorder: CallRecorder,
    state: CallState,
    error: unknown,
    writer: Pick<DialectWriter<unknown>, 'error'>,
  ): Promise<CallOutput> {
    const raised = asGatewayError(error);
    // Stopped by the gateway (the client went away, or the grace time of a shutdown is over): that is how it ended,
    // whatever the upstream attempt it cut short made of it.
    const stopped = input.signal?.aborted ? stopReason(input.signal) : undefined;
    const failure = stopped && stopped.code !== raised.code ? stopped : raised;
    state.error = failure.code;
    if (!state.attempts && raised.attempts.length > 0) state.attempts = raised.attempts;
    const body = writer.error(failure);
    const headers = { ...this.headers(input, {}), ...retryHeaders(failure) };
    const outcome = outcomeOf(failure, stopped !== undefined);
    try {
      const index = await recorder.call(kindOf(input.endpoint), state, {
        status: failure.status,
        outcome,
        errorCode: failure.code,
        // A client that went away is sent nothing: no digest of bytes it never got.
        responseBody: outcome === 'client_closed' ? undefined : body,
      });
      headers['x-sovereign-receipt'] = String(index);
      return { kind: 'reply', status: failure.status, headers, body, state, failure };
    } catch (unrecorded) {
      return { kind: 'reply', status: failure.status, headers, body, state, failure, unrecorded };
    }
  }
}

function kindOf(endpoint: CallInput['endpoint']): EntryKind {
  return endpoint;
}

/**
 * Why a call's signal was aborted, as the error it ends with: the gateway's reason (client_closed, or shutting_down
 * after the grace time), or client_closed for a caller's own signal (a background turn, a tool server's sampling).
 */
function stopReason(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError && (reason.code === 'client_closed' || reason.code === 'shutting_down'))
    return reason;
  return cancellation('client_closed');
}

function throwIfStopped(input: CallInput): void {
  if (input.signal?.aborted) throw stopReason(input.signal);
}

/** The ledger's outcome of a failed call: who or what ended it. */
function outcomeOf(failure: GatewayError, stopped: boolean): CallOutcome {
  if (failure.code === 'client_closed') return 'client_closed';
  if (stopped && failure.code === 'shutting_down') return 'shutdown';
  // Every candidate ran out of its attempt deadline: a bound of the gateway's ended the call.
  if (failure.code === 'upstream_timeout') return 'deadline';
  return refusalCodes.has(failure.code) ? 'refused' : 'error';
}

function retryHeaders(error: GatewayError): Record<string, string> {
  return error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
}

const episodeSyntax = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * `x-sovereign-episode` names a group of calls (a task, a session): an opaque name, kept in the clear beside captures,
 * so it must not carry data itself.
 */
function checkEpisode(episode: string | undefined): void {
  if (episode === undefined) return;
  if (!episodeSyntax.test(episode) || detect(episode).length > 0)
    throw new GatewayError(
      'invalid_request',
      'Invalid x-sovereign-episode: an episode is an opaque name of at most 128 letters, digits and . _ : - that carries no data itself.',
      { param: 'x-sovereign-episode' },
    );
}

/** What classification and policy decided, as the record keeps it. */
function learnPlan(state: CallState, plan: Plan): void {
  state.labels = plan.classification.labels;
  state.declaredLabels = plan.classification.declared;
  state.findings = labelLocations(plan.classification);
  state.deepScan = plan.deepScan;
}
