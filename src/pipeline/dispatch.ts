// Tries a model's candidates in order: per-attempt deadlines, retries on retryable failures
// (honouring Retry-After up to a bound), fallback to the next candidate, and a circuit breaker per provider.
import { GatewayError, ProviderError } from '../core/errors.js';
import type { CallOptions } from '../core/provider.js';
import type { Candidate } from './catalog.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { ContextLengthError } from './context-fit.js';

export interface DispatchSettings {
  attemptTimeoutMs: (candidate: Candidate) => number;
  retries: number;
  maxRetryWaitMs: number;
  breakers: Map<string, CircuitBreaker>;
  now: () => number;
  /** A wait before a retry (an upstream's Retry-After); it ends early when `signal` (the call's) is aborted. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * routing.queue_timeout_ms: how long a call whose every candidate is at its max_concurrent waits for a slot to free
   * before it is 429 provider_busy (0: not at all).
   */
  queueTimeoutMs?: number;
  /**
   * A candidate no attempt may be sent to any more (cut since the call was planned): checked before every attempt, so
   * a cut stops calls already on their way too.
   */
  excluded?: (candidate: Candidate) => boolean;
  /** Told of every failed attempt (metrics, logs). */
  onFailure?: (model: string, candidate: Candidate, error: ProviderError, willFallBack: boolean) => void;
  /** Told of every attempt, with its duration (live health). */
  onAttempt?: (candidate: Candidate, ok: boolean, ms: number, error?: ProviderError) => void;
  /**
   * A call that only observes (a shadow call of the learning loop): it goes only where the circuit is closed, and its
   * outcome touches no breaker, health or failure count, so a failing candidate cannot cut callers off.
   */
  passive?: boolean;
}

/** What a passive call does to a breaker: it reads it and changes nothing. */
const untouched = {
  allow: () => true,
  success: () => {},
  release: () => {},
  failure: () => {},
};

export interface Attempt {
  provider: string;
  /** `cancelled`: the caller stopped the attempt (the client went away, the gateway stopped, a hedge won). */
  outcome: 'ok' | 'cancelled' | ProviderError['kind'];
}

export interface Dispatched<T> {
  value: T;
  candidate: Candidate;
  attempts: Attempt[];
}

export async function dispatch<T>(
  model: string,
  candidates: readonly Candidate[],
  call: (candidate: Candidate, options: CallOptions) => Promise<T>,
  settings: DispatchSettings,
  signal?: AbortSignal,
): Promise<Dispatched<T>> {
  const attempts: Attempt[] = [];
  let last: ProviderError | undefined;
  /** When the wait for a slot ends, once every candidate was found busy (on the settings' clock). */
  let queueUntil: number | undefined;
  for (;;) {
    const value = await dispatchOnce(model, candidates, call, settings, signal, attempts);
    if (value.done) return value.dispatched;
    last = value.last;
    // Only when every attempt found its provider busy: a short wait for any of them to free a slot, then again.
    if (last?.kind !== 'busy' || !attempts.every((attempt) => attempt.outcome === 'busy')) break;
    queueUntil ??= settings.now() + (settings.queueTimeoutMs ?? 0);
    const left = queueUntil - settings.now();
    if (left <= 0 || signal?.aborted) break;
    const freed = new AbortController();
    await Promise.race([
      settings.sleep(left, AbortSignal.any([freed.signal, ...(signal ? [signal] : [])])),
      ...candidates.map((candidate) => candidate.provider.whenFree?.(freed.signal) ?? new Promise<void>(() => {})),
    ]);
    freed.abort();
    // The passes before found nothing but busy providers: they are not attempts worth recording one by one.
    attempts.length = 0;
  }
  if (signal?.aborted) throw cancelled(model, attempts, last, signal);
  if (last === undefined) {
    // No attempt could be made (every circuit open): Retry-After says when the first of them lets a trial through.
    const trialInMs = Math.min(
      ...candidates.map((candidate) => settings.breakers.get(candidate.provider.description.id)?.trialInMs() ?? 0),
    );
    throw toGatewayError(
      model,
      attempts,
      last,
      Number.isFinite(trialInMs) ? Math.max(1, Math.ceil(trialInMs / 1000)) : 1,
    );
  }
  throw toGatewayError(model, attempts, last);
}

