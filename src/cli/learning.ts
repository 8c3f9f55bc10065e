// `sovereign export sft|dpo|kto` and `sovereign eval shadow`: the learning loop's datasets and its
// judged comparison of shadow pairs. Both read the store directly (captures are opened with the
// state key, as `conversations export` does) and record what they wrote as a ledger entry, which
// the gateway integrates like any other process's. The judge is asked through a running gateway
// (--url, --api-key), so its calls obey the policy and are recorded like any call.
import { actor } from '../models/registry.js';
import { timeSince } from '../core/clock.js';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, rmSync, type WriteStream, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { canonicalJson } from '../core/canonical-json.js';
import { checkFilter, checkFormat, type ExportFormat, type ExportKind } from '../learning/dataset.js';
import { htmlReport, textReport } from '../learning/eval-report.js';
import { verdictOf } from '../learning/eval-stats.js';
import { exportDataset, type ExportManifest, type LineSink } from '../learning/export.js';
import { FeedbackService } from '../learning/feedback.js';
import { evalShadow, type Judge, verdictIn, verdictSchema } from '../learning/shadow-eval.js';
import { encodeEntry, type LearningEntry, learningEntry } from '../ledger/entry.js';
import { leafHash } from '../ledger/hash.js';
import { policyHash, openPolicy } from '../policy/policy.js';
import { Sealer, SealingError } from '../state/sealing.js';
import type { Store } from '../store/store.js';
import {
  apiKeyFrom,
  exitConfigError,
  fail,
  gatewayUrl,
  loadConfigOrExit,
  openConfiguredStore,
  requireApiKey,
} from './context.js';
import { loadStateKey, StateKeyError } from './state-key.js';

/** "7d", "24h", "30m", or an RFC 3339 time, as milliseconds since the epoch. */
function sinceOf(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const time = timeSince(text, now);
  if (time === undefined)
    return fail(`--since takes a duration (7d, 24h, 30m) or an RFC 3339 time, got "${text}"`, exitConfigError);
  return time;
}

function sealerFor(config: Config): Sealer {
  try {
    return new Sealer(loadStateKey(config, process.env, { create: false }));
  } catch (error) {
    if (error instanceof StateKeyError) fail(error.message, exitConfigError);
    throw error;
  }
}

/** Appends a learning entry from this process (the gateway integrates it into the tree). */
async function record(
  store: Store,
  config: Config,
  kind: 'dataset_export' | 'eval_report',
  learning: LearningEntry,
): Promise<number> {
  const now = Date.now();
  const leaf = encodeEntry(
    learningEntry(kind, {
      time: now,
      requestId: `${kind}-${now}`,
      tenant: actor(),
      policyHash: policyHash(config.policy ?? openPolicy),
      learning,
    }),
  );
  const { first } = await store.appendLedgerEntries([{ leaf, leafHash: leafHash(leaf), keyId: null, createdAt: now }]);
  return first;
}

