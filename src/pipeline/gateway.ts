// What the call path (call.ts) asks of the gateway's providers: a plan for a request (its labels and
// the candidates the policy allows, cuts and a deep scan applied), the dispatch of a planned request
// (redacted where the rule says, continued elsewhere when a stream breaks), and the live state
// behind them: health from traffic and background probes, circuit breakers, cuts.
import type { Config } from '../config/schema.js';
import type { ChatRequest, EmbeddingsRequest, EmbeddingsResponse } from '../core/chat.js';
import { every, systemClock, type Clock } from '../core/clock.js';
import { GatewayError, ProviderError } from '../core/errors.js';
import {
  decide,
  labelMatches,
  openPolicy,
  policyHash,
  type PolicyDecision,
  type PolicyDocument,
} from '../policy/policy.js';
import type { CallOptions, ChatResult, ChatStream, Provider, ProviderDescription } from '../core/provider.js';
import type { Metrics } from '../telemetry/metrics.js';
import { buildCatalog, resolveModel, type Candidate, type Catalog } from './catalog.js';
import {
  classifyRequest,
  labelsWith,
  scanValues,
  withSpans,
  type Classification,
  type ClassifySettings,
} from './classify.js';
import { DeepScanError, deepScanDefaults, type DeepScanner } from './deep-scan.js';
import { redactChat, restoreResponse, restoreStream } from './redact.js';
import { cutApplies, describeCut } from './cuts.js';
import { ProviderHealth, type HealthState } from './health.js';
import type { CutRecord } from '../store/store.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { fitted, tokensOf } from './context-fit.js';
import { dispatch, type Dispatched, type DispatchSettings } from './dispatch.js';

/** Deepest nesting of a request the gateway scans and forwards (JSON.stringify itself gives out near ten thousand). */
const maxRequestDepth = 128;

export interface GatewayOptions {
  config: Config;
  providers: Map<string, Provider>;
  metrics: Metrics;
  /** The gateway's clock: deadlines, retry waits, hedging, probes, breaker cool-downs. */
  clock?: Clock;
  /** The model layer of the detectors (`policy.detectors.ner`), owned by the gateway from here on (closed with it). */
  deepScanner?: DeepScanner;
}

/** What the model layer did for a call. */
export interface DeepScanOutcome {
  engine: 'onnx' | 'local';
  /**
   * `found`: it added spans; `clear`: it found nothing more; `incomplete`: it could not finish, so only owned providers
   * may serve.
   */
  outcome: 'found' | 'clear' | 'incomplete';
  reason?: string;
}

const leavesHome = (candidate: Candidate): boolean => candidate.provider.description.ownership !== 'owned';

/** What classification and policy decided for one request, before any provider is called. */
export interface Plan {
  classification: Classification;
  decision: PolicyDecision;
  /** The model's candidates the policy allows, in order. */
  candidates: Candidate[];
  /** Every candidate of the model, allowed or not (for explanations). */
  all: Candidate[];
  /**
   * Set when the model layer ran (it runs only where the plan would let the request leave for a provider that is not
   * owned).
   */
  deepScan?: DeepScanOutcome;
  /**
   * Set when the request carries content the gateway cannot read and no rule names it: only owned candidates are kept.
   */
  unreadable?: string[];
}

export interface ProviderStatus {
  id: string;
  kind: string;
  jurisdiction: string;
  operator: string;
  ownership: string;
  state: HealthState;
  circuit: string;
  latency_ms: { p50: number | null; p99: number | null };
  error_rate: number;
  last_error: { message: string; at: string } | null;
  requests_last_hour: number;
  traffic_share_last_hour: number;
  cut: string | null;
  /** Calls in flight now, against max_concurrent (null: a kind without the limit). */
  in_flight: number | null;
  max_concurrent: number | null;
  /** Attempts it turned away at its max_concurrent since start (each overflowed, waited, or was provider_busy). */
  overflows: number;
}

export class Gateway {
  readonly catalog: Catalog;
  readonly health = new Map<string, ProviderHealth>();
  /** Cuts in force, reloaded from the store by the server. */
  cuts: CutRecord[] = [];
  private probing = 0;
  /** Attempts each provider turned away at its max_concurrent (GET /v1/providers `overflows`). */
  private readonly overflows = new Map<string, number>();
  /** Aborted on close: stops the probes and every wait of this gateway. */
  private readonly running = new AbortController();
  readonly policy: PolicyDocument;
  readonly policyHash: string;
  readonly breakers = new Map<string, CircuitBreaker>();
  private readonly settings: DispatchSettings;
  private readonly classifySettings: ClassifySettings;
  private readonly clock: Clock;
  private readonly now: () => number;

