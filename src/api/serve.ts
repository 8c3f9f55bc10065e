// One HTTP exchange, as a short list of named stages: begin (request id, route) → probes (health,
// readiness, metrics) → admit (method, shutdown, auth, rate limit) → body (bounded) → handle (a plain
// endpoint, or a call through the pipeline) → send (a JSON reply, or a stream with backpressure) →
// errors (each dialect's shape; a call's refusal is recorded) → observe (metrics and the access log).
// Every call in flight is listed (CallsInFlight) so that the gateway can end it: the client going away
// aborts its upstream call, a revoked key ends its streams, a shutdown past its grace ends the rest.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { totalmem } from 'node:os';
import type { Config } from '../config/schema.js';
import { Cancellable } from '../core/cancel.js';
import type { Clock } from '../core/clock.js';
import { asGatewayError, cancellation, GatewayError } from '../core/errors.js';
import { anonymousTenant, type KeyRing, type RateLimiter, type Tenant } from '../pipeline/auth.js';
import type { CallInput, CallOutput, CallPipeline, CallState } from '../pipeline/call.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { RelayedStream } from '../pipeline/stream-relay.js';
import { DeadlineWatch } from '../providers/deadline-watch.js';
import { detect } from '../policy/detectors.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { errorBody, errorHeaders, type Dialect } from './errors.js';
import type { Exchange, Reply } from './exchange.js';
import { type BodyTimeout, readRequestBody, sendJson, sseHeaders } from './http-io.js';

export type Handler = (exchange: Exchange, path: string, query: URLSearchParams) => Promise<Reply> | Reply;

export interface Route {
  dialect: Dialect;
  /** ANY: the handler checks the method itself. */
  method: 'GET' | 'POST' | 'ANY';
  /** The name in metrics and logs (and, for calls, in the ledger). */
  endpoint: string;
  /** A plain endpoint… */
  handler?: Handler;
  /** …or one that writes its own answer (SSE sessions: /mcp), returning the status for metrics and logs… */
  raw?: (exchange: Exchange) => Promise<number>;
  /** …or a call to a model, through the pipeline (recorded in the ledger, refusals too). */
  call?: { endpoint: CallInput['endpoint']; run(input: CallInput): Promise<CallOutput> };
  /** Reads the body first. */
  body: boolean;
  /** Served without an API key. */
  public?: boolean;
}

export interface RouteTable {
  find(path: string): Route | undefined;
}

/** One call being served: what ends it, and its stream once it has one. */
interface CallInFlight {
  keyId: string | undefined;
  /** Aborted when the client goes away (client_closed) or a shutdown's grace is over (shutting_down). */
  controller: Cancellable;
  /** Set while its stream is relayed. */
  stream: RelayedStream | undefined;
  /** Ends a wait for the client to read (a stream the gateway ends writes its last event without waiting). */
  wake: (() => void) | undefined;
  /** The gateway is ending its stream. */
  stopping: boolean;
  /** Neighbours in the list of calls in flight (a list rather than a Set: see DeadlineWatch). */
  previous: CallInFlight | undefined;
  next: CallInFlight | undefined;
  listed: boolean;
}

/** A stream the gateway ended is not held open past this by a client that does not read its last bytes. */
const stoppedStreamLingerMs = 1_000;

/**
 * The calls in flight on this server, and one deadline watch on the gateway's clock for the waits they make
 * (a body's arrival, a stream's whole duration): one sleep for all, not one timer per request.
 */
export class CallsInFlight {
  readonly watch: DeadlineWatch;
  private first: CallInFlight | undefined;
  private last: CallInFlight | undefined;
  /** Calls listed now (limits.max_in_flight bounds it). */
  size = 0;

  constructor(private readonly clock: Clock) {
    this.watch = new DeadlineWatch(clock);
  }

