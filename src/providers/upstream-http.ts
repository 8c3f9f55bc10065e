// One undici pool per upstream origin, the settings every HTTP kind shares, and the mapping of
// transport and HTTP failures to ProviderError kinds that decide retry and fallback. Shared by
// every HTTP provider kind. Deadlines are on the gateway's clock (one DeadlineWatch per upstream),
// not undici's own timers, which are turned off: a test moving a ManualClock sees a call time out.
import type { LookupFunction } from 'node:net';
import { Pool, errors as undiciErrors } from 'undici';
import { z } from 'zod';
import { type AddressRule, addressRefusal, guardedLookup } from '../core/address-guard.js';
import { onCancel } from '../core/cancel.js';
import type { Clock } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import type { Ownership } from '../core/provider.js';
import { DeadlineWatch, type WatchedDeadline } from './deadline-watch.js';
import { defaultMaxAnswerBytes, environmentNameSchema, ProviderSettingsError } from './provider-kind.js';

/** The keys of an HTTP kind's settings beside the description keys (kindSettings adds those). */
export function httpSettingsKeys(kind: string) {
  return {
    base_url: z
      .url({
        protocol: /^https?$/,
        error: (issue) =>
          issue.input === undefined ? `is required for kind: ${kind}` : 'must be an http:// or https:// URL',
      })
      .describe('The API root, e.g. https://api.openai.com/v1 (requests go to base_url + /chat/completions…).'),
    api_key_env: environmentNameSchema
      .optional()
      .describe("The environment variable holding the upstream's key (the file never holds secrets)."),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe("Extra non-secret headers sent upstream (e.g. OpenRouter's HTTP-Referer)."),
    max_connections: z
      .number()
      .int()
      .positive()
      .default(1024)
      .describe(
        "Upstream connections this provider's pool may open (each a socket, and a stream holds one for as long as it lasts; opened as needed, not in advance).",
      ),
    max_concurrent: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Calls in flight to this provider at once (default max_connections). At the limit a call overflows to the next allowed candidate, or waits at most routing.queue_timeout_ms for a slot, then is 429 provider_busy: never queued silently.',
      ),
    private_network: z
      .boolean()
      .optional()
      .describe(
        "Lets the gateway reach this provider on private, loopback and link-local addresses (a rented model behind a private link). Without it an owned provider may reach private and loopback ones (never link-local), any provider a loopback address written in base_url; a name that resolves to a refused address fails at connect time (docs/configuration.md, 'Where the gateway may connect').",
      ),
    context_window: z
      .union([z.number().int().positive(), z.record(z.string(), z.number().int().positive())])
      .optional()
      .describe(
        "The models' context window in tokens (one number, or one per model name). With it, a call that does not fit is not sent: the next candidate is tried, a Responses call with truncation: auto drops its oldest turns, and otherwise the answer is context_length_exceeded.",
      ),
  };
}

/** A model's window from `context_window`: the number, or the model's entry. */
export function contextWindowOf(
  setting: number | Record<string, number> | undefined,
  model: string,
): number | undefined {
  if (setting === undefined || typeof setting === 'number') return setting;
  return Object.hasOwn(setting, model) ? setting[model] : undefined;
}

/** What an HTTP kind reads of its settings to reach its upstream. */
export interface HttpSettings {
  id: string;
  base_url: string;
  api_key_env?: string;
  headers?: Record<string, string>;
  max_connections: number;
  max_concurrent?: number;
  ownership: Ownership;
  private_network?: boolean;
}

/** The secret `api_key_env` names, from the environment handed in; one named but not set stops the start. */
export function apiKeyOf(
  settings: HttpSettings,
  environment: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (!settings.api_key_env) return undefined;
  const key = environment[settings.api_key_env];
  if (!key)
    throw new ProviderSettingsError('api_key_env', `the environment variable ${settings.api_key_env} is not set`);
  return key;
}

