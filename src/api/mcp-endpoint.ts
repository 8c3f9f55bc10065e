// /mcp: the one MCP endpoint an organisation's agents use (Streamable HTTP: POST, GET, DELETE,
// sessions with Mcp-Session-Id, SSE responses, Last-Event-ID resumption), on the official SDK: a
// low-level Server per agent session. A session is bound to the API key that opened it; another
// key naming it is refused. Tools of every server are listed as `<server>__<tool>`, each key seeing
// the tools a rule lets it call; every call goes through mcp/tool-call.ts.
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { type EventStore, StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  type JSONRPCMessage,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { ActionGate } from '../gate/gate.js';
import type { Federation } from '../mcp/federation.js';
import type { ToolCaller, ToolCalls } from '../mcp/tool-call.js';
import type { Tenant } from '../pipeline/auth.js';
import type { Exchange } from './exchange.js';

export const mcpPath = '/mcp';

interface Session {
  id: string;
  keyId: string;
  tenant: Tenant;
  server: Server;
  transport: StreamableHTTPServerTransport;
  lastUsed: number;
  /** Aborted when the session is ended by the gateway (its key revoked), with the reason its calls answer. */
  ended: AbortController;
  /** Its requests in flight: a session ended by the gateway answers them before its transport closes. */
  pending: Set<Promise<unknown>>;
}

export interface McpEndpointOptions {
  federation: Federation;
  calls: ToolCalls;
  gate: ActionGate;
  clock: Clock;
  allowedOrigins: readonly string[];
  /** A session unused this long is closed (default 30 min). */
  idleSessionMs?: number;
  /** Sessions open at once for one key (default 64); past it the oldest idle one is closed. */
  maxSessionsPerKey?: number;
}

/** Events kept per session for Last-Event-ID resumption: the newest ones, bounded in number and in size. */
const eventsKept = 1_000;
const eventBytesKept = 8 * 1024 * 1024;

/** A bounded in-memory event store: a client that reconnects within a stream gets what it missed, if recent. */
class SessionEvents implements EventStore {
  private readonly events = new Map<string, { streamId: string; message: JSONRPCMessage; bytes: number }>();
  private bytes = 0;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${randomUUID()}`;
    const bytes = JSON.stringify(message).length;
    this.events.set(id, { streamId, message, bytes });
    this.bytes += bytes;
    while (this.events.size > eventsKept || (this.bytes > eventBytesKept && this.events.size > 1)) {
      const [oldest, event] = this.events.entries().next().value!;
      this.events.delete(oldest);
      this.bytes -= event.bytes;
    }
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const last = this.events.get(lastEventId);
    if (!last) return '';
    let after = false;
    for (const [id, event] of this.events) {
      if (id === lastEventId) {
        after = true;
        continue;
      }
      if (after && event.streamId === last.streamId) await send(id, event.message);
    }
    return last.streamId;
  }
}

/** How long a session ended by the gateway waits for its calls to answer before its transport closes. */
const endWaitMs = 2_000;

export function createMcpEndpoint(options: McpEndpointOptions) {
  const sessions = new Map<string, Session>();
  const idleMs = options.idleSessionMs ?? 30 * 60_000;
  const perKey = options.maxSessionsPerKey ?? 64;

  const visibleTools = (tenant: Tenant): Tool[] =>
    options.federation
      .list()
      .filter((tool) => options.gate.toolRule(tenant.name, tool.name, tool.readOnly) !== undefined)
      // Only what the pin covers is shown: a field outside it (_meta, icons) could change unseen.
      .map(({ tool, name }) => ({
        name,
        ...(tool.title !== undefined ? { title: tool.title } : {}),
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        inputSchema: tool.inputSchema,
        ...(tool.outputSchema !== undefined ? { outputSchema: tool.outputSchema } : {}),
        ...(tool.annotations !== undefined ? { annotations: tool.annotations } : {}),
      }));

  function newServer(session: () => Session): Server {
    const server = new Server(
      { name: 'sovereign-gateway', version: '0.1.0' },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { listChanged: true },
          prompts: { listChanged: true },
        },
        instructions: 'Tools of the organisation, each call checked by its policy and action gate and recorded.',
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: visibleTools(session().tenant) }));
    /** The caller of one request: the session's tenant, a request id of ours, the client's cancellation. */
    /**
     * The caller of one request, and its work counted among the session's pending ones. Its signal is its own: aborted
     * by the client's cancellation or by the session's end (its key revoked), with both listeners removed when the
     * work settles (AbortSignal.any would keep every request alive, and cancel finished ones, until the session ends).
     */
    const run = <T>(extra: { signal: AbortSignal }, work: (caller: ToolCaller) => Promise<T>): Promise<T> => {
      const current = session();
      current.lastUsed = options.clock.now();
      const own = new AbortController();
      const fromClient = (): void => own.abort(extra.signal.reason);
      const fromSession = (): void => own.abort(current.ended.signal.reason);
      if (extra.signal.aborted) fromClient();
      else extra.signal.addEventListener('abort', fromClient, { once: true });
      if (current.ended.signal.aborted) fromSession();
      else current.ended.signal.addEventListener('abort', fromSession, { once: true });
      const caller: ToolCaller = {
        tenant: current.tenant,
        sessionId: current.id,
        // Ours, not the client's JSON-RPC id: what a client types could be data, and the ledger keeps it for good.
        requestId: `mcp-${randomUUID()}`,
        signal: own.signal,
      };
      const done = work(caller).finally(() => {
        extra.signal.removeEventListener('abort', fromClient);
        current.ended.signal.removeEventListener('abort', fromSession);
        current.pending.delete(done);
      });
      current.pending.add(done);
      return done;
    };
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: options.federation
        .resources()
        .filter(({ server: from }) => options.calls.mayRead(session().tenant.name, `${from.config.id}__resources/read`))
        .map(({ resource, uri }) => ({ ...resource, uri })),
    }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [] }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) =>
      run(extra, (caller) => options.calls.readResource(caller, request.params.uri)),
    );
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({
      prompts: options.federation
        .prompts()
        .filter(({ name }) => options.calls.mayRead(session().tenant.name, name))
        .map(({ prompt, name }) => ({ ...prompt, name })),
    }));
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) =>
      run(extra, (caller) => options.calls.getPrompt(caller, request.params.name, request.params.arguments ?? {})),
    );
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) =>
      run(extra, (caller) => {
        const token = request.params._meta?.progressToken;
        let progress = 0;
        if (token !== undefined)
          caller.progress = (message: string) =>
            extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: ++progress, message },
            });
        return options.calls.call(
          caller,
          request.params.name,
          (request.params.arguments ?? {}) as Record<string, unknown>,
          request.params._meta as Record<string, unknown> | undefined,
        );
      }),
    );
    return server;
  }

  /** Closes sessions unused for `idleMs`, and this key's oldest past its limit. */
  async function sweep(keyId: string, fresh: string): Promise<void> {
    const now = options.clock.now();
    const stale = [...sessions.values()].filter((session) => now - session.lastUsed > idleMs);
    const mine = [...sessions.values()]
      .filter((session) => session.keyId === keyId && session.id !== fresh)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    if (mine.length >= perKey) stale.push(...mine.slice(0, mine.length - perKey + 1));
    await Promise.all([...new Set(stale)].map((session) => session.transport.close()));
  }

  // The federation's tool list changed: every open session is told.
  options.federation.onToolsChanged = () => {
    for (const session of sessions.values()) {
      void session.server.sendToolListChanged().catch(() => undefined);
      void session.server.sendResourceListChanged().catch(() => undefined);
      void session.server.sendPromptListChanged().catch(() => undefined);
    }
  };

  return {
    /** POST, GET and DELETE /mcp; answers itself (SSE or JSON) and returns the status for the log. */
    async handle(exchange: Exchange): Promise<number> {
      const { request, response, tenant } = exchange;
      const origin = request.headers.origin;
      if (origin !== undefined && !options.allowedOrigins.includes(origin))
        throw new GatewayError('insufficient_scope', 'This Origin may not call /mcp (mcp.allowed_origins).');
      let parsed: unknown;
      if (request.method === 'POST') {
        try {
          parsed = JSON.parse(exchange.body.toString('utf8'));
        } catch {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
          return 400;
        }
      }
      if (Array.isArray(parsed)) {
        // Batches left the protocol in 2025-06-18; one message per request keeps the rate limit per call.
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32600, message: 'Batches are not accepted' }, id: null }),
        );
        return 400;
      }
      const named = request.headers['mcp-session-id'];
      const sessionId = Array.isArray(named) ? named[0] : named;
      if (sessionId !== undefined) {
        const session = sessions.get(sessionId);
        if (!session || session.keyId !== tenant.keyId) {
          // Another key's session is not told apart from one that does not exist.
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }),
          );
          return 404;
        }
        session.lastUsed = options.clock.now();
        await session.transport.handleRequest(request, response, parsed);
        return response.statusCode;
      }
      if (request.method !== 'POST') {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32000, message: 'Mcp-Session-Id header is required' },
            id: null,
          }),
        );
        return 400;
      }
      let session: Session | undefined;
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new SessionEvents(),
        onsessioninitialized: (id) => {
          session = {
            id,
            keyId: tenant.keyId,
            tenant,
            server,
            transport,
            lastUsed: options.clock.now(),
            ended: new AbortController(),
            pending: new Set(),
          };
          sessions.set(id, session);
        },
        onsessionclosed: (id) => void sessions.delete(id),
      });
      transport.onclose = () => {
        if (session) sessions.delete(session.id);
      };
      const server = newServer(() => session!);
      await server.connect(transport);
      await transport.handleRequest(request, response, parsed);
      // Not an initialize request: no session was made; nothing is kept.
      if (!session) await server.close();
      // A new session: idle ones, and this key's oldest past its limit, are closed.
      else await sweep(tenant.keyId, session.id);
      return response.statusCode;
    },

    /**
     * Closes the sessions of a revoked key: their open streams end, and the tool calls they have in flight are cancelled
     * (the SDK aborts each handler's signal when its transport closes). The next request naming one is a 404.
     */
    async endSessionsOf(keyId: string): Promise<number> {
      const ended = [...sessions.values()].filter((session) => session.keyId === keyId);
      const reason = new GatewayError(
        'invalid_api_key',
        'The API key of this session was revoked; the session is ended.',
      );
      await Promise.all(
        ended.map(async (session) => {
          sessions.delete(session.id);
          // Its calls in flight end with the reason as their answer (a tool server's call is cancelled there), and are
          // recorded; then the transport closes, ending its streams.
          session.ended.abort(reason);
          // Bounded: a call that does not settle within the wait is cut off with the transport.
          const over = new AbortController();
          await Promise.race([Promise.allSettled([...session.pending]), options.clock.sleep(endWaitMs, over.signal)]);
          over.abort();
          await new Promise((resolve) => setImmediate(resolve));
          await session.transport.close().catch(() => undefined);
        }),
      );
      return ended.length;
    },

    /** Closes every session (at shutdown). */
    async close(): Promise<void> {
      await Promise.all([...sessions.values()].map((session) => session.transport.close().catch(() => undefined)));
      sessions.clear();
    },

    get sessionCount(): number {
      return sessions.size;
    },
  };
}
