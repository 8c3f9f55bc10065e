// The tool server of the MCP benchmark: one read-only tool (`lookup`) over Streamable HTTP on
// 127.0.0.1, answering at once, so what is measured is the gateway's part of a call.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const port = Number(process.argv[2] ?? 9141);
const sessions = new Map<string, StreamableHTTPServerTransport>();

const http = createServer(async (request, response) => {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  const body = pieces.length > 0 ? JSON.parse(Buffer.concat(pieces).toString('utf8')) : undefined;
  const id = request.headers['mcp-session-id'] as string | undefined;
  let transport = id ? sessions.get(id) : undefined;
  if (!transport) {
    const server = new McpServer({ name: 'bench-tools', version: '1.0.0' });
    server.registerTool(
      'lookup',
      {
        description: 'Looks up a ward by its number.',
        inputSchema: { ward: z.string() },
        annotations: { readOnlyHint: true },
      },
      async ({ ward }) => ({ content: [{ type: 'text', text: `ward ${ward}: open` }] }),
    );
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, created),
    });
    transport = created;
    await server.connect(created);
  }
  await transport.handleRequest(request, response, body);
});
http.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
