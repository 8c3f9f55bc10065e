// The tool servers of the config, federated: every server's tools under `<server id>__<tool name>`,
// each definition pinned the first time it is seen (the SHA-256 of its canonical definition: name,
// title, description, schemas, annotations; kept in the store, written to the ledger). A server that
// later changes a definition does not change what agents are offered: the tool is quarantined
// (hidden, calls refused) until an admin accepts the change. A definition carrying instruction-like
// text aimed at the model (instructions.ts) is held the same way when it is first seen.
import type { Prompt, Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/schema.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Clock } from '../core/clock.js';
import { type EntryRecord, toolDefinitionEntry } from '../ledger/entry.js';
import { sha256Hex } from '../ledger/hash.js';
import type { Store, ToolPin } from '../store/store.js';
import { instructionLikeText } from './instructions.js';
import { ToolServer, type ToolServerDependencies } from './tool-server.js';

/** Server ids are [a-z0-9-]: the first `__` of a prefixed name is where the server's id ends. */
export const separator = '__';

/** A tool or prompt name as MCP defines them: 1 to 128 of A–Z a–z 0–9 _ - . */
export const validName = (name: string): boolean => /^[A-Za-z0-9_.-]{1,128}$/.test(name);

/** A server's resource URI as the gateway shows it. */
export const resourceUri = (server: string, uri: string): string => `mcp://${server}/${encodeURIComponent(uri)}`;

export interface FederatedTool {
  /** The prefixed name agents see and call. */
  name: string;
  server: ToolServer;
  /** The tool as its server lists it. */
  tool: Tool;
  definitionSha256: string;
  /** `active`: as pinned; `quarantined`: changed since (or held at discovery), hidden and refused. */
  status: 'active' | 'quarantined';
  /** Why it was held at discovery, if it was. */
  flag: string | null;
  /**
   * The server says the tool only reads (`readOnlyHint`) and the server is owned: a claim the gateway cannot check,
   * taken only from its own servers (a rented one could say so of a write).
   */
  readOnly: boolean;
}

export interface FederationDependencies {
  clock: Clock;
  environment: Readonly<Record<string, string | undefined>>;
  log: (event: string, detail: Record<string, unknown>) => void;
  store: Pick<Store, 'toolPins' | 'pinTool' | 'quarantineTool' | 'acceptTool'>;
  append: (record: EntryRecord) => Promise<number>;
  policyHash: string;
  /** Tool servers' sampling requests, through the gateway's chat path (servers with `sampling` only). */
  sample?: ToolServerDependencies['sample'];
}

/** A tool's canonical definition (RFC 8785 JSON of what an agent is shown of it). */
export function canonicalDefinition(tool: Tool): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return canonicalJson({ name, title, description, inputSchema, outputSchema, annotations });
}

export function definitionDigest(tool: Tool): string {
  return sha256Hex(canonicalDefinition(tool));
}

export class Federation {
  readonly servers = new Map<string, ToolServer>();
  private tools = new Map<string, FederatedTool>();
  private pins = new Map<string, ToolPin>();
  /** Pins are reconciled one server at a time, in order. */
  private reconciling: Promise<void> = Promise.resolve();
  /** Tells every open agent session that the list changed (notifications/tools/list_changed). */
  onToolsChanged: (() => void) | undefined;

  constructor(
    configs: readonly McpServerConfig[],
    private readonly dependencies: FederationDependencies,
  ) {
    for (const config of configs)
      this.servers.set(
        config.id,
        new ToolServer(config, {
          ...dependencies,
          onTools: (server) => {
            this.reconciling = this.reconciling
              .then(() => this.reconcile(server))
              .catch((error) => dependencies.log('pin_failed', { server: server.config.id, error: String(error) }));
            void this.reconciling.then(() => this.onToolsChanged?.());
          },
        }),
      );
  }

