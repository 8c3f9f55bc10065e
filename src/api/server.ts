// The HTTP server: routing, request ids, auth and rate limits, error mapping, access logs and
// metrics around every dialect handler; liveness, readiness and Prometheus endpoints; graceful shutdown.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import { anonymousTenant, KeyRing, RateLimiter, type Tenant } from '../pipeline/auth.js';
import { Gateway } from '../pipeline/gateway.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { handleMessages } from './anthropic-messages.js';
import { asGatewayError, errorBody, errorHeaders, type Dialect } from './errors.js';
import type { Exchange, ExchangeOutcome } from './exchange.js';
import { handleChatCompletions } from './openai-chat.js';
import { handleEmbeddings, handleModels } from './openai-embeddings.js';
import { readRequestBody, sendJson } from './http-io.js';

export interface AppOptions {
  config: Config;
  store: Store;
  providers: Map<string, Provider>;
  logger: Logger;
  now?: () => number;
  /** How often keys are reloaded from the store (the CLI may add or revoke them meanwhile). */
  keyRefreshMs?: number;
  /** Process-wide metrics (CPU, memory, GC); off for apps created by tests. */
  defaultMetrics?: boolean;
}

export interface App {
  server: Server;
  gateway: Gateway;
  metrics: Metrics;
  keys: KeyRing;
  /** Loads keys; call before listening. */
  start(): Promise<void>;
  /** Stops accepting, lets in-flight requests and streams finish up to `graceMs`, then closes everything. */
  shutdown(graceMs: number): Promise<void>;
}

type Handler = (exchange: Exchange, outcome: ExchangeOutcome) => Promise<void> | void;

interface Route {
  dialect: Dialect;
  method: 'GET' | 'POST';
  endpoint: string;
  handler: Handler;
  /** Reads the body first. */
  body: boolean;
}

const routes = new Map<string, Route>([
  ['/v1/chat/completions', { dialect: 'openai', method: 'POST', endpoint: 'chat', handler: handleChatCompletions, body: true }],
  ['/v1/embeddings', { dialect: 'openai', method: 'POST', endpoint: 'embeddings', handler: handleEmbeddings, body: true }],
  ['/v1/models', { dialect: 'openai', method: 'GET', endpoint: 'models', handler: handleModels, body: false }],
  ['/v1/messages', { dialect: 'anthropic', method: 'POST', endpoint: 'messages', handler: handleMessages, body: true }],
]);

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(options: AppOptions): App {
  const { config, store, logger } = options;
  const now = options.now ?? Date.now;
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const gateway = new Gateway({ config, providers: options.providers, metrics, now });
  const keys = new KeyRing(store, config.auth.default_rpm, (error) => logger.error({ err: error }, 'reloading API keys failed'));
  const limiter = new RateLimiter(now);
  let accepting = true;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  function authenticate(request: IncomingMessage): Tenant {
    if (!config.auth.required) return anonymousTenant;
    const header = request.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : (request.headers['x-api-key'] as string | undefined);
    return keys.authenticate(presented);
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    const incomingId = request.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && requestIdPattern.test(incomingId) ? incomingId : randomUUID();
    const path = pathOf(request.url);

    if (path === '/healthz') return sendJson(response, 200, '{"status":"ok"}', { 'x-request-id': requestId });
    if (path === '/readyz') return void (await readiness(response, requestId));
    if (path === '/metrics') {
      const text = await metrics.render();
      response.writeHead(200, { 'content-type': metrics.contentType, 'x-request-id': requestId });
      return void response.end(text);
    }

    const route = routes.get(path);
    const dialect: Dialect = route?.dialect ?? (path.startsWith('/v1/messages') ? 'anthropic' : 'openai');
    const outcome: ExchangeOutcome = {};
    let status = 200;
    let tenant: Tenant | undefined;
    inFlight += 1;
    metrics.inFlight += 1;
    try {
      if (!route) throw new GatewayError('not_found', `No endpoint ${request.method} ${path.slice(0, 200)}. See GET /v1/models and the README for the API.`);
      if (request.method !== route.method) throw new GatewayError('method_not_allowed', `${path} accepts ${route.method} only.`);
      if (!accepting) throw new GatewayError('shutting_down', 'The gateway is shutting down; retry on another replica.', { retryable: true, retryAfterSeconds: 1 });
      tenant = authenticate(request);
      limiter.check(tenant);
      const body = route.body ? await readRequestBody(request, config.limits.max_body_bytes) : Buffer.alloc(0);
      await route.handler({ request, response, requestId, body, tenant, gateway, metrics, elapsed }, outcome);
      status = response.statusCode;
    } catch (error) {
      const failure = asGatewayError(error);
      status = failure.status;
      if (failure.code === 'internal_error') logger.error({ requestId, err: error }, 'request failed unexpectedly');
      if (!response.headersSent) {
        sendJson(response, failure.status, errorBody(dialect, failure), { ...errorHeaders(failure), 'x-request-id': requestId });
      } else if (!response.writableEnded) {
        response.destroy();
      }
      outcome.streamError ??= failure.code;
    } finally {
      inFlight -= 1;
      metrics.inFlight -= 1;
      if (inFlight === 0 && idle) idle();
    }
    const seconds = elapsed();
    const endpoint = route?.endpoint ?? 'unknown';
    const alias = outcome.alias ?? '';
    const provider = outcome.provider ?? '';
    metrics.requests.inc([endpoint, alias, provider, String(status)]);
    metrics.duration.observe([endpoint, alias, provider], seconds);
    if (outcome.usage) {
      metrics.tokens.inc([alias, provider, 'in'], outcome.usage.prompt_tokens ?? 0);
      metrics.tokens.inc([alias, provider, 'out'], outcome.usage.completion_tokens ?? 0);
    }
    logger.info(
      {
        requestId,
        method: request.method,
        path,
        status,
        ms: Math.round(seconds * 1000 * 100) / 100,
        tenant: tenant?.name,
        alias: outcome.alias,
        provider: outcome.provider,
        stream: outcome.stream,
        error: status >= 400 || outcome.streamError ? outcome.streamError : undefined,
        tokensIn: outcome.usage?.prompt_tokens,
        tokensOut: outcome.usage?.completion_tokens,
      },
      'request',
    );
  }

  async function readiness(response: ServerResponse, requestId: string): Promise<void> {
    let storeOk = true;
    try {
      await store.ping();
    } catch {
      storeOk = false;
    }
    const providerOk = gateway.hasHealthyProvider();
    const ready = storeOk && providerOk && accepting;
    sendJson(response, ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not_ready', store: storeOk, provider: providerOk, accepting }), { 'x-request-id': requestId });
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    serve(request, response).catch((error) => {
      logger.error({ err: error }, 'unhandled failure while serving');
      if (!response.headersSent) sendJson(response, 500, errorBody('openai', asGatewayError(error)));
      else response.destroy();
    });
  });
  // Headers from a slow or silent client must not hold a socket forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;

  return {
    server,
    gateway,
    metrics,
    keys,
    async start() {
      if (config.auth.required) await keys.start(options.keyRefreshMs ?? 500);
    },
    async shutdown(graceMs: number) {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
      keys.stop();
      await gateway.close();
    },
  };
}

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
