// Learning loop benchmark. (1) The latency a call pays for being captured, and for being shadowed at fraction 1.0,
// against the same call through an alias with neither, on one `sovereign start` gateway on one CPU, the upstream (and
// the shadow's upstream) on the other, calls interleaved one by one on kept-alive connections. Targets:
// capture adds ≤ 10 % to a call's latency; shadowing leaves the caller's latency unchanged within noise. (2) An
// export of 100,000 captured calls (SFT, scrubbed), streamed from the store: rows/s, and the process's memory while
// it runs against before, for 10,000 and 100,000 calls (flat: the export never holds all rows). Loopback only.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { percentile, type SectionTools, startGateway, stopProcesses } from './section-tools.js';

type Target = 'upstream directly' | 'not captured' | 'captured' | 'shadowed';
const targets: Target[] = ['upstream directly', 'not captured', 'captured', 'shadowed'];
const maximumCalls = 2_000;
const warmUpCalls = 100;

async function latencySection(tools: SectionTools, duration: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
  const ports = { upstream: 9141, shadow: 9142, learning: 9144 };
  const started: ChildProcess[] = [];
  for (const port of [ports.upstream, ports.shadow])
    started.push(await tools.startProcess(0, ['--import', 'tsx', 'bench/upstream.ts', String(port)], /listening/));
  const provider = (id: string, port: number) =>
    `  - { id: ${id}, kind: openai-compatible, base_url: "http://127.0.0.1:${port}/v1", jurisdiction: local, operator: Bench, ownership: owned, models: [bench-model] }`;
  const gateway = async (name: string, port: number, models: string): Promise<string> => {
    const configFile = join(work, `${name}.yaml`);
    writeFileSync(
      configFile,
      `listen: 127.0.0.1:${port}
data_dir: ${join(work, name)}
auth: { required: true }
log: { level: warn }
providers:
${provider('bench', ports.upstream)}
${provider('candidate', ports.shadow)}
models:
${models}
`,
    );
    const { key, gateway: gatewayProcess } = await startGateway(tools, configFile);
    started.push(gatewayProcess);
    return key;
  };
  // One gateway for the three, so that what differs is the alias's settings and nothing else (an alias with neither
  // capture nor shadow costs the pipeline one function call that returns at once).
  const learningKey = await gateway(
    'learning',
    ports.learning,
    `  bench: { candidates: [bench/bench-model] }
  captured: { candidates: [bench/bench-model], capture: { enabled: true } }
  shadowed: { candidates: [bench/bench-model], shadow: { candidate: candidate/bench-model, fraction: 1.0 } }`,
  );
  const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const call: Record<Target, { url: string; model: string; key: string }> = {
    'upstream directly': { url: `http://127.0.0.1:${ports.upstream}`, model: 'bench-model', key: '' },
    'not captured': { url: `http://127.0.0.1:${ports.learning}`, model: 'bench', key: learningKey },
    captured: { url: `http://127.0.0.1:${ports.learning}`, model: 'captured', key: learningKey },
    shadowed: { url: `http://127.0.0.1:${ports.learning}`, model: 'shadowed', key: learningKey },
  };
  const timed = async (target: Target, stream: boolean): Promise<number> => {
    const { url, model, key } = call[target];
    const start = process.hrtime.bigint();
    const answer = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'Summarise the handover notes for bed 12.' }],
        max_tokens: 16,
        ...(stream ? { stream: true } : {}),
      }),
      dispatcher,
    });
    for await (const _piece of answer.body) {
      // Read to the end.
    }
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (answer.statusCode !== 200) throw new Error(`${target} answered ${answer.statusCode}`);
    return elapsed;
  };
  const rows: Array<Array<string | number>> = [];
  for (const stream of [false, true]) {
    for (let index = 0; index < warmUpCalls; index += 1) for (const target of targets) await timed(target, stream);
    const samples: Record<Target, number[]> = {
      'upstream directly': [],
      'not captured': [],
      captured: [],
      shadowed: [],
    };
    const end = Date.now() + duration * 1000;
    // A shadow call runs after its caller's answer; a pause after each call lets it finish, so what each target's
    // samples hold is its own latency, not the background work of the call before it (the order is shuffled too).
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let index = 0; index < maximumCalls && Date.now() < end; index += 1) {
      const order = [...targets].sort(() => next() - 0.5);
      for (const target of order) {
        samples[target].push(await timed(target, stream));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    const base = { p50: percentile(samples['not captured'], 0.5), p90: percentile(samples['not captured'], 0.9) };
    for (const target of targets) {
      const p50 = percentile(samples[target], 0.5);
      const p90 = percentile(samples[target], 0.9);
      const compared = target !== 'upstream directly' && target !== 'not captured';
      rows.push([
        `${stream ? 'stream' : 'json'} ${target}`,
        samples[target].length,
        p50.toFixed(3),
        p90.toFixed(3),
        compared ? (p50 / base.p50).toFixed(3) : '',
        compared ? (p90 / base.p90).toFixed(3) : '',
      ]);
    }
  }
  process.stdout.write(
    `Capture and shadow traffic on the proxy path: sequential calls interleaved over the same upstream (up to ${maximumCalls} or ${duration} s per mode); ratios against the same call through an alias that neither captures nor shadows, on the same gateway. Targets: captured ≤ 1.10; shadowed (fraction 1.0) unchanged within noise.\n`,
  );
  tools.table(['mode / target', 'calls', 'p50 ms', 'p90 ms', 'p50 / not captured', 'p90 / not captured'], rows);
  await dispatcher.close();
  await stopProcesses(started);
  rmSync(work, { recursive: true, force: true });
}

