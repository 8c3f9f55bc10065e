// MCP benchmark: a read-only tool call through a `sovereign start` gateway (policy over the arguments,
// the gate's rule, the call, the result classified, the ledger entry with its group commit) against
// the same call made directly to the same tool server with the same SDK client, interleaved call by
// call in one run. Target: the gateway adds at most 1 ms at p50 to an allowed call. Loopback only.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { percentile, type SectionTools, startGateway, stopProcesses } from './section-tools.js';

const maximumCalls = 3_000;
const warmUpCalls = 200;

export async function mcpSection(tools: SectionTools, duration: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-mcp-'));
  const ports = { tools: 9141, gateway: 9142 };
  const started: ChildProcess[] = [];
  const clients: Client[] = [];
  try {
    started.push(
      await tools.startProcess(0, ['--import', 'tsx', 'bench/mcp-server.ts', String(ports.tools)], /listening/),
    );
    const configFile = join(work, 'sovereign.yaml');
    writeFileSync(
      configFile,
      `listen: 127.0.0.1:${ports.gateway}
data_dir: ${join(work, 'data')}
auth: { required: true }
log: { level: warn }
mcp:
  servers:
    - { id: wards, transport: http, url: "http://127.0.0.1:${ports.tools}/mcp", jurisdiction: local, operator: Bench, ownership: owned }
`,
    );
    const { key, gateway: gatewayProcess } = await startGateway(tools, configFile);
    started.push(gatewayProcess);
    const connect = async (url: string, headers: Record<string, string>): Promise<Client> => {
      const client = new Client({ name: 'bench-agent', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
      clients.push(client);
      return client;
    };
    const direct = await connect(`http://127.0.0.1:${ports.tools}/mcp`, {});
    const gateway = await connect(`http://127.0.0.1:${ports.gateway}/mcp`, { authorization: `Bearer ${key}` });
    const targets = [
      { name: 'tool server directly', client: direct, tool: 'lookup' },
      { name: 'through the gateway', client: gateway, tool: 'wards__lookup' },
    ];
    const timed = async (target: (typeof targets)[number], call: number): Promise<number> => {
      const start = process.hrtime.bigint();
      const result = await target.client.callTool({ name: target.tool, arguments: { ward: String(call % 50) } });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.isError) throw new Error(`${target.name}: ${JSON.stringify(result.content)}`);
      return elapsed;
    };
    for (let call = 0; call < warmUpCalls; call += 1) for (const target of targets) await timed(target, call);
    const samples: number[][] = [[], []];
    const end = Date.now() + duration * 1000;
    for (let call = 0; call < maximumCalls && Date.now() < end; call += 1)
      for (let offset = 0; offset < targets.length; offset += 1) {
        const index = (call + offset) % targets.length;
        samples[index]!.push(await timed(targets[index]!, call));
      }
    const base = { p50: percentile(samples[0]!, 0.5), p90: percentile(samples[0]!, 0.9) };
    process.stdout.write(
      'MCP: a read-only tool call (Streamable HTTP, the official SDK client) through the gateway (policy, gate rule, ledger entry with its group commit) against the same call made directly; sequential, interleaved. Target: added p50 ≤ 1 ms.\n',
    );
    tools.table(
      ['target', 'calls', 'p50 ms', 'p90 ms', 'added p50 ms', 'added p90 ms'],
      targets.map((target, index) => {
        const p50 = percentile(samples[index]!, 0.5);
        const p90 = percentile(samples[index]!, 0.9);
        return [
          target.name,
          samples[index]!.length,
          p50.toFixed(3),
          p90.toFixed(3),
          index === 0 ? '' : (p50 - base.p50).toFixed(3),
          index === 0 ? '' : (p90 - base.p90).toFixed(3),
        ];
      }),
    );
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    await stopProcesses(started);
    rmSync(work, { recursive: true, force: true });
  }
}
