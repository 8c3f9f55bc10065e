// Held tool calls on the gateway's clock (a ManualClock: no test waits on the wall clock): a call
// held past 60 s keeps its client with progress notifications and runs once when approved; one held
// to its deadline never reaches the server; approving one call's arguments releases no other call;
// a receipt releases a call once, and the same receipt again is a replay.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setImmediate as turnOfLoop } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { paramsDigest, signReceipt } from '../src/gate/receipt.js';
import { decodeEntry } from '../src/ledger/entry.js';
import { generateSigner } from '../src/ledger/note.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { postJson, startTestGateway, type TestGateway } from './helpers.js';
import { type EverythingServer, hostMcpServer, connectAgent } from './support/everything-http.js';
import { eventually, ManualClock } from './support/manual-clock.js';

const verifier = generateSigner('risk.example');

describe('held MCP tool calls', () => {
  const clock = new ManualClock();
  const filed: string[] = [];
  let desk: EverythingServer;
  let gateway: TestGateway;
  let agent: Client;
  let approverKey: string;

  before(async () => {
    desk = await hostMcpServer(() => {
      const server = new McpServer({ name: 'desk', version: '1.0.0' });
      for (const name of ['file_report', 'pay'])
        server.registerTool(
          name,
          { description: `Does ${name}.`, inputSchema: { subject: z.string() } },
          async ({ subject }) => {
            filed.push(`${name}:${subject}`);
            return { content: [{ type: 'text', text: `${name} done: ${subject}` }] };
          },
        );
      return { server };
    });
    gateway = await startTestGateway(
      {
        providers: [],
        models: {},
        actions: {
          halt_timeout_s: 120,
          trusted_keys: [verifier.encoded],
          rules: [
            { match: { tool: ['desk__pay'] }, require: 'receipt' },
            { match: { tool: ['desk__*'] }, require: 'approval' },
          ],
        },
        mcp: {
          servers: [
            { id: 'desk', transport: 'http', url: desk.url, jurisdiction: 'local', operator: 'IT', ownership: 'owned' },
          ],
        },
      },
      { clock },
    );
    approverKey = (
      await createApiKey(gateway.store, { name: 'approver', scopes: ['approver'], rpm: null, now: Date.now() })
    ).key;
    // Keys are reloaded on the gateway's clock.
    await clock.advance(1_000);
    await eventually(
      async () =>
        (await fetch(`${gateway.url}/v1/actions/pending`, { headers: { authorization: `Bearer ${approverKey}` } }))
          .status,
      (status) => status === 200,
      'the approver key is loaded',
    );
    agent = await connectAgent(gateway);
  });
  after(async () => {
    await agent.close();
    await gateway.close();
    await desk.close();
  });

  const pending = async (): Promise<any[]> =>
    (
      (await (
        await fetch(`${gateway.url}/v1/actions/pending`, { headers: { authorization: `Bearer ${approverKey}` } })
      ).json()) as any
    ).actions;
  const heldFor = (subject: string) =>
    eventually(
      pending,
      (actions) =>
        actions.some((action) => action.action === 'desk__file_report' && action.params?.subject === subject),
      `a held call for ${subject}`,
    ).then((actions) => actions.find((action) => action.params?.subject === subject));
  const decide = (action: any, verb: 'approve' | 'reject') =>
    postJson(
      `${gateway.url}/v1/actions/${action.action_id ?? action.id}/${verb}`,
      { comment: 'ok' },
      { authorization: `Bearer ${approverKey}` },
    );

  it('keeps a call held past 60 s alive with progress, and runs it once when approved', async () => {
    const progress: number[] = [];
    const call = agent.callTool({ name: 'desk__file_report', arguments: { subject: 'long' } }, undefined, {
      onprogress: (update) => void progress.push(update.progress),
      resetTimeoutOnProgress: true,
    });
    const held = await heldFor('long');
    for (let step = 1; step <= 5; step += 1) {
      await clock.advance(15_000);
      await eventually(
        async () => progress.length,
        (count) => count >= step,
        `progress ${step}`,
      );
    }
    assert.deepEqual(filed, [], 'nothing ran while held (75 s on the gateway clock)');
    assert.equal((await decide(held, 'approve')).status, 200);
    const result = await call;
    assert.equal(result._meta?.['sovereign/verdict'], 'ALLOW');
    assert.deepEqual(filed, ['file_report:long']);
    assert.deepEqual(progress.slice(0, 5), [1, 2, 3, 4, 5]);
  });

  it('a call held to its deadline never reaches the server', async () => {
    const call = agent.callTool({ name: 'desk__file_report', arguments: { subject: 'late' } });
    await heldFor('late');
    await clock.advance(121_000);
    const result = await call;
    assert.equal(result.isError, true);
    assert.equal(result._meta?.['sovereign/verdict'], 'HALTED');
    assert.ok(!filed.includes('file_report:late'));
    const [row] = await gateway.store.ledgerEntries(
      result._meta?.['sovereign/receipt'] as number,
      (result._meta?.['sovereign/receipt'] as number) + 1,
    );
    const entry = decodeEntry(row!.leaf);
    assert.equal(entry.tool?.verdict, 'HALTED');
    assert.equal(entry.tool?.reason, 'timeout');
  });

  it('approving one call releases no other, whatever its arguments', async () => {
    const first = agent.callTool({ name: 'desk__file_report', arguments: { subject: 'A' } });
    const second = agent.callTool({ name: 'desk__file_report', arguments: { subject: 'B' } });
    const a = await heldFor('A');
    const b = await heldFor('B');
    await decide(a, 'approve');
    assert.equal((await first)._meta?.['sovereign/verdict'], 'ALLOW');
    assert.ok(filed.includes('file_report:A') && !filed.includes('file_report:B'));
    assert.ok(
      (await pending()).some((action) => (action.action_id ?? action.id) === (b.action_id ?? b.id)),
      'B still held',
    );
    await decide(b, 'reject');
    assert.equal((await second)._meta?.['sovereign/verdict'], 'DENY');
    assert.ok(!filed.includes('file_report:B'));
  });

  it('a call held while its server is cut is not run when approved', async () => {
    const call = agent.callTool({ name: 'desk__file_report', arguments: { subject: 'during cut' } });
    const held = await heldFor('during cut');
    const admin = { authorization: `Bearer ${gateway.key}` };
    const cut = await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'desk' }, admin);
    assert.equal(cut.status, 200, cut.text);
    try {
      assert.equal((await decide(held, 'approve')).status, 200);
      const result = await call;
      assert.equal(result._meta?.['sovereign/verdict'], 'DENY');
      assert.match(JSON.stringify(result.content), /cut off/);
      assert.ok(!filed.includes('file_report:during cut'));
    } finally {
      assert.equal((await postJson(`${gateway.url}/v1/admin/uncut`, { provider: 'desk' }, admin)).status, 200);
    }
  });

  it('a receipt releases a call once; the same receipt again is a replay', async () => {
    const policyHash = gateway.app.gateway.policyHash;
    const args = { subject: 'invoice 7' };
    const receipt = signReceipt(
      {
        receipt_id: randomUUID(),
        agent_id: 'tester',
        action: 'desk__pay',
        params_sha256: paramsDigest(null, args),
        policy_hash: policyHash,
        state_fingerprint: 'books-2026-12',
        issued_at: new Date(clock.now()).toISOString(),
      },
      verifier,
    );
    const paid = await agent.callTool({
      name: 'desk__pay',
      arguments: args,
      _meta: { 'sovereign/action_receipt': receipt },
    });
    assert.equal(paid._meta?.['sovereign/verdict'], 'ALLOW', JSON.stringify(paid.content));
    assert.deepEqual(
      filed.filter((entry) => entry.startsWith('pay:')),
      ['pay:invoice 7'],
    );
    const replayed = await agent.callTool({
      name: 'desk__pay',
      arguments: args,
      _meta: { 'sovereign/action_receipt': receipt },
    });
    assert.equal(replayed._meta?.['sovereign/verdict'], 'DENY');
    assert.match(JSON.stringify(replayed.content), /already used/);
    const other = await agent.callTool({
      name: 'desk__pay',
      arguments: { subject: 'invoice 8' },
      _meta: { 'sovereign/action_receipt': { ...receipt, receipt_id: randomUUID() } },
    });
    assert.equal(other._meta?.['sovereign/verdict'], 'DENY', 'a receipt for other arguments releases nothing');
    assert.equal(filed.filter((entry) => entry.startsWith('pay:')).length, 1);
  });
});

