// A stdio MCP server for the tests: it starts a helper process of its own (as servers launched
// through npx or a shell script do), writes both pids to the file given as its argument, and has a
// tool `crash` that makes it exit, and `ping`.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const pidFile = process.argv[2];
const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
appendFileSync(pidFile, `${process.pid} ${helper.pid}\n`);
const server = new McpServer({ name: 'crashy', version: '1.0.0' });
server.registerTool('ping', { description: 'Answers pong.', annotations: { readOnlyHint: true } }, async () => ({
  content: [{ type: 'text', text: `pong from ${process.pid}` }],
}));
server.registerTool('crash', { description: 'Exits the server.', annotations: { readOnlyHint: true } }, async () => {
  setImmediate(() => process.exit(1));
  return { content: [{ type: 'text', text: 'bye' }] };
});
await server.connect(new StdioServerTransport());