  constructor(private readonly options: GatewayOptions) {
    const { config, providers, metrics } = options;
    this.clock = options.clock ?? systemClock;
    const now = (): number => this.clock.now();
    this.now = now;
    this.catalog = buildCatalog(config, providers);
    this.policy = config.policy ?? openPolicy;
    this.policyHash = policyHash(this.policy);
    for (const id of providers.keys())
      this.breakers.set(
        id,
        new CircuitBreaker(config.routing.breaker.failures, config.routing.breaker.cooldown_ms, now),
      );
    metrics.observeCircuits(() =>
      [...this.breakers].map(([provider, breaker]) => [provider, breaker.current() === 'closed' ? 0 : 1]),
    );
    const providerTimeouts = new Map(
      config.providers.map((provider) => [provider.id, provider.timeout_ms ?? config.routing.attempt_timeout_ms]),
    );
    this.settings = {
      attemptTimeoutMs: (candidate) =>
        providerTimeouts.get(candidate.provider.description.id) ?? config.routing.attempt_timeout_ms,
      retries: config.routing.retries,
      maxRetryWaitMs: config.routing.max_retry_wait_ms,
      queueTimeoutMs: config.routing.queue_timeout_ms,
      // Cuts are few (usually none): the check before each attempt costs a length test.
      excluded: (candidate) => this.cuts.length > 0 && this.cutOf(candidate.provider.description) !== undefined,
      breakers: this.breakers,
      now,
      // A call's signal ends with the gateway too (shutdown cancels the calls in flight); a call without one, on the
      // gateway's own.
      sleep: (ms, signal) => this.clock.sleep(ms, signal ?? this.running.signal),
      onFailure: (model, candidate, error, willFallBack) => this.recordFailure(model, candidate, error, willFallBack),
      // last_error (GET /v1/providers, admin keys only): how an attempt failed, never the upstream's words, which can
      // quote another tenant's request; a connection failure is described in the gateway's own (the SSRF guard's).
      onAttempt: (candidate, ok, ms, error) =>
        this.health
          .get(candidate.provider.description.id)
          ?.record({ at: now(), ms, ok, traffic: true }, error && failureNote(error)),
    };
    for (const id of providers.keys()) this.health.set(id, new ProviderHealth());
    this.classifySettings = {
      maxChars: config.policy?.max_scan_bytes ?? config.limits.max_body_bytes,
      maxDepth: maxRequestDepth,
      // setImmediate lets I/O callbacks run between slices of a large scan.
      pause: () => new Promise((resolve) => setImmediate(resolve)),
    };
  }

  /** Classifies the request as it will leave and applies the policy to the model's candidates; calls no provider. */
  async planChat(request: ChatRequest, declaredLabels: readonly string[]): Promise<Plan> {
    const all = resolveModel(this.catalog, request.model);
    const classification = await classifyRequest(request, declaredLabels, this.classifySettings);
    const translated = await this.classifyTranslations(request, all);
    if (translated.length === 0) return this.planDeep(all, classification);
    const labels = [
      ...new Set([
        ...classification.labels,
        ...translated.flatMap(({ findings, opaque }) => labelsWith([], findings, opaque)),
      ]),
    ].sort();
    return this.planDeep(all, { ...classification, labels, translated });
  }

  /**
   * What leaves is what each provider kind sends: where a kind's translation makes new strings out
   * of the request's (the Anthropic one joins parts and re-serialises tool arguments), that body is
   * classified too, once per kind among the candidates.
   */
  private async classifyTranslations(
    request: ChatRequest,
    candidates: readonly Candidate[],
  ): Promise<
    Array<{
      kind: string;
      findings: Awaited<ReturnType<typeof scanValues>>['findings'];
      opaque: Awaited<ReturnType<typeof scanValues>>['opaque'];
    }>
  > {
    const kinds = new Map<string, Candidate>();
    for (const candidate of candidates)
      if (candidate.provider.translate && !kinds.has(candidate.provider.description.kind))
        kinds.set(candidate.provider.description.kind, candidate);
    const results = [];
    for (const [kind, candidate] of kinds) {
      let body: unknown;
      try {
        body = candidate.provider.translate!(request, candidate.upstreamModel, request.stream);
      } catch {
        throw new GatewayError('invalid_request', `The request cannot be translated for the ${kind} API.`);
      }
      const { findings, opaque } = await scanValues([{ path: [], value: body }], this.classifySettings);
      results.push({ kind, findings, opaque });
    }
    return results;
  }