describe('the default tool rule trusts read-only claims of owned servers only', () => {
  const clock = new ManualClock();
  const ran: string[] = [];
  let owned: EverythingServer;
  let rented: EverythingServer;
  let gateway: TestGateway;
  let agent: Client;
  const peeker = (label: string) => () => {
    const server = new McpServer({ name: label, version: '1.0.0' });
    server.registerTool('peek', { description: 'Reads a counter.', annotations: { readOnlyHint: true } }, async () => {
      ran.push(label);
      return { content: [{ type: 'text', text: `${label}: 3` }] };
    });
    return { server };
  };

  before(async () => {
    owned = await hostMcpServer(peeker('owned'));
    rented = await hostMcpServer(peeker('rented'));
    gateway = await startTestGateway(
      {
        providers: [],
        models: {},
        actions: { halt_timeout_s: 30 },
        mcp: {
          servers: [
            {
              id: 'ours',
              transport: 'http',
              url: owned.url,
              jurisdiction: 'local',
              operator: 'IT',
              ownership: 'owned',
            },
            {
              id: 'theirs',
              transport: 'http',
              url: rented.url,
              jurisdiction: 'US',
              operator: 'Vendor',
              ownership: 'rented',
            },
          ],
        },
      },
      { clock },
    );
    agent = await connectAgent(gateway);
  });
  after(async () => {
    await agent.close();
    await gateway.close();
    await owned.close();
    await rented.close();
  });

  it("runs an owned server's read-only tool at once, and holds a rented one's, whatever it claims", async () => {
    const mine = await agent.callTool({ name: 'ours__peek', arguments: {} });
    assert.equal(mine._meta?.['sovereign/verdict'], 'ALLOW');
    const theirs = agent.callTool({ name: 'theirs__peek', arguments: {} });
    await eventually(
      () => gateway.store.actionsWithStatus('held', 10),
      (held) => held.some((action) => action.action === 'theirs__peek'),
      'the call is held',
    );
    await clock.advance(31_000);
    const result = await theirs;
    assert.equal(result._meta?.['sovereign/verdict'], 'HALTED');
    assert.deepEqual(ran, ['owned']);
  });

  it('refuses JSON-RPC batches', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
    ];
    const response = await postJson(`${gateway.url}/mcp`, batch, {
      authorization: `Bearer ${gateway.key}`,
      accept: 'application/json, text/event-stream',
      'mcp-session-id': (agent.transport as StreamableHTTPClientTransport).sessionId!,
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, -32600);
  });
});