/** A file written a line at a time, honouring backpressure; refuses to overwrite unless asked. */
function fileSink(path: string, force: boolean): { sink: LineSink; close(): Promise<void> } {
  let stream: WriteStream;
  try {
    stream = createWriteStream(path, { flags: force ? 'w' : 'wx', mode: 0o600 });
  } catch (error) {
    return fail(`cannot write ${path}: ${(error as Error).message}`, exitConfigError);
  }
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  return {
    sink: {
      write(line) {
        if (failure) return Promise.reject(failure);
        if (stream.write(line)) return Promise.resolve();
        return new Promise((resolve, reject) => {
          stream.once('drain', resolve);
          stream.once('error', reject);
        });
      },
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  };
}

/** file.jsonl → file.validation.jsonl, file.manifest.json. */
function besides(out: string, suffix: string): string {
  const base = out.endsWith('.jsonl') ? out.slice(0, -'.jsonl'.length) : out;
  return `${base}${suffix}`;
}

interface ExportOptions {
  format: ExportFormat;
  metric?: string;
  min?: string;
  max?: string;
  since?: string;
  alias?: string;
  split?: string;
  seed?: string;
  out: string;
  force?: boolean;
  config?: string;
}

async function runExport(kind: ExportKind, options: ExportOptions): Promise<void> {
  const loaded = loadConfigOrExit(options.config);
  const { config } = loaded;
  const split = options.split === undefined ? 0 : Number(options.split);
  if (!(split >= 0 && split < 1))
    fail(`--split takes a share of episodes in [0, 1), got "${options.split}"`, exitConfigError);
  const min = options.min === undefined ? undefined : Number(options.min);
  if (min !== undefined && !Number.isFinite(min)) fail(`--min takes a number, got "${options.min}"`, exitConfigError);
  const max = options.max === undefined ? undefined : Number(options.max);
  if (max !== undefined && !Number.isFinite(max)) fail(`--max takes a number, got "${options.max}"`, exitConfigError);
  const since = sinceOf(options.since, Date.now());
  // A kind, format or filter that cannot give rows is a usage error before the store is read.
  try {
    checkFormat(kind, options.format);
    checkFilter(kind, { metric: options.metric, min, max }, config.feedback.metrics);
  } catch (error) {
    fail((error as Error).message, exitConfigError);
  }
  const files: Array<{ path: string; split: 'train' | 'validation' }> = [{ path: options.out, split: 'train' }];
  if (split > 0) files.push({ path: besides(options.out, '.validation.jsonl'), split: 'validation' });
  const manifestPath = besides(options.out, '.manifest.json');
  // Every file this export writes is checked before anything is read or written: an export never stops half-way
  // on a file that was there (and leaves no ledger entry for a manifest it could not write).
  if (!options.force)
    for (const path of [...files.map((file) => file.path), manifestPath])
      if (existsSync(path)) fail(`${path} exists: pass --force to overwrite it`, exitConfigError);
  const sealer = sealerFor(config);
  const store = await openConfiguredStore(loaded);
  let manifest: ExportManifest;
  try {
    const sinks = files.map((file) => fileSink(file.path, options.force === true));
    const feedback = new FeedbackService({
      store: store.learning,
      sealer,
      metrics: config.feedback.metrics,
      append: () => Promise.reject(new Error('an export gives no feedback')),
      now: Date.now,
      policyHash: '',
    });
    try {
      manifest = await exportDataset(
        {
          kind,
          format: options.format,
          filter: { metric: options.metric, min, max },
          since,
          alias: options.alias,
          split,
          seed: options.seed,
        },
        { train: sinks[0]!.sink, validation: sinks[1]?.sink },
        {
          store: store.learning,
          sealer,
          openFeedback: (row) => feedback.open(row),
          metrics: config.feedback.metrics,
          now: Date.now,
        },
      );
    } catch (error) {
      // A file half-written is no dataset: removed, so it is never taken for one.
      for (const sink of sinks) await sink.close().catch(() => undefined);
      for (const file of files) rmSync(file.path, { force: true });
      throw error;
    }
    for (const sink of sinks) await sink.close();
    const withPaths = {
      ...manifest,
      files: manifest.files.map((file) => ({ ...file, path: files.find((entry) => entry.split === file.split)!.path })),
    };
    const manifestText = `${JSON.stringify(withPaths, null, 2)}\n`;
    // The manifest first, then its entry: the entry's digest is of the manifest's bytes as written.
    writeFileSync(manifestPath, manifestText, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
    const index = await record(store, config, 'dataset_export', {
      kind,
      format: options.format,
      rows: manifest.rows,
      file_sha256: manifest.files[0]!.sha256,
      manifest_sha256: createHash('sha256').update(manifestText).digest('hex'),
      sources: manifest.sources.slice(0, 4096),
      ...(manifest.sources.length > 4096 ? { sources_omitted: manifest.sources.length - 4096 } : {}),
    });
    const scrubbed = Object.entries(manifest.scrubbed)
      .map(([label, count]) => `${label} ${count}`)
      .join(', ');
    process.stdout.write(
      `${manifest.files.map((file) => `${file.split}: ${file.rows} rows`).join(', ')} (from ${manifest.captures_read} captured calls)\n` +
        `scrubbed values: ${scrubbed || 'none'}\n` +
        `manifest: ${manifestPath} (ledger entry ${index})\n`,
    );
  } catch (error) {
    if (error instanceof SealingError) fail(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

interface EvalOptions {
  judge: string;
  since?: string;
  alias?: string;
  format: 'text' | 'json' | 'html';
  out?: string;
  margin?: string;
  concurrency?: string;
  url?: string;
  key?: string;
  apiKey?: string;
  config?: string;
}

/** The judge, asked through the gateway: a chat completion with a JSON-schema answer. */
function gatewayJudge(options: EvalOptions): Judge {
  const key = requireApiKey(apiKeyFrom(options), 'a key the judge alias may be called with');
  const url = gatewayUrl(options.url, options.config);
  return async (messages) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      // The judge's calls are no one's work to learn from: kept out of capture and shadow traffic.
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-sovereign-capture': 'off' },
      body: JSON.stringify({
        model: options.judge,
        messages,
        temperature: 0,
        max_tokens: 32,
        response_format: { type: 'json_schema', json_schema: { name: 'verdict', strict: true, schema: verdictSchema } },
      }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`the judge call failed (${response.status}): ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { choices?: Array<{ message?: { content?: string | null } }> };
    return verdictIn(body.choices?.[0]?.message?.content);
  };
}

async function runEval(options: EvalOptions): Promise<void> {
  const loaded = loadConfigOrExit(options.config);
  const { config } = loaded;
  if (!['text', 'json', 'html'].includes(options.format)) fail('--format is text, json or html', exitConfigError);
  const margin = options.margin === undefined ? 0.05 : Number(options.margin);
  if (!(margin >= 0 && margin < 0.5))
    fail(`--margin takes a share in [0, 0.5), got "${options.margin}"`, exitConfigError);
  const concurrency = options.concurrency === undefined ? 4 : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    fail('--concurrency takes a positive integer', exitConfigError);
  const since = sinceOf(options.since, Date.now());
  const judge = gatewayJudge(options);
  const sealer = sealerFor(config);
  const store = await openConfiguredStore(loaded);
  try {
    const result = await evalShadow({
      store: store.learning,
      sealer,
      judge,
      now: Date.now,
      since,
      alias: options.alias,
      concurrency,
    });
    const meta = { judge: options.judge, alias: options.alias, since: options.since, margin };
    const output =
      options.format === 'json'
        ? `${JSON.stringify(result.report, null, 2)}\n`
        : options.format === 'html'
          ? htmlReport(result.report, meta)
          : textReport(result.report, meta);
    if (options.out) writeFileSync(options.out, output, { mode: 0o600 });
    else process.stdout.write(output);
    const index = await record(store, config, 'eval_report', {
      file_sha256: createHash('sha256').update(output).digest('hex'),
      manifest_sha256: createHash('sha256').update(canonicalJson(result.report)).digest('hex'),
      format: options.format,
      judge: options.judge.slice(0, 256),
      pairs: result.report.pairs,
      win_rate: result.report.win_rate,
      sources: result.sources.slice(0, 4096),
      ...(result.sources.length > 4096 ? { sources_omitted: result.sources.length - 4096 } : {}),
    });
    const notes = [
      result.skipped > 0
        ? `${result.skipped} pairs skipped: the judge could not be asked (refused or failed); the first: ${result.firstFailure}`
        : '',
      result.unreadable > 0 ? `${result.unreadable} pairs left out: a judge answer was no verdict` : '',
    ].filter((note) => note !== '');
    process.stderr.write(
      `${verdictOf(result.report, margin).sentence}\n${notes.map((note) => `${note}\n`).join('')}report recorded as ledger entry ${index}${options.out ? ` (${options.out})` : ''}\n`,
    );
  } catch (error) {
    if (error instanceof SealingError) fail(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

export function registerLearningCommands(program: Command): void {
  program
    .command('export')
    .description('write a dataset from captured calls and feedback (scrubbed, split by episode), with its manifest')
    .argument('<kind>', 'sft, dpo or kto')
    .requiredOption('--format <format>', 'openai, trl or sharegpt')
    .requiredOption('--out <file.jsonl>', 'the train file (the validation file and the manifest are written beside it)')
    .option(
      '--metric <name>',
      'only calls whose feedback meets this metric (boolean: its good value, true or for optimize: min false; float: --min or --max)',
    )
    .option('--min <value>', 'for a float metric to maximise: the least value that qualifies')
    .option('--max <value>', 'for a float metric to minimise (optimize: min): the greatest value that qualifies')
    .option('--since <when>', 'only calls since: a duration (7d, 24h, 30m) or an RFC 3339 time')
    .option('--alias <alias>', 'only calls of this alias')
    .option('--split <share>', 'the share of episodes written to the validation file (e.g. 0.1)')
    .option('--seed <text>', 'another seed gives another split')
    .option('--force', 'overwrite the files if they exist')
    .option('--config <file>', 'config file')
    .action(async (kind: string, options: ExportOptions) => {
      if (kind !== 'sft' && kind !== 'dpo' && kind !== 'kto')
        fail(`the kind is sft, dpo or kto, got "${kind}"`, exitConfigError);
      if (!['openai', 'trl', 'sharegpt'].includes(options.format))
        fail(`--format is openai, trl or sharegpt, got "${options.format}"`, exitConfigError);
      await runExport(kind as ExportKind, options);
    });
  program
    .command('eval')
    .description('judged comparisons of the learning loop')
    .command('shadow')
    .description('compare each shadow pair twice (orders swapped) with a judge alias, and report the win rate')
    .requiredOption('--judge <alias>', 'the alias that judges (its calls obey the policy)')
    .option('--since <when>', 'only pairs since: a duration (7d, 24h, 30m) or an RFC 3339 time')
    .option('--alias <alias>', 'only pairs of this alias')
    .option('--format <format>', 'text, json or html', 'text')
    .option('--out <file>', 'write the report here instead of standard output')
    .option('--margin <share>', 'the verdict: not worse by more than this share (default 0.05)')
    .option('--concurrency <n>', 'pairs judged at once (default 4)')
    .option('--url <url>', 'the gateway (default: the config’s listen address)')
    .option('--api-key <key>', 'an API key (default: $SOVEREIGN_KEY)')
    .option('--key <key>', 'the same as --api-key')
    .option('--config <file>', 'config file')
    .action((options: EvalOptions) => runEval(options));
}
