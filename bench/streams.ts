// Slow streams, as the gateway really carries them (issue 17): an upstream that streams CHUNKS
// events GAP ms apart, and a load generator holding C streams open at once, run against the
// upstream directly, the Node floor (node:http piping to an undici pool) and the gateway (auth,
// policy, the durable ledger), interleaved, for several rounds on the same processes. Per target:
// streams completed and failed, time to first byte and the gap between reads (each less the direct
// run's: what the hop adds), peak RSS and RSS per open stream ((peak − idle) / C), CPU seconds per
// 1,000 chunks (from /proc), and the gateway's event-loop delay p99 (its /metrics, reset at each
// scrape). The direct run is the check that the load generator is not the bottleneck.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SectionTools, startGateway, stopProcesses } from './section-tools.js';

interface LoadOutput {
  ok: number;
  failed: number;
  reasons: Record<string, number>;
  ttfb: { p50: number; p99: number; max: number };
  gap: { p99: number; max: number };
  chunks: number;
  seconds: number;
}

interface Run extends LoadOutput {
  idleRss: number;
  peakRss: number;
  cpuSeconds: number;
  loopP99Ms: number | undefined;
}

/** Resident memory of a process, in bytes (/proc/<pid>/status). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** User and system CPU seconds of a process so far (/proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The gateway's event-loop delay p99 since the last scrape, in ms. */
async function loopP99(metricsUrl: string, key: string): Promise<number> {
  const text = await (await fetch(metricsUrl, { headers: { authorization: `Bearer ${key}` } })).text();
  return Number(/^sovereign_process_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? Number.NaN) * 1000;
}

