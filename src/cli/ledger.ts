// `sovereign ledger key`, `sovereign verify` (offline) and `sovereign ledger audit` (replays a
// running gateway's log and checks it against its signed checkpoints).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.js';
import { decodeEntry } from '../ledger/entry.js';
import { leafHash } from '../ledger/hash.js';
import { NoteError, openNote, parseVerifierKey, type VerifierKey } from '../ledger/note.js';
import { parseTlogProof, ReceiptError, verifyReceipt } from '../ledger/receipt.js';
import { MerkleTree } from '../ledger/tree.js';
import { ProofError, verifyConsistency } from '../ledger/verify-proof.js';
import { exitConfigError, fail, gatewayUrl, loadConfigOrExit } from './context.js';
import { LedgerKeyError, loadSigner } from './ledger-key.js';

class AuditFailure extends Error {}

function verifierFrom(text: string): VerifierKey {
  const value = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8').trim() : text.trim();
  try {
    return parseVerifierKey(value);
  } catch (error) {
    return fail(`--key is not a verifier key (name+hexid+base64): ${(error as NoteError).message}`, exitConfigError);
  }
}

function progress(total: number, label: string): { tick(count: number): void; stop(): void } {
  // A bar only where someone watches and the work is long enough to need one.
  if (!process.stderr.isTTY || total < 5_000) return { tick: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true });
  bar.start(total, 0);
  return { tick: (count) => bar.increment(count), stop: () => bar.stop() };
}

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('the signed log of every call');

  ledger
    .command('key')
    .description("print the log's verifier key (name+hexid+base64), for `verify` and `audit`")
    .option('--config <file>', 'config file')
    .action((options: { config?: string }) => {
      const { config } = loadConfigOrExit(options.config);
      try {
        process.stdout.write(`${loadSigner(config, process.env, { create: false }).encoded}\n`);
      } catch (error) {
        if (error instanceof LedgerKeyError) fail(error.message, exitConfigError);
        throw error;
      }
    });

  ledger
    .command('audit')
    .description("replay every entry of a running gateway, recompute the tree, and check it against the signed checkpoint and an earlier one")
    .requiredOption('--key <vkey>', "the log's verifier key (or @file)")
    .option('--url <url>', 'the gateway (default: the config’s listen address)')
    .option('--api-key <key>', 'an API key (default: $SOVEREIGN_KEY)')
    .option('--state <file>', 'where the last audited checkpoint is kept; a consistency proof from it is checked, then it is replaced')
    .option('--config <file>', 'config file')
    .action(async (options: { key: string; url?: string; apiKey?: string; state?: string; config?: string }) => {
      const key = verifierFrom(options.key);
      const url = gatewayUrl(options.url, options.config);
      const apiKey = options.apiKey ?? process.env.SOVEREIGN_KEY;
      try {
        await audit(url, key, apiKey, options.state);
      } catch (error) {
        if (error instanceof AuditFailure) fail(`audit FAILED: ${error.message}`);
        throw error;
      }
    });

  program
    .command('verify')
    .description('verify a receipt offline (no network, no data directory) and print its entry')
    .argument('<receipt>', 'a receipt file: JSON from /v1/ledger/receipts/<index>, or its tlog-proof text')
    .requiredOption('--key <vkey>', "the log's verifier key (or @file)")
    .option('--body <file>', 'the exact request body sent; its SHA-256 must match the entry')
    .option('--origin <origin>', 'require this log origin')
    .action((file: string, options: { key: string; body?: string; origin?: string }) => {
      const key = verifierFrom(options.key);
      const text = readFileSync(file, 'utf8');
      let receipt: unknown;
      try {
        receipt = text.startsWith('c2sp.org/tlog-proof@v1\n') ? parseTlogProof(text) : JSON.parse(text);
      } catch (error) {
        fail(`${file}: not a receipt (${(error as Error).message})`);
      }
      try {
        const verified = verifyReceipt(receipt, [key], options.origin);
        if (options.body) {
          const digest = createHash('sha256').update(readFileSync(options.body)).digest('hex');
          if (digest !== verified.entry.request_sha256) fail(`${options.body}: its SHA-256 ${digest} is not the entry's request_sha256 ${verified.entry.request_sha256}`);
        }
        process.stdout.write(`${JSON.stringify(verified.entry, null, 2)}\n`);
        process.stdout.write(`OK: entry ${verified.index} is in log ${verified.checkpoint.origin} (checkpoint size ${verified.checkpoint.size}), signed by ${key.name}${options.body ? '; the request body matches' : ''}\n`);
      } catch (error) {
        if (error instanceof ReceiptError) fail(`receipt INVALID (${error.where}): ${error.message}`);
        throw error;
      }
    });
}

