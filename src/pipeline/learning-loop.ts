// The learning loop's part of a call, after its answer has left: the call is captured when its
// alias captures and its labels allow it, and a sample of an alias's calls is sent to its shadow
// candidate. A shadow call obeys the policy like any call (it is planned anew: classified, and
// refused where the labels forbid every candidate), gets its own ledger entry marked `shadow`, runs
// under its own deadline and concurrency bound, and changes nothing for the caller: it starts on a
// later turn of the event loop, and its failures are only recorded.
import { storedKeyId } from './auth.js';
import type { ChatMessage, ChatRequest } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import { asGatewayError } from '../core/errors.js';
import type { Config } from '../config/schema.js';
import { type Capturer, type CaptureSettings, coveredBy } from '../learning/capture.js';
import type { AnsweredCall } from './call.js';
import type { Gateway } from './gateway.js';
import type { LedgerLog } from './ledger-log.js';
import { CallRecorder, type CallState } from './record.js';

type ShadowSettings = NonNullable<Config['models'][string]['shadow']>;

export interface LearningLoopOptions {
  config: Pick<Config, 'models' | 'capture' | 'providers'>;
  gateway: Gateway;
  ledger: LedgerLog;
  capturer: Capturer;
  clock: Clock;
  /** A number in [0, 1): which calls are shadowed. */
  random?: () => number;
  onError: (error: unknown) => void;
  onShadow?: (alias: string, outcome: string) => void;
}

/** The provider's prices per million tokens, when it has them. */
function pricesOf(
  config: Pick<Config, 'providers'>,
  providerId: string,
): { input: number; output: number } | undefined {
  return config.providers.find((provider) => provider.id === providerId)?.cost_per_million_tokens;
}

/** The capture settings in force for each alias: the top-level ones with the alias's overrides. */
export function captureSettingsOf(config: Pick<Config, 'models' | 'capture'>): (alias: string) => CaptureSettings {
  const top = config.capture;
  return (alias) => {
    const own = config.models[alias]?.capture;
    return {
      enabled: own?.enabled ?? top.enabled,
      retentionDays: own?.retention_days ?? top.retention_days,
      excludeLabels: own?.exclude_labels ?? top.exclude_labels,
      redactLabels: own?.redact_labels ?? top.redact_labels,
    };
  };
}

/** Whether the loop has anything to do with this config (else the pipeline is not told of answered calls at all). */
export function learningActive(config: Pick<Config, 'models' | 'capture'>): boolean {
  return (
    config.capture.enabled ||
    Object.values(config.models).some((alias) => alias.capture?.enabled === true || (alias.shadow?.fraction ?? 0) > 0)
  );
}

export class LearningLoop {
  private readonly running = new Map<string, number>();
  private readonly shadows = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly random: () => number;

  constructor(private readonly options: LearningLoopOptions) {
    this.random = options.random ?? Math.random;
  }

  /** CallPipeline's `answered`: decides and queues; never throws, never waits. */
  readonly answered = (call: AnsweredCall): void => {
    try {
      this.take(call);
    } catch (error) {
      this.options.onError(error);
    }
  };

  private take(call: AnsweredCall): void {
    const { capturer, config } = this.options;
    const alias = call.state.alias;
    const candidate = call.state.candidate;
    if (alias === undefined || candidate === undefined || call.input.capture === 'off') return;
    const labels = call.state.labels ?? [];
    const shadow = config.models[alias]?.shadow;
    const excluded = labels.some((label) => coveredBy(label, capturer.settingsFor(alias).excludeLabels));
    const shadowed =
      shadow !== undefined &&
      !excluded &&
      shadow.fraction > 0 &&
      this.random() < shadow.fraction &&
      this.room(alias, shadow);
    if (!shadowed && !capturer.wants(alias, labels)) return;
    const id = capturer.enqueue({
      ...this.side(call, alias, candidate, call.answer, call.state.usage, call.latencyMs, labels),
      role: 'primary',
      receipt: call.receipt,
      responseId: call.state.responses?.responseId ?? null,
    });
    if (shadowed && id !== undefined) this.startShadow(call, alias, shadow!, id);
  }

