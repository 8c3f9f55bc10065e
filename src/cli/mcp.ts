// `sovereign mcp list` (the tool servers and their state), `sovereign mcp tools` (every tool, with its
// pin and whether it is quarantined) and `sovereign mcp tools accept <name>` (an admin accepts a
// quarantined tool's definition). Talks to a running gateway with --url and --api-key or --key
// (defaults: the config's listen address and $SOVEREIGN_KEY); `--json` prints what the API answered.
import type { Command } from 'commander';
import { callGateway } from './context.js';

interface McpOptions {
  url?: string;
  key?: string;
  apiKey?: string;
  config?: string;
  json?: boolean;
}

interface ServersView {
  servers: Array<{
    id: string;
    transport: string;
    jurisdiction: string;
    operator: string;
    ownership: string;
    state: string;
    last_error: string | null;
    calls: number;
    errors: number;
    refused: number;
    tools: Array<{ name: string; status: string; definition_sha256: string; read_only: boolean; flag: string | null }>;
  }>;
}

const servers = async (options: McpOptions): Promise<{ text: string; view: ServersView }> => {
  const text = await callGateway(options, 'GET', '/v1/mcp/servers', undefined, 'any scope');
  return { text, view: JSON.parse(text) as ServersView };
};

export function registerMcpCommands(program: Command): void {
  const mcp = program.command('mcp').description('the MCP gateway: tool servers, tools, pins');
  const common = (command: Command): Command =>
    command
      .option('--url <url>', 'the gateway (default: the config’s listen address)')
      .option('--api-key <key>', 'an API key (default: $SOVEREIGN_KEY)')
      .option('--key <key>', 'the same as --api-key')
      .option('--config <file>', 'config file')
      .option('--json', 'print the API’s JSON');
  common(
    mcp.command('list').description('the tool servers: where they run, who runs them, their state and calls'),
  ).action(async (options: McpOptions) => {
    const { text, view } = await servers(options);
    if (options.json) return void process.stdout.write(`${text}\n`);
    for (const server of view.servers)
      process.stdout.write(
        `${server.id}\t${server.transport}\t${server.jurisdiction}\t${server.ownership}\t${server.operator}\t${server.state}\t${server.tools.length} tools\t${server.calls} calls, ${server.errors} errors, ${server.refused} refused${server.last_error ? `\t${server.last_error}` : ''}\n`,
      );
  });
  const tools = common(
    mcp.command('tools').description('every tool, its definition pin, and what is quarantined'),
  ).action(async (options: McpOptions) => {
    const { view } = await servers(options);
    const all = view.servers.flatMap((server) => server.tools);
    if (options.json) return void process.stdout.write(`${JSON.stringify({ tools: all })}\n`);
    for (const tool of all)
      process.stdout.write(
        `${tool.name}\t${tool.status}\t${tool.read_only ? 'read-only' : 'acts'}\t${tool.definition_sha256.slice(0, 16)}${tool.flag ? `\tflagged: ${tool.flag}` : ''}\n`,
      );
  });
  common(
    tools.command('accept <name>').description('accept a quarantined tool’s definition as its new pin (admin)'),
  ).action(async (name: string, _options: McpOptions, command: Command) => {
    // The parent (`tools`) takes the same options, and commander hands them to it: read both.
    const options = command.optsWithGlobals<McpOptions>();
    const text = await callGateway(options, 'POST', `/v1/mcp/tools/${encodeURIComponent(name)}/accept`, {});
    process.stdout.write(`${text}\n`);
  });
}