async function fetchText(url: string, apiKey: string | undefined): Promise<string> {
  const response = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new AuditFailure(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

function checkpointFrom(note: string, key: VerifierKey, where: string): { checkpoint: Checkpoint; note: string } {
  try {
    return { checkpoint: parseCheckpoint(openNote(note, [key]).text), note };
  } catch (error) {
    throw new AuditFailure(`${where}: the checkpoint does not verify with the key: ${(error as Error).message}`);
  }
}

async function audit(url: string, key: VerifierKey, apiKey: string | undefined, stateFile: string | undefined): Promise<void> {
  const { checkpoint, note } = checkpointFrom(await fetchText(`${url}/v1/ledger/checkpoint`, undefined), key, 'the latest checkpoint');
  const tree = new MerkleTree();
  const bar = progress(checkpoint.size, 'replaying entries');
  while (tree.size < checkpoint.size) {
    const page = JSON.parse(await fetchText(`${url}/v1/ledger/entries?start=${tree.size}&end=${Math.min(checkpoint.size, tree.size + 1000)}`, apiKey)) as { entries: Array<{ index: number; leaf: string }> };
    if (page.entries.length === 0) throw new AuditFailure(`the log serves no entry at index ${tree.size}, below the checkpoint's size ${checkpoint.size}`);
    for (const entry of page.entries) {
      if (entry.index !== tree.size) throw new AuditFailure(`expected entry ${tree.size}, the log sent ${entry.index}`);
      const leaf = Buffer.from(entry.leaf, 'base64');
      try {
        decodeEntry(leaf);
      } catch (error) {
        throw new AuditFailure(`entry ${entry.index}: ${(error as Error).message}`);
      }
      tree.append(leafHash(leaf));
    }
    bar.tick(page.entries.length);
  }
  bar.stop();
  if (!tree.root(checkpoint.size).equals(checkpoint.root)) throw new AuditFailure(`the entries replayed do not give the root of the signed checkpoint at size ${checkpoint.size}: the log served altered entries`);
  let previousReport = '';
  if (stateFile && existsSync(stateFile)) {
    const previous = checkpointFrom(readFileSync(stateFile, 'utf8'), key, stateFile).checkpoint;
    if (previous.origin !== checkpoint.origin) throw new AuditFailure(`${stateFile} holds a checkpoint of log "${previous.origin}", not "${checkpoint.origin}"`);
    if (previous.size > checkpoint.size) throw new AuditFailure(`the log shrank: it signed size ${previous.size} before, and now ${checkpoint.size}`);
    if (!tree.root(previous.size).equals(previous.root)) throw new AuditFailure(`history was rewritten: the entries do not give the root signed earlier at size ${previous.size}`);
    if (previous.size > 0 && previous.size < checkpoint.size) {
      const proof = JSON.parse(await fetchText(`${url}/v1/ledger/consistency?from=${previous.size}&to=${checkpoint.size}`, apiKey)) as { proof: string[] };
      try {
        verifyConsistency(previous.size, checkpoint.size, proof.proof.map((hash) => Buffer.from(hash, 'base64')), previous.root, checkpoint.root);
      } catch (error) {
        throw new AuditFailure(`the log's consistency proof from size ${previous.size} to ${checkpoint.size} fails: ${(error as ProofError).message}`);
      }
    }
    previousReport = `; consistent with the checkpoint of size ${previous.size} saved in ${stateFile}`;
  }
  if (stateFile) writeFileSync(stateFile, note);
  process.stdout.write(`OK: ${checkpoint.size} entries of ${checkpoint.origin} replayed; the root matches the signed checkpoint${previousReport}\n`);
}
