// Responses benchmark: the latency a `sovereign start` gateway adds to a Responses call (store: true, so its state is
// sealed and written before the answer leaves) against what it adds to a chat completions call, over the same
// upstream double, non-stream and stream, the three targets interleaved request by request in one run. Target: a
// Responses call adds at most 1.3× what a chat call adds. Sequential calls on kept-alive connections, loopback only.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { percentile, type SectionTools, startGateway, stopProcesses } from './section-tools.js';

type Target = 'upstream directly' | 'gateway chat' | 'gateway responses';
const targets: Target[] = ['upstream directly', 'gateway chat', 'gateway responses'];

/** At most this many timed calls per target and mode, and at most `duration` seconds per mode: bounded either way. */
const maximumCalls = 2_000;
const warmUpCalls = 100;

export async function responsesSection(tools: SectionTools, duration: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
  const ports = { upstream: 9131, gateway: 9132 };
  const started: ChildProcess[] = [];
  started.push(
    await tools.startProcess(0, ['--import', 'tsx', 'bench/upstream.ts', String(ports.upstream)], /listening/),
  );
  const configFile = join(work, 'sovereign.yaml');
  writeFileSync(
    configFile,
    `listen: 127.0.0.1:${ports.gateway}
data_dir: ${join(work, 'data')}
auth: { required: true }
log: { level: warn }
providers:
  - { id: bench, kind: openai-compatible, base_url: "http://127.0.0.1:${ports.upstream}/v1", jurisdiction: local, operator: Bench, ownership: owned, models: [bench-model] }
models:
  bench: { candidates: [bench/bench-model] }
`,
  );
  const { key, gateway: gatewayProcess } = await startGateway(tools, configFile);
  started.push(gatewayProcess);

  // One kept-alive connection per origin: each call is timed alone, so the connection setup is not what is measured.
  const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const chatBody = (stream: boolean): string =>
    JSON.stringify({
      model: 'bench',
      messages: [{ role: 'user', content: 'Say hello' }],
      max_tokens: 16,
      ...(stream ? { stream: true } : {}),
    });
  const calls: Record<Target, (stream: boolean) => { url: string; body: string }> = {
    'upstream directly': (stream) => ({
      url: `http://127.0.0.1:${ports.upstream}/v1/chat/completions`,
      body: chatBody(stream),
    }),
    'gateway chat': (stream) => ({
      url: `http://127.0.0.1:${ports.gateway}/v1/chat/completions`,
      body: chatBody(stream),
    }),
    'gateway responses': (stream) => ({
      url: `http://127.0.0.1:${ports.gateway}/v1/responses`,
      body: JSON.stringify({
        model: 'bench',
        input: 'Say hello',
        max_output_tokens: 16,
        store: true,
        ...(stream ? { stream: true } : {}),
      }),
    }),
  };
  /** Milliseconds from sending the request to the last byte of the answer (a stream read to its end). */
  const timed = async (target: Target, stream: boolean): Promise<number> => {
    const { url, body } = calls[target](stream);
    const start = process.hrtime.bigint();
    const answer = await request(url, { method: 'POST', headers, body, dispatcher });
    for await (const _piece of answer.body) {
      // Read to the end: a stream's cost is until its terminal event.
    }
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (answer.statusCode !== 200) throw new Error(`${target} (stream: ${stream}) answered ${answer.statusCode}`);
    return elapsed;
  };

  const rows: Array<Array<string | number>> = [];
  let rounds = 0;
  for (const stream of [false, true]) {
    for (let call = 0; call < warmUpCalls; call += 1) for (const target of targets) await timed(target, stream);
    const samples: Record<Target, number[]> = { 'upstream directly': [], 'gateway chat': [], 'gateway responses': [] };
    const end = Date.now() + duration * 1000;
    for (let call = 0; call < maximumCalls && Date.now() < end; call += 1) {
      // Interleaved, the order turning each call, so drift in the machine's speed hits every target alike.
      for (let offset = 0; offset < targets.length; offset += 1) {
        const target = targets[(call + offset) % targets.length]!;
        samples[target].push(await timed(target, stream));
      }
    }
    rounds = samples['gateway chat'].length;
    const direct = {
      p50: percentile(samples['upstream directly'], 0.5),
      p90: percentile(samples['upstream directly'], 0.9),
    };
    const added = (target: Target) => ({
      p50: percentile(samples[target], 0.5) - direct.p50,
      p90: percentile(samples[target], 0.9) - direct.p90,
    });
    const chat = added('gateway chat');
    for (const target of targets) {
      const own = added(target);
      rows.push([
        `${stream ? 'stream' : 'json'} ${target}`,
        samples[target].length,
        percentile(samples[target], 0.5),
        percentile(samples[target], 0.9),
        target === 'upstream directly' ? '' : own.p50.toFixed(3),
        target === 'upstream directly' ? '' : own.p90.toFixed(3),
        target === 'gateway responses' ? (own.p50 / chat.p50).toFixed(2) : '',
        target === 'gateway responses' ? (own.p90 / chat.p90).toFixed(2) : '',
      ]);
    }
  }
  process.stdout.write(
    `Responses (store: true) against chat completions through the gateway, over the same upstream; sequential calls, interleaved (up to ${maximumCalls} or ${duration} s per mode; last mode ${rounds} per target). Added = the target's latency − the upstream's directly. Target: responses added ≤ 1.3× chat added.\n`,
  );
  tools.table(
    ['mode / target', 'calls', 'p50 ms', 'p90 ms', 'added p50 ms', 'added p90 ms', 'resp/chat p50', 'resp/chat p90'],
    rows,
  );
  await dispatcher.close();
  await stopProcesses(started);
  rmSync(work, { recursive: true, force: true });
}
