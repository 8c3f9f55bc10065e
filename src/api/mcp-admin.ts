// What the MCP gateway federates, as operators and auditors see it: GET /v1/mcp/servers (each tool
// server's description and state, its tools with their pins and quarantines, calls and errors since
// start), and POST /v1/mcp/tools/{name}/accept (admin: a quarantined tool's definition accepted as
// its new pin, a ledger entry).
import { GatewayError } from '../core/errors.js';
import type { Federation } from '../mcp/federation.js';
import type { ToolCalls } from '../mcp/tool-call.js';
import type { Exchange, Reply } from './exchange.js';

export const mcpServersPath = '/v1/mcp/servers';
export const mcpToolsPrefix = '/v1/mcp/tools/';

export function createMcpAdmin(federation: Federation, calls: ToolCalls) {
  return {
    servers(exchange: Exchange): Reply {
      // How a server last failed names hosts and addresses (the SSRF guard's refusals): for admin keys only.
      const admin = exchange.tenant.scopes.includes('admin');
      const tools = federation.all();
      const servers = [...federation.servers.values()].map((server) => {
        const stats = calls.stats.get(server.config.id) ?? { calls: 0, errors: 0, refused: 0 };
        return {
          id: server.config.id,
          transport: server.config.transport,
          jurisdiction: server.config.jurisdiction,
          operator: server.config.operator,
          ownership: server.config.ownership,
          state: server.state,
          last_error: admin ? (server.lastError ?? null) : null,
          tools: tools
            .filter((tool) => tool.server === server)
            .map((tool) => ({
              name: tool.name,
              status: tool.status,
              definition_sha256: tool.definitionSha256,
              read_only: tool.tool.annotations?.readOnlyHint === true,
              flag: tool.flag,
            })),
          calls: stats.calls,
          errors: stats.errors,
          refused: stats.refused,
          error_rate: stats.calls === 0 ? 0 : Math.round((stats.errors / stats.calls) * 1000) / 1000,
        };
      });
      return { status: 200, body: JSON.stringify({ servers }) };
    },

    async accept(exchange: Exchange, path: string): Promise<Reply> {
      const [name, verb, ...rest] = path.slice(mcpToolsPrefix.length).split('/');
      if (!name || verb !== 'accept' || rest.length > 0 || exchange.request.method !== 'POST')
        throw new GatewayError('not_found', `No endpoint ${exchange.request.method} ${mcpToolsPrefix}{name}/….`);
      if (!exchange.tenant.scopes.includes('admin'))
        throw new GatewayError('insufficient_scope', 'Accepting a tool definition needs a key with the admin scope.');
      const tool = decodeURIComponent(name);
      const accepted = await federation.accept(tool, exchange.tenant.name);
      if (!accepted)
        throw new GatewayError(
          'not_found',
          /^[a-z0-9-]+__[A-Za-z0-9_.-]{1,128}$/.test(tool)
            ? `The tool ${tool} is not quarantined.`
            : 'No quarantined tool has this name.',
        );
      return {
        status: 200,
        body: JSON.stringify({ name: accepted.name, status: 'active', definition_sha256: accepted.sha256 }),
      };
    },
  };
}