describe('a shutdown lets MCP calls in progress finish', () => {
  it('answers a call that is running when the gateway stops', async () => {
    const clock = new ManualClock();
    let release: () => void = () => undefined;
    let started = false;
    const slow = await hostMcpServer(() => {
      const server = new McpServer({ name: 'slow', version: '1.0.0' });
      server.registerTool(
        'report',
        { description: 'Builds a report.', annotations: { readOnlyHint: true } },
        async () => {
          started = true;
          await new Promise<void>((resolve) => (release = resolve));
          return { content: [{ type: 'text', text: 'report ready' }] };
        },
      );
      return { server };
    });
    const gateway = await startTestGateway(
      {
        providers: [],
        models: {},
        mcp: {
          servers: [
            { id: 'slow', transport: 'http', url: slow.url, jurisdiction: 'local', operator: 'IT', ownership: 'owned' },
          ],
        },
      },
      { clock },
    );
    const agent = await connectAgent(gateway);
    const call = agent.callTool({ name: 'slow__report', arguments: {} });
    await eventually(
      async () => started,
      (yes) => yes,
      'the tool runs',
    );
    let closed = false;
    const closing = gateway.close().finally(() => (closed = true));
    await turnOfLoop();
    release();
    const result = await call;
    // The rest of the shutdown waits on the gateway's clock (the HTTP grace): move it.
    while (!closed) {
      await clock.advance(500);
      await turnOfLoop();
    }
    assert.equal(result._meta?.['sovereign/verdict'], 'ALLOW');
    assert.match(JSON.stringify(result.content), /report ready/);
    await closing;
    await agent.close().catch(() => undefined);
    await slow.close();
  });
});
