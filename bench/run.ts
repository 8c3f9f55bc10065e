// `npm run bench`: measures the gateway against baselines measured in the same run, on loopback,
// bounded in time, and prints tables of ratios. Sections: proxy (HTTP overhead), ledger (appends, proofs), policy
// (detector
// quality, classification time), continuity (cut timing, throughput with a failing provider), models (hashing against
// sha256sum, tokens/s of a local model through the gateway against node-llama-cpp directly), ner (the detectors' model
// layer: scan time per 2 KB on the recommended checkpoint's architecture), responses (a Responses call's added latency
// against a chat call's), learning (capture and shadow on the proxy path; export of 100k captured calls).
//   npm run bench                       all sections, 5 s per measurement
//   npm run bench -- --only proxy --duration 10 --rounds 3
//   npm run bench -- --only streams --streams 2000,5000   slow streams held open at once (issue 17)
// Processes are pinned with taskset when present: load generator and upstream on CPU 0, the system under test on CPU 1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ledgerSection } from './ledger.js';
import { policySection } from './policy.js';
import { mcpSection } from './mcp.js';
import { continuitySection } from './continuity.js';
import { modelsSection } from './models.js';
import { deepScanSection } from './deep-scan.js';
import { responsesSection } from './responses.js';
import { learningSection } from './learning.js';
import { streamsSection } from './streams.js';
import { startGateway, stopProcesses } from './section-tools.js';

const { values: options } = parseArgs({
  options: {
    only: { type: 'string' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16,64' },
    streams: { type: 'string', default: '2000,5000' },
  },
});
const duration = Number(options.duration);
const rounds = Number(options.rounds);
const connectionCounts = options.connections!.split(',').map(Number);
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const root = resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];

function startProcess(cpu: number, args: string[], ready: RegExp, cwd = root): Promise<ChildProcess> {
  const command = hasTaskset ? 'taskset' : process.execPath;
  const fullArgs = hasTaskset ? ['-c', String(cpu), process.execPath, ...args] : args;
  const child = spawn(command, fullArgs, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  children.push(child);
  return new Promise((done, fail) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`${args.join(' ')} did not start:\n${output}`)), 20_000);
    const check = (piece: Buffer): void => {
      output += piece;
      if (ready.test(output)) {
        clearTimeout(timer);
        done(child);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
  });
}