export interface UpstreamTarget {
  providerId: string;
  pool: Pool;
  /** base_url's path without a trailing slash, e.g. "/v1". */
  basePath: string;
  /** The gateway's clock: deadlines are on it, and Retry-After dates are read against it. */
  clock: Clock;
  /** The deadlines of the calls in flight, on `clock`. */
  deadlines: DeadlineWatch;
  /** limits.max_answer_bytes: the most an answer (a body, or a whole stream) may carry. */
  maxAnswerBytes: number;
  /** Calls in flight (a stream until its upstream body ends), against `maxConcurrent`. */
  inFlight: number;
  maxConcurrent: number;
  /** Waits for a free slot (whenFree), woken one release at a time. */
  freeWaiters: Set<() => void>;
}

export function createUpstreamTarget(
  settings: HttpSettings,
  clock: Clock,
  maxAnswerBytes = defaultMaxAnswerBytes,
  resolve?: LookupFunction,
): UpstreamTarget {
  const url = new URL(settings.base_url);
  const rule: AddressRule = {
    name: `provider "${settings.id}"`,
    ownership: settings.ownership,
    privateNetwork: settings.private_network,
  };
  // pipelining 1: upstream model servers answer one request at a time per connection. Every connection's address is
  // checked (the SSRF guard, core/address-guard.ts; an address in base_url itself, by the config's schema); undici follows no redirect unless told to, so none is followed.
  const pool = new Pool(url.origin, {
    connections: settings.max_connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { lookup: guardedLookup(rule, resolve) },
  });
  return {
    providerId: settings.id,
    pool,
    basePath: url.pathname.replace(/\/+$/, ''),
    clock,
    deadlines: new DeadlineWatch(clock),
    maxAnswerBytes,
    inFlight: 0,
    maxConcurrent: Math.min(settings.max_concurrent ?? settings.max_connections, settings.max_connections),
    freeWaiters: new Set(),
  };
}

/** The ProviderError of a call past `max_concurrent`: not ill health, the next candidate takes it. */
function busy(target: UpstreamTarget): ProviderError {
  return new ProviderError(
    target.providerId,
    'busy',
    `${target.providerId} is at its max_concurrent (${target.maxConcurrent}) calls`,
    { ownWords: true },
  );
}

/** A slot of `max_concurrent` for one call, or a `busy` ProviderError; the returned release is idempotent. */
export function takeSlot(target: UpstreamTarget): () => void {
  if (target.inFlight >= target.maxConcurrent) throw busy(target);
  target.inFlight += 1;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    target.inFlight -= 1;
    // One waiter per freed slot: the others stay asleep rather than race for it.
    for (const wake of target.freeWaiters) {
      target.freeWaiters.delete(wake);
      wake();
      break;
    }
  };
}

/** The provider's occupancy (GET /v1/providers). */
export function occupancyOf(target: UpstreamTarget): { inFlight: number; maxConcurrent: number } {
  return { inFlight: target.inFlight, maxConcurrent: target.maxConcurrent };
}

/** Resolves when a slot frees (at once if one is free), or when `signal` aborts. */
export function whenFree(target: UpstreamTarget, signal?: AbortSignal): Promise<void> {
  if (target.inFlight < target.maxConcurrent || signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const wake = (): void => {
      target.freeWaiters.delete(wake);
      stop?.();
      resolve();
    };
    target.freeWaiters.add(wake);
    const stop = signal ? onCancel(signal, wake) : undefined;
  });
}

/**
 * Ends every call still in flight (each fails as a ProviderError), closes the connections and ends the deadline
 * watch's sleep (no wait is left on the clock). Destroyed rather than closed: `Pool.close()` waits for the requests in
 * flight, and an upstream that drips its answer would hold a shutdown for as long as it likes.
 */
export async function closeUpstreamTarget(target: UpstreamTarget): Promise<void> {
  target.deadlines.close();
  await target.pool.destroy(
    new ProviderError(target.providerId, 'unavailable', `${target.providerId}: the gateway closed its connections`),
  );
}

/** Past this, an error answer's body is not kept: only its first 2,000 characters are read for its message. */
const maxErrorBodyBytes = 4096;

/** The ProviderError of an answer past limits.max_answer_bytes. */
export function answerTooLarge(target: UpstreamTarget): ProviderError {
  return new ProviderError(
    target.providerId,
    'invalid_response',
    `${target.providerId} answered with more than ${target.maxAnswerBytes} bytes (limits.max_answer_bytes); the answer was cut`,
  );
}

