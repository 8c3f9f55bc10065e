// One tool server behind the gateway: an MCP client of the official SDK over our stdio transport (a
// process the gateway starts, restarted with back-off when it exits) or Streamable HTTP (an undici
// pool, the gateway's own credentials for it; never the agent's token). It keeps the server's tool
// list current and refuses what a tool server asks of its client (sampling, elicitation, roots):
// the gateway declares none of those capabilities, and each such request is logged.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  type CreateMessageRequest,
  CreateMessageRequestSchema,
  type CreateMessageResult,
  ErrorCode,
  type GetPromptResult,
  McpError,
  type Prompt,
  PromptListChangedNotificationSchema,
  type ReadResourceResult,
  type Resource,
  ResourceListChangedNotificationSchema,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { fetch as undiciFetch, Pool } from 'undici';
import type { McpServerConfig } from '../config/schema.js';
import { addressRefusal, guardedLookup } from '../core/address-guard.js';
import type { Clock } from '../core/clock.js';
import type { ProviderDescription } from '../core/provider.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';

export type ToolServerState = 'starting' | 'ready' | 'down' | 'stopped';

export interface ToolServerDependencies {
  clock: Clock;
  environment: Readonly<Record<string, string | undefined>>;
  /** The server's stderr lines, requests it made of its client, reconnections: for the log. */
  log: (event: string, detail: Record<string, unknown>) => void;
  /** The tool list changed (a re-list after `notifications/tools/list_changed`, or a reconnection). */
  onTools: (server: ToolServer) => void;
  /** Answers a server's sampling request through the gateway's chat path (only for servers with `sampling`). */
  sample?: (
    server: ToolServer,
    request: CreateMessageRequest['params'],
    signal: AbortSignal,
  ) => Promise<CreateMessageResult>;
}

/** Back-off between restarts: 1 s doubling to 30 s, on the clock. */
const firstBackoffMs = 1_000;
const maxBackoffMs = 30_000;
/** How long connecting (starting the process, the initialize handshake, the first tool list) may take. */
const connectTimeoutMs = 20_000;

export class ToolServer {
  readonly description: ProviderDescription;
  state: ToolServerState = 'starting';
  /** The server's tools as it lists them (names unprefixed). */
  tools: Tool[] = [];
  /** Its resources and prompts, where it offers them. */
  resources: Resource[] = [];
  prompts: Prompt[] = [];
  /** When the last connection attempt failed, and why (for GET /v1/mcp/servers; never a secret). */
  lastError: string | undefined;
  private client: Client | undefined;
  private backoffMs = firstBackoffMs;
  private readonly stopping = new AbortController();
  private readonly pool: Pool | undefined;
  private reconnecting: Promise<void> | undefined;

  constructor(
    readonly config: McpServerConfig,
    private readonly dependencies: ToolServerDependencies,
  ) {
    this.description = {
      id: config.id,
      kind: `mcp-${config.transport}`,
      jurisdiction: config.jurisdiction,
      operator: config.operator,
      ownership: config.ownership,
      models: [],
    };
    if (config.transport === 'http') {
      const rule = {
        name: `mcp.servers "${config.id}"`,
        ownership: config.ownership,
        privateNetwork: config.private_network,
      };
      // Every connection's address is checked (the SSRF guard, core/address-guard.ts).
      this.pool = new Pool(new URL(config.url).origin, { connections: 16, connect: { lookup: guardedLookup(rule) } });
    }
    // Fail at start, as for providers: a credential the config names must be in the environment.
    for (const [, name] of Object.entries(this.environmentNames()))
      if (dependencies.environment[name] === undefined)
        throw new Error(`mcp.servers "${config.id}": the environment variable ${name} is not set`);
  }

  private environmentNames(): Record<string, string> {
    return (this.config.transport === 'http' ? this.config.headers_env : this.config.env_from) ?? {};
  }

