// Owned-model benchmarks. (1) Hashing: `models add` (stream the file once: SHA-256, GGUF header,
// signed manifest, store) against `sha256sum` on the same file, warm cache, interleaved. (2) Tokens
// per second of the tiny test model through the gateway (a `sovereign start` process, HTTP, auth,
// ledger) against node-llama-cpp called directly in this process, same prompt, same settings.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigner } from '../src/ledger/note.js';
import { hashFile } from '../src/models/hash.js';
import { ModelRegistry } from '../src/models/registry.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import { writeTinyModel } from '../test/support/tiny-gguf.js';

type Table = (header: string[], rows: Array<Array<string | number>>) => void;
interface Context {
  root: string;
  table: Table;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function hashing(directory: string, table: Table): Promise<void> {
  const size = Number(process.env.HASH_BYTES ?? 1024 * 1024 * 1024);
  const file = join(directory, 'big.gguf');
  writeTinyModel(file, { paddingBytes: size });
  const store = openSqliteStore(join(directory, 'registry'));
  await store.migrate();
  const signer = generateSigner('bench/sovereign-gateway');
  const registry = new ModelRegistry({ store, verifier: signer, signer });
  const ours: number[] = [];
  const add: number[] = [];
  const reference: number[] = [];
  spawnSync('sha256sum', [file]); // warm the page cache
  for (let round = 0; round < 3; round += 1) {
    let started = performance.now();
    const result = spawnSync('sha256sum', [file], { encoding: 'utf8' });
    reference.push(performance.now() - started);
    started = performance.now();
    const { sha256 } = await hashFile(file);
    ours.push(performance.now() - started);
    if (!result.stdout.startsWith(sha256)) throw new Error('the digests differ');
    started = performance.now();
    await registry.add(file, { name: `big-${round}` });
    add.push(performance.now() - started);
  }
  await store.close();
  const mibPerSecond = (ms: number): number => size / 1024 / 1024 / (ms / 1000);
  const base = mibPerSecond(median(reference));
  process.stdout.write(
    `hashing a ${(size / 1024 / 1024).toFixed(0)} MiB GGUF file (warm cache, median of 3). Target: models add ≥ 0.9× sha256sum.\n`,
  );
  table(
    ['what', 'MiB/s', '× sha256sum'],
    [
      ['sha256sum', base, 1],
      ['hashFile (the stream models add uses)', mibPerSecond(median(ours)), mibPerSecond(median(ours)) / base],
      [
        'models add (hash + header + signed manifest + store + ledger entry)',
        mibPerSecond(median(add)),
        mibPerSecond(median(add)) / base,
      ],
    ],
  );
}

const prompt = 'Write a long story about the sea.';
const maxTokens = Number(process.env.LOCAL_MAX_TOKENS ?? 256);
const requests = Number(process.env.LOCAL_REQUESTS ?? 8);
// One thread: on this tiny model llama.cpp's thread synchronisation costs more than it saves (measured
// 5–7× faster than two threads here), and the faster the model the more visible the gateway's cost.
const threads = Number(process.env.LOCAL_THREADS ?? 1);

async function direct(file: string): Promise<{ tokens: number; ms: number }> {
  const { getLlama, LlamaChat, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 512, sequences: 1, threads });
  let tokens = 0;
  const run = async (): Promise<void> => {
    const chat = new LlamaChat({ contextSequence: context.getSequence(), autoDisposeSequence: true });
    await chat.generateResponse(
      [
        { type: 'user', text: prompt },
        { type: 'model', response: [] },
      ],
      { maxTokens, temperature: 0, onToken: (generated) => (tokens += generated.length) },
    );
    chat.dispose({ disposeSequence: true });
  };
  await run(); // warm-up
  tokens = 0;
  const started = performance.now();
  for (let index = 0; index < requests; index += 1) await run();
  const ms = performance.now() - started;
  await context.dispose();
  await model.dispose();
  return { tokens, ms };
}

async function throughGateway(url: string, key: string): Promise<{ tokens: number; ms: number }> {
  const call = async (): Promise<number> => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'local/tiny',
        messages: [{ role: 'user', content: prompt }],
        max_tokens: maxTokens,
        temperature: 0,
      }),
    });
    const body = (await response.json()) as { usage: { completion_tokens: number } };
    return body.usage.completion_tokens;
  };
  await call(); // warm-up (loads and verifies the model)
  let tokens = 0;
  const started = performance.now();
  for (let index = 0; index < requests; index += 1) tokens += await call();
  return { tokens, ms: performance.now() - started };
}

async function tokensPerSecond(context: Context, directory: string): Promise<void> {
  const file = join(directory, 'tiny.gguf');
  writeTinyModel(file);
  const bin = join(context.root, 'bin/sovereign.js');
  const cli = (args: string[]): string => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: directory, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout;
  };
  cli(['models', 'add', file, '--name', 'tiny']);
  writeFileSync(
    join(directory, 'sovereign.yaml'),
    `log: { level: warn }\nproviders:\n  - { id: local, kind: local, jurisdiction: local, operator: bench, ownership: owned, models: [tiny], threads: ${threads}, context_size: 512, sequences: 1 }\n`,
  );
  const key = cli(['keys', 'create', '--name', 'bench', '--config', 'sovereign.yaml']).trim().split('\n').at(-1)!;
  // Not pinned to one CPU: like the direct run, the gateway's runtime uses both cores.
  const gateway = spawn(process.execPath, [bin, 'start', '--config', 'sovereign.yaml', '--port', '0'], {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output}`)), 30_000);
    const check = (piece: Buffer): void => {
      output += piece;
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    gateway.stdout.on('data', check);
    gateway.stderr.on('data', check);
  });
  const rows: Array<Array<string | number>> = [];
  const directRuns: number[] = [];
  const gatewayRuns: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const a = await direct(file);
    directRuns.push((a.tokens / a.ms) * 1000);
    const b = await throughGateway(url, key);
    gatewayRuns.push((b.tokens / b.ms) * 1000);
  }
  gateway.kill('SIGTERM');
  const directRate = median(directRuns);
  const gatewayRate = median(gatewayRuns);
  rows.push(
    ['node-llama-cpp directly', directRate, 1],
    ['through the gateway (HTTP, auth, ledger)', gatewayRate, gatewayRate / directRate],
  );
  process.stdout.write(
    `tokens/s of the tiny test model (${requests} sequential requests of up to ${maxTokens} tokens, greedy, ${threads} thread(s); median of 3 interleaved rounds). Target: the gateway costs under 3%.\n`,
  );
  context.table(['path', 'tokens/s', '× direct'], rows);
}

export async function modelsSection(context: Context): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'sovereign-bench-models-'));
  try {
    await hashing(directory, context.table);
    await tokensPerSecond(context, directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
