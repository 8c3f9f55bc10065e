// The HTTP server: routing, request ids, auth and rate limits, error mapping, the ledger entry of
// every call, access logs and metrics around every dialect handler; liveness, readiness and
// Prometheus endpoints; graceful shutdown.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import type { EntryKind } from '../ledger/entry.js';
import { anonymousTenant, KeyRing, RateLimiter, type Tenant } from '../pipeline/auth.js';
import { Gateway } from '../pipeline/gateway.js';
import { detect } from '../policy/detectors.js';
import type { DeepScanner } from '../pipeline/deep-scan.js';
import type { LedgerLog } from '../pipeline/ledger-log.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { handleMessages } from './anthropic-messages.js';
import { CallRecorder, type CallOutcome, type WeightsDigest } from './call-record.js';
import { asGatewayError, errorBody, errorHeaders, type Dialect } from './errors.js';
import type { Exchange, ExchangeOutcome, Reply } from './exchange.js';
import { readRequestBody, sendJson } from './http-io.js';
import { createLedgerEndpoints, receiptsPrefix } from './ledger-endpoints.js';
import { createAdminEndpoints } from './admin-endpoints.js';
import { actionsPrefix, createActionEndpoints } from './action-endpoints.js';
import { ActionGate } from '../gate/gate.js';
import { handleChatCompletions } from './openai-chat.js';
import { handlePolicyExplain } from './policy-explain.js';
import { handleEmbeddings, handleModels } from './openai-embeddings.js';

export interface AppOptions {
  config: Config;
  store: Store;
  providers: Map<string, Provider>;
  ledger: LedgerLog;
  logger: Logger;
  now?: () => number;
  /** Waits on the same clock as `now` (resolving early when its signal aborts); default: timers. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** How often keys are reloaded from the store (the CLI may add or revoke them meanwhile). */
  keyRefreshMs?: number;
  /** The digests of registered weights behind `provider/model` names (recorded in each call's ledger entry). */
  weights?: Map<string, WeightsDigest>;
  /** Process-wide metrics (CPU, memory, GC); off for apps created by tests. */
  defaultMetrics?: boolean;
  /** The model layer of the detectors, when `policy.detectors.ner` is set (closed with the app). */
  deepScanner?: DeepScanner;
}

export interface App {
  server: Server;
  gate: ActionGate;
  gateway: Gateway;
  metrics: Metrics;
  keys: KeyRing;
  ledger: LedgerLog;
  /** Loads keys and starts the ledger; call before listening. */
  start(): Promise<void>;
  /** Stops accepting, lets in-flight requests and streams finish up to `graceMs`, then closes everything but the store. */
  shutdown(graceMs: number): Promise<void>;
}

type Handler = (exchange: Exchange, outcome: ExchangeOutcome, path: string, query: URLSearchParams) => Promise<Reply | undefined> | Reply | undefined;