/** One pass over the candidates: the answer, or how the last attempt failed. */
async function dispatchOnce<T>(
  model: string,
  candidates: readonly Candidate[],
  call: (candidate: Candidate, options: CallOptions) => Promise<T>,
  settings: DispatchSettings,
  signal: AbortSignal | undefined,
  attempts: Attempt[],
): Promise<{ done: true; dispatched: Dispatched<T> } | { done: false; last: ProviderError | undefined }> {
  let last: ProviderError | undefined;
  for (let index = 0; index < candidates.length; index += 1) {
    const candidate = candidates[index]!;
    const own = settings.breakers.get(candidate.provider.description.id);
    if (settings.passive && own && own.current() !== 'closed') continue;
    const breaker = settings.passive ? untouched : own;
    const onAttempt = settings.passive ? undefined : settings.onAttempt;
    const onFailure = settings.passive ? undefined : settings.onFailure;
    for (let attempt = 0; attempt <= settings.retries; attempt += 1) {
      // Cancelled (the client went away, the gateway stops, a hedge won): no further attempt is sent.
      if (signal?.aborted) throw cancelled(model, attempts, last, signal);
      if (settings.excluded?.(candidate)) break;
      if (breaker && !breaker.allow()) break;
      const started = settings.now();
      try {
        const value = await call(candidate, {
          upstreamModel: candidate.upstreamModel,
          deadline: settings.now() + settings.attemptTimeoutMs(candidate),
          signal,
        });
        breaker?.success();
        attempts.push({ provider: candidate.provider.description.id, outcome: 'ok' });
        onAttempt?.(candidate, true, settings.now() - started);
        return { done: true, dispatched: { value, candidate, attempts } };
      } catch (error) {
        if (!(error instanceof ProviderError)) {
          breaker?.release();
          throw error;
        }
        // Cancelled by the caller (the client went away, a hedge won elsewhere): not the provider's failure, so its
        // breaker's trial (if this was one) is handed back.
        if (signal?.aborted) {
          breaker?.release();
          attempts.push({ provider: error.providerId, outcome: 'cancelled' });
          throw cancelled(model, attempts, error, signal);
        }
        last = error;
        attempts.push({ provider: error.providerId, outcome: error.kind });
        if (error.kind === 'busy') {
          // At its max_concurrent: nothing was sent, so neither its health nor its circuit is touched; the next
          // candidate takes the call (an overflow, counted as a fallback).
          breaker?.release();
          onFailure?.(model, candidate, error, index < candidates.length - 1);
          break;
        }
        if (error instanceof ContextLengthError) {
          // Too long for this window: decided here, nothing was sent, so the provider's health and circuit are not
          // touched (a client could otherwise make a provider look failing with oversized input).
          breaker?.release();
          break;
        }
        onAttempt?.(candidate, false, settings.now() - started, error);
        if (error.kind === 'rejected') {
          // The request itself is wrong; another attempt anywhere would be refused the same way.
          breaker?.success();
          throw new GatewayError('upstream_rejected', error.message, { cause: error, attempts });
        }
        if (error.kind === 'unavailable') {
          // Capacity or capability, not health: the circuit stays as it is, and the next candidate is tried.
          breaker?.release();
          onFailure?.(model, candidate, error, index < candidates.length - 1);
          break;
        }
        breaker?.failure();
        const retrySame = attempt < settings.retries && shouldRetrySame(error, settings.maxRetryWaitMs);
        onFailure?.(model, candidate, error, !retrySame && index < candidates.length - 1);
        if (!retrySame) break;
        // The client that leaves during the wait ends it: the loop's next turn sees the signal and sends nothing.
        if (error.retryAfterSeconds) await settings.sleep(error.retryAfterSeconds * 1000, signal);
      }
    }
  }
  return { done: false, last };
}

/**
 * The error of a dispatch its caller cancelled: the signal's reason when the gateway gave one (client_closed,
 * shutting_down, which the record reads), else what the attempts came to.
 */
function cancelled(
  model: string,
  attempts: Attempt[],
  last: ProviderError | undefined,
  signal: AbortSignal,
): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError)
    return new GatewayError(reason.code, reason.message, {
      cause: last ?? reason,
      attempts,
      retryAfterSeconds: reason.retryAfterSeconds,
    });
  return toGatewayError(model, attempts, last);
}

/** Connect errors and 5xx are worth a second try at the same place; a timeout or bad answer is not. */
function shouldRetrySame(error: ProviderError, maxRetryWaitMs: number): boolean {
  switch (error.kind) {
    case 'connect':
    case 'server':
      return true;
    case 'rate_limited':
      return (error.retryAfterSeconds ?? 0) * 1000 <= maxRetryWaitMs;
    default:
      return false;
  }
}

function toGatewayError(
  model: string,
  attempts: Attempt[],
  last: ProviderError | undefined,
  retryAfterSeconds = 1,
): GatewayError {
  if (!last) {
    return new GatewayError(
      'no_provider_available',
      `No candidate of "${model}" can serve now (every circuit breaker is open or no provider supports this call).`,
      { retryAfterSeconds, attempts },
    );
  }
  const tried = [...new Set(attempts.map((attempt) => attempt.provider))].join(', ');
  if (last instanceof ContextLengthError)
    return new GatewayError(
      'context_length_exceeded',
      `Your input exceeds the context window of ${attempts.length > 1 ? 'every candidate' : 'the model'} of "${model}" (tried: ${tried}; last: ${last.message}). Send less, or set truncation: "auto" on a Responses call to drop the oldest turns.`,
      { param: 'input', attempts },
    );
  const message = `Every candidate of "${model}" failed (tried: ${tried}); last: ${last.message}`;
  switch (last.kind) {
    case 'timeout':
      return new GatewayError('upstream_timeout', message, { cause: last, attempts });
    case 'rate_limited':
      return new GatewayError('upstream_rate_limited', message, {
        retryAfterSeconds: last.retryAfterSeconds ?? 1,
        cause: last,
        attempts,
      });
    case 'invalid_response':
      return new GatewayError('upstream_invalid_response', message, { cause: last, attempts });
    case 'unavailable':
      return new GatewayError('no_provider_available', message, { retryAfterSeconds: 1, cause: last, attempts });
    case 'busy':
      return new GatewayError(
        'provider_busy',
        `Every allowed candidate of "${model}" is at its max_concurrent calls (${tried}); retry shortly.`,
        { retryAfterSeconds: 1, cause: last, attempts },
      );
    default:
      return new GatewayError('upstream_error', message, { cause: last, attempts });
  }
}