export async function streamsSection(
  tools: SectionTools,
  options: { counts: number[]; rounds: number; chunks: number; gapMs: number },
): Promise<void> {
  const { root, startProcess, table } = tools;
  const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-streams-'));
  const children: ChildProcess[] = [];
  const upstreamPort = 9111;
  const floorPort = 9112;
  const gatewayPort = 9113;
  const most = Math.max(...options.counts);
  children.push(
    await startProcess(
      0,
      [
        '--import',
        'tsx',
        'bench/slow-upstream.ts',
        String(upstreamPort),
        String(options.chunks),
        String(options.gapMs),
      ],
      /listening/,
    ),
  );
  const floor = await startProcess(
    1,
    [
      '--import',
      'tsx',
      'bench/floor-proxy.ts',
      String(floorPort),
      `http://127.0.0.1:${upstreamPort}`,
      String(most * 2),
    ],
    /listening/,
  );
  children.push(floor);
  const configFile = join(work, 'sovereign.yaml');
  writeFileSync(
    configFile,
    `listen: 127.0.0.1:${gatewayPort}
data_dir: ${join(work, 'data')}
auth: { required: true }
log: { level: warn }
providers:
  - { id: slow, kind: openai-compatible, base_url: "http://127.0.0.1:${upstreamPort}/v1", jurisdiction: local, operator: Bench, ownership: owned, models: [slow-model], max_connections: ${most * 2} }
models:
  slow: { candidates: [slow/slow-model] }
`,
  );
  const { key, gateway } = await startGateway({ root, startProcess }, configFile, ['--admin']);
  children.push(gateway);
  const metricsUrl = `http://127.0.0.1:${gatewayPort}/metrics`;
  const targets = {
    direct: { url: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`, pid: undefined as number | undefined },
    floor: { url: `http://127.0.0.1:${floorPort}/v1/chat/completions`, pid: floor.pid },
    gateway: { url: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, pid: gateway.pid },
  };
  type Name = keyof typeof targets;

  const runOnce = async (name: Name, streams: number): Promise<Run> => {
    const { url, pid } = targets[name];
    const idleRss = pid ? rssOf(pid) : 0;
    const cpuBefore = pid ? cpuOf(pid) : 0;
    if (name === 'gateway') await loopP99(metricsUrl, key);
    let peakRss = idleRss;
    let loopMs = 0;
    const sampler = setInterval(() => {
      if (pid) peakRss = Math.max(peakRss, rssOf(pid));
    }, 25);
    const scraper =
      name === 'gateway'
        ? setInterval(() => {
            void loopP99(metricsUrl, key).then(
              (value) => {
                if (Number.isFinite(value)) loopMs = Math.max(loopMs, value);
              },
              () => undefined,
            );
          }, 500)
        : undefined;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/streams-load.ts', url, String(streams), key], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (piece: Buffer) => (output += piece.toString('utf8')));
    child.stderr!.on('data', (piece: Buffer) => (output += piece.toString('utf8')));
    await new Promise<void>((done) => child.on('exit', () => done()));
    clearInterval(sampler);
    if (scraper) clearInterval(scraper);
    if (name === 'gateway') {
      const last = await loopP99(metricsUrl, key);
      if (Number.isFinite(last)) loopMs = Math.max(loopMs, last);
    }
    const line = output.split('\n').find((text) => text.startsWith('{'));
    if (!line) throw new Error(`the load generator failed against ${name}:\n${output}`);
    const result = JSON.parse(line) as LoadOutput;
    // Let the sockets of this run close before the next one measures its idle memory.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return {
      ...result,
      idleRss,
      peakRss,
      cpuSeconds: pid ? cpuOf(pid) - cpuBefore : 0,
      loopP99Ms: name === 'gateway' ? loopMs : undefined,
    };
  };

  process.stdout.write(
    `streams: ${options.rounds} round(s); each stream ${options.chunks} chunks ${options.gapMs} ms apart; ${options.counts.join(' and ')} streams at once; warming up…\n`,
  );
  await runOnce('floor', 200);
  await runOnce('gateway', 200);
  const runs = new Map<string, Run[]>();
  for (const streams of options.counts)
    for (let round = 0; round < options.rounds; round += 1) {
      const order = Object.keys(targets) as Name[];
      if (round % 2) order.reverse();
      for (const name of order) {
        const key = `${name}|${streams}`;
        runs.set(key, [...(runs.get(key) ?? []), await runOnce(name, streams)]);
      }
    }

  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const rows: Array<Array<string | number>> = [];
  const ratios: Array<Array<string | number>> = [];
  for (const streams of options.counts) {
    const of = (name: Name) => runs.get(`${name}|${streams}`)!;
    const direct = of('direct');
    const base = {
      ttfbP50: median(direct.map((run) => run.ttfb.p50)),
      ttfbP99: median(direct.map((run) => run.ttfb.p99)),
      ttfbMax: median(direct.map((run) => run.ttfb.max)),
      gapP99: median(direct.map((run) => run.gap.p99)),
      gapMax: median(direct.map((run) => run.gap.max)),
    };
    const summary = (name: Name) => {
      const list = of(name);
      const added = (pick: (run: Run) => number, baseline: number) =>
        name === 'direct' ? median(list.map(pick)) : median(list.map(pick)) - baseline;
      return {
        ok: list.reduce((sum, run) => sum + run.ok, 0),
        failed: list.reduce((sum, run) => sum + run.failed, 0),
        ttfbP50: added((run) => run.ttfb.p50, base.ttfbP50),
        ttfbP99: added((run) => run.ttfb.p99, base.ttfbP99),
        ttfbMax: added((run) => run.ttfb.max, base.ttfbMax),
        gapP99: added((run) => run.gap.p99, base.gapP99),
        gapMax: added((run) => run.gap.max, base.gapMax),
        peakRss: median(list.map((run) => run.peakRss)),
        perStream: median(list.map((run) => (run.peakRss - run.idleRss) / streams)),
        cpuPer1k: median(list.map((run) => (run.cpuSeconds / Math.max(1, run.chunks)) * 1000)),
        loop: list[0]!.loopP99Ms === undefined ? undefined : median(list.map((run) => run.loopP99Ms!)),
        peaks: list.map((run) => run.peakRss),
      };
    };
    const floorSummary = summary('floor');
    const gatewaySummary = summary('gateway');
    for (const name of Object.keys(targets) as Name[]) {
      const row = name === 'floor' ? floorSummary : name === 'gateway' ? gatewaySummary : summary('direct');
      const measured = name !== 'direct';
      rows.push([
        streams,
        name,
        row.ok,
        row.failed,
        row.ttfbP50.toFixed(2),
        row.ttfbP99.toFixed(2),
        row.ttfbMax.toFixed(1),
        row.gapP99.toFixed(2),
        row.gapMax.toFixed(1),
        measured ? (row.peakRss / 2 ** 20).toFixed(0) : '',
        measured ? (row.perStream / 1024).toFixed(1) : '',
        measured ? row.cpuPer1k.toFixed(3) : '',
        row.loop === undefined ? '' : row.loop.toFixed(2),
      ]);
    }
    const [firstPeak, , thirdPeak] = gatewaySummary.peaks;
    ratios.push([
      streams,
      gatewaySummary.failed,
      // A gap the floor does not lengthen (within the rig's noise) has no ratio: the gateway's own is shown.
      floorSummary.gapP99 > 0.5
        ? (gatewaySummary.gapP99 / floorSummary.gapP99).toFixed(2)
        : `n/a (gateway +${gatewaySummary.gapP99.toFixed(2)} ms)`,
      (gatewaySummary.perStream / Math.max(1, floorSummary.perStream)).toFixed(2),
      (gatewaySummary.ttfbP99 / Math.max(0.01, floorSummary.ttfbP99)).toFixed(2),
      thirdPeak === undefined ? '' : `${(((thirdPeak - firstPeak!) / firstPeak!) * 100).toFixed(1)} %`,
    ]);
  }
  process.stdout.write(
    'Slow streams (direct: the load generator against the upstream itself; other rows add to it). Times in ms; RSS in MB, per stream in KB.\n',
  );
  table(
    [
      'streams',
      'target',
      'ok',
      'failed',
      'ttfb p50 +',
      'ttfb p99 +',
      'ttfb max +',
      'gap p99 +',
      'gap max +',
      'peak RSS',
      'RSS/stream',
      'CPU s/1k chunks',
      'loop p99',
    ],
    rows,
  );
  process.stdout.write(
    'Gateway against the floor, same run. Targets: 0 failed; added gap p99 ≤ 2× the floor’s; RSS per stream ≤ 1.5×; TTFB p99 ≤ 2×; third round’s peak RSS within 5 % of the first’s.\n',
  );
  table(
    ['streams', 'failed', 'gap p99 × floor', 'RSS/stream × floor', 'ttfb p99 × floor', 'peak RSS round 3 vs 1'],
    ratios,
  );
  await stopProcesses(children);
  rmSync(work, { recursive: true, force: true });
}