  /** Lists a call; the client closing its connection before the answer is complete aborts it. */
  enter(keyId: string | undefined, response: ServerResponse): CallInFlight {
    const call: CallInFlight = {
      keyId,
      controller: new Cancellable(),
      stream: undefined,
      wake: undefined,
      stopping: false,
      previous: this.last,
      next: undefined,
      listed: true,
    };
    if (this.last) this.last.next = call;
    else this.first = call;
    this.last = call;
    this.size += 1;
    response.once('close', () => {
      if (response.writableFinished) return;
      call.controller.abort(cancellation('client_closed'));
      call.stream?.cancel();
    });
    return call;
  }

  leave(call: CallInFlight): void {
    if (!call.listed) return;
    const { previous, next } = call;
    if (previous) previous.next = next;
    else this.first = next;
    if (next) next.previous = previous;
    else this.last = previous;
    call.previous = undefined;
    call.next = undefined;
    call.listed = false;
    this.size -= 1;
  }

  /** Ends a call's stream: its last event is `failure`, its closing entry says `outcome`. */
  stopStream(call: CallInFlight, outcome: 'deadline' | 'shutdown' | 'refused', failure: GatewayError): void {
    if (!call.stream || call.stopping) return;
    call.stopping = true;
    call.stream.stop(outcome, failure);
    call.wake?.();
  }

  /** A key was revoked: its open streams end now, each with a last error event. */
  stopStreamsOf(keyId: string): void {
    for (let call = this.first; call; call = call.next)
      if (call.keyId === keyId)
        this.stopStream(
          call,
          'refused',
          new GatewayError('invalid_api_key', 'The API key of this stream was revoked; the stream is ended.'),
        );
  }

  /** A shutdown's grace is over: every call still running is ended and records `outcome: shutdown`. */
  stopAll(): void {
    for (let call = this.first; call; call = call.next) {
      if (call.stream) this.stopStream(call, 'shutdown', cancellation('shutdown'));
      else call.controller.abort(cancellation('shutdown'));
    }
  }

  /** The time on the watch's clock. */
  now(): number {
    return this.clock.now();
  }

  close(): void {
    this.watch.close();
  }
}

export interface ServeDependencies {
  config: Config;
  /** The calls in flight (the server ends them at shutdown and when a key is revoked). */
  calls: CallsInFlight;
  routes: RouteTable;
  keys: KeyRing;
  limiter: RateLimiter;
  pipeline: CallPipeline;
  gateway: Gateway;
  metrics: Metrics;
  logger: Logger;
  store: { ping(): Promise<void> };
  /** False while the ledger cannot commit (it recovers by itself): no call can be answered with its proof. */
  ledger: { readonly commitHealthy: boolean };
  /** False once shutting down. */
  accepting(): boolean;
  /** Counts requests in flight (for a graceful shutdown). */
  enter(): () => void;
}

interface Progress {
  requestId: string;
  path: string;
  query: string;
  route: Route | undefined;
  dialect: Dialect;
  tenant?: Tenant;
  body?: Buffer;
  status: number;
  state: CallState;
  elapsed(): number;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * limits.max_in_flight, or sized from memory when unset: one call per MiB of the machine's memory, at least 256 (a
 * stream costs tens of KB in this process; the margin covers bodies and answers in flight).
 */
export function maxInFlightOf(config: Config): number {
  return config.limits.max_in_flight ?? Math.max(256, Math.floor(totalmem() / 2 ** 20));
}

