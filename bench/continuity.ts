// Continuity benchmarks: how long after a cut the cut provider still receives requests (64
// connections of load), and the gateway's throughput while one of three providers fails every
// request, against its throughput with all three healthy, in the same run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGateway, stopProcesses } from './section-tools.js';

interface Tools {
  root: string;
  startProcess(cpu: number, args: string[], ready: RegExp, cwd?: string): Promise<ChildProcess>;
  load(
    url: string,
    connections: number,
    seconds: number,
    stream: boolean,
    headers: Record<string, string>,
    model?: string,
  ): { rps: number; p50: number; p99: number; errors: number };
  table(header: string[], rows: Array<Array<string | number>>): void;
}

export async function continuitySection(tools: Tools, duration: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
  const ports = { a: 9121, b: 9122, c: 9123, down: 9124, gateway: 9125 };
  const started: ChildProcess[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (name === 'gateway') continue;
    started.push(
      await tools.startProcess(
        0,
        ['--import', 'tsx', 'bench/upstream.ts', String(port), name === 'down' ? 'fail' : 'ok'],
        /listening/,
      ),
    );
  }
  const provider = (id: string, port: number, operator: string) =>
    `  - { id: ${id}, kind: openai-compatible, base_url: "http://127.0.0.1:${port}/v1", jurisdiction: SA, operator: ${operator}, ownership: owned, models: [bench-model] }\n`;
  const configFile = join(work, 'sovereign.yaml');
  writeFileSync(
    configFile,
    `listen: 127.0.0.1:${ports.gateway}\ndata_dir: ${join(work, 'data')}\nlog: { level: warn }\nhealth: { probe_interval_ms: 600000 }\nrouting: { retries: 0 }\nproviders:\n${provider('a', ports.a, 'A')}${provider('b', ports.b, 'B')}${provider('c', ports.c, 'C')}${provider('down', ports.down, 'D')}models:\n  healthy: { candidates: [a/bench-model, b/bench-model, c/bench-model] }\n  one-failing: { candidates: [down/bench-model, b/bench-model, c/bench-model] }\n  cut-test: { candidates: [a/bench-model, b/bench-model] }\n`,
  );
  const { key, gateway: gatewayProcess } = await startGateway(tools, configFile, ['--admin']);
  started.push(gatewayProcess);
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  const headers = { authorization: `Bearer ${key}` };
  const url = `${gateway}/v1/chat/completions`;

  // Throughput with one of three providers failing every request, against all healthy.
  tools.load(url, 64, 2, false, headers, 'healthy');
  tools.load(url, 64, 2, false, headers, 'one-failing');
  // Interleaved (A B B A), the median of each, so drift in the machine's speed hits both alike.
  const runs = ['healthy', 'one-failing', 'one-failing', 'healthy'].map((model) => ({
    model,
    result: tools.load(url, 64, duration, false, headers, model),
  }));
  const median = (model: string) => {
    const [first, second] = runs.filter((entry) => entry.model === model).map((entry) => entry.result) as [
      ReturnType<Tools['load']>,
      ReturnType<Tools['load']>,
    ];
    return {
      rps: (first.rps + second.rps) / 2,
      p50: (first.p50 + second.p50) / 2,
      p99: (first.p99 + second.p99) / 2,
      errors: first.errors + second.errors,
    };
  };
  const healthy = median('healthy');
  const failing = median('one-failing');
  process.stdout.write(
    'Throughput while one of three providers fails every request (64 connections; its circuit opens, the others serve). Target: ≥ 0.8× all healthy.\n',
  );
  tools.table(
    ['alias', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio'],
    [
      ['all three healthy', Math.round(healthy.rps), healthy.p50, healthy.p99, healthy.errors, '1.000'],
      [
        'one of three failing',
        Math.round(failing.rps),
        failing.p50,
        failing.p99,
        failing.errors,
        (failing.rps / healthy.rps).toFixed(3),
      ],
    ],
  );

  // Time from a cut to the last request the cut provider received, under 64 connections of load.
  const rows: Array<Array<string | number>> = [];
  for (let round = 1; round <= 3; round += 1) {
    const background = loadInBackground(tools.root, url, key, 'cut-test', 4);
    await new Promise((done) => setTimeout(done, 1_500));
    const cutSent = Date.now();
    const response = await fetch(`${gateway}/v1/admin/cut`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'a' }),
    });
    await response.text();
    const cutAnswered = Date.now();
    await background;
    const lastA = Number(await (await fetch(`http://127.0.0.1:${ports.a}/last`)).text());
    rows.push([round, cutAnswered - cutSent, lastA - cutSent]);
    await fetch(`${gateway}/v1/admin/uncut`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'a' }),
    }).then((answer) => answer.text());
  }
  process.stdout.write(
    'Cut under load (64 connections): from sending the cut to the last request the cut provider received. Target: under 50 ms.\n',
  );
  tools.table(['round', 'cut answered after ms', 'last request to the cut provider, ms after the cut was sent'], rows);
  await stopProcesses(started);
  rmSync(work, { recursive: true, force: true });
}

/** wrk (or autocannon) in its own process, not blocking this one: the cut is sent while it runs. */
function loadInBackground(root: string, url: string, key: string, model: string, seconds: number): Promise<void> {
  const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
  const args = hasWrk
    ? ['wrk', '-t1', '-c64', `-d${seconds}s`, '-s', resolve(root, 'bench/post.lua'), url]
    : [
        process.execPath,
        resolve(root, 'node_modules/autocannon/autocannon.js'),
        '-c',
        '64',
        '-d',
        String(seconds),
        '-m',
        'POST',
        '-H',
        'content-type=application/json',
        '-H',
        `authorization=Bearer ${key}`,
        '-b',
        JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        url,
      ];
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0 ? ['taskset', '-c', '0', ...args] : args;
  return new Promise((done) => {
    const child = spawn(pinned[0]!, pinned.slice(1), {
      stdio: 'ignore',
      env: { ...process.env, AUTH: key, MODEL: model, STREAM: '0' },
    });
    child.on('exit', () => done());
  });
}
