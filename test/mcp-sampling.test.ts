// A tool server that asks its client for a completion (sampling/createMessage): allowed for a server
// the config lets sample, it goes through the gateway's own chat path (policy, routing, the ledger,
// under the tenant mcp:<server>) to the configured model; a server without `sampling` is not offered
// the capability at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { decodeEntry } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { piiOwnedPolicy, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { type EverythingServer, startEverythingServer, connectAgent } from './support/everything-http.js';

describe('sampling requests from tool servers', () => {
  let sampler: EverythingServer;
  let plain: EverythingServer;
  let upstream: Double;
  let gateway: TestGateway;
  let agent: Client;

  before(async () => {
    sampler = await startEverythingServer();
    plain = await startEverythingServer();
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('owned', upstream.url)],
      models: { ours: { candidates: ['owned/m1'] } },
      policy: piiOwnedPolicy,
      actions: { rules: [{ match: { tool: ['sampler__*', 'plain__*'] }, require: 'none' }] },
      mcp: {
        servers: [
          {
            id: 'sampler',
            transport: 'http',
            url: sampler.url,
            jurisdiction: 'local',
            operator: 'Lab',
            ownership: 'owned',
            sampling: { model: 'ours', max_tokens: 64 },
          },
          {
            id: 'plain',
            transport: 'http',
            url: plain.url,
            jurisdiction: 'local',
            operator: 'Lab',
            ownership: 'owned',
          },
        ],
      },
    });
    agent = await connectAgent(gateway);
  });
  after(async () => {
    await agent.close();
    await gateway.close();
    await sampler.close();
    await plain.close();
    await upstream.close();
  });

  it("answers a server's sampling request through the gateway's chat path, recorded", async () => {
    const { tools } = await agent.listTools();
    const names = tools.map((tool) => tool.name);
    assert.ok(names.includes('sampler__trigger-sampling-request'), 'offered sampling, the server registers its tool');
    assert.ok(!names.includes('plain__trigger-sampling-request'), 'a server not let sample is not offered it');
    const size = await gateway.store.ledgerSize();
    const result = await agent.callTool({
      name: 'sampler__trigger-sampling-request',
      arguments: { prompt: 'Summarise the rota', maxTokens: 50 },
    });
    assert.equal(result._meta?.['sovereign/verdict'], 'ALLOW', JSON.stringify(result.content));
    assert.match(JSON.stringify(result.content), /echo: Resource trigger-sampling-request context: Summarise the rota/);
    const asked = upstream.received.filter((received) => received.path.endsWith('/chat/completions')).at(-1)!.body;
    assert.equal(asked.model, 'm1');
    assert.equal(asked.max_tokens, 50, "the server's maxTokens, within the config's 64");
    assert.equal(asked.messages[0].role, 'system');
    const entries = (await gateway.store.ledgerEntries(size, await gateway.store.ledgerSize())).map((row) =>
      decodeEntry(row.leaf),
    );
    const chat = entries.find((entry) => entry.kind === 'chat');
    assert.equal(chat?.tenant, 'mcp:sampler');
    assert.equal(chat?.provider, 'owned');
    assert.ok(entries.some((entry) => entry.kind === 'tool_call'));
  });
});