export function createServe(
  dependencies: ServeDependencies,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { config, routes, keys, limiter, pipeline, gateway, metrics, logger, calls } = dependencies;
  const bodyTimeout: BodyTimeout = {
    watch: calls.watch,
    ms: config.limits.body_timeout_ms,
    now: () => calls.now(),
  };
  const maxStreamMs = config.routing.max_stream_s * 1000;
  const maxInFlight = maxInFlightOf(config);
  const streamIdleMs = config.routing.stream_idle_timeout_ms;

  function begin(request: IncomingMessage): Progress {
    const started = process.hrtime.bigint();
    const incomingId = request.headers['x-request-id'];
    // A client's id goes into logs and the ledger: one that carries data (a card number, say) is replaced.
    const requestId =
      typeof incomingId === 'string' && requestIdPattern.test(incomingId) && detect(incomingId).length === 0
        ? incomingId
        : randomUUID();
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const route = routes.find(path);
    const dialect: Dialect = route?.dialect ?? (path.startsWith('/v1/messages') ? 'anthropic' : 'openai');
    return {
      requestId,
      path,
      query: queryStart < 0 ? '' : url.slice(queryStart + 1),
      route,
      dialect,
      status: 200,
      state: {},
      elapsed: () => Number(process.hrtime.bigint() - started) / 1e9,
    };
  }

  /** Liveness, readiness and metrics: answered before anything else, never counted as calls. */
  async function probes(progress: Progress, response: ServerResponse): Promise<boolean> {
    const headers = { 'x-request-id': progress.requestId, 'x-sovereign-policy': gateway.policyHash };
    if (progress.path === '/healthz') {
      sendJson(response, 200, '{"status":"ok"}', headers);
      return true;
    }
    if (progress.path === '/readyz') {
      let storeOk = true;
      try {
        await dependencies.store.ping();
      } catch {
        storeOk = false;
      }
      const providerOk = gateway.hasHealthyProvider();
      const ledgerOk = dependencies.ledger.commitHealthy;
      const ready = storeOk && ledgerOk && providerOk && dependencies.accepting();
      sendJson(
        response,
        ready ? 200 : 503,
        JSON.stringify({
          status: ready ? 'ready' : 'not_ready',
          store: storeOk,
          ledger: ledgerOk,
          provider: providerOk,
          accepting: dependencies.accepting(),
        }),
        headers,
      );
      return true;
    }
    if (progress.path === '/metrics') {
      const text = await metrics.render();
      response.writeHead(200, { 'content-type': metrics.contentType, ...headers });
      response.end(text);
      return true;
    }
    return false;
  }

  function authenticate(request: IncomingMessage): Tenant {
    if (!config.auth.required) return anonymousTenant;
    const header = request.headers.authorization;
    const presented = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : (request.headers['x-api-key'] as string | undefined);
    return keys.authenticate(presented);
  }

  /** The route exists for this method, the gateway accepts requests, the key is valid and within its rate. */
  function admit(progress: Progress, request: IncomingMessage): Route {
    const { route, path } = progress;
    if (!route)
      throw new GatewayError(
        'not_found',
        `No endpoint ${request.method} ${path.slice(0, 200)}. See GET /v1/models and the README for the API.`,
      );
    if (route.method !== 'ANY' && request.method !== route.method)
      throw new GatewayError('method_not_allowed', `${path} accepts ${route.method} only.`);
    if (!dependencies.accepting())
      throw new GatewayError('shutting_down', 'The gateway is shutting down; retry on another replica.', {
        retryAfterSeconds: 1,
      });
    if (!route.public) {
      progress.tenant = authenticate(request);
      limiter.check(progress.tenant);
    }
    return route;
  }

  const headerText = (value: string | string[] | undefined): string | undefined =>
    Array.isArray(value) ? value.join(',') : value;

  function callInput(
    progress: Progress,
    request: IncomingMessage,
    route: Route,
    signal: AbortSignal | undefined,
  ): CallInput {
    return {
      requestId: progress.requestId,
      tenant: progress.tenant ?? anonymousTenant,
      endpoint: route.call!.endpoint,
      body: progress.body,
      headerLabels: request.headers['x-sovereign-labels'],
      signal,
      episode: headerText(request.headers['x-sovereign-episode']),
      capture: headerText(request.headers['x-sovereign-capture']),
    };
  }

  /** A request whose body was not read in full is answered with Connection: close (Node would read it on). */
  const closingIfUnread = (request: IncomingMessage, headers: Record<string, string>): Record<string, string> =>
    request.complete ? headers : { ...headers, connection: 'close' };

  async function sendOutput(
    progress: Progress,
    request: IncomingMessage,
    response: ServerResponse,
    output: CallOutput,
    call: CallInFlight | undefined,
  ): Promise<void> {
    progress.state = output.state;
    if (output.kind === 'reply') {
      if (output.unrecorded)
        logger.error({ requestId: progress.requestId, err: output.unrecorded }, 'the ledger could not record a call');
      if (output.failure?.code === 'internal_error')
        logger.error(
          { requestId: progress.requestId, err: output.failure.cause ?? output.failure },
          'request failed unexpectedly',
        );
      progress.status = output.status;
      // The client went away: there is no one to send it to (its entry says client_closed).
      if (response.destroyed) return;
      return sendJson(response, output.status, output.body, closingIfUnread(request, output.headers));
    }
    await sendStream(progress, response, output, call!);
  }

  /**
   * Relays a stream piece by piece, honouring backpressure; the client going away stops the upstream, and the stream
   * lasts at most routing.max_stream_s.
   */
  async function sendStream(
    progress: Progress,
    response: ServerResponse,
    output: Extract<CallOutput, { kind: 'stream' }>,
    call: CallInFlight,
  ): Promise<void> {
    const { stream } = output;
    call.stream = stream;
    // Ended before it started: the client left, or the shutdown's grace ran out, while its first event was awaited.
    const reason: unknown = call.controller.signal.reason;
    if (reason instanceof GatewayError && reason.code === 'shutting_down') calls.stopStream(call, 'shutdown', reason);
    else if (call.controller.signal.aborted || response.destroyed) stream.cancel();
    const longest = calls.watch.watch(calls.now() + maxStreamMs, () =>
      calls.stopStream(
        call,
        'deadline',
        new GatewayError(
          'stream_duration_exceeded',
          `The stream lasted longer than ${config.routing.max_stream_s} s (routing.max_stream_s) and was ended.`,
        ),
      ),
    );
    response.writeHead(200, { ...output.headers, ...sseHeaders });
    metrics.timeToFirstByte.observe(
      [output.state.alias ?? '', output.state.candidate?.provider.description.id ?? ''],
      progress.elapsed(),
    );
    // Pieces that arrive together (one upstream read) leave together: the socket is corked while
    // they are written and uncorked once the current burst of microtasks is done, so a 20-event
    // answer costs a few writes instead of twenty, and no piece waits for a timer.
    let corked = false;
    const uncork = (): void => {
      corked = false;
      response.uncork();
    };
    try {
      for await (const piece of stream.pieces) {
        if (response.destroyed) continue;
        if (!corked) {
          corked = true;
          response.cork();
          process.nextTick(uncork);
        }
        // A stream the gateway is ending writes its last events without waiting for a client that does not read.
        if (!response.write(piece) && !response.destroyed && !call.stopping) {
          if (corked) uncork();
          // The client is not reading: the relay waits (so the upstream is paused, its buffer bounded), at most the idle
          // time, then ends the stream rather than hold it open for a client that may never read again.
          const stalled = calls.watch.watch(calls.now() + streamIdleMs, () =>
            calls.stopStream(
              call,
              'deadline',
              new GatewayError(
                'client_stalled',
                `The client read nothing of its stream for ${streamIdleMs} ms (routing.stream_idle_timeout_ms); the stream was ended.`,
              ),
            ),
          );
          await new Promise<void>((resolve) => {
            const done = (): void => {
              response.off('drain', done);
              response.off('close', done);
              call.wake = undefined;
              stalled.release();
              resolve();
            };
            call.wake = done;
            response.on('drain', done);
            response.on('close', done);
          });
        }
      }
    } finally {
      longest.release();
    }
    progress.status = 200;
    if (response.destroyed) return;
    response.end();
    if (call.stopping && !response.writableFinished) {
      const linger = calls.watch.watch(calls.now() + stoppedStreamLingerMs, () => response.destroy());
      response.once('close', () => linger.release());
    }
  }

  async function sendError(
    progress: Progress,
    request: IncomingMessage,
    response: ServerResponse,
    error: unknown,
    call: CallInFlight | undefined,
  ): Promise<void> {
    const failure = asGatewayError(error);
    progress.status = failure.status;
    progress.state.error ??= failure.code;
    if (response.headersSent) {
      if (!response.writableEnded) response.destroy();
      return;
    }
    if (failure.code === 'internal_error')
      logger.error({ requestId: progress.requestId, err: error }, 'request failed unexpectedly');
    const { route } = progress;
    // A call refused before its dialect could be read (rate limit, body too large) is recorded like any call.
    if (route?.call && progress.tenant) {
      const output = await pipeline.refused(callInput(progress, request, route, call?.controller.signal), failure, {
        error: (value) => errorBody(progress.dialect, value),
      });
      return sendOutput(progress, request, response, output, call);
    }
    if (response.destroyed) return;
    sendJson(
      response,
      failure.status,
      errorBody(progress.dialect, failure),
      closingIfUnread(request, {
        'x-request-id': progress.requestId,
        'x-sovereign-policy': gateway.policyHash,
        ...errorHeaders(failure),
      }),
    );
  }

  function observe(progress: Progress, request: IncomingMessage): void {
    const seconds = progress.elapsed();
    const endpoint = progress.route?.endpoint ?? 'unknown';
    const { state } = progress;
    const alias = state.alias ?? '';
    const provider = state.candidate?.provider.description.id ?? '';
    metrics.requests.inc([endpoint, alias, provider, String(progress.status)]);
    metrics.duration.observe([endpoint, alias, provider], seconds);
    if (state.usage) {
      metrics.tokens.inc([alias, provider, 'in'], state.usage.prompt_tokens ?? 0);
      metrics.tokens.inc([alias, provider, 'out'], state.usage.completion_tokens ?? 0);
    }
    logger.info(
      {
        requestId: progress.requestId,
        method: request.method,
        path: progress.path,
        status: progress.status,
        ms: Math.round(seconds * 1000 * 100) / 100,
        tenant: progress.tenant?.name,
        alias: state.alias,
        provider: provider || undefined,
        stream: state.stream,
        error: progress.status >= 400 || state.error ? state.error : undefined,
        tokensIn: state.usage?.prompt_tokens,
        tokensOut: state.usage?.completion_tokens,
      },
      'request',
    );
  }

  return async function serve(request, response) {
    const progress = begin(request);
    if (await probes(progress, response)) return;
    const leave = dependencies.enter();
    metrics.inFlight += 1;
    let call: CallInFlight | undefined;
    try {
      const route = admit(progress, request);
      if (route.call) {
        // Past limits.max_in_flight the answer is at once, before the body is read: never a queue without bound.
        if (calls.size >= maxInFlight)
          throw new GatewayError(
            'overloaded',
            `The gateway is at its limit of ${maxInFlight} calls in flight (limits.max_in_flight); retry shortly.`,
            { retryAfterSeconds: 1 },
          );
        call = calls.enter(progress.tenant?.keyId, response);
      }
      if (route.body) progress.body = await readRequestBody(request, config.limits.max_body_bytes, bodyTimeout);
      if (call) {
        const input = callInput(progress, request, route, call.controller.signal);
        await sendOutput(progress, request, response, await route.call!.run(input), call);
      } else if (route.raw) {
        progress.status = await route.raw({
          request,
          response,
          requestId: progress.requestId,
          body: progress.body ?? Buffer.alloc(0),
          tenant: progress.tenant ?? anonymousTenant,
          gateway,
          metrics,
        });
      } else {
        const exchange: Exchange = {
          request,
          response,
          requestId: progress.requestId,
          body: progress.body ?? Buffer.alloc(0),
          tenant: progress.tenant ?? anonymousTenant,
          gateway,
          metrics,
        };
        const reply = await route.handler!(exchange, progress.path, new URLSearchParams(progress.query));
        progress.status = reply.status;
        sendJson(
          response,
          reply.status,
          reply.body,
          closingIfUnread(request, {
            'x-request-id': progress.requestId,
            'x-sovereign-policy': gateway.policyHash,
            ...(reply.contentType ? { 'content-type': reply.contentType } : {}),
          }),
        );
      }
    } catch (error) {
      await sendError(progress, request, response, error, call);
    } finally {
      if (call) calls.leave(call);
      metrics.inFlight -= 1;
      leave();
    }
    observe(progress, request);
  };
}
