// One HTTP exchange, as a short list of named stages: begin (request id, route) → probes (health,
// readiness, metrics) → admit (method, shutdown, auth, rate limit) → body (bounded) → handle (a plain
// endpoint, or a call through the pipeline) → send (a JSON reply, or a stream with backpressure) →
// errors (each dialect's shape; a call's refusal is recorded) → observe (metrics and the access log).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import { asGatewayError, GatewayError } from '../core/errors.js';
import { anonymousTenant, type KeyRing, type RateLimiter, type Tenant } from '../pipeline/auth.js';
import type { CallInput, CallOutput, CallPipeline, CallState } from '../pipeline/call.js';
import type { Gateway } from '../pipeline/gateway.js';
import { detect } from '../policy/detectors.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { errorBody, errorHeaders, type Dialect } from './errors.js';
import type { Exchange, Reply } from './exchange.js';
import { readRequestBody, sendJson, sseHeaders } from './http-io.js';

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

export interface ServeDependencies {
  config: Config;
  routes: RouteTable;
  keys: KeyRing;
  limiter: RateLimiter;
  calls: CallPipeline;
  gateway: Gateway;
  metrics: Metrics;
  logger: Logger;
  store: { ping(): Promise<void> };
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

export function createServe(
  dependencies: ServeDependencies,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { config, routes, keys, limiter, calls, gateway, metrics, logger } = dependencies;

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
      const ready = storeOk && providerOk && dependencies.accepting();
      sendJson(
        response,
        ready ? 200 : 503,
        JSON.stringify({
          status: ready ? 'ready' : 'not_ready',
          store: storeOk,
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

  async function sendOutput(progress: Progress, response: ServerResponse, output: CallOutput): Promise<void> {
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
      return sendJson(response, output.status, output.body, output.headers);
    }
    await sendStream(progress, response, output);
  }

  /** Relays a stream piece by piece, honouring backpressure; the client going away stops the upstream. */
  async function sendStream(
    progress: Progress,
    response: ServerResponse,
    output: Extract<CallOutput, { kind: 'stream' }>,
  ): Promise<void> {
    const { stream } = output;
    const onClose = (): void => {
      if (!response.writableFinished) stream.cancel();
    };
    response.on('close', onClose);
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
        if (!response.write(piece) && !response.destroyed) {
          if (corked) uncork();
          await new Promise<void>((resolve) => {
            const done = (): void => {
              response.off('drain', done);
              response.off('close', done);
              resolve();
            };
            response.on('drain', done);
            response.on('close', done);
          });
        }
      }
    } finally {
      response.off('close', onClose);
    }
    progress.status = 200;
    if (!response.destroyed) response.end();
  }

  async function sendError(
    progress: Progress,
    request: IncomingMessage,
    response: ServerResponse,
    error: unknown,
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
      const output = await calls.refused(callInput(progress, request, route, undefined), failure, {
        error: (value) => errorBody(progress.dialect, value),
      });
      return sendOutput(progress, response, output);
    }
    sendJson(response, failure.status, errorBody(progress.dialect, failure), {
      'x-request-id': progress.requestId,
      'x-sovereign-policy': gateway.policyHash,
      ...errorHeaders(failure),
    });
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
    try {
      const route = admit(progress, request);
      if (route.body) progress.body = await readRequestBody(request, config.limits.max_body_bytes);
      if (route.call) {
        await sendOutput(progress, response, await route.call.run(callInput(progress, request, route, undefined)));
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
        sendJson(response, reply.status, reply.body, {
          'x-request-id': progress.requestId,
          'x-sovereign-policy': gateway.policyHash,
          ...(reply.contentType ? { 'content-type': reply.contentType } : {}),
        });
      }
    } catch (error) {
      await sendError(progress, request, response, error);
    } finally {
      metrics.inFlight -= 1;
      leave();
    }
    observe(progress, request);
  };
}