/** A full collection, so the heap measured is what is live (the bench runs without --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Captures written straight into a store (sealed, as the gateway seals them), then exported as SFT rows. */
async function exportSection(tools: SectionTools): Promise<void> {
  const built = (path: string) => join(tools.root, 'dist', path);
  const { openSqliteStore } = (await import(
    built('store/kysely-store.js')
  )) as typeof import('../src/store/kysely-store.js');
  const { Sealer } = (await import(built('state/sealing.js'))) as typeof import('../src/state/sealing.js');
  const { exportDataset } = (await import(built('learning/export.js'))) as typeof import('../src/learning/export.js');
  const { FeedbackService } = (await import(
    built('learning/feedback.js')
  )) as typeof import('../src/learning/feedback.js');
  const rows: Array<Array<string | number>> = [];
  for (const count of [10_000, 100_000]) {
    const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
    const store = openSqliteStore(work);
    await store.migrate();
    const sealer = new Sealer(randomBytes(32));
    const insertStart = process.hrtime.bigint();
    for (let index = 0; index < count; index += 1) {
      const id = `cap_${String(index).padStart(8, '0')}`;
      const text = {
        messages: [
          { role: 'system', content: 'You write handover notes for the ward.' },
          {
            role: 'user',
            content: `Bed ${index % 40}: patient seen by Dr Amina Haddad, call +33 6 12 34 56 78 or write to ward${index % 97}@clinic.example.sa. Summarise the night.`,
          },
        ],
        answer: {
          role: 'assistant',
          content: `Night of bed ${index % 40} was calm; obs stable, pain 2/10, reviewed at 04:00.`,
        },
      };
      await store.learning.saveCapture({
        id,
        tenant: 'bench',
        keyId: null,
        receipt: index,
        responseId: null,
        episodeId: `episode-${index % 5000}`,
        alias: 'ward',
        provider: 'own',
        model: 'm',
        ownership: 'owned',
        role: 'primary',
        pairOf: null,
        labels: ['pii.email', 'pii.name', 'pii.phone'],
        promptSha256: 'a'.repeat(64),
        latencyMs: 100,
        inputTokens: 50,
        outputTokens: 20,
        cost: null,
        createdAt: 1_000_000 + index,
        expiresAt: Number.MAX_SAFE_INTEGER,
        sealed: sealer.seal(JSON.stringify(text), id),
      });
    }
    const insertSeconds = Number(process.hrtime.bigint() - insertStart) / 1e9;
    const feedback = new FeedbackService({
      store: store.learning,
      sealer,
      metrics: {},
      append: () => Promise.reject(new Error('none')),
      now: Date.now,
      policyHash: '',
    });
    collect();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    // Sampled from the sink (the export runs without turning the event loop: a timer would not fire).
    let written = 0;
    let livePeak = before.heapUsed;
    let collecting = 0;
    const sample = (): void => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
      // Every 10,000 rows, what is live: a collection first (its time is left out of the rate).
      if (written % 10_000 === 0) {
        const started = process.hrtime.bigint();
        collect();
        livePeak = Math.max(livePeak, process.memoryUsage().heapUsed);
        collecting += Number(process.hrtime.bigint() - started);
      }
    };
    let bytes = 0;
    const start = process.hrtime.bigint();
    const manifest = await exportDataset(
      { kind: 'sft', format: 'openai', filter: {}, split: 0.1 },
      {
        train: {
          write: async (line) => {
            bytes += line.length;
            if (++written % 500 === 0) sample();
          },
        },
        validation: {
          write: async (line) => {
            bytes += line.length;
            if (++written % 500 === 0) sample();
          },
        },
      },
      { store: store.learning, sealer, openFeedback: (row) => feedback.open(row), metrics: {}, now: Date.now },
    );
    const seconds = (Number(process.hrtime.bigint() - start) - collecting) / 1e9;
    sample();
    collect();
    const after = process.memoryUsage().heapUsed;
    rows.push([
      count,
      manifest.rows,
      Math.round(count / insertSeconds),
      Math.round(manifest.rows / seconds),
      (bytes / 1e6).toFixed(1),
      Object.values(manifest.scrubbed).reduce((sum, value) => sum + value, 0),
      ((livePeak - before.heapUsed) / 2 ** 20).toFixed(1),
      ((peakHeap - before.heapUsed) / 2 ** 20).toFixed(1),
      ((peakRss - before.rss) / 2 ** 20).toFixed(1),
      ((after - before.heapUsed) / 2 ** 20).toFixed(1),
    ]);
    await store.close();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    'Export of captured calls as SFT rows (openai format, split 0.1), streamed from SQLite: captures opened, joined with feedback, scrubbed by the detectors, written. Memory while exporting, against before: the live heap (after a collection, every 10,000 rows), the heap with its garbage not yet collected, the resident set, and the heap held after (the live heap stays flat: rows are never all held).\n',
  );
  tools.table(
    [
      'captured calls',
      'rows',
      'stored/s (setup)',
      'exported rows/s',
      'MB written',
      'values scrubbed',
      'live heap growth MB',
      'heap growth MB (garbage too)',
      'RSS growth MB',
      'heap kept after MB',
    ],
    rows,
  );
}

export async function learningSection(tools: SectionTools, duration: number): Promise<void> {
  await latencySection(tools, duration);
  await exportSection(tools);
}