  /** Starts every server at once (each one that cannot start is retried in the background), pins read first. */
  async start(): Promise<void> {
    this.pins = new Map((await this.dependencies.store.toolPins()).map((pin) => [pin.name, pin]));
    await Promise.all([...this.servers.values()].map((server) => server.start()));
    await this.reconciling;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map((server) => server.stop()));
  }

  /** Pins what a server lists for the first time and quarantines what changed; then rebuilds the list. */
  private async reconcile(server: ToolServer): Promise<void> {
    const { store, append, clock, policyHash } = this.dependencies;
    for (const tool of server.tools) {
      const name = `${server.config.id}${separator}${tool.name}`;
      if (!validName(tool.name)) continue;
      const definition = canonicalDefinition(tool);
      const sha256 = sha256Hex(definition);
      const pin = this.pins.get(name);
      const now = clock.now();
      if (!pin) {
        const flag = instructionLikeText(tool);
        const fresh: ToolPin = {
          name,
          server: server.config.id,
          sha256,
          definition,
          status: flag ? 'quarantined' : 'pinned',
          pending: flag ? { sha256, definition } : null,
          flag,
          pinnedAt: now,
          changedAt: null,
        };
        // Another replica may have pinned it first: its pin stands, and is read below.
        if (await store.pinTool(fresh))
          await append(
            toolDefinitionEntry(flag ? 'tool_quarantine' : 'tool_pin', {
              time: now,
              by: 'mcp',
              policyHash,
              definition: { name, server: server.config.id, sha256, ...(flag ? { flag } : {}) },
            }),
          );
        if (flag) this.dependencies.log('flagged', { server: server.config.id, tool: name, flag });
        continue;
      }
      if (pin.sha256 === sha256 || pin.pending?.sha256 === sha256) continue;
      const flag = instructionLikeText(tool);
      await store.quarantineTool(name, { sha256, definition, flag, at: now });
      await append(
        toolDefinitionEntry('tool_quarantine', {
          time: now,
          by: 'mcp',
          policyHash,
          definition: {
            name,
            server: server.config.id,
            sha256,
            previous_sha256: pin.sha256,
            ...(flag ? { flag } : {}),
          },
        }),
      );
      this.dependencies.log('quarantined', { server: server.config.id, tool: name });
    }
    this.pins = new Map((await store.toolPins()).map((pin) => [pin.name, pin]));
    this.rebuild();
  }

  /**
   * An admin accepts a quarantined tool's current definition (the change, or a flagged tool as it is); undefined when
   * it is not quarantined.
   */
  async accept(name: string, by: string): Promise<ToolPin | undefined> {
    const { store, append, clock, policyHash } = this.dependencies;
    const before = this.pins.get(name);
    const accepted = await store.acceptTool(name, clock.now());
    if (!accepted) return undefined;
    await append(
      toolDefinitionEntry('tool_accept', {
        time: clock.now(),
        by,
        policyHash,
        definition: {
          name,
          server: accepted.server,
          sha256: accepted.sha256,
          ...(before && before.sha256 !== accepted.sha256 ? { previous_sha256: before.sha256 } : {}),
        },
      }),
    );
    this.pins = new Map((await store.toolPins()).map((pin) => [pin.name, pin]));
    this.rebuild();
    this.onToolsChanged?.();
    return accepted;
  }

  private rebuild(): void {
    const tools = new Map<string, FederatedTool>();
    for (const server of this.servers.values())
      for (const tool of server.tools) {
        // A name outside MCP's form is not served (it would go into ledger entries and metric labels as sent).
        if (!validName(tool.name)) continue;
        const name = `${server.config.id}${separator}${tool.name}`;
        const definitionSha256 = definitionDigest(tool);
        const pin = this.pins.get(name);
        const active = pin?.status === 'pinned' && pin.sha256 === definitionSha256;
        tools.set(name, {
          name,
          server,
          tool,
          definitionSha256,
          status: active ? 'active' : 'quarantined',
          flag: pin?.flag ?? null,
          readOnly: tool.annotations?.readOnlyHint === true && server.config.ownership === 'owned',
        });
      }
    this.tools = tools;
  }

  /** A tool by its prefixed name, from a server that is up (quarantined ones included: the caller refuses them). */
  find(name: string): FederatedTool | undefined {
    const found = this.tools.get(name);
    return found && found.server.state === 'ready' ? found : undefined;
  }

  /** Every active tool of every server that is up, in server then tool order. */
  list(): FederatedTool[] {
    return [...this.tools.values()].filter((tool) => tool.server.state === 'ready' && tool.status === 'active');
  }

  /** Every resource of every server that is up, its URI made the gateway's (`mcp://<server>/<the server's URI>`). */
  resources(): Array<{ server: ToolServer; resource: Resource; uri: string }> {
    return [...this.servers.values()]
      .filter((server) => server.state === 'ready')
      .flatMap((server) =>
        server.resources.map((resource) => ({ server, resource, uri: resourceUri(server.config.id, resource.uri) })),
      );
  }

  /** The server and its own URI behind one of the gateway's resource URIs. */
  resolveResource(uri: string): { server: ToolServer; uri: string } | undefined {
    const match = /^mcp:\/\/([a-z0-9-]+)\/(.+)$/.exec(uri);
    if (!match) return undefined;
    const server = this.servers.get(match[1]!);
    if (server?.state !== 'ready') return undefined;
    let own: string;
    try {
      own = decodeURIComponent(match[2]!);
    } catch {
      return undefined;
    }
    return server.resources.some((resource) => resource.uri === own) ? { server, uri: own } : undefined;
  }

  /** Every prompt of every server that is up, prefixed like tools. */
  prompts(): Array<{ server: ToolServer; prompt: Prompt; name: string }> {
    return [...this.servers.values()]
      .filter((server) => server.state === 'ready')
      .flatMap((server) =>
        server.prompts
          .filter((prompt) => validName(prompt.name))
          .map((prompt) => ({ server, prompt, name: `${server.config.id}${separator}${prompt.name}` })),
      );
  }

  findPrompt(name: string): { server: ToolServer; prompt: Prompt; name: string } | undefined {
    return this.prompts().find((prompt) => prompt.name === name);
  }

  /** Every tool known, quarantined ones included (GET /v1/mcp/servers). */
  all(): FederatedTool[] {
    return [...this.tools.values()];
  }
}
