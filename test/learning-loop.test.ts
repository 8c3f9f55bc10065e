// The learning loop end to end, as docs/learning.md walks it: calls captured on a real gateway, a
// rented primary shadowed by an owned LoRA adapter (the generated tiny GGUF and adapter, run by
// node-llama-cpp), feedback over HTTP, `sovereign export` in every kind and format (checked row by
// row, personal data scrubbed, split by episode, the manifest a ledger entry), `models add
// --adapter`, and `sovereign eval shadow` with the owned model as judge through the gateway's policy.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeEntry } from '../src/ledger/entry.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import {
  piiOwnedPolicy,
  postJson,
  providerEntry,
  startTestGateway,
  temporaryDirectory,
  type TestGateway,
} from './helpers.js';
import { run, runAsync } from './support/bin.js';
import { writeTinyLora, writeTinyModel } from './support/tiny-gguf.js';

const directory = temporaryDirectory('sovereign-loop-');
const modelFile = join(directory, 'tiny.gguf');
const loraFile = join(directory, 'tiny-lora.gguf');
const retrainedFile = join(directory, 'retrained-lora.gguf');
writeTinyModel(modelFile, { context: 4096 });
writeTinyLora(loraFile);
writeTinyLora(retrainedFile, { seed: 7 });

const canaries = {
  email: 'amina.haddad@clinic.example.sa',
  card: '4111 1111 1111 1111',
  iban: 'FR7630006000011234567890189',
  phone: '+33 6 12 34 56 78',
  name: 'Amina Haddad',
  address: '12 rue de la Paix, 75002 Paris',
};