  /**
   * What the policy says of a value sent to a destination that is not a model (an MCP tool server's arguments, or what
   * it answered): classified like every field of a request (the same detectors, limits and opaque-content rule) and
   * decided against the destination's description. A cut destination (by id, operator or jurisdiction) is refused too.
   */
  async checkDestination(
    value: unknown,
    declared: readonly string[],
    destination: ProviderDescription,
  ): Promise<{ classification: Classification; decision: PolicyDecision; allowed: boolean; why: string }> {
    const { findings, targets, opaque } = await scanValues([{ path: [], value }], this.classifySettings);
    const classification: Classification = {
      labels: labelsWith(declared, findings, opaque),
      declared: [...new Set(declared)].sort(),
      findings,
      targets,
      opaque,
    };
    let decision = decide(this.policy, classification.labels, [destination]);
    // The model layer reads what would leave for a destination that is not owned, as for a model call.
    if (this.options.deepScanner && destination.ownership !== 'owned' && decision.mode === 'allow') {
      const deeper = await this.deeper(classification);
      if (deeper.deepScan.outcome === 'incomplete')
        return {
          classification,
          decision,
          allowed: false,
          why: `The deep scan could not finish (${deeper.deepScan.reason ?? 'unknown'}), so only owned servers may be sent this.`,
        };
      Object.assign(classification, deeper.classification);
      decision = decide(this.policy, classification.labels, [destination]);
    }
    if (this.cutOf(destination))
      return { classification, decision, allowed: false, why: `${destination.id} is cut off from routing.` };
    const unreadable = this.unreadableKeptHome(classification.labels, decision);
    if (unreadable && destination.ownership !== 'owned')
      return {
        classification,
        decision,
        allowed: false,
        why: `It carries content the gateway cannot read (${unreadable.join(', ')}), which stays on owned servers.`,
      };
    // Redaction is for model calls: a tool's arguments are its instructions, and a redacted one would act on a placeholder.
    return { classification, decision, allowed: decision.mode === 'allow', why: decision.explanation };
  }

  async planEmbeddings(request: EmbeddingsRequest, declaredLabels: readonly string[]): Promise<Plan> {
    const all = resolveModel(this.catalog, request.model).filter(
      (candidate) => candidate.provider.embeddings !== undefined,
    );
    if (all.length === 0)
      throw new GatewayError('invalid_request', `No provider of "${request.model}" offers embeddings.`, {
        param: 'model',
      });
    return this.planDeep(all, await classifyRequest(request, declaredLabels, this.classifySettings));
  }

  /**
   * The plan, read again with the model layer where it would let the request leave for a provider
   * that is not owned (the deep scan costs only where data would leave). A scan that cannot finish
   * (too much text, past its time, a model failure) keeps only the owned candidates: fail closed.
   */
  private async planDeep(all: Candidate[], classification: Classification): Promise<Plan> {
    const plan = this.plan(all, classification);
    const scanner = this.options.deepScanner;
    if (!scanner || !plan.candidates.some(leavesHome)) return plan;
    const deeper = await this.deeper(classification);
    if (deeper.deepScan.outcome !== 'incomplete')
      return { ...this.plan(all, deeper.classification), deepScan: deeper.deepScan };
    return {
      ...plan,
      candidates: plan.candidates.filter((candidate) => !leavesHome(candidate)),
      deepScan: deeper.deepScan,
    };
  }

