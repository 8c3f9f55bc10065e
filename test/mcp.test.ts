// The MCP gateway with real third-party servers from npm: @modelcontextprotocol/server-filesystem
// over stdio (started by the gateway) and @modelcontextprotocol/server-everything over Streamable
// HTTP, the official SDK's client as the agent. Every call passes the policy, the action gate and the
// ledger, and its result carries its receipt and verdict.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { parseVerifierKey } from '../src/ledger/note.js';
import { verifyReceipt } from '../src/ledger/receipt.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { piiOwnedPolicy, postJson, startTestGateway, type TestGateway } from './helpers.js';
import { type EverythingServer, startEverythingServer, connectAgent } from './support/everything-http.js';
import { eventually } from './support/manual-clock.js';

const filesystemServer = join(process.cwd(), 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

describe('the MCP gateway', () => {
  let folder: string;
  let everything: EverythingServer;
  let gateway: TestGateway;
  let approverKey: string;
  let otherKey: string;
  const agents: Client[] = [];

  async function agent(key = gateway.key, headers: Record<string, string> = {}): Promise<Client> {
    const client = await connectAgent(gateway, key, headers);
    agents.push(client);
    return client;
  }

  /** An agent on a key of its own (connected once the key ring has loaded it), and the revocation of that key. */
  async function newAgent(name: string): Promise<{ client: Client; revoke: () => Promise<void> }> {
    const { key, record } = await createApiKey(gateway.store, { name, scopes: [], rpm: null, now: Date.now() });
    const client = await eventually(
      () => agent(key).catch(() => undefined) as Promise<Client | undefined>,
      (connected) => connected !== undefined,
      'the agent to connect with the new key',
    );
    return {
      client: client!,
      revoke: async () => {
        await gateway.store.revokeKey(record.id, Date.now());
      },
    };
  }

  const entryAt = async (index: number): Promise<EntryRecord> => {
    const [row] = await gateway.store.ledgerEntries(index, index + 1);
    return decodeEntry(row!.leaf);
  };

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sovereign-mcp-'));
    writeFileSync(join(folder, 'notes.txt'), 'Ward 4 rota: nothing personal here.\n');
    everything = await startEverythingServer();
    gateway = await startTestGateway({
      providers: [],
      models: {},
      policy: piiOwnedPolicy,
      actions: {
        halt_timeout_s: 120,
        rules: [
          { match: { tool: ['files__write_file'] }, require: 'approval' },
          { match: { tool: ['files__*', 'everything__*'] }, require: 'none' },
        ],
      },
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
          {
            id: 'everything',
            transport: 'http',
            url: everything.url,
            jurisdiction: 'US',
            operator: 'Reference Inc',
            ownership: 'rented',
          },
        ],
      },
    });
    for (const [name, scopes] of [
      ['approver', ['approver']],
      ['other-agent', []],
    ] as const) {
      const { key } = await createApiKey(gateway.store, { name, scopes: [...scopes], rpm: null, now: Date.now() });
      if (name === 'approver') approverKey = key;
      else otherKey = key;
    }
  });
  after(async () => {
    for (const client of agents) await client.close().catch(() => undefined);
    await gateway.close();
    await everything.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('lists the tools of every server under <server>__<tool>, and calls one with its receipt and verdict', async () => {
    const client = await agent();
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    assert.ok(names.includes('files__read_text_file'), names.join(', '));
    assert.ok(names.includes('everything__echo'));
    assert.ok(names.every((name) => /^[a-z0-9-]+__/.test(name)));
    const result = await client.callTool({
      name: 'files__read_text_file',
      arguments: { path: join(folder, 'notes.txt') },
    });
    assert.equal(result.isError, undefined);
    assert.match(JSON.stringify(result.content), /Ward 4 rota/);
    assert.equal(result._meta?.['sovereign/verdict'], 'ALLOW');
    const index = result._meta?.['sovereign/receipt'] as number;
    assert.equal(typeof index, 'number');
    const entry = await entryAt(index);
    assert.equal(entry.kind, 'tool_call');
    assert.equal(entry.tool?.name, 'files__read_text_file');
    assert.equal(entry.provider, 'files');
    assert.equal(entry.ownership, 'owned');
    assert.equal(entry.tool?.verdict, 'ALLOW');
    assert.match(entry.tool!.definition_sha256!, /^[0-9a-f]{64}$/);
    assert.match(entry.tool!.result_sha256!, /^[0-9a-f]{64}$/);
    const echoed = await client.callTool({ name: 'everything__echo', arguments: { message: 'hello' } });
    assert.match(JSON.stringify(echoed.content), /hello/);
  });

  it('refuses personal data to a server the policy forbids for it, and never contacts that server', async () => {
    const client = await agent();
    const before = everything.received.filter((message) => message.method === 'tools/call').length;
    const refused = await client.callTool({
      name: 'everything__echo',
      arguments: { message: 'write to jane.doe@example.org' },
    });
    assert.equal(refused.isError, true);
    assert.equal(refused._meta?.['sovereign/verdict'], 'DENY');
    const text = JSON.stringify(refused.content);
    assert.match(text, /pii/);
    assert.doesNotMatch(text, /jane/, 'the reason never repeats what was matched');
    assert.equal(everything.received.filter((message) => message.method === 'tools/call').length, before);
    const entry = await entryAt(refused._meta?.['sovereign/receipt'] as number);
    assert.equal(entry.outcome, 'refused');
    assert.ok(entry.labels.includes('pii.email'));
    // The same data to the owned server passes.
    const owned = await client.callTool({
      name: 'files__read_text_file',
      arguments: { path: join(folder, 'jane.doe@example.org.txt') },
    });
    assert.equal(owned._meta?.['sovereign/verdict'], 'ALLOW');
  });

  it('holds a write for an approval; approved, it runs once and returns its real result', async () => {
    const client = await agent();
    const target = join(folder, 'approved.txt');
    const call = client.callTool({ name: 'files__write_file', arguments: { path: target, content: 'approved' } });
    const pending = await eventually(
      async () =>
        (
          await fetch(`${gateway.url}/v1/actions/pending`, { headers: { authorization: `Bearer ${approverKey}` } })
        ).json() as Promise<any>,
      (listed) => listed.actions.some((action: any) => action.action === 'files__write_file'),
      'the call is held',
    );
    const held = pending.actions.find((action: any) => action.action === 'files__write_file');
    assert.equal(existsSync(target), false, 'nothing written while held');
    const approved = await postJson(
      `${gateway.url}/v1/actions/${held.action_id ?? held.id}/approve`,
      { comment: 'fine' },
      { authorization: `Bearer ${approverKey}` },
    );
    assert.equal(approved.status, 200, approved.text);
    const result = await call;
    assert.equal(result._meta?.['sovereign/verdict'], 'ALLOW');
    assert.match(JSON.stringify(result.content), /Successfully wrote/);
    assert.equal(readFileSync(target, 'utf8'), 'approved');
    const entry = await entryAt(result._meta?.['sovereign/receipt'] as number);
    assert.equal(entry.tool?.reason, 'approved');
    assert.ok(entry.tool?.action_id);
  });

  it('a rejected write never reaches the server', async () => {
    const client = await agent();
    const target = join(folder, 'rejected.txt');
    const call = client.callTool({ name: 'files__write_file', arguments: { path: target, content: 'no' } });
    const pending = await eventually(
      async () =>
        (
          await fetch(`${gateway.url}/v1/actions/pending`, { headers: { authorization: `Bearer ${approverKey}` } })
        ).json() as Promise<any>,
      (listed) => listed.actions.some((action: any) => action.action === 'files__write_file'),
      'the call is held',
    );
    const held = pending.actions.find((action: any) => action.action === 'files__write_file');
    await postJson(
      `${gateway.url}/v1/actions/${held.action_id ?? held.id}/reject`,
      { comment: 'no' },
      { authorization: `Bearer ${approverKey}` },
    );
    const result = await call;
    assert.equal(result.isError, true);
    assert.equal(result._meta?.['sovereign/verdict'], 'DENY');
    assert.equal(existsSync(target), false);
  });

  it('speaks protocol revision 2025-06-18 as well as 2025-11-25', async () => {
    for (const protocolVersion of ['2025-06-18', '2025-11-25']) {
      const response = await fetch(`${gateway.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${gateway.key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        }),
      });
      assert.equal(response.status, 200);
      const text = await response.text();
      const message = JSON.parse(
        text
          .split('\n')
          .find((line) => line.startsWith('data: {'))!
          .slice(6),
      );
      assert.equal(message.result.protocolVersion, protocolVersion);
      assert.ok(response.headers.get('mcp-session-id'));
    }
  });

  it('keeps a session to its key, and refuses no key, a bad Origin, and an unknown session', async () => {
    const client = await agent();
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    const list = { jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} };
    const headers = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
    const stolen = await postJson(`${gateway.url}/mcp`, list, {
      ...headers,
      authorization: `Bearer ${otherKey}`,
      'mcp-session-id': sessionId,
    });
    assert.equal(stolen.status, 404);
    const anonymous = await postJson(`${gateway.url}/mcp`, list, { ...headers, 'mcp-session-id': sessionId });
    assert.equal(anonymous.status, 401);
    const origin = await postJson(`${gateway.url}/mcp`, list, {
      ...headers,
      authorization: `Bearer ${gateway.key}`,
      origin: 'https://evil.example',
      'mcp-session-id': sessionId,
    });
    assert.equal(origin.status, 403);
    const unknown = await postJson(`${gateway.url}/mcp`, list, {
      ...headers,
      authorization: `Bearer ${gateway.key}`,
      'mcp-session-id': 'nope',
    });
    assert.equal(unknown.status, 404);
  });

  it("ends a revoked key's sessions at the next key reload: its call in flight is cancelled at the tool server", async () => {
    const { client, revoke } = await newAgent('soon-revoked-agent');
    const size = await gateway.store.ledgerSize();
    const cancellations = (): number =>
      everything.received.filter((message) => message.method === 'notifications/cancelled').length;
    // A finished call of the session first: ending the session must not cancel it after the fact.
    await client.callTool({ name: 'everything__echo', arguments: { message: 'before' } });
    const cancelledBefore = cancellations();
    const call = client!
      .callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 3, steps: 3 } })
      .then(
        (result) => JSON.stringify(result),
        (error: Error) => `failed: ${error.message}`,
      );
    await eventually(
      () => everything.received.filter((message) => message.method === 'tools/call').length,
      (count) => count > 0 && everything.received.at(-1)?.params?.name === 'trigger-long-running-operation',
      'the call to reach the tool server',
    );
    await revoke();
    const outcome = await eventually(
      () => Promise.race([call, Promise.resolve('pending')]),
      (value) => value !== 'pending',
      'the call to end',
    );
    const answer = JSON.parse(outcome);
    assert.equal(answer.isError, true);
    assert.match(answer.content[0].text, /API key of this session was revoked/);
    await eventually(
      () => cancellations(),
      (count) => count > cancelledBefore,
      'the tool server to be told the call is cancelled',
    );
    assert.equal(cancellations(), cancelledBefore + 1, 'only the call in flight is cancelled');
    const entries = await eventually(
      async () =>
        (await gateway.store.ledgerEntries(size, await gateway.store.ledgerSize()))
          .map((row) => decodeEntry(row.leaf))
          .filter((entry) => entry.tool?.name === 'everything__trigger-long-running-operation'),
      (found) => found.length > 0,
      "the call's ledger entry",
    );
    assert.equal(entries.at(-1)!.outcome, 'refused');
    assert.equal(entries.at(-1)!.error_code, 'invalid_api_key');
  });

  it("refuses a revoked key's call held for an approval at once, and never runs it", async () => {
    const { client, revoke } = await newAgent('soon-revoked-writer');
    const target = join(folder, 'revoked.txt');
    const call = client.callTool({ name: 'files__write_file', arguments: { path: target, content: 'never' } });
    await eventually(
      async () =>
        (
          await fetch(`${gateway.url}/v1/actions/pending`, { headers: { authorization: `Bearer ${approverKey}` } })
        ).json() as Promise<any>,
      (listed) => listed.actions.some((action: any) => action.agent_id === 'soon-revoked-writer'),
      'the call to be held',
    );
    await revoke();
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /revoked/);
    assert.equal(existsSync(target), false, 'nothing written');
    const entry = await entryAt(result._meta?.['sovereign/receipt'] as number);
    assert.equal(entry.outcome, 'refused');
    assert.equal(entry.error_code, 'invalid_api_key');
  });

  it('records exactly one ledger entry for each of 50 concurrent calls', async () => {
    const client = await agent();
    const size = await gateway.store.ledgerSize();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        client.callTool({ name: 'everything__echo', arguments: { message: `call ${index}` } }),
      ),
    );
    const indexes = results.map((result) => result._meta?.['sovereign/receipt'] as number);
    assert.equal(new Set(indexes).size, 50);
    // Every receipt verifies offline with the log's public key alone; one flipped byte of its entry does not.
    const key = parseVerifierKey((await (await fetch(`${gateway.url}/v1/ledger/key`)).text()).trim());
    const receipts = await Promise.all(
      indexes.map(async (index) =>
        (
          await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, {
            headers: { authorization: `Bearer ${gateway.key}` },
          })
        ).json(),
      ),
    );
    for (const [position, receipt] of receipts.entries()) {
      const verified = verifyReceipt(receipt, [key]);
      assert.equal(verified.entry.kind, 'tool_call');
      assert.equal(verified.entry.tool?.name, 'everything__echo');
      if (position === 0) {
        const leaf = Buffer.from((receipt as { leaf: string }).leaf, 'base64');
        leaf[leaf.length - 3] = leaf[leaf.length - 3]! ^ 0x01;
        assert.throws(() => verifyReceipt({ ...(receipt as object), leaf: leaf.toString('base64') }, [key]));
      }
    }
    const entries = (await gateway.store.ledgerEntries(size, await gateway.store.ledgerSize())).map((row) =>
      decodeEntry(row.leaf),
    );
    assert.equal(entries.filter((entry) => entry.kind === 'tool_call').length, 50);
  });

  it('lists tool servers in the dependency report by operator and jurisdiction, their calls apart', async () => {
    const response = await fetch(`${gateway.url}/v1/reports/dependencies?format=json`, {
      headers: { authorization: `Bearer ${gateway.key}` },
    });
    const report = (await response.json()) as any;
    assert.deepEqual(
      report.tool_servers.map((server: any) => [server.id, server.operator, server.jurisdiction, server.ownership]),
      [
        ['files', 'Hospital IT', 'local', 'owned'],
        ['everything', 'Reference Inc', 'US', 'rented'],
      ],
    );
    assert.ok(report.tool_servers.every((server: any) => server.calls > 0));
    const lost = report.if_lost.find((loss: any) => loss.kind === 'operator' && loss.value === 'Reference Inc');
    assert.deepEqual(lost.tool_servers_lost, ['everything']);
    assert.ok(report.tool_calls.calls >= 50);
    assert.equal(report.traffic.requests, 0, 'tool calls are not counted as model calls');
  });

  it('federates resources and prompts: read and got through the policy and the ledger', async () => {
    const client = await agent();
    const { resources } = await client.listResources();
    const document = resources.find((resource) => resource.uri.startsWith('mcp://everything/'));
    assert.ok(document, resources.map((resource) => resource.uri).join(', '));
    const read = await client.readResource({ uri: document.uri });
    assert.ok(read.contents.length > 0);
    assert.equal(read._meta?.['sovereign/verdict'], 'ALLOW');
    const entry = await entryAt(read._meta?.['sovereign/receipt'] as number);
    assert.equal(entry.tool?.name, 'everything__resources/read');
    await assert.rejects(client.readResource({ uri: 'mcp://everything/nothing' }), /No resource/);
    const { prompts } = await client.listPrompts();
    assert.ok(prompts.some((prompt) => prompt.name === 'everything__args-prompt'));
    const got = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon' } });
    assert.match(JSON.stringify(got.messages), /weather in Lyon/);
    assert.equal(got._meta?.['sovereign/verdict'], 'ALLOW');
    const before = everything.received.filter((message) => message.method === 'prompts/get').length;
    await assert.rejects(
      client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'jane.doe@example.org' } }),
      (error: any) => /Refused by policy/.test(error.message) && !/jane/.test(error.message),
    );
    assert.equal(everything.received.filter((message) => message.method === 'prompts/get').length, before);
  });
});