/** Keeps the first bytes of an error answer, within maxErrorBodyBytes. */
export function keepErrorBytes(pieces: Buffer[], size: number, chunk: Buffer): number {
  if (size >= maxErrorBodyBytes) return size;
  const piece = size + chunk.length > maxErrorBodyBytes ? chunk.subarray(0, maxErrorBodyBytes - size) : chunk;
  pieces.push(piece);
  return size + piece.length;
}

/** undici's own timers are off (0): the deadline watch on the gateway's clock bounds every call. */
export const noUndiciTimers = { headersTimeout: 0, bodyTimeout: 0 } as const;

/** The ProviderError of an attempt that reached its deadline on the clock. */
export function deadlineExceeded(providerId: string): ProviderError {
  return new ProviderError(providerId, 'timeout', `${providerId}: no answer within the attempt deadline`);
}

/** The ProviderError of an attempt its caller cancelled (the client went away, a hedge won, the gateway stops). */
export function attemptCancelled(providerId: string, reason: unknown): ProviderError {
  return new ProviderError(providerId, 'timeout', `${providerId}: attempt aborted`, { cause: reason });
}

/**
 * Aborts a dispatched request when its deadline passes on the clock, or when its signal aborts,
 * even if that happens before undici has handed over the request's controller. `release` also
 * stops the wait on the signal (a caller's signal may outlive many attempts; onCancel: no listener
 * per attempt on a call's own signal).
 */
export function abortWhenDue(
  target: UpstreamTarget,
  request: UpstreamRequest,
  releaseSlot?: () => void,
): { started(controller: { abort(reason?: Error): void }): void; watched: WatchedDeadline } {
  let controller: { abort(reason?: Error): void } | undefined;
  let reason: Error | undefined;
  const abort = (error: Error): void => {
    reason ??= error;
    controller?.abort(error);
  };
  const deadline = target.deadlines.watch(request.deadline, () => abort(deadlineExceeded(target.providerId)));
  const signal = request.signal;
  const stopWaiting = signal
    ? onCancel(signal, () => abort(attemptCancelled(target.providerId, signal.reason)))
    : undefined;
  return {
    started(requestController) {
      controller = requestController;
      if (reason) requestController.abort(reason);
    },
    watched: {
      move: deadline.move,
      release() {
        deadline.release();
        stopWaiting?.();
        releaseSlot?.();
      },
    },
  };
}

export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  /**
   * The attempt's deadline on the gateway's clock: until the whole answer, headers and body (buffered), or the first
   * event (streams).
   */
  deadline: number;
  /** Streams: the longest silence between two SSE events (comments are silence) once the first event has arrived. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface BufferedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * POSTs and collects the whole answer through undici's dispatch handler API: no Readable stream,
 * async iterator or end-of-stream bookkeeping per response, which the profile of the non-streaming
 * hot path showed to be the largest cost the gateway adds over a bare proxy. Non-2xx answers are
 * thrown as ProviderErrors.
 */
export function postUpstreamBuffered(target: UpstreamTarget, request: UpstreamRequest): Promise<BufferedResponse> {
  return requestUpstreamBuffered(target, 'POST', request);
}

/** A GET that only has to succeed (health probes). */
export async function getUpstream(
  target: UpstreamTarget,
  path: string,
  headers: Record<string, string>,
  deadline: number,
): Promise<void> {
  await requestUpstreamBuffered(target, 'GET', { path, headers, body: '', deadline });
}

