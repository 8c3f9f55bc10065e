// The request path after parsing: auth → route → dispatch, for every dialect. The API layer
// parses the wire format into neutral requests and writes the neutral answers back.
import type { Config } from '../config/schema.js';
import type { ChatRequest, EmbeddingsRequest, EmbeddingsResponse } from '../core/chat.js';
import { GatewayError, type ProviderError } from '../core/errors.js';
import type { ChatResult, ChatStream, Provider } from '../core/provider.js';
import type { Metrics } from '../telemetry/metrics.js';
import { decide, openPolicy, policyHash, type PolicyDecision, type PolicyDocument } from '../policy/policy.js';
import { buildCatalog, resolveModel, type Candidate, type Catalog } from './catalog.js';
import { classifyChat, classifyEmbeddings, type Classification } from './classify.js';
import { redactChat, restoreResponse, restoreStream } from './redact.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { dispatch, type Dispatched, type DispatchSettings } from './dispatch.js';

export interface GatewayOptions {
  config: Config;
  providers: Map<string, Provider>;
  metrics: Metrics;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What classification and policy decided for one request, before any provider is called. */
export interface Plan {
  classification: Classification;
  decision: PolicyDecision;
  /** The model's candidates the policy allows, in order. */
  candidates: Candidate[];
  /** Every candidate of the model, allowed or not (for explanations). */
  all: Candidate[];
}

export class Gateway {
  readonly catalog: Catalog;
  readonly policy: PolicyDocument;
  readonly policyHash: string;
  readonly breakers = new Map<string, CircuitBreaker>();
  private readonly settings: DispatchSettings;

  constructor(private readonly options: GatewayOptions) {
    const { config, providers, metrics, now } = options;
    this.catalog = buildCatalog(config, providers);
    this.policy = (config.policy as PolicyDocument | undefined) ?? openPolicy;
    this.policyHash = policyHash(this.policy);
    for (const id of providers.keys()) this.breakers.set(id, new CircuitBreaker(config.routing.breaker.failures, config.routing.breaker.cooldown_ms, now));
    metrics.observeCircuits(() => [...this.breakers].map(([provider, breaker]) => [provider, breaker.current() === 'closed' ? 0 : 1]));
    const providerTimeouts = new Map(config.providers.map((provider) => [provider.id, provider.timeout_ms ?? config.routing.attempt_timeout_ms]));
    this.settings = {
      attemptTimeoutMs: (candidate) => providerTimeouts.get(candidate.provider.description.id) ?? config.routing.attempt_timeout_ms,
      retries: config.routing.retries,
      maxRetryWaitMs: config.routing.max_retry_wait_ms,
      breakers: this.breakers,
      now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      onFailure: (model, candidate, error, willFallBack) => this.recordFailure(model, candidate, error, willFallBack),
    };
  }

  /** Classifies the request and applies the policy to the model's candidates; calls no provider. */
  planChat(request: ChatRequest, declaredLabels: readonly string[]): Plan {
    return this.plan(resolveModel(this.catalog, request.model), classifyChat(request, declaredLabels));
  }

  planEmbeddings(request: EmbeddingsRequest, declaredLabels: readonly string[]): Plan {
    const all = resolveModel(this.catalog, request.model).filter((candidate) => candidate.provider.embeddings !== undefined);
    if (all.length === 0) throw new GatewayError('invalid_request', `No provider of "${request.model}" offers embeddings.`, { param: 'model' });
    return this.plan(all, classifyEmbeddings(request, declaredLabels));
  }

  private plan(all: Candidate[], classification: Classification): Plan {
    const providers = [...new Map(all.map((candidate) => [candidate.provider.description.id, candidate.provider.description])).values()];
    const decision = decide(this.policy, classification.labels, providers);
    const candidates = all.filter((candidate) => decision.allowed.includes(candidate.provider.description.id));
    return { classification, decision, candidates, all };
  }

  /** The candidates a plan allows; a plan that allows none refuses, failing closed. */
  private allowed(plan: Plan): Candidate[] {
    if (plan.decision.mode === 'refuse' || plan.candidates.length === 0) throw new GatewayError('no_allowed_provider', `Refused by policy: ${plan.decision.explanation}`);
    return plan.candidates;
  }

