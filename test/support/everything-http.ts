// The MCP reference server `@modelcontextprotocol/server-everything` (its own tools, from npm) over
// Streamable HTTP on 127.0.0.1: its launcher listens on every interface, so the tests host its server
// factory themselves, one session per client, with the SDK's transport. Every JSON-RPC method the
// server is sent is recorded, so a test can prove a refused call never reached it.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
// @ts-expect-error: the package ships JavaScript without declarations for its server factory.
import { createServer as createEverything } from '@modelcontextprotocol/server-everything/dist/server/index.js';

/** An agent: the official SDK's client, connected to a gateway's /mcp with an API key (the gateway's own by default). */
export async function connectAgent(
  gateway: { url: string; key: string },
  key = gateway.key,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } },
    }),
  );
  return client;
}

export interface EverythingServer {
  url: string;
  /** Every method received, in order, with its params (tools/call: name and arguments). */
  received: Array<{ method: string; params: any }>;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  const text = Buffer.concat(pieces).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

export function startEverythingServer(): Promise<EverythingServer> {
  return hostMcpServer(() => createEverything());
}

/** Hosts an MCP server factory (one server per session) over Streamable HTTP on 127.0.0.1. */
export async function hostMcpServer(
  factory: () => { server: { connect(transport: StreamableHTTPServerTransport): Promise<void> }; cleanup?: () => void },
): Promise<EverythingServer> {
  const received: EverythingServer['received'] = [];
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; cleanup?: () => void }>();
  const http = createServer(async (request, response) => {
    const body = request.method === 'POST' ? await bodyOf(request) : undefined;
    for (const message of Array.isArray(body) ? body : body ? [body] : [])
      if (message && typeof message === 'object' && 'method' in message)
        received.push({ method: String(message.method), params: (message as { params?: unknown }).params });
    const id = request.headers['mcp-session-id'] as string | undefined;
    let session = id ? sessions.get(id) : undefined;
    if (!session) {
      if (id) {
        response.writeHead(404).end();
        return;
      }
      const { server, cleanup } = factory();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, { transport, cleanup }),
      });
      session = { transport, cleanup };
      await server.connect(transport);
    }
    await session.transport.handleRequest(request, response, body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    received,
    async close() {
      for (const { transport, cleanup } of sessions.values()) {
        cleanup?.();
        await transport.close().catch(() => undefined);
      }
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
