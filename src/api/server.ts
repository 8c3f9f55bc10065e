// The gateway as an HTTP server: its parts wired together (the gateway's catalogue and policy, the
// call pipeline, keys and limits, the ledger, the action gate), the route table, and the lifecycle
// (start, graceful shutdown). What one exchange goes through is in serve.ts.
import { randomBytes } from 'node:crypto';
import { ResponsesState } from '../state/responses.js';
import { Sealer } from '../state/sealing.js';
import { conversationsPath, conversationsPrefix, createConversationsApi } from './conversations.js';
import { createResponsesApi, responsesPrefix } from './openai-responses.js';
import { Federation } from '../mcp/federation.js';
import { ToolCalls } from '../mcp/tool-call.js';
import { samplingThrough } from '../mcp/sampling.js';
import { createMcpEndpoint, mcpPath } from './mcp-endpoint.js';
import { createMcpAdmin, mcpServersPath, mcpToolsPrefix } from './mcp-admin.js';
import { createServer, type Server } from 'node:http';
import type { Config } from '../config/schema.js';
import { every, systemClock, type Clock } from '../core/clock.js';
import { asGatewayError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import { KeyRing, RateLimiter } from '../pipeline/auth.js';
import { CallPipeline, type CallInput, type CallOutput } from '../pipeline/call.js';
import { Capturer } from '../learning/capture.js';
import { FeedbackService } from '../learning/feedback.js';
import { createFeedbackEndpoints, feedbackPath } from './feedback-endpoints.js';
import { captureSettingsOf, LearningLoop, learningActive } from '../pipeline/learning-loop.js';
import { Gateway } from '../pipeline/gateway.js';
import type { DeepScanner } from '../pipeline/deep-scan.js';
import type { LedgerLog } from '../pipeline/ledger-log.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { anthropicCountWriter, anthropicMessagesWriter, parseMessagesRequest } from './anthropic-messages.js';
import { errorBody } from './errors.js';
import { sendJson } from './http-io.js';
import { createLedgerEndpoints, receiptsPrefix } from './ledger-endpoints.js';
import { createAdminEndpoints } from './admin-endpoints.js';
import { actionsPrefix, createActionEndpoints } from './action-endpoints.js';
import { ActionGate } from '../gate/gate.js';
import { createDownstream } from '../providers/downstream.js';
import { openAIChatWriter, parseChatRequest } from './openai-chat.js';
import { handlePolicyExplain } from './policy-explain.js';
import { handleModels, openAIEmbeddingsWriter, parseEmbeddingsRequest } from './openai-embeddings.js';
import { CallsInFlight, createServe, type Route, type RouteTable } from './serve.js';

export interface WeightsDigest {
  model_sha256: string;
  adapter_sha256?: string;
}

export interface AppOptions {
  config: Config;
  store: Store;
  providers: Map<string, Provider>;
  ledger: LedgerLog;
  logger: Logger;
  /** The one clock (time and waits) handed down to everything that waits; default: the system's. */
  clock?: Clock;
  /** How often keys are reloaded from the store (the CLI may add or revoke them meanwhile). */
  keyRefreshMs?: number;
  /** The digests of registered weights behind `provider/model` names (recorded in each call's ledger entry). */
  weights?: Map<string, WeightsDigest>;
  /** Process-wide metrics (CPU, memory, GC); off for apps created by tests. */
  defaultMetrics?: boolean;
  /** The model layer of the detectors, when `policy.detectors.ner` is set (closed with the app). */
  deepScanner?: DeepScanner;
  /**
   * The 32-byte key that seals stored conversation state (`sovereign start` loads it from
   * `state.encryption_key_env` or the data directory). Without one, a key for this process only:
   * stored state then does not open after a restart.
   */
  stateKey?: Buffer;
  /** Where the secrets tool servers are given (mcp.servers[].env_from, headers_env) are read; default process.env. */
  environment?: Readonly<Record<string, string | undefined>>;
}

export interface App {
  server: Server;
  gate: ActionGate;
  gateway: Gateway;
  metrics: Metrics;
  keys: KeyRing;
  ledger: LedgerLog;
  /** Capture and shadow traffic (the learning loop). */
  learning: LearningLoop;
  /** Loads keys and starts the ledger; call before listening. */
  start(): Promise<void>;
  /**
   * Stops accepting, lets in-flight requests and streams finish up to `graceMs`, then closes everything but the store.
   */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Lets the answers already written (a last error event, a 503) reach their sockets before the connections are
 * destroyed: a connection closes as soon as its response has flushed; one whose client does not read is left to
 * closeAllConnections after a few turns of the event loop.
 */
async function flushConnections(server: Server): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) {
    server.closeIdleConnections();
    const open = await new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));
    if (open === 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function createApp(options: AppOptions): App {
  const { config, store, logger, ledger } = options;
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const gateway = new Gateway({
    config,
    providers: options.providers,
    metrics,
    clock,
    deepScanner: options.deepScanner,
  });
  const keys = new KeyRing(
    store,
    config.auth.default_rpm,
    (error) => logger.error({ err: error }, 'reloading API keys failed'),
    clock,
  );
  const limiter = new RateLimiter(now);
  const weightsOf =
    options.weights && options.weights.size > 0 ? (name: string) => options.weights!.get(name) : undefined;
  const ledgerEndpoints = createLedgerEndpoints(ledger, store, config.ledger.receipt_wait_ms);
  const reloadCuts = async (): Promise<void> => {
    gateway.cuts = await store.cuts();
  };
  const adminEndpoints = createAdminEndpoints(config, store, ledger, reloadCuts, now);
  // The gate decides; what it stores, records and releases goes through these ports (gate/ports.ts).
  const downstream = config.actions.downstream
    ? createDownstream({ url: config.actions.downstream, timeoutMs: config.actions.downstream_timeout_ms, clock })
    : undefined;
  const gate = new ActionGate({
    settings: config.actions,
    ports: { store, append: (record, keyId) => ledger.append(record, { keyId }), forward: downstream },
    policyHash: gateway.policyHash,
    clock,
    onError: (error) => logger.error({ err: error }, 'the action gate failed in the background'),
  });
  const actionEndpoints = createActionEndpoints(gate);
  // Conversation state and captured calls are sealed with the same key, each value bound to its row's id.
  const sealer = new Sealer(options.stateKey ?? randomBytes(32));
  const capturer = new Capturer({
    store: store.learning,
    sealer,
    now,
    settingsFor: captureSettingsOf(config),
    maxPending: config.capture.max_pending,
    onError: (error) => logger.error({ err: error }, 'storing a captured call failed'),
    onOutcome: (outcome) => metrics.captures.inc([outcome]),
  });
  const learning = new LearningLoop({
    config,
    gateway,
    ledger,
    capturer,
    clock,
    onError: (error) => logger.error({ err: error }, 'a shadow call failed outside the pipeline'),
    onShadow: (alias, outcome) => metrics.shadowCalls.inc([alias, outcome]),
  });
  const feedbackEndpoints = createFeedbackEndpoints(
    new FeedbackService({
      store: store.learning,
      sealer,
      metrics: config.feedback.metrics,
      append: (record, keyId) => ledger.append(record, { keyId }),
      now,
      policyHash: gateway.policyHash,
    }),
  );
  const calls = new CallPipeline({
    gateway,
    ledger,
    now,
    weights: weightsOf,
    answered: learningActive(config) ? learning.answered : undefined,
  });
  const federation = new Federation(config.mcp.servers, {
    clock,
    environment: options.environment ?? process.env,
    log: (event, detail) => logger.info({ ...detail, event }, 'mcp tool server'),
    store,
    append: (record) => ledger.append(record, { keyId: null }),
    policyHash: gateway.policyHash,
    sample: samplingThrough(calls),
  });
  const toolCalls = new ToolCalls({
    federation,
    gateway,
    gate,
    append: (record, keyId) => ledger.append(record, { keyId }),
    clock,
    onCall: (server, tool, verdict, outcome) => metrics.toolCalls.inc([server, tool, verdict, outcome]),
  });
  const mcpAdmin = createMcpAdmin(federation, toolCalls);
  const mcpEndpoint = createMcpEndpoint({
    federation,
    calls: toolCalls,
    gate,
    clock,
    allowedOrigins: config.mcp.allowed_origins,
  });
  const responsesState = new ResponsesState(store.state, sealer, {
    clock,
    retentionMs: config.state.response_retention_days * 86_400_000,
  });
  /** When the grace time of the shutdown under way ends (shutdown sets it): background turns get what is left of it. */
  let graceEndsAt = 0;
  const responsesApi = createResponsesApi({
    calls,
    state: responsesState,
    now,
    grace: async (work) => {
      const over = new AbortController();
      await Promise.race([work, clock.sleep(Math.max(0, graceEndsAt - clock.now()), over.signal)]);
      over.abort();
    },
    onError: (error) => logger.error({ err: error }, 'a background response failed outside the pipeline'),
    limits: { total: config.state.max_background, perOwner: config.state.max_background_per_key },
  });
  const conversationsApi = createConversationsApi({ state: responsesState });
  /** Aborted at shutdown: ends the app's own loops (cut reloads) and waits. */
  const running = new AbortController();
  let accepting = true;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const call = (endpoint: CallInput['endpoint'], run: (input: CallInput) => Promise<CallOutput>): Route['call'] => ({
    endpoint,
    run,
  });
  const exact = new Map<string, Route>([
    [
      '/v1/chat/completions',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'chat',
        body: true,
        call: call('chat', (input) => calls.chat(input, () => parseChatRequest(input.body!), openAIChatWriter)),
      },
    ],
    [
      '/v1/embeddings',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'embeddings',
        body: true,
        call: call('embeddings', (input) =>
          calls.embeddings(input, () => parseEmbeddingsRequest(input.body!), openAIEmbeddingsWriter),
        ),
      },
    ],
    [
      '/v1/responses',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'responses',
        body: true,
        call: call('responses', (input) => responsesApi.create(input)),
      },
    ],
    [
      '/v1/responses/input_tokens',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'count_tokens',
        body: true,
        call: call('count_tokens', (input) => responsesApi.inputTokens(input)),
      },
    ],
    [
      conversationsPath,
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'conversations',
        handler: (exchange) => conversationsApi.create(exchange),
        body: true,
      },
    ],
    [
      '/v1/messages',
      {
        dialect: 'anthropic',
        method: 'POST',
        endpoint: 'messages',
        body: true,
        call: call('messages', (input) =>
          calls.chat(input, () => parseMessagesRequest(input.body!), anthropicMessagesWriter),
        ),
      },
    ],
    [
      '/v1/messages/count_tokens',
      {
        dialect: 'anthropic',
        method: 'POST',
        endpoint: 'count_tokens',
        body: true,
        call: call('count_tokens', (input) =>
          calls.countTokens(input, () => parseMessagesRequest(input.body!, true), anthropicCountWriter),
        ),
      },
    ],
    [
      feedbackPath,
      {
        dialect: 'openai',
        method: 'ANY',
        endpoint: 'feedback',
        handler: (exchange) => feedbackEndpoints.handle(exchange),
        body: true,
      },
    ],
    [
      mcpServersPath,
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'mcp',
        handler: (exchange) => mcpAdmin.servers(exchange),
        body: false,
      },
    ],
    [
      mcpPath,
      {
        dialect: 'openai',
        method: 'ANY',
        endpoint: 'mcp',
        raw: (exchange) => mcpEndpoint.handle(exchange),
        body: true,
      },
    ],
    ['/v1/models', { dialect: 'openai', method: 'GET', endpoint: 'models', handler: handleModels, body: false }],
    [
      '/v1/providers',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'providers',
        handler: (exchange) => adminEndpoints.providers(exchange),
        body: false,
      },
    ],
    [
      '/v1/reports/dependencies',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'reports',
        handler: (exchange, _path, query) => adminEndpoints.dependencies(exchange, query),
        body: false,
      },
    ],
    [
      '/v1/admin/cut',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'admin',
        handler: (exchange) => adminEndpoints.cut(exchange),
        body: true,
      },
    ],
    [
      '/v1/admin/uncut',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'admin',
        handler: (exchange) => adminEndpoints.uncut(exchange),
        body: true,
      },
    ],
    [
      '/v1/policy/explain',
      { dialect: 'openai', method: 'POST', endpoint: 'policy', handler: handlePolicyExplain, body: true },
    ],
    [
      '/v1/ledger/checkpoint',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'ledger',
        handler: () => ledgerEndpoints.checkpoint(),
        body: false,
        public: true,
      },
    ],
    [
      '/v1/ledger/key',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'ledger',
        handler: () => ledgerEndpoints.key(),
        body: false,
        public: true,
      },
    ],
    [
      '/v1/ledger/consistency',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'ledger',
        handler: (exchange, _path, query) => ledgerEndpoints.consistency(exchange, query),
        body: false,
      },
    ],
    [
      '/v1/ledger/entries',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'ledger',
        handler: (exchange, _path, query) => ledgerEndpoints.entries(exchange, query),
        body: false,
      },
    ],
    [
      '/v1/actions',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'actions',
        handler: (exchange) => actionEndpoints.submit(exchange),
        body: true,
      },
    ],
    [
      '/v1/actions/pending',
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'actions',
        handler: (exchange, _path, query) => actionEndpoints.pending(exchange, query),
        body: false,
      },
    ],
    [
      '/api/v1/veritas-test',
      {
        dialect: 'openai',
        method: 'POST',
        endpoint: 'actions',
        handler: (exchange) => actionEndpoints.veritas(exchange),
        body: true,
      },
    ],
  ]);
  const byPrefix: Array<[string, Route]> = [
    [
      receiptsPrefix,
      {
        dialect: 'openai',
        method: 'GET',
        endpoint: 'ledger',
        handler: (exchange, path) => ledgerEndpoints.receipt(exchange, path),
        body: false,
      },
    ],
    [
      actionsPrefix,
      {
        dialect: 'openai',
        method: 'ANY',
        endpoint: 'actions',
        handler: (exchange, path) => actionEndpoints.byId(exchange, path),
        body: true,
      },
    ],
    [
      responsesPrefix,
      {
        dialect: 'openai',
        method: 'ANY',
        endpoint: 'responses',
        handler: (exchange, path, query) => responsesApi.byId(exchange, path, query),
        body: true,
      },
    ],
    [
      mcpToolsPrefix,
      {
        dialect: 'openai',
        method: 'ANY',
        endpoint: 'mcp',
        handler: (exchange, path) => mcpAdmin.accept(exchange, path),
        body: false,
      },
    ],
    [
      conversationsPrefix,
      {
        dialect: 'openai',
        method: 'ANY',
        endpoint: 'conversations',
        handler: (exchange, path, query) => conversationsApi.byId(exchange, path, query),
        body: true,
      },
    ],
  ];
  const routes: RouteTable = {
    find: (path) => exact.get(path) ?? byPrefix.find(([prefix]) => path.startsWith(prefix))?.[1],
  };

  const inFlightCalls = new CallsInFlight(clock);
  // A revoked key's open streams and MCP sessions end at the reload that finds it gone (every keyRefreshMs).
  keys.onRevoked((keyId) => {
    inFlightCalls.stopStreamsOf(keyId);
    void mcpEndpoint.endSessionsOf(keyId).then((count) => {
      if (count > 0) logger.info({ keyId, sessions: count }, 'a revoked key: its MCP sessions were closed');
    });
  });
  const serve = createServe({
    config,
    calls: inFlightCalls,
    routes,
    keys,
    limiter,
    pipeline: calls,
    gateway,
    metrics,
    logger,
    store,
    ledger,
    accepting: () => accepting,
    enter: () => {
      inFlight += 1;
      return () => {
        inFlight -= 1;
        if (inFlight === 0 && idle) idle();
      };
    },
  });
  const { headers_timeout_ms: headersTimeoutMs, body_timeout_ms: bodyTimeoutMs } = config.limits;
  // Node checks its header and request timeouts on this interval: a second keeps them close to what is configured.
  const server = createServer({ keepAliveTimeout: 65_000, connectionsCheckingInterval: 1_000 }, (request, response) => {
    serve(request, response).catch((error) => {
      logger.error({ err: error }, 'unhandled failure while serving');
      if (!response.headersSent) sendJson(response, 500, errorBody('openai', asGatewayError(error)));
      else response.destroy();
    });
  });
  // Headers from a slow or silent client must not hold a socket forever (Node's timer: headers arrive before any code
  // of ours runs). A body is bounded on the gateway's clock as it is read (limits.body_timeout_ms, serve.ts);
  // Node's request timeout is the backstop for a body nothing reads (an answer sent before it, the rest dumped).
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = headersTimeoutMs + bodyTimeoutMs;

  return {
    server,
    gate,
    gateway,
    metrics,
    keys,
    ledger,
    learning,
    async start() {
      if (config.auth.required) await keys.start(options.keyRefreshMs ?? 500);
      await reloadCuts();
      // Cuts made through another replica (or before a restart) apply here within half a second.
      void every(clock, 500, running.signal, reloadCuts, (error) =>
        logger.error({ err: error }, 'reloading cuts failed'),
      );
      // Stored responses past state.response_retention_days are removed with their text.
      void every(
        clock,
        3_600_000,
        running.signal,
        () => responsesState.purgeExpired(),
        (error) => logger.error({ err: error }, 'removing expired responses failed'),
      );
      // Captures past their retention_days likewise.
      void every(
        clock,
        3_600_000,
        running.signal,
        async () => {
          await store.learning.expireCaptures(clock.now());
        },
        (error) => logger.error({ err: error }, 'removing expired captures failed'),
      );
      gateway.startProbes(config.health.probe_interval_ms, config.health.probe_timeout_ms);
      const { interrupted } = await ledger.start();
      if (interrupted > 0) logger.warn({ interrupted }, 'closed streams that a previous run left open as interrupted');
      if (gate.simulation)
        logger.warn(
          'ACTION GATE SIMULATION MODE IS ON: POST /api/v1/veritas-test accepts simulated receipts carrying the configured placeholders (actions.simulation). This is a conformance drill, not a proof; every entry it produces is marked simulated.',
        );
      await gate.start();
      await federation.start();
    },
    async shutdown(graceMs: number) {
      accepting = false;
      graceEndsAt = clock.now() + graceMs;
      // Held actions stay held; their waiting clients are told so (503) rather than kept through the grace time.
      gate.stop();
      // MCP calls in progress are answered within the grace (held ones were just told the gateway stops); then the
      // sessions, which hold SSE streams open, end.
      {
        const over = new AbortController();
        await Promise.race([toolCalls.drain(), clock.sleep(Math.max(0, graceEndsAt - clock.now()), over.signal)]);
        over.abort();
        // The answers were handed to the sessions' transports; a few turns of the event loop let them be written.
        for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      }
      await mcpEndpoint.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const grace = new AbortController();
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), clock.sleep(graceMs, grace.signal)]);
        grace.abort();
      }
      if (inFlight > 0) {
        // Past the grace: what still runs is ended (upstream calls aborted, streams sent a last error event), and each
        // records `outcome: shutdown` before the ledger stops. Bounded too: a second more at most.
        inFlightCalls.stopAll();
        const ending = new AbortController();
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), clock.sleep(1_000, ending.signal)]);
        ending.abort();
      }
      inFlightCalls.close();
      await flushConnections(server);
      server.closeAllConnections();
      await closed;
      // Background responses are calls too: they finish (or are stopped and recorded) before the ledger stops.
      await responsesApi.stop();
      // Shadow calls under way are stopped (each records its entry) and queued captures stored.
      await learning.stop();
      keys.stop();
      running.abort();
      await ledger.stop();
      await downstream?.close();
      await federation.stop();
      await gateway.close();
    },
  };
}