  /**
   * The classification read again with the model layer, within its time (on the clock); `incomplete` when it could
   * not finish (then only owned destinations may be used: fail closed).
   */
  private async deeper(
    classification: Classification,
  ): Promise<{ classification: Classification; deepScan: DeepScanOutcome }> {
    const scanner = this.options.deepScanner!;
    const timeoutMs = this.options.config.policy?.detectors?.ner?.timeout_ms ?? deepScanDefaults.timeout_ms;
    const scan = new AbortController();
    const timer = new AbortController();
    try {
      const spans = await Promise.race([
        scanner.scan(
          classification.targets.map((target) => target.text),
          scan.signal,
        ),
        this.clock.sleep(timeoutMs, timer.signal).then(() => {
          throw new DeepScanError(
            'aborted',
            `the deep scan took longer than ${timeoutMs} ms (policy.detectors.ner.timeout_ms)`,
          );
        }),
      ]);
      const found = spans.some((list) => list.length > 0);
      return {
        classification: withSpans(classification, spans),
        deepScan: { engine: scanner.engine, outcome: found ? 'found' : 'clear' },
      };
    } catch (error) {
      scan.abort();
      const reason = error instanceof DeepScanError ? error.message : 'the model failed';
      return { classification, deepScan: { engine: scanner.engine, outcome: 'incomplete', reason } };
    } finally {
      timer.abort();
    }
  }

  private plan(all: Candidate[], classification: Classification): Plan {
    const providers = [
      ...new Map(all.map((candidate) => [candidate.provider.description.id, candidate.provider.description])).values(),
    ];
    const decision = decide(this.policy, classification.labels, providers);
    const now = this.now();
    let candidates = all.filter(
      (candidate) =>
        decision.allowed.includes(candidate.provider.description.id) &&
        !this.cutOf(candidate.provider.description, now),
    );
    const unreadable = this.unreadableKeptHome(classification.labels, decision);
    if (unreadable) {
      candidates = candidates.filter((candidate) => !leavesHome(candidate));
      return { classification, decision, candidates, all, unreadable };
    }
    return { classification, decision, candidates, all };
  }

  /**
   * Content the gateway cannot read (an image's pixels, a binary file, token ids) may hold anything: under a policy it
   * stays on owned destinations unless the matching rule names it. Those labels when so, else undefined.
   */
  private unreadableKeptHome(labels: readonly string[], decision: PolicyDecision): string[] | undefined {
    const unreadable = labels.filter((label) => label.startsWith('opaque.'));
    const rule = this.policy.rules[decision.ruleIndex];
    if (unreadable.length === 0 || !this.options.config.policy || !rule) return undefined;
    const named = [...(rule.when.labels_any ?? []), ...(rule.when.labels_all ?? [])];
    return unreadable.every((label) => named.some((pattern) => labelMatches(pattern, label))) ? undefined : unreadable;
  }

  /**
   * Hedging: the first candidate starts alone; if it has not answered within `hedgeAfterMs`, the
   * rest start too (in their own order, with fallback among them), and whichever answers first
   * wins while the other is cancelled. Both are recorded in the attempts.
   */
  private hedged<T>(
    model: string,
    candidates: Candidate[],
    call: Parameters<typeof dispatch<T>>[2],
    hedgeAfterMs: number,
    signal?: AbortSignal,
  ): Promise<Dispatched<T>> {
    const [first, ...rest] = candidates;
    const primaryAbort = new AbortController();
    const secondaryAbort = new AbortController();
    // Ends the hedge's wait on the clock once the race is decided.
    const hedgeWait = new AbortController();
    // The call cancelled (the client went away, a shutdown, a revoked key): both sides stop, with its reason, and the
    // hedge is not started. One listener per hedged call, only for aliases with hedge_after_ms.
    if (signal !== undefined) {
      const stopBoth = (): void => {
        hedgeWait.abort();
        primaryAbort.abort(signal.reason);
        secondaryAbort.abort(signal.reason);
      };
      if (signal.aborted) stopBoth();
      else signal.addEventListener('abort', stopBoth, { once: true });
    }
    const cancel = (value: unknown): void => (value as { cancel?: () => void } | undefined)?.cancel?.();
    return new Promise<Dispatched<T>>((resolve, reject) => {
      let settled = false;
      let failures = 0;
      let started = 1;
      let hedgeFired = false;
      const win = (result: Dispatched<T>, other: AbortController, otherName: string): void => {
        if (settled) {
          // The slower one answered too: its answer is dropped (a stream is closed).
          cancel(result.value);
          return;
        }
        settled = true;
        hedgeWait.abort();
        other.abort();
        const hedgedOut = hedgeFired && failures === 0 ? [{ provider: otherName, outcome: 'hedged_out' }] : [];
        resolve({ ...result, attempts: [...result.attempts, ...hedgedOut] as Dispatched<T>['attempts'] });
      };
      const lost: unknown[] = [];
      const lose = (error: unknown): void => {
        failures += 1;
        lost.push(error);
        if (signal?.aborted) {
          // The call was cancelled: no second side is started for it, and once every side started has ended, one
          // error carries the attempts of both for the ledger.
          if (!settled && failures === started) {
            settled = true;
            hedgeWait.abort();
            reject(withAttemptsOf(lost));
          }
          return;
        }
        if (!settled && failures === started && (started === 2 || rest.length === 0)) {
          settled = true;
          hedgeWait.abort();
          reject(error);
        } else if (!settled && started === 1) {
          // The first failed before the hedge: go on with the rest at once, as a plain fallback.
          hedgeWait.abort();
          startSecondary();
        }
      };
      const startSecondary = (): void => {
        if (started === 2 || settled) return;
        started = 2;
        dispatch(model, rest, call, this.settings, secondaryAbort.signal).then(
          (result) => win(result, primaryAbort, first!.provider.description.id),
          lose,
        );
      };
      // A full first candidate is not waited for: the rest start at once, as a plain overflow would.
      dispatch(model, [first!], call, { ...this.settings, queueTimeoutMs: 0 }, primaryAbort.signal).then(
        (result) => win(result, secondaryAbort, rest[0]!.provider.description.id),
        lose,
      );
      void this.clock.sleep(hedgeAfterMs, hedgeWait.signal).then(() => {
        if (hedgeWait.signal.aborted) return;
        hedgeFired = true;
        startSecondary();
      });
    });
  }