interface Route {
  dialect: Dialect;
  /** ANY: the handler checks the method itself. */
  method: 'GET' | 'POST' | 'ANY';
  endpoint: string;
  handler: Handler;
  /** Reads the body first. */
  body: boolean;
  /** Calls that leave a ledger entry, and of which kind. */
  record?: EntryKind;
  /** Served without an API key. */
  public?: boolean;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** Failures the gateway decided (rather than suffered) are recorded as refusals. */
const refusalCodes = new Set(['rate_limited', 'insufficient_scope', 'no_allowed_provider', 'scan_limit_exceeded']);

export function createApp(options: AppOptions): App {
  const { config, store, logger, ledger } = options;
  const now = options.now ?? Date.now;
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const gateway = new Gateway({ config, providers: options.providers, metrics, now, sleep: options.sleep, deepScanner: options.deepScanner });
  const keys = new KeyRing(store, config.auth.default_rpm, (error) => logger.error({ err: error }, 'reloading API keys failed'));
  const limiter = new RateLimiter(now);
  const weightsOf = options.weights && options.weights.size > 0 ? (name: string) => options.weights!.get(name) : undefined;
  const ledgerEndpoints = createLedgerEndpoints(ledger, store, config.ledger.receipt_wait_ms);
  const reloadCuts = async (): Promise<void> => {
    gateway.cuts = await store.cuts();
  };
  const adminEndpoints = createAdminEndpoints(config, store, ledger, reloadCuts, now);
  const gate = new ActionGate({
    settings: config.actions,
    store,
    policyHash: gateway.policyHash,
    append: (record, keyId) => ledger.append(record, { keyId }),
    now,
    onError: (error) => logger.error({ err: error }, 'the action gate failed in the background'),
  });
  const actionEndpoints = createActionEndpoints(gate);
  let cutsTimer: NodeJS.Timeout | undefined;
  let accepting = true;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const routes = new Map<string, Route>([
    ['/v1/chat/completions', { dialect: 'openai', method: 'POST', endpoint: 'chat', handler: handleChatCompletions, body: true, record: 'chat' }],
    ['/v1/embeddings', { dialect: 'openai', method: 'POST', endpoint: 'embeddings', handler: handleEmbeddings, body: true, record: 'embeddings' }],
    ['/v1/models', { dialect: 'openai', method: 'GET', endpoint: 'models', handler: handleModels, body: false }],
    ['/v1/messages', { dialect: 'anthropic', method: 'POST', endpoint: 'messages', handler: handleMessages, body: true, record: 'messages' }],
    ['/v1/providers', { dialect: 'openai', method: 'GET', endpoint: 'providers', handler: (exchange) => adminEndpoints.providers(exchange), body: false }],
    ['/v1/reports/dependencies', { dialect: 'openai', method: 'GET', endpoint: 'reports', handler: (exchange, _outcome, _path, query) => adminEndpoints.dependencies(exchange, query), body: false }],
    ['/v1/admin/cut', { dialect: 'openai', method: 'POST', endpoint: 'admin', handler: (exchange) => adminEndpoints.cut(exchange), body: true }],
    ['/v1/admin/uncut', { dialect: 'openai', method: 'POST', endpoint: 'admin', handler: (exchange) => adminEndpoints.uncut(exchange), body: true }],
    ['/v1/policy/explain', { dialect: 'openai', method: 'POST', endpoint: 'policy', handler: handlePolicyExplain, body: true }],
    ['/v1/ledger/checkpoint', { dialect: 'openai', method: 'GET', endpoint: 'ledger', handler: () => ledgerEndpoints.checkpoint(), body: false, public: true }],
    ['/v1/ledger/key', { dialect: 'openai', method: 'GET', endpoint: 'ledger', handler: () => ledgerEndpoints.key(), body: false, public: true }],
    ['/v1/ledger/consistency', { dialect: 'openai', method: 'GET', endpoint: 'ledger', handler: (exchange, _outcome, _path, query) => ledgerEndpoints.consistency(exchange, query), body: false }],
    ['/v1/ledger/entries', { dialect: 'openai', method: 'GET', endpoint: 'ledger', handler: (exchange, _outcome, _path, query) => ledgerEndpoints.entries(exchange, query), body: false }],
    ['/v1/actions', { dialect: 'openai', method: 'POST', endpoint: 'actions', handler: (exchange) => actionEndpoints.submit(exchange), body: true }],
    ['/v1/actions/pending', { dialect: 'openai', method: 'GET', endpoint: 'actions', handler: (exchange, _outcome, _path, query) => actionEndpoints.pending(exchange, query), body: false }],
    ['/api/v1/veritas-test', { dialect: 'openai', method: 'POST', endpoint: 'actions', handler: (exchange) => actionEndpoints.veritas(exchange), body: true }],
  ]);
  const actionRoute: Route = { dialect: 'openai', method: 'ANY', endpoint: 'actions', handler: (exchange, _outcome, path) => actionEndpoints.byId(exchange, path), body: true };
  const receiptRoute: Route = { dialect: 'openai', method: 'GET', endpoint: 'ledger', handler: (exchange, _outcome, path) => ledgerEndpoints.receipt(exchange, path), body: false };

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
    // A client's id goes into logs and the ledger: one that carries data (a card number, say) is replaced.
    const requestId = typeof incomingId === 'string' && requestIdPattern.test(incomingId) && detect(incomingId).length === 0 ? incomingId : randomUUID();
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);

    if (path === '/healthz') return sendJson(response, 200, '{"status":"ok"}', { 'x-request-id': requestId, 'x-sovereign-policy': gateway.policyHash });
    if (path === '/readyz') return void (await readiness(response, requestId));
    if (path === '/metrics') {
      const text = await metrics.render();
      response.writeHead(200, { 'content-type': metrics.contentType, 'x-request-id': requestId, 'x-sovereign-policy': gateway.policyHash });
      return void response.end(text);
    }

    const route = routes.get(path) ?? (path.startsWith(receiptsPrefix) ? receiptRoute : path.startsWith(actionsPrefix) ? actionRoute : undefined);
    const dialect: Dialect = route?.dialect ?? (path.startsWith('/v1/messages') ? 'anthropic' : 'openai');
    const outcome: ExchangeOutcome = {};
    let status = 200;
    let tenant: Tenant | undefined;
    let body: Buffer | undefined;
    let recorder: CallRecorder | undefined;
    const recorderFor = (who: Tenant): CallRecorder =>
      (recorder ??= new CallRecorder(ledger, { requestId, tenantName: who.name, keyId: who.keyId === anonymousTenant.keyId ? null : who.keyId, endpoint: route?.endpoint ?? 'unknown', body, policyHash: gateway.policyHash, now, weights: weightsOf }));