  /** What a capture of one side of a call (the primary answer, or the shadow's) takes from the call and that side. */
  private side(
    call: AnsweredCall,
    alias: string,
    candidate: NonNullable<CallState['candidate']>,
    answer: ChatMessage,
    usage: CallState['usage'],
    latencyMs: number,
    labels: readonly string[],
  ) {
    return {
      tenant: call.input.tenant.name,
      keyId: storedKeyId(call.input.tenant),
      episodeId: call.input.episode ?? call.state.responses?.conversationId,
      alias,
      provider: candidate.provider.description.id,
      model: candidate.upstreamModel,
      ownership: candidate.provider.description.ownership,
      labels,
      messages: call.request.messages,
      tools: call.request.tools,
      answer,
      latencyMs,
      inputTokens: usage?.prompt_tokens ?? null,
      outputTokens: usage?.completion_tokens ?? null,
      prices: pricesOf(this.options.config, candidate.provider.description.id),
    };
  }

  /** Whether one more shadow call of this alias may run now (its bound, and not while stopping). */
  private room(alias: string, shadow: ShadowSettings): boolean {
    return !this.stopping.signal.aborted && (this.running.get(alias) ?? 0) < shadow.max_concurrent;
  }

  private startShadow(call: AnsweredCall, alias: string, shadow: ShadowSettings, pairOf: string): void {
    this.running.set(alias, (this.running.get(alias) ?? 0) + 1);
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.shadow(call, alias, shadow, pairOf))
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.running.set(alias, (this.running.get(alias) ?? 1) - 1);
        this.shadows.delete(work);
      });
    this.shadows.add(work);
  }

  private async shadow(call: AnsweredCall, alias: string, shadow: ShadowSettings, pairOf: string): Promise<void> {
    const { gateway, ledger, clock, capturer } = this.options;
    const request: ChatRequest = { ...call.request, model: shadow.candidate, stream: false, includeUsage: false };
    const state: CallState = { alias: gateway.knownModel(shadow.candidate), stream: false };
    const recorder = new CallRecorder(ledger, {
      requestId: `${call.input.requestId}-shadow`,
      tenantName: call.input.tenant.name,
      keyId: storedKeyId(call.input.tenant),
      endpoint: 'chat',
      body: call.input.body,
      policyHash: gateway.policyHash,
      now: clock.now,
    });
    // The shadow's deadline, and shutdown, end it; the caller's signal does not (its answer has left).
    const deadline = new AbortController();
    const stop = (): void => deadline.abort();
    this.stopping.signal.addEventListener('abort', stop);
    void clock.sleep(shadow.timeout_ms, deadline.signal).then(stop);
    const started = clock.now();
    try {
      const plan = await gateway.planChat(request, call.state.declaredLabels ?? []);
      state.labels = plan.classification.labels;
      state.declaredLabels = plan.classification.declared;
      const { value, candidate, attempts, redactedLabels } = await gateway.chat(request, plan, deadline.signal, true);
      Object.assign(state, { candidate, attempts, redactedLabels, usage: value.response.usage });
      const latencyMs = clock.now() - started;
      await recorder.call('chat', state, {
        status: 200,
        outcome: 'ok',
        errorCode: null,
        responseBody: value.wire ?? JSON.stringify(value.response),
        shadowOf: call.receipt,
      });
      const message = value.response.choices[0]?.message;
      if (!message) return;
      capturer.enqueue({
        ...this.side(call, alias, candidate, message, value.response.usage, latencyMs, state.labels),
        role: 'shadow',
        receipt: null,
        responseId: null,
        pairOf,
        // The pair's episode: the call's, or the primary capture's own id (which is the primary's episode then).
        episodeId: call.input.episode ?? call.state.responses?.conversationId ?? pairOf,
      });
      this.options.onShadow?.(alias, 'ok');
    } catch (error) {
      const failure = asGatewayError(error);
      if (failure.attempts.length > 0) state.attempts = failure.attempts;
      state.error = failure.code;
      this.options.onShadow?.(alias, failure.code);
      await recorder.call('chat', state, {
        status: failure.status,
        outcome: failure.code === 'no_allowed_provider' ? 'refused' : 'error',
        errorCode: failure.code,
        responseBody: '',
        shadowOf: call.receipt,
      });
    } finally {
      this.stopping.signal.removeEventListener('abort', stop);
      deadline.abort();
    }
  }

  /** Resolves once every shadow call and capture under way is done (tests, and the end of a shutdown). */
  async drain(): Promise<void> {
    while (this.shadows.size > 0) await Promise.all([...this.shadows]);
    await this.options.capturer.drain();
  }

  /** Shutdown: shadow calls under way are aborted (each still records its entry), then the queue drains. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.drain();
  }
}
