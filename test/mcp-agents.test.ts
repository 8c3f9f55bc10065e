// An agent framework that speaks MCP (@openai/agents 0.14.3) with the gateway as its one MCP server:
// the model (an upstream double through the gateway's chat path) calls a federated tool, the
// framework calls it at /mcp, and the call passes the policy, the gate and the ledger like any other.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, MCPServerStreamableHttp, OpenAIChatCompletionsModel, run, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import { decodeEntry } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const filesystemServer = join(process.cwd(), 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

describe('an @openai/agents agent using the gateway as its MCP server', () => {
  let folder: string;
  let upstream: Double;
  let gateway: TestGateway;
  let mcp: MCPServerStreamableHttp;

  before(async () => {
    setTracingDisabled(true);
    folder = mkdtempSync(join(tmpdir(), 'sovereign-agent-mcp-'));
    writeFileSync(join(folder, 'rota.txt'), 'Ward 4: Dr Okafor on nights.\n');
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('owned', upstream.url)],
      models: { ours: { candidates: ['owned/m1'] } },
      mcp: {
        servers: [
          {
            id: 'files',
            transport: 'stdio',
            command: [process.execPath, filesystemServer, folder],
            jurisdiction: 'local',
            operator: 'Hospital IT',
            ownership: 'owned',
          },
        ],
      },
    });
    mcp = new MCPServerStreamableHttp({
      url: `${gateway.url}/mcp`,
      name: 'sovereign',
      requestInit: { headers: { authorization: `Bearer ${gateway.key}` } },
    });
    await mcp.connect();
  });
  after(async () => {
    await mcp?.close();
    await gateway?.close();
    await upstream?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs the tool loop: the model asks for a federated tool, the framework calls it through /mcp', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const agent = new Agent({
      name: 'ward-assistant',
      instructions: 'Answer from the rota.',
      model: new OpenAIChatCompletionsModel(client, 'ours'),
      mcpServers: [mcp],
    });
    const from = upstream.received.length;
    const size = await gateway.store.ledgerSize();
    upstream.script(
      {
        kind: 'tool-call',
        name: 'files__read_text_file',
        arguments: JSON.stringify({ path: join(folder, 'rota.txt') }),
      },
      { kind: 'ok', text: 'Dr Okafor is on nights.' },
    );
    const result = await run(agent, 'Who is on nights on ward 4?');
    assert.equal(result.finalOutput, 'Dr Okafor is on nights.');
    const requests = upstream.received.slice(from).filter((received) => received.path.endsWith('/chat/completions'));
    assert.equal(requests.length, 2);
    assert.ok(
      requests[0]!.body.tools.some((tool: any) => tool.function.name === 'files__read_text_file'),
      'the federated tools reach the model',
    );
    const toolMessage = requests[1]!.body.messages.at(-1);
    assert.equal(toolMessage.role, 'tool');
    assert.match(JSON.stringify(toolMessage.content), /Dr Okafor on nights/);
    const entries = (await gateway.store.ledgerEntries(size, await gateway.store.ledgerSize())).map((row) =>
      decodeEntry(row.leaf),
    );
    const call = entries.find((entry) => entry.kind === 'tool_call');
    assert.equal(call?.tool?.name, 'files__read_text_file');
    assert.equal(call?.tool?.verdict, 'ALLOW');
    assert.equal(call?.provider, 'files');
    assert.equal(call?.ownership, 'owned');
  });
});
