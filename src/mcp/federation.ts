// The tool servers of the config, federated: every server's tools under `<server id>__<tool name>`,
// what one key may see (the tools a rule lets it call), and each tool's definition digest (the
// SHA-256 of its canonical definition: name, description, schemas, annotations), which every call's
// ledger entry names so a changed definition shows.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/schema.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Clock } from '../core/clock.js';
import { sha256Hex } from '../ledger/hash.js';
import { ToolServer } from './tool-server.js';

/** Server ids are [a-z0-9-]: the first `__` of a prefixed name is where the server's id ends. */
export const separator = '__';

export interface FederatedTool {
  /** The prefixed name agents see and call. */
  name: string;
  server: ToolServer;
  /** The tool as its server lists it. */
  tool: Tool;
  definitionSha256: string;
}

export interface FederationDependencies {
  clock: Clock;
  environment: Readonly<Record<string, string | undefined>>;
  log: (event: string, detail: Record<string, unknown>) => void;
}

export function definitionDigest(tool: Tool): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return sha256Hex(canonicalJson({ name, title, description, inputSchema, outputSchema, annotations }));
}

export class Federation {
  readonly servers = new Map<string, ToolServer>();
  private tools = new Map<string, FederatedTool>();
  /** Tells every open agent session that the list changed (notifications/tools/list_changed). */
  onToolsChanged: (() => void) | undefined;

  constructor(configs: readonly McpServerConfig[], dependencies: FederationDependencies) {
    for (const config of configs)
      this.servers.set(
        config.id,
        new ToolServer(config, {
          ...dependencies,
          onTools: () => {
            this.rebuild();
            this.onToolsChanged?.();
          },
        }),
      );
  }

  /** Starts every server at once; each one that cannot start is retried in the background. */
  async start(): Promise<void> {
    await Promise.all([...this.servers.values()].map((server) => server.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map((server) => server.stop()));
  }

  private rebuild(): void {
    const tools = new Map<string, FederatedTool>();
    for (const server of this.servers.values())
      for (const tool of server.tools) {
        const name = `${server.config.id}${separator}${tool.name}`;
        tools.set(name, { name, server, tool, definitionSha256: definitionDigest(tool) });
      }
    this.tools = tools;
  }

  /** A tool by its prefixed name, from a server that is up. */
  find(name: string): FederatedTool | undefined {
    const found = this.tools.get(name);
    return found && found.server.state === 'ready' ? found : undefined;
  }

  /** Every tool of every server that is up, in server then tool order. */
  list(): FederatedTool[] {
    return [...this.tools.values()].filter((tool) => tool.server.state === 'ready');
  }
}