function cleanup(): void {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

/** wrk (Debian's package) when present, else autocannon: real load generators, in their own pinned process. */
function load(
  url: string,
  connections: number,
  seconds: number,
  stream: boolean,
  headers: Record<string, string>,
  model = 'bench',
): LoadResult {
  if (hasWrk) {
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      resolve(root, 'bench/post.lua'),
      url,
    ];
    const auth = headers.authorization?.replace(/^Bearer /, '');
    const result = spawnSync(hasTaskset ? 'taskset' : 'wrk', hasTaskset ? ['-c', '0', 'wrk', ...args] : args, {
      encoding: 'utf8',
      timeout: (seconds + 30) * 1000,
      env: { ...process.env, STREAM: stream ? '1' : '0', MODEL: model, ...(auth ? { AUTH: auth } : {}) },
    });
    const line = /RESULT (.*)/.exec(result.stdout)?.[1];
    if (!line) throw new Error(`wrk failed: ${result.stderr || result.stdout}`);
    const fields = Object.fromEntries(
      line
        .split(' ')
        .map((pair) => pair.split('='))
        .map(([name, value]) => [name, Number(value)]),
    );
    return {
      rps: ((fields.requests! - fields.non2xx!) / fields.duration_us!) * 1e6,
      p50: fields.p50_us! / 1000,
      p99: fields.p99_us! / 1000,
      errors: fields.errors! + fields.non2xx!,
    };
  }
  const body = JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Say hello' }],
    max_tokens: 16,
    ...(stream ? { stream: true } : {}),
  });
  const args = [
    resolve(root, 'node_modules/autocannon/autocannon.js'),
    '--json',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    body,
  ];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  const command = hasTaskset ? 'taskset' : process.execPath;
  const result = spawnSync(command, hasTaskset ? ['-c', '0', process.execPath, ...args] : args, {
    encoding: 'utf8',
    timeout: (seconds + 30) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(result.stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
    '2xx': number;
    duration: number;
  };
  return {
    rps: parsed['2xx'] / parsed.duration,
    p50: parsed.latency.p50,
    p99: parsed.latency.p99,
    errors: parsed.errors + parsed.non2xx,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function table(header: string[], rows: Array<Array<string | number>>): void {
  const cells = rows.map((row) =>
    row.map((cell) => (typeof cell === 'number' ? (Number.isInteger(cell) ? String(cell) : cell.toFixed(2)) : cell)),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  process.stdout.write(
    `${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n${cells.map(line).join('\n')}\n\n`,
  );
}

async function proxySection(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
  const upstreamPort = 9101;
  const floorPort = 9102;
  const gatewayPort = 9103;
  await startProcess(0, ['--import', 'tsx', 'bench/upstream.ts', String(upstreamPort)], /listening/);
  await startProcess(
    1,
    ['--import', 'tsx', 'bench/floor-proxy.ts', String(floorPort), `http://127.0.0.1:${upstreamPort}`],
    /listening/,
  );
  const configFile = join(work, 'sovereign.yaml');
  writeFileSync(
    configFile,
    `listen: 127.0.0.1:${gatewayPort}
data_dir: ${join(work, 'data')}
auth: { required: true }
log: { level: warn }
providers:
  - { id: bench, kind: openai-compatible, base_url: "http://127.0.0.1:${upstreamPort}/v1", jurisdiction: local, operator: Bench, ownership: owned, models: [bench-model] }
models:
  bench: { candidates: [bench/bench-model] }
`,
  );
  const { key } = await startGateway({ root, startProcess }, configFile);

  const targets = {
    direct: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`,
    floor: `http://127.0.0.1:${floorPort}/v1/chat/completions`,
    gateway: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`,
  };
  const headers = { authorization: `Bearer ${key}` };
  type Key = `${keyof typeof targets}|${number}|${boolean}`;
  const samples = new Map<Key, LoadResult[]>();
  process.stdout.write(`proxy: ${rounds} round(s) × ${duration} s per target and load; warming up…\n`);
  for (const name of Object.keys(targets) as Array<keyof typeof targets>) load(targets[name], 64, 2, false, headers);
  for (let round = 0; round < rounds; round += 1) {
    for (const stream of [false, true]) {
      for (const connections of connectionCounts) {
        const order = Object.keys(targets) as Array<keyof typeof targets>;
        if (round % 2) order.reverse(); // interleave, so drift in the machine's speed hits all targets alike
        for (const name of order) {
          const result = load(targets[name], connections, duration, stream, headers);
          const key: Key = `${name}|${connections}|${stream}`;
          samples.set(key, [...(samples.get(key) ?? []), result]);
        }
      }
    }
  }
  const rows: Array<Array<string | number>> = [];
  for (const stream of [false, true]) {
    for (const connections of connectionCounts) {
      const summary = (name: keyof typeof targets) => {
        const list = samples.get(`${name}|${connections}|${stream}`)!;
        return {
          rps: median(list.map((entry) => entry.rps)),
          p50: median(list.map((entry) => entry.p50)),
          p99: median(list.map((entry) => entry.p99)),
          errors: list.reduce((sum, entry) => sum + entry.errors, 0),
        };
      };
      const direct = summary('direct');
      const floor = summary('floor');
      const gateway = summary('gateway');
      for (const [name, result] of [
        ['direct', direct],
        ['floor', floor],
        ['gateway', gateway],
      ] as const) {
        rows.push([
          `${stream ? 'stream' : 'json'} c=${connections} ${name}`,
          Math.round(result.rps),
          result.p50,
          result.p99,
          result.errors,
          name === 'gateway' ? (gateway.rps / floor.rps).toFixed(3) : '',
          name === 'gateway' ? (gateway.p99 - floor.p99).toFixed(2) : '',
        ]);
      }
    }
  }
  process.stdout.write(
    `HTTP overhead (${hasWrk ? 'wrk' : 'autocannon'}; gateway with auth and the SQLite store on). Targets: throughput ≥ 0.85× floor, added p99 ≤ 1 ms.\n`,
  );
  table(['load / target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'gw/floor', 'gw p99 − floor p99 (ms)'], rows);
  await stopProcesses(children.splice(0));
  rmSync(work, { recursive: true, force: true });
}

const sections: Record<string, () => Promise<void>> = {
  proxy: proxySection,
  ledger: () => ledgerSection(table),
  policy: () => policySection({ root, startProcess, table }),
  continuity: () => continuitySection({ root, startProcess, load, table }, duration),
  models: () => modelsSection({ root, table }),
  responses: () => responsesSection({ root, startProcess, table }, duration),
  mcp: () => mcpSection({ root, startProcess, table }, duration),
  learning: () => learningSection({ root, startProcess, table }, duration),
  streams: () =>
    streamsSection(
      { root, startProcess, table },
      { counts: options.streams!.split(',').map(Number), rounds: Math.max(3, rounds), chunks: 50, gapMs: 20 },
    ),
  // The detectors' model layer (onnx engine): needs the optional @huggingface/transformers.
  ner: async () => {
    const installed = await import(['@huggingface', 'transformers'].join('/')).then(
      () => true,
      () => false,
    );
    if (installed) await deepScanSection(table);
    else
      process.stdout.write(
        'ner: skipped (@huggingface/transformers is not installed; npm install --no-save @huggingface/transformers@4.3.1)\n\n',
      );
  },
};
for (const [name, run] of Object.entries(sections)) {
  if (options.only && !options.only.split(',').includes(name)) continue;
  await run();
}
cleanup();
process.exit(0);