  /** Sends the request, redacted first when the policy says so, and restores the values in the answer. */
  async chat(request: ChatRequest, plan: Plan, signal?: AbortSignal): Promise<Dispatched<ChatResult> & { redactedLabels?: string[] }> {
    if (plan.decision.mode !== 'redact') return this.dispatchAllowed(request.model, plan, (candidate, options) => candidate.provider.chat(request, options), signal);
    const redacted = redactChat(request, plan.classification, plan.classification.declared);
    const result = await this.dispatchAllowed(request.model, plan, (candidate, options) => candidate.provider.chat(redacted.request, options), signal);
    // The answer changes, so its upstream bytes are not relayed.
    return { ...result, value: { response: restoreResponse(result.value.response, redacted.placeholders) }, redactedLabels: redacted.labels };
  }

  /** Resolves once the chosen upstream has sent its first event; falls back before that. */
  async chatStream(request: ChatRequest, plan: Plan, signal?: AbortSignal): Promise<Dispatched<ChatStream> & { redactedLabels?: string[] }> {
    if (plan.decision.mode !== 'redact') return this.dispatchAllowed(request.model, plan, (candidate, options) => candidate.provider.chatStream(request, options), signal);
    const redacted = redactChat(request, plan.classification, plan.classification.declared);
    const result = await this.dispatchAllowed(request.model, plan, (candidate, options) => candidate.provider.chatStream(redacted.request, options), signal);
    return { ...result, value: restoreStream(result.value, redacted.placeholders), redactedLabels: redacted.labels };
  }

  embeddings(request: EmbeddingsRequest, plan: Plan, signal?: AbortSignal): Promise<Dispatched<EmbeddingsResponse>> {
    // An embedding of a redacted text is not the embedding of the text: no redaction here.
    if (plan.decision.mode === 'redact') throw new GatewayError('no_allowed_provider', `Refused by policy: ${plan.decision.explanation} Embeddings are not redacted.`);
    return this.dispatchAllowed(request.model, plan, (candidate, options) => candidate.provider.embeddings!(request, options), signal);
  }

  /**
   * Tries only the allowed candidates. When they all fail and the policy kept others out, the
   * answer is a refusal, not a fallback: an allowed provider being down is never a reason to use
   * a forbidden one.
   */
  private async dispatchAllowed<T>(model: string, plan: Plan, call: Parameters<typeof dispatch<T>>[2], signal?: AbortSignal): Promise<Dispatched<T>> {
    const candidates = this.allowed(plan);
    try {
      return await dispatch(model, candidates, call, this.settings, signal);
    } catch (error) {
      if (!(error instanceof GatewayError) || error.code === 'upstream_rejected' || candidates.length === plan.all.length) throw error;
      throw new GatewayError('no_allowed_provider', `Refused by policy: no allowed candidate could serve (${error.message}); ${plan.decision.explanation} The others are not used.`, { attempts: error.attempts, retryable: true, cause: error });
    }
  }

  /** Every model name served, aliases first. */
  modelNames(): Array<{ id: string; ownedBy: string }> {
    const names: Array<{ id: string; ownedBy: string }> = this.catalog.aliases.map((alias) => ({ id: alias, ownedBy: 'sovereign-gateway' }));
    for (const [name, candidates] of this.catalog.routes) {
      if (name.includes('/') && !this.catalog.aliases.includes(name)) names.push({ id: name, ownedBy: candidates[0]!.provider.description.operator });
    }
    return names;
  }

  /** At least one provider whose circuit is not open. */
  hasHealthyProvider(): boolean {
    for (const breaker of this.breakers.values()) if (breaker.current() !== 'open') return true;
    return false;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.options.providers.values()].map((provider) => provider.close()));
  }

  private recordFailure(model: string, candidate: Candidate, error: ProviderError, willFallBack: boolean): void {
    const { metrics } = this.options;
    const id = candidate.provider.description.id;
    metrics.upstreamErrors.inc([id, error.kind]);
    if (willFallBack) metrics.fallbacks.inc([model, id]);
  }
}