  cutOf(provider: ProviderDescription, now = this.now()): CutRecord | undefined {
    return this.cuts.find((cut) => cutApplies(cut, provider, now));
  }

  /** The candidates a plan allows; a plan that allows none refuses, failing closed. */
  private allowed(plan: Plan): Candidate[] {
    if (plan.decision.mode === 'refuse' || plan.decision.allowed.length === 0)
      throw new GatewayError('no_allowed_provider', `Refused by policy: ${plan.decision.explanation}`);
    if (plan.candidates.length === 0 && plan.unreadable) {
      throw new GatewayError(
        'no_allowed_provider',
        `Refused by policy: the request carries content the gateway cannot read (${plan.unreadable.join(', ')}), which only owned providers may see unless a policy rule names it, and no allowed candidate is owned; ${plan.decision.explanation}`,
      );
    }
    if (plan.candidates.length === 0 && plan.deepScan?.outcome === 'incomplete') {
      throw new GatewayError(
        'no_allowed_provider',
        `Refused by policy: the deep scan could not complete (${plan.deepScan.reason}), so only owned providers may see this request, and no allowed candidate is owned; ${plan.decision.explanation}`,
      );
    }
    if (plan.candidates.length === 0) {
      const cut = [
        ...new Set(
          plan.all
            .map((candidate) => this.cutOf(candidate.provider.description))
            .filter((entry) => entry !== undefined)
            .map((entry) => describeCut(entry!)),
        ),
      ];
      const policyKeptOut =
        new Set(plan.all.map((candidate) => candidate.provider.description.id)).size > plan.decision.allowed.length;
      // The providers left are ones the policy forbids: that is a refusal, as when the allowed ones are down.
      if (policyKeptOut)
        throw new GatewayError(
          'no_allowed_provider',
          `Refused by policy: every allowed candidate is cut (${cut.join('; ')}); ${plan.decision.explanation}`,
        );
      throw new GatewayError('no_provider_available', `Every candidate is cut (${cut.join('; ')}).`, {
        retryAfterSeconds: 5,
      });
    }
    return plan.candidates;
  }

  /**
   * Probes every provider in the background, every `intervalMs` give or take 20% (so replicas do
   * not probe in step), so that idle providers have a known health too. A provider whose probes
   * fail is probed less and less often (up to 8× the interval) until one succeeds.
   */
  startProbes(intervalMs: number, timeoutMs: number): void {
    for (const provider of this.options.providers.values()) {
      let backoff = 1;
      void every(
        this.clock,
        () => intervalMs * backoff * (0.8 + Math.random() * 0.4),
        this.running.signal,
        async () => {
          const ok = await this.probe(provider, timeoutMs);
          backoff = ok ? 1 : Math.min(backoff * 2, 8);
        },
        () => undefined,
      );
    }
  }