  /** Connects (bounded); a server that cannot start is retried in the background with back-off. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.lost(error);
    }
  }

  private transport(): Transport {
    const { config } = this;
    const secrets: Record<string, string> = {};
    for (const [key, name] of Object.entries(this.environmentNames()))
      secrets[key] = this.dependencies.environment[name]!;
    if (config.transport === 'stdio')
      return new ProcessGroupStdioTransport({
        command: config.command,
        env: { ...config.env, ...secrets },
        cwd: config.cwd,
        clock: this.dependencies.clock,
        onStderr: (line) => this.dependencies.log('stderr', { server: config.id, line }),
      });
    const pool = this.pool!;
    return new StreamableHTTPClientTransport(new URL(config.url), {
      requestInit: { headers: { ...config.headers, ...secrets } },
      // The gateway's own pool for this server, not the process-wide fetch dispatcher; a redirect is an error (fetch
      // would follow it, to another host, with the gateway's credentials for this one).
      fetch: ((url: string | URL, init?: RequestInit) =>
        undiciFetch(url, { ...(init as object), redirect: 'error', dispatcher: pool } as never)) as never,
    });
  }

  private async connect(): Promise<void> {
    const sampling = this.config.sampling !== undefined && this.dependencies.sample !== undefined;
    // Sampling is offered only to a server the config lets sample; elicitation and roots to none.
    const client = new Client(
      { name: 'sovereign-gateway', version: '0.1.0' },
      { capabilities: sampling ? { sampling: {} } : {} },
    );
    if (sampling)
      client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
        this.dependencies.log('sampling', { server: this.config.id });
        return this.dependencies.sample!(this, request.params, extra.signal);
      });
    client.fallbackRequestHandler = async (request) => {
      // Sampling, elicitation, roots: the gateway offers none of them to tool servers.
      this.dependencies.log('refused_server_request', { server: this.config.id, method: request.method });
      throw new McpError(ErrorCode.MethodNotFound, `The gateway does not serve ${request.method} to tool servers.`);
    };
    const relistOthers = async (): Promise<void> => {
      await this.listOthers(client)
        .then(() => this.dependencies.onTools(this))
        .catch((error) => this.dependencies.log('relist_failed', { server: this.config.id, error: String(error) }));
    };
    client.setNotificationHandler(ResourceListChangedNotificationSchema, relistOthers);
    client.setNotificationHandler(PromptListChangedNotificationSchema, relistOthers);
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      await this.relist(client).catch((error) =>
        this.dependencies.log('relist_failed', { server: this.config.id, error: String(error) }),
      );
    });
    client.onclose = () => {
      if (this.client === client) this.lost(new Error('the connection closed'));
    };
    await client.connect(this.transport(), { timeout: connectTimeoutMs });
    this.client = client;
    await this.listOthers(client);
    await this.relist(client);
    this.state = 'ready';
    this.lastError = undefined;
    this.backoffMs = firstBackoffMs;
  }

  /** Reads the whole tool list (every page). */
  private async relist(client: Client): Promise<void> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const listed = await client.listTools(cursor ? { cursor } : undefined, { timeout: connectTimeoutMs });
      tools.push(...listed.tools);
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    this.tools = tools;
    this.dependencies.onTools(this);
  }

  /** Reads the resources and prompts the server offers (its capabilities say which), every page. */
  private async listOthers(client: Client): Promise<void> {
    const capabilities = client.getServerCapabilities();
    const pages = async <T>(list: (cursor?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> => {
      const items: T[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page += 1) {
        const listed = await list(cursor);
        items.push(...listed.items);
        cursor = listed.next;
        if (!cursor) break;
      }
      return items;
    };
    const options = { timeout: connectTimeoutMs };
    this.resources = capabilities?.resources
      ? await pages(async (cursor) => {
          const listed = await client.listResources(cursor ? { cursor } : undefined, options);
          return { items: listed.resources, next: listed.nextCursor };
        })
      : [];
    this.prompts = capabilities?.prompts
      ? await pages(async (cursor) => {
          const listed = await client.listPrompts(cursor ? { cursor } : undefined, options);
          return { items: listed.prompts, next: listed.nextCursor };
        })
      : [];
  }

  /** The connection is gone: down, and reconnected after a back-off (never while stopping). */
  private lost(error: unknown): void {
    const client = this.client;
    this.client = undefined;
    void client?.close().catch(() => undefined);
    if (this.state === 'stopped') return;
    this.state = 'down';
    const cause = addressRefusal(error) ?? error;
    this.lastError = cause instanceof Error ? cause.message.slice(0, 300) : 'unknown error';
    this.dependencies.log('down', { server: this.config.id, error: this.lastError, retryInMs: this.backoffMs });
    if (this.reconnecting) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(maxBackoffMs, this.backoffMs * 2);
    this.reconnecting = (async () => {
      await this.dependencies.clock.sleep(wait, this.stopping.signal);
      this.reconnecting = undefined;
      if (this.state === 'stopped') return;
      await this.start();
    })();
  }

  /** Calls a tool (its own name, unprefixed), within the server's timeout and the caller's signal. */
  async call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const client = this.client;
    if (!client || this.state !== 'ready')
      throw new McpError(ErrorCode.InternalError, `The tool server "${this.config.id}" is not available now.`);
    return (await client.callTool({ name, arguments: args }, undefined, {
      signal,
      timeout: this.config.timeout_ms,
    })) as CallToolResult;
  }

  private ready(): Client {
    const client = this.client;
    if (!client || this.state !== 'ready')
      throw new McpError(ErrorCode.InternalError, `The tool server "${this.config.id}" is not available now.`);
    return client;
  }

  async readResource(uri: string, signal?: AbortSignal): Promise<ReadResourceResult> {
    return this.ready().readResource({ uri }, { signal, timeout: this.config.timeout_ms });
  }

  async getPrompt(name: string, args: Record<string, string>, signal?: AbortSignal): Promise<GetPromptResult> {
    return this.ready().getPrompt({ name, arguments: args }, { signal, timeout: this.config.timeout_ms });
  }

  /** Stops it: the connection closed, a stdio server's whole process group ended. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.stopping.abort();
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
    await this.reconnecting;
    await this.pool?.close();
  }
}