function requestUpstreamBuffered(
  target: UpstreamTarget,
  method: 'GET' | 'POST',
  request: UpstreamRequest,
): Promise<BufferedResponse> {
  return new Promise<BufferedResponse>((resolve, reject) => {
    let statusCode = 0;
    let headers: BufferedResponse['headers'] = {};
    const pieces: Buffer[] = [];
    let size = 0;
    // Calls hold a slot of max_concurrent until their answer has ended; health probes (GET) take none.
    const due = abortWhenDue(target, request, method === 'POST' ? takeSlot(target) : undefined);
    target.pool.dispatch(
      {
        method,
        path: target.basePath + request.path,
        headers: request.headers,
        body: method === 'GET' ? null : request.body,
        ...noUndiciTimers,
      },
      {
        onRequestStart(controller) {
          due.started(controller);
        },
        onResponseStart(controller, status, responseHeaders) {
          statusCode = status;
          headers = responseHeaders;
          // Refused before any byte is read when the upstream says in advance that it is too large.
          if (ok(status) && Number(responseHeaders['content-length']) > target.maxAnswerBytes)
            controller.abort(answerTooLarge(target));
        },
        onResponseData(controller, chunk) {
          if (!ok(statusCode)) {
            size = keepErrorBytes(pieces, size, chunk);
            return;
          }
          size += chunk.length;
          // Counted as it arrives: an answer past the bound is cut, never buffered whole.
          if (size > target.maxAnswerBytes) return controller.abort(answerTooLarge(target));
          pieces.push(chunk);
        },
        onResponseEnd() {
          due.watched.release();
          const body = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size);
          if (ok(statusCode)) resolve({ statusCode, headers, body });
          else
            reject(
              statusFailure(
                target.providerId,
                statusCode,
                headers['retry-after'],
                body.toString('utf8', 0, Math.min(body.length, 2_000)),
                target.clock.now(),
              ),
            );
        },
        onResponseError(_controller, error) {
          due.watched.release();
          reject(transportError(target.providerId, error));
        },
      },
    );
  });
}

function ok(status: number): boolean {
  return status >= 200 && status < 300;
}

export function transportError(providerId: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if ((error as Error)?.name === 'AbortError' || error instanceof undiciErrors.RequestAbortedError) {
    return new ProviderError(providerId, 'timeout', `${providerId}: attempt aborted`, { cause: error });
  }
  const refused = addressRefusal(error);
  if (refused !== undefined) return new ProviderError(providerId, 'connect', refused.message, { cause: error });
  const code = (error as { code?: string })?.code ?? '';
  return new ProviderError(
    providerId,
    'connect',
    `${providerId}: connection failed (${code || (error as Error)?.message || 'unknown'})`,
    { cause: error },
  );
}

/** An HTTP status as a ProviderError; `now` (the clock's) reads a Retry-After given as a date. */
export function statusFailure(
  providerId: string,
  status: number,
  retryAfter: string | string[] | undefined,
  text: string,
  now: number,
): ProviderError {
  const detail = upstreamMessage(text);
  const suffix = detail ? `: ${detail}` : '';
  if (status === 429) {
    return new ProviderError(providerId, 'rate_limited', `${providerId} is rate limiting (429)${suffix}`, {
      upstreamStatus: status,
      retryAfterSeconds: parseRetryAfter(retryAfter, now),
    });
  }
  if (status === 408)
    return new ProviderError(providerId, 'timeout', `${providerId} timed out (408)${suffix}`, {
      upstreamStatus: status,
    });
  if (status === 401 || status === 403)
    return new ProviderError(providerId, 'auth', `${providerId} refused the gateway's credentials (${status})`, {
      upstreamStatus: status,
    });
  // A redirect is not followed (it could lead to another host, with the gateway's credentials): the answer is not one.
  if (status >= 300 && status < 400)
    return new ProviderError(
      providerId,
      'invalid_response',
      `${providerId} answered with a redirect (${status}), which the gateway does not follow`,
      { upstreamStatus: status },
    );
  if (status >= 500)
    return new ProviderError(providerId, 'server', `${providerId} failed (${status})${suffix}`, {
      upstreamStatus: status,
    });
  return new ProviderError(providerId, 'rejected', `${providerId} rejected the request (${status})${suffix}`, {
    upstreamStatus: status,
  });
}

/** The human message of an upstream error body in OpenAI's or Anthropic's shape. */
function upstreamMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error.slice(0, 500);
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error.message.slice(0, 500);
    if (typeof parsed.message === 'string') return parsed.message.slice(0, 500);
  } catch {
    // not JSON
  }
  return '';
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