  /** Probes started and not yet recorded (a test moving the clock waits for it to be 0). */
  get probesInFlight(): number {
    return this.probing;
  }

  /** One probe, recorded in the provider's health; true when it answered. */
  async probe(provider: Provider, timeoutMs: number): Promise<boolean> {
    const { now } = this;
    const started = now();
    this.probing += 1;
    try {
      await provider.probe(started + timeoutMs);
      this.health.get(provider.description.id)?.record({ at: now(), ms: now() - started, ok: true, traffic: false });
      return true;
    } catch (error) {
      // As for calls: how it failed, not the upstream's words.
      this.health
        .get(provider.description.id)
        ?.record(
          { at: now(), ms: now() - started, ok: false, traffic: false },
          error instanceof ProviderError ? failureNote(error) : `${provider.description.id}: probe failed`,
        );
      return false;
    } finally {
      this.probing -= 1;
    }
  }

  async probeAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.options.providers.values()].map((provider) => this.probe(provider, timeoutMs)));
  }

  providerStatuses(): ProviderStatus[] {
    const now = this.now();
    const traffic = new Map([...this.health].map(([id, health]) => [id, health.trafficLastHour(now)]));
    const total = [...traffic.values()].reduce((sum, count) => sum + count, 0);
    return [...this.options.providers.values()].map((provider) => {
      const { id, kind, jurisdiction, operator, ownership } = provider.description;
      const health = this.health.get(id)!;
      const circuit = this.breakers.get(id)?.current() ?? 'closed';
      const cut = this.cutOf(provider.description, now);
      const errorRate = health.errorRate(now);
      const state: HealthState = cut
        ? 'cut'
        : circuit === 'open'
          ? 'open_circuit'
          : circuit === 'half_open' || errorRate > 0.2
            ? 'degraded'
            : 'healthy';
      return {
        id,
        kind,
        jurisdiction,
        operator,
        ownership,
        state,
        circuit,
        latency_ms: health.latency(now),
        error_rate: Math.round(errorRate * 1000) / 1000,
        last_error: health.lastError
          ? { message: health.lastError.message, at: new Date(health.lastError.at).toISOString() }
          : null,
        requests_last_hour: traffic.get(id) ?? 0,
        traffic_share_last_hour: total === 0 ? 0 : Math.round(((traffic.get(id) ?? 0) / total) * 1000) / 1000,
        cut: cut ? describeCut(cut) : null,
        in_flight: provider.occupancy?.().inFlight ?? null,
        max_concurrent: provider.occupancy?.().maxConcurrent ?? null,
        overflows: this.overflows.get(id) ?? 0,
      };
    });
  }

  /** Sends the request, redacted first when the policy says so, and restores the values in the answer. */
  async chat(
    request: ChatRequest,
    plan: Plan,
    signal?: AbortSignal,
    /** A shadow call (the learning loop): passive, see DispatchSettings.passive; never hedged. */
    passive = false,
  ): Promise<Dispatched<ChatResult> & { redactedLabels?: string[] }> {
    if (plan.decision.mode !== 'redact')
      return this.dispatchAllowed(
        request.model,
        plan,
        fitted(request, (fit, provider, options) => provider.chat(fit, options)),
        signal,
        passive,
      );
    const redacted = await this.redact(request, plan);
    const result = await this.dispatchAllowed(
      request.model,
      plan,
      fitted(redacted.request, (fit, provider, options) => provider.chat(fit, options)),
      signal,
      passive,
    );
    // The answer changes, so its upstream bytes are not relayed.
    return {
      ...result,
      value: { response: restoreResponse(result.value.response, redacted.placeholders) },
      redactedLabels: redacted.labels,
    };
  }

  /**
   * Counts the request's input tokens as the first allowed candidate that answers would (its tokenizer, or its count
   * endpoint: a call that sends the request, so it passes the policy like a chat call, redacted where the rule says).
   */
  async countTokens(request: ChatRequest, plan: Plan, signal?: AbortSignal): Promise<Dispatched<number>> {
    const sent = plan.decision.mode === 'redact' ? (await this.redact(request, plan)).request : request;
    const count = (candidate: Candidate, options: CallOptions): Promise<number> =>
      tokensOf(candidate.provider, sent, options);
    const [first] = this.allowed(plan);
    if (first && !first.provider.countsRemotely) {
      // Counted here, nothing sent: not an attempt, so no circuit breaker or health sample is moved by it (counts
      // before every call would otherwise keep a failing provider's circuit closed).
      try {
        const options = {
          upstreamModel: first.upstreamModel,
          deadline: this.settings.now() + this.settings.attemptTimeoutMs(first),
          signal,
        };
        return { value: await count(first, options), candidate: first, attempts: [] };
      } catch (error) {
        // It could not count (a local model's weights refused, say): routed like a call, to the next candidate.
        if (!(error instanceof ProviderError)) throw error;
      }
    }
    return this.dispatchAllowed(request.model, plan, count, signal);
  }

  /** The redacted request, checked again as each provider kind among the allowed candidates would send it. */
  private async redact(request: ChatRequest, plan: Plan): Promise<Awaited<ReturnType<typeof redactChat>>> {
    const redacted = await redactChat(request, plan.classification, this.classifySettings);
    for (const { kind, findings, opaque } of await this.classifyTranslations(redacted.request, plan.candidates)) {
      const left = labelsWith([], findings, opaque);
      if (left.length > 0)
        throw new GatewayError(
          'no_allowed_provider',
          `Refused by policy: redaction could not remove everything sensitive from the ${kind} request (labels still found: ${left.join(', ')}).`,
        );
    }
    return redacted;
  }

  /** Resolves once the chosen upstream has sent its first event; falls back before that. */
  async chatStream(
    request: ChatRequest,
    plan: Plan,
    signal?: AbortSignal,
  ): Promise<Dispatched<ChatStream> & { redactedLabels?: string[] }> {
    if (plan.decision.mode !== 'redact')
      return this.dispatchAllowed(
        request.model,
        plan,
        fitted(request, (fit, provider, options) => provider.chatStream(fit, options)),
        signal,
      );
    const redacted = await this.redact(request, plan);
    const result = await this.dispatchAllowed(
      request.model,
      plan,
      fitted(redacted.request, (fit, provider, options) => provider.chatStream(fit, options)),
      signal,
    );
    return { ...result, value: restoreStream(result.value, redacted.placeholders), redactedLabels: redacted.labels };
  }

  /**
   * Continues a stream whose upstream failed after its first byte: the original request plus the
   * answer delivered so far as an assistant prefix, sent to the allowed candidates that have not
   * failed yet (never to one the policy forbids or that is cut). Undefined when none remains.
   */
  async continueChatStream(
    request: ChatRequest,
    plan: Plan,
    delivered: string,
    failed: ReadonlySet<string>,
  ): Promise<Dispatched<ChatStream> | undefined> {
    if (plan.decision.mode !== 'allow') return undefined;
    const continued: ChatRequest = {
      ...request,
      messages: [...request.messages, { role: 'assistant', content: delivered }],
    };
    // The answer so far leaves too: what it carries (a name the model wrote, say) is classified, and
    // the policy decides again over everything the continuation sends.
    const answer = await classifyRequest(
      { ...continued, messages: continued.messages.slice(-1), tools: undefined, extra: {} },
      [],
      this.classifySettings,
    ).catch(() => undefined);
    if (!answer) return undefined;
    const again = await this.planDeep(plan.all, {
      ...answer,
      declared: plan.classification.declared,
      labels: [...new Set([...plan.classification.labels, ...answer.labels])].sort(),
    });
    if (again.decision.mode !== 'allow') return undefined;
    const allowed = again.candidates.filter((candidate) => plan.candidates.includes(candidate));
    const candidates = allowed.filter((candidate) => !failed.has(candidate.provider.description.id));
    if (candidates.length === 0) return undefined;
    try {
      return await dispatch(
        request.model,
        candidates,
        fitted(continued, (fit, provider, options) => provider.chatStream(fit, options)),
        this.settings,
      );
    } catch {
      return undefined;
    }
  }

  embeddings(request: EmbeddingsRequest, plan: Plan, signal?: AbortSignal): Promise<Dispatched<EmbeddingsResponse>> {
    // An embedding of a redacted text is not the embedding of the text: no redaction here.
    if (plan.decision.mode === 'redact')
      throw new GatewayError(
        'no_allowed_provider',
        `Refused by policy: ${plan.decision.explanation} Embeddings are not redacted.`,
      );
    return this.dispatchAllowed(
      request.model,
      plan,
      (candidate, options) => candidate.provider.embeddings!(request, options),
      signal,
    );
  }

  /**
   * Tries only the allowed candidates. When they all fail and the policy kept others out, the
   * answer is a refusal, not a fallback: an allowed provider being down is never a reason to use
   * a forbidden one.
   */
  private async dispatchAllowed<T>(
    model: string,
    plan: Plan,
    call: Parameters<typeof dispatch<T>>[2],
    signal?: AbortSignal,
    passive = false,
  ): Promise<Dispatched<T>> {
    const candidates = this.allowed(plan);
    try {
      if (passive) return await dispatch(model, candidates, call, { ...this.settings, passive }, signal);
      const hedgeAfter = this.options.config.models[model]?.hedge_after_ms;
      if (hedgeAfter !== undefined && candidates.length > 1)
        return await this.hedged(model, candidates, call, hedgeAfter, signal);
      return await dispatch(model, candidates, call, this.settings, signal);
    } catch (error) {
      if (
        !(error instanceof GatewayError) ||
        error.code === 'upstream_rejected' ||
        error.code === 'context_length_exceeded' ||
        candidates.length === plan.all.length
      )
        throw error;
      throw new GatewayError(
        'no_allowed_provider',
        `Refused by policy: no allowed candidate could serve (${error.message}); ${plan.decision.explanation} The others are not used.`,
        { attempts: error.attempts, cause: error },
      );
    }
  }

  /**
   * The model name when this gateway serves it, else undefined: what a client typed goes into
   * metrics labels, logs and the ledger only when it is one of ours (unbounded, it could be data).
   */
  knownModel(name: string): string | undefined {
    return this.catalog.routes.has(name) ? name : undefined;
  }

  /** Every model name served, aliases first. */
  modelNames(): Array<{ id: string; ownedBy: string }> {
    const names: Array<{ id: string; ownedBy: string }> = this.catalog.aliases.map((alias) => ({
      id: alias,
      ownedBy: 'sovereign-gateway',
    }));
    for (const [name, candidates] of this.catalog.routes) {
      if (name.includes('/') && !this.catalog.aliases.includes(name))
        names.push({ id: name, ownedBy: candidates[0]!.provider.description.operator });
    }
    return names;
  }

  /** At least one provider whose circuit is not open. */
  hasHealthyProvider(): boolean {
    for (const breaker of this.breakers.values()) if (breaker.current() !== 'open') return true;
    return false;
  }

  async close(): Promise<void> {
    this.running.abort();
    await Promise.allSettled([
      ...[...this.options.providers.values()].map((provider) => provider.close()),
      this.options.deepScanner?.close(),
    ]);
  }

  private recordFailure(model: string, candidate: Candidate, error: ProviderError, willFallBack: boolean): void {
    const { metrics } = this.options;
    const id = candidate.provider.description.id;
    if (error.kind === 'busy') this.overflows.set(id, (this.overflows.get(id) ?? 0) + 1);
    metrics.upstreamErrors.inc([id, error.kind]);
    if (willFallBack) metrics.fallbacks.inc([model, id]);
  }
}

/**
 * A provider's last failure for last_error: its kind and status; for a connection that failed, the gateway's own
 * message (an error code, or the SSRF guard's refusal naming the address), never an upstream's text.
 */
function failureNote(error: ProviderError): string {
  if (error.kind === 'connect') return error.message;
  return `${error.providerId}: ${error.kind}${error.upstreamStatus ? ` (${error.upstreamStatus})` : ''}`;
}

/** The first of a hedge's errors, carrying the attempts of all of them (each side's are its own). */
function withAttemptsOf(errors: unknown[]): unknown {
  const [first] = errors;
  if (!(first instanceof GatewayError) || errors.length === 1) return first;
  const attempts = errors.flatMap((error) => (error instanceof GatewayError ? error.attempts : []));
  return new GatewayError(first.code, first.message, {
    cause: first.cause,
    attempts,
    retryAfterSeconds: first.retryAfterSeconds,
  });
}