describe('the learning loop, end to end', () => {
  let cloud: Double;
  let judgeA: Double;
  let gateway: TestGateway;
  let configFile: string;
  const data = join(directory, 'data');

  const chat = (body: Record<string, unknown>, episode?: string) =>
    postJson(
      `${gateway.url}/v1/chat/completions`,
      { max_tokens: 8, ...body },
      {
        authorization: `Bearer ${gateway.key}`,
        ...(episode ? { 'x-sovereign-episode': episode } : {}),
      },
    );
  const feedback = (body: unknown) =>
    postJson(`${gateway.url}/v1/feedback`, body, { authorization: `Bearer ${gateway.key}` });
  const cli = (...args: string[]) => run([...args, '--config', configFile], directory, { SOVEREIGN_KEY: gateway.key });
  const judge = (...args: string[]) =>
    runAsync(['eval', 'shadow', ...args, '--config', configFile, '--url', gateway.url], directory, {
      SOVEREIGN_KEY: gateway.key,
    });
  const receiptOf = (reply: { headers: Headers }) => Number(reply.headers.get('x-sovereign-receipt'));

  before(async () => {
    cloud = await startOpenAIDouble();
    judgeA = await startOpenAIDouble();
    judgeA.setDefault({ kind: 'ok', text: '{"verdict":"A"}' });
    const config = {
      data_dir: data,
      providers: [
        {
          id: 'own',
          kind: 'local',
          jurisdiction: 'local',
          operator: 'Hospital IT',
          ownership: 'owned',
          models: ['tiny'],
          threads: 2,
          context_size: 2048,
          sequences: 2,
          adapters: [{ name: 'tiny-ft', model: 'tiny', adapter: 'tiny-lora' }],
        },
        providerEntry('cloud', cloud.url, {
          ownership: 'rented',
          jurisdiction: 'US',
          cost_per_million_tokens: { input: 1, output: 4 },
        }),
        providerEntry('judges', judgeA.url, { ownership: 'rented', jurisdiction: 'US' }),
      ],
      models: {
        chat: { candidates: ['cloud/m1'], shadow: { candidate: 'own/tiny-ft', fraction: 1, max_concurrent: 8 } },
        ward: { candidates: ['own/tiny'], shadow: { candidate: 'own/tiny-ft', fraction: 1, max_concurrent: 8 } },
        judge: { candidates: ['own/tiny'] },
        'always-a': { candidates: ['judges/m1'] },
      },
      capture: { enabled: true },
      feedback: { metrics: { helpful: { type: 'boolean' }, quality: { type: 'float' } } },
      policy: piiOwnedPolicy,
      routing: { attempt_timeout_ms: 60_000 },
    };
    configFile = join(directory, 'sovereign.json');
    writeFileSync(configFile, JSON.stringify(config));
    gateway = await startTestGateway(config, {
      dataDirectory: data,
      prepare: async (registry) => {
        await registry.add(modelFile, { name: 'tiny' });
        await registry.add(loraFile, { name: 'tiny-lora' });
      },
    });
  });
  after(async () => {
    await gateway.close();
    await cloud.close();
    await judgeA.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const receipts: Record<string, number> = {};

  test('calls are captured, shadowed by the owned adapter, and given feedback', async () => {
    for (const [index, topic] of ['discharge letter', 'triage summary', 'rota change', 'drug interaction'].entries()) {
      const reply = await chat(
        { model: 'chat', messages: [{ role: 'user', content: `Draft a ${topic}.` }] },
        `case-${index}`,
      );
      assert.equal(reply.status, 200, reply.text);
      receipts[topic] = receiptOf(reply);
    }
    const streamed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.key}`,
        'content-type': 'application/json',
        'x-sovereign-episode': 'case-9',
      },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'Stream a note.' }] }),
    });
    receipts.stream = Number(streamed.headers.get('x-sovereign-receipt'));
    assert.match(await streamed.text(), /x-sovereign-receipt-close/);
    // Personal data stays on the owned model; it is captured, and must never reach an export.
    const personal = `Patient ${canaries.name}, ${canaries.address}, mail ${canaries.email}, phone ${canaries.phone}, card ${canaries.card}, IBAN ${canaries.iban}.`;
    for (const run of ['first', 'second']) {
      const reply = await chat({ model: 'ward', messages: [{ role: 'user', content: personal }] }, 'ward-1');
      assert.equal(reply.status, 200, reply.text);
      receipts[`ward-${run}`] = receiptOf(reply);
    }
    await gateway.app.learning.drain();

    const given = [
      { receipt: receipts['discharge letter'], metric: 'helpful', value: true },
      { receipt: receipts['triage summary'], metric: 'helpful', value: true },
      { receipt: receipts['rota change'], metric: 'helpful', value: false },
      { receipt: receipts.stream, metric: 'helpful', value: true },
      { receipt: receipts['ward-first'], metric: 'helpful', value: true },
      { receipt: receipts['drug interaction'], metric: 'demonstration', value: 'Check the interaction table first.' },
      { receipt: receipts['ward-first'], metric: 'comment', value: 'too short' },
      {
        metric: 'preference',
        value: { chosen: { receipt: receipts['ward-first'] }, rejected: { receipt: receipts['ward-second'] } },
      },
    ];
    for (const body of given) {
      const reply = await feedback(body);
      assert.equal(reply.status, 200, `${JSON.stringify(body)}: ${reply.text}`);
    }
    const paired = await gateway.store.learning.captures(
      { now: Date.now(), paired: true, alias: 'chat' },
      undefined,
      100,
    );
    assert.equal(paired.length, 5, 'every chat call, the stream too, has its shadow pair');
    const streamedCapture = await gateway.store.learning.captureBy(
      { receipt: receipts.stream! },
      undefined,
      Date.now(),
    );
    assert.ok(streamedCapture, 'a streamed call is captured whole');
    assert.equal(streamedCapture.cost !== null, true, 'priced providers give a cost');
    assert.ok(
      streamedCapture.inputTokens > 0 && streamedCapture.outputTokens > 0,
      'a stream without usage is estimated',
    );
  });

  const lines = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, any>);

  test('export writes scrubbed datasets in every format, split by episode, with a manifest in the ledger', async () => {
    const sft = join(directory, 'sft.jsonl');
    const exported = cli('export', 'sft', '--format', 'openai', '--metric', 'helpful', '--split', '0.5', '--out', sft);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, /scrubbed values: .*pii\.email/);
    const validation = join(directory, 'sft.validation.jsonl');
    const rows = [...lines(sft), ...(existsSync(validation) ? lines(validation) : [])];
    // helpful: true on four calls, plus the demonstration.
    assert.equal(rows.length, 5);
    for (const row of rows) {
      assert.ok(Array.isArray(row.messages) && row.messages.at(-1).role === 'assistant', JSON.stringify(row));
      assert.deepEqual(
        Object.keys(row).filter((key) => key !== 'tools'),
        ['messages'],
      );
    }
    assert.ok(rows.some((row) => row.messages.at(-1).content === 'Check the interaction table first.'));
    const manifest = JSON.parse(readFileSync(join(directory, 'sft.manifest.json'), 'utf8'));
    assert.equal(manifest.rows, 5);
    assert.equal(manifest.files[0].sha256, createHash('sha256').update(readFileSync(sft)).digest('hex'));
    const entries = (await gateway.store.ledgerEntries(0, await gateway.store.ledgerSize())).map((row) =>
      decodeEntry(row.leaf),
    );
    const recorded = entries.find((entry) => entry.kind === 'dataset_export');
    assert.ok(recorded);
    assert.equal(recorded.learning?.file_sha256, manifest.files[0].sha256);
    assert.ok(recorded.learning?.sources?.includes(receipts['discharge letter']!));
    // Each episode lands on one side only.
    const episodesBySide = (file: string) =>
      existsSync(file) ? lines(file).map((row) => JSON.stringify(row.messages[0])) : [];
    const train = new Set(episodesBySide(sft));
    for (const first of episodesBySide(validation)) assert.ok(!train.has(first));

    const outputs: string[] = [readFileSync(sft, 'utf8')];
    const formats: Array<[string, string, (row: Record<string, any>) => void]> = [
      ['sft', 'trl', (row) => assert.ok(Array.isArray(row.messages))],
      ['sft', 'sharegpt', (row) => assert.ok(row.conversations.every((turn: any) => typeof turn.from === 'string'))],
      ['dpo', 'trl', (row) => assert.deepEqual(Object.keys(row).sort(), ['chosen', 'prompt', 'rejected'])],
      [
        'dpo',
        'openai',
        (row) => assert.deepEqual(Object.keys(row).sort(), ['input', 'non_preferred_output', 'preferred_output']),
      ],
      ['kto', 'trl', (row) => assert.equal(typeof row.label, 'boolean')],
    ];
    for (const [kind, format, check] of formats) {
      const out = join(directory, `${kind}-${format}.jsonl`);
      const result = cli('export', kind, '--format', format, '--out', out);
      assert.equal(result.status, 0, `${kind} ${format}: ${result.stderr}`);
      const written = lines(out);
      assert.ok(written.length > 0, `${kind} ${format} wrote rows`);
      written.forEach(check);
      outputs.push(readFileSync(out, 'utf8'));
    }
    // DPO: the preference pair and the demonstration against the model's own answer.
    assert.equal(lines(join(directory, 'dpo-trl.jsonl')).length, 2);
    for (const text of outputs)
      for (const [kind, canary] of Object.entries(canaries))
        assert.ok(!text.includes(canary), `the ${kind} canary reached an export`);
    const again = cli('export', 'sft', '--format', 'openai', '--out', sft);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists: pass --force/);
    const wrong = cli('export', 'kto', '--format', 'openai', '--out', join(directory, 'never.jsonl'));
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /trl, sharegpt/);
  });

  test('models add --adapter takes a LoRA adapter and refuses a base model', () => {
    const refused = cli('models', 'add', modelFile, '--adapter', '--name', 'not-an-adapter');
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /not a LoRA adapter/);
    const added = cli('models', 'add', retrainedFile, '--adapter', '--name', 'retrained-lora');
    assert.equal(added.status, 0, added.stderr);
  });

  test('eval shadow judges each pair in both orders through the gateway and records the report', async () => {
    const out = join(directory, 'report.json');
    const judged = await judge('--judge', 'judge', '--alias', 'chat', '--format', 'json', '--out', out);
    assert.equal(judged.status, 0, judged.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(Object.keys(report).sort(), [
      'ci95',
      'cost',
      'flip_rate',
      'latency_ms',
      'length_controlled_win_rate',
      'pairs',
      'primary_wins',
      'shadow_wins',
      'ties',
      'tokens',
      'win_rate',
    ]);
    assert.equal(report.pairs, 5, judged.stderr);
    assert.doesNotMatch(judged.stderr, /skipped/);
    assert.equal(report.shadow_wins + report.primary_wins + report.ties, 5);
    assert.ok(report.ci95.low <= report.win_rate && report.win_rate <= report.ci95.high);
    assert.ok(report.cost.primary > 0, 'the rented side is priced');
    assert.match(judged.stderr, /report recorded as ledger entry \d+/);

    // A judge that always answers A (position bias) gives only ties.
    const biased = await judge('--judge', 'always-a', '--alias', 'chat', '--format', 'json');
    assert.equal(biased.status, 0, biased.stderr);
    const biasedReport = JSON.parse(biased.stdout);
    assert.equal(biasedReport.ties, 5);
    assert.equal(biasedReport.flip_rate, 1);
    assert.equal(biasedReport.win_rate, 0.5);

    const html = join(directory, 'report.html');
    const page = await judge('--judge', 'always-a', '--alias', 'chat', '--format', 'html', '--out', html);
    assert.equal(page.status, 0, page.stderr);
    const text = readFileSync(html, 'utf8');
    assert.match(text, /^<!doctype html>/i);
    assert.ok(!/https?:|<script|src=/.test(text), 'the report works offline');
    // The ward pairs carry personal data: a rented judge may not see them, so they are skipped, and nothing is sent.
    const asked = judgeA.received.length;
    const refused = await judge('--judge', 'always-a', '--alias', 'ward', '--format', 'json');
    assert.equal(refused.status, 0, refused.stderr);
    assert.equal(JSON.parse(refused.stdout).pairs, 0);
    assert.match(refused.stderr, /2 pairs skipped: .*no_allowed_provider/);
    assert.equal(judgeA.received.length, asked, 'no pair with personal data reached the rented judge');
    const entries = (await gateway.store.ledgerEntries(0, await gateway.store.ledgerSize())).map((row) =>
      decodeEntry(row.leaf),
    );
    assert.equal(entries.filter((entry) => entry.kind === 'eval_report').length, 4);
    // The judge's own calls are not someone's work to learn from: never captured.
    const judgeCalls = await gateway.store.learning.captures({ now: Date.now(), alias: 'judge' }, undefined, 10);
    assert.equal(judgeCalls.length, 0);
    assert.ok(entries.some((entry) => entry.shadow === true && entry.provider === 'own'));
  });
});