    /** Records the call (for ledgered routes), then sends the answer with its receipt index. */
    async function respond(reply: Reply, failure?: GatewayError): Promise<void> {
      const headers: Record<string, string> = { 'x-request-id': requestId, 'x-sovereign-policy': gateway.policyHash, ...(failure ? errorHeaders(failure) : {}) };
      if (!failure && outcome.candidate) headers['x-sovereign-provider'] = outcome.candidate.provider.description.id;
      let sent = reply;
      if (route?.record && tenant) {
        const callOutcome: CallOutcome = failure ? (refusalCodes.has(failure.code) ? 'refused' : 'error') : 'ok';
        try {
          const index = await recorderFor(tenant).call(route.record, outcome, { status: reply.status, outcome: callOutcome, errorCode: failure?.code ?? null, responseBody: reply.body });
          headers['x-sovereign-receipt'] = String(index);
        } catch (error) {
          logger.error({ requestId, err: error }, 'the ledger could not record a call');
          if (!failure) {
            // Fail closed: no answer leaves without its proof.
            const unavailable = new GatewayError('ledger_unavailable', 'The ledger could not record this call, so its answer is withheld; retry later.', { retryable: true, retryAfterSeconds: 1 });
            failure = unavailable;
            sent = { status: unavailable.status, body: errorBody(dialect, unavailable) };
          }
        }
      }
      status = sent.status;
      if (response.headersSent) return;
      const list = ['content-type', sent.contentType ?? 'application/json', 'content-length', String(Buffer.byteLength(sent.body))];
      for (const name in headers) list.push(name, headers[name]!);
      response.writeHead(sent.status, list);
      response.end(sent.body);
    }

    inFlight += 1;
    metrics.inFlight += 1;
    try {
      try {
        if (!route) throw new GatewayError('not_found', `No endpoint ${request.method} ${path.slice(0, 200)}. See GET /v1/models and the README for the API.`);
        if (route.method !== 'ANY' && request.method !== route.method) throw new GatewayError('method_not_allowed', `${path} accepts ${route.method} only.`);
        if (!accepting) throw new GatewayError('shutting_down', 'The gateway is shutting down; retry on another replica.', { retryable: true, retryAfterSeconds: 1 });
        if (!route.public) {
          tenant = authenticate(request);
          limiter.check(tenant);
        }
        if (route.body) body = await readRequestBody(request, config.limits.max_body_bytes);
        const exchange: Exchange = { request, response, requestId, body: body ?? Buffer.alloc(0), tenant: tenant ?? anonymousTenant, gateway, metrics, elapsed, recorder: recorderFor(tenant ?? anonymousTenant) };
        const reply = await route.handler(exchange, outcome, path, new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)));
        if (reply) await respond(reply);
        else status = response.statusCode;
      } catch (error) {
        const failure = asGatewayError(error);
        status = failure.status;
        outcome.streamError ??= failure.code;
        if (!outcome.attempts && failure.attempts.length > 0) outcome.attempts = failure.attempts;
        if (failure.code === 'internal_error') logger.error({ requestId, err: error }, 'request failed unexpectedly');
        if (!response.headersSent) await respond({ status: failure.status, body: errorBody(dialect, failure) }, failure);
        else if (!response.writableEnded) response.destroy();
      }
    } finally {
      inFlight -= 1;
      metrics.inFlight -= 1;
      if (inFlight === 0 && idle) idle();
    }
    const seconds = elapsed();
    const endpoint = route?.endpoint ?? 'unknown';
    const alias = outcome.alias ?? '';
    const provider = outcome.candidate?.provider.description.id ?? '';
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
        provider: provider || undefined,
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
    sendJson(response, ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not_ready', store: storeOk, provider: providerOk, accepting }), { 'x-request-id': requestId, 'x-sovereign-policy': gateway.policyHash });
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
    gate,
    gateway,
    metrics,
    keys,
    ledger,
    async start() {
      if (config.auth.required) await keys.start(options.keyRefreshMs ?? 500);
      await reloadCuts();
      // Cuts made through another replica (or before a restart) apply here within half a second.
      cutsTimer = setInterval(() => void reloadCuts().catch((error) => logger.error({ err: error }, 'reloading cuts failed')), 500);
      cutsTimer.unref();
      gateway.startProbes(config.health.probe_interval_ms, config.health.probe_timeout_ms);
      const { interrupted } = await ledger.start();
      if (interrupted > 0) logger.warn({ interrupted }, 'closed streams that a previous run left open as interrupted');
      if (gate.simulation) logger.warn('ACTION GATE SIMULATION MODE IS ON: POST /api/v1/veritas-test accepts simulated receipts carrying the configured placeholders (actions.simulation). This is a conformance drill, not a proof; every entry it produces is marked simulated.');
      await gate.start();
    },
    async shutdown(graceMs: number) {
      accepting = false;
      // Held actions stay held; their waiting clients are told so (503) rather than kept through the grace time.
      gate.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
      keys.stop();
      if (cutsTimer) clearInterval(cutsTimer);
      await ledger.stop();
      await gateway.close();
    },
  };
}
