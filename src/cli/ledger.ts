// `sovereign ledger key`, `sovereign verify` (offline) and `sovereign ledger audit` (replays a
// running gateway's log and checks it against its signed checkpoints).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.js';
import { decodeEntry } from '../ledger/entry.js';
import { leafHash } from '../ledger/hash.js';
import { openNote, type VerifierKey } from '../ledger/note.js';
import { MerkleTree } from '../ledger/tree.js';
import { type ProofError, verifyConsistency } from '../ledger/verify-proof.js';
import { keyPrefix } from '../pipeline/auth.js';
import { apiKeyFrom, exitConfigError, fail, gatewayUrl, loadConfigOrExit } from './context.js';
import { LedgerKeyError, loadSigner } from './ledger-key.js';
import { runVerify, verifierKeyFrom, verifyCommand, VerifyFailure, type VerifyOptions } from './verify-receipt.js';

class AuditFailure extends Error {}

/** The gateway refused to serve the log for want of a (valid) API key: a usage problem, not evidence of tampering. */
class AuditUnauthorised extends Error {}

/**
 * `--key` of `verify` and `ledger audit` is the log's verifier key, where other commands' `--key` is
 * an API key: an API key or a private signing key given here is named as such (exit 2), rather than
 * reported as a malformed verifier key.
 */
function refuseOtherKeyKinds(text: string, apiKeyFlag: string | undefined): void {
  let value = text.trim();
  let where = '--key';
  if (text.startsWith('@')) {
    try {
      value = readFileSync(text.slice(1), 'utf8').trim();
      where = `--key ${text}`;
    } catch {
      return; // verifierKeyFrom says the file cannot be read
    }
  }
  const expected =
    "takes the log's verifier key (name+hexid+base64: `sovereign ledger key` prints it, GET /v1/ledger/key serves it)";
  if (value.startsWith(keyPrefix))
    fail(
      `${where} ${expected}, and this is an API key (${keyPrefix}…)${apiKeyFlag ? `: pass the API key with ${apiKeyFlag}` : ': verify works offline and needs no API key'}`,
      exitConfigError,
    );
  if (value.startsWith('PRIVATE+KEY+'))
    fail(
      `${where} ${expected}, and this is a private signing key (PRIVATE+KEY+…): give its verifier key, never the private one`,
      exitConfigError,
    );
}

function verifierFrom(text: string): VerifierKey {
  try {
    return verifierKeyFrom(text);
  } catch (error) {
    if (error instanceof VerifyFailure) fail(error.message, error.exitCode);
    throw error;
  }
}

function progress(total: number, label: string): { tick(count: number): void; stop(): void } {
  // A bar only where someone watches and the work is long enough to need one.
  if (!process.stderr.isTTY || total < 5_000) return { tick: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
  });
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
    .description(
      'replay every entry of a running gateway, recompute the tree, and check it against the signed checkpoint and an earlier one',
    )
    .requiredOption('--key <vkey>', "the log's verifier key (or @file)")
    .option('--url <url>', 'the gateway (default: the config’s listen address)')
    .option('--api-key <key>', 'an API key (default: $SOVEREIGN_KEY)')
    .option(
      '--state <file>',
      'where the last audited checkpoint is kept; a consistency proof from it is checked, then it is replaced',
    )
    .option('--config <file>', 'config file')
    .action(async (options: { key: string; url?: string; apiKey?: string; state?: string; config?: string }) => {
      refuseOtherKeyKinds(options.key, '--api-key');
      const key = verifierFrom(options.key);
      // Here --key is the verifier key, so the API key comes from --api-key (or $SOVEREIGN_KEY) only.
      const apiKey = apiKeyFrom({ apiKey: options.apiKey });
      const url = gatewayUrl(options.url, options.config);
      try {
        await audit(url, key, apiKey, options.state);
      } catch (error) {
        if (error instanceof AuditUnauthorised) {
          fail(
            apiKey === undefined
              ? `ledger audit reads the log's entries, which needs an API key: pass --api-key or set SOVEREIGN_KEY (${error.message}); nothing was audited`
              : `the gateway refused the API key (${error.message}): pass a valid one with --api-key or SOVEREIGN_KEY; nothing was audited`,
            exitConfigError,
          );
        }
        if (error instanceof AuditFailure) fail(`audit FAILED: ${error.message}`);
        throw error;
      }
    });

  const verify = program
    .command('verify')
    .description(verifyCommand.description)
    .argument(`<${verifyCommand.receipt.name}>`, verifyCommand.receipt.description);
  for (const option of verifyCommand.options) {
    const flags = `--${option.name} <${option.value}>`;
    if (option.required) verify.requiredOption(flags, option.description);
    else verify.option(flags, option.description);
  }
  verify.action((file: string, options: VerifyOptions) => {
    refuseOtherKeyKinds(options.key, undefined);
    const code = runVerify(file, options);
    if (code !== 0) process.exit(code);
  });
}

async function fetchText(url: string, apiKey: string | undefined): Promise<string> {
  const response = await fetch(url, {
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status === 401) throw new AuditUnauthorised(`${new URL(url).pathname} answered 401`);
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

async function audit(
  url: string,
  key: VerifierKey,
  apiKey: string | undefined,
  stateFile: string | undefined,
): Promise<void> {
  const { checkpoint, note } = checkpointFrom(
    await fetchText(`${url}/v1/ledger/checkpoint`, undefined),
    key,
    'the latest checkpoint',
  );
  const tree = new MerkleTree();
  const bar = progress(checkpoint.size, 'replaying entries');
  while (tree.size < checkpoint.size) {
    const page = JSON.parse(
      await fetchText(
        `${url}/v1/ledger/entries?start=${tree.size}&end=${Math.min(checkpoint.size, tree.size + 1000)}`,
        apiKey,
      ),
    ) as { entries: Array<{ index: number; leaf: string }> };
    if (page.entries.length === 0)
      throw new AuditFailure(
        `the log serves no entry at index ${tree.size}, below the checkpoint's size ${checkpoint.size}`,
      );
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
  if (!tree.root(checkpoint.size).equals(checkpoint.root))
    throw new AuditFailure(
      `the entries replayed do not give the root of the signed checkpoint at size ${checkpoint.size}: the log served altered entries`,
    );
  let previousReport = '';
  if (stateFile && existsSync(stateFile)) {
    const previous = checkpointFrom(readFileSync(stateFile, 'utf8'), key, stateFile).checkpoint;
    if (previous.origin !== checkpoint.origin)
      throw new AuditFailure(`${stateFile} holds a checkpoint of log "${previous.origin}", not "${checkpoint.origin}"`);
    if (previous.size > checkpoint.size)
      throw new AuditFailure(`the log shrank: it signed size ${previous.size} before, and now ${checkpoint.size}`);
    if (!tree.root(previous.size).equals(previous.root))
      throw new AuditFailure(
        `history was rewritten: the entries do not give the root signed earlier at size ${previous.size}`,
      );
    if (previous.size > 0 && previous.size < checkpoint.size) {
      const proof = JSON.parse(
        await fetchText(`${url}/v1/ledger/consistency?from=${previous.size}&to=${checkpoint.size}`, apiKey),
      ) as { proof: string[] };
      try {
        verifyConsistency(
          previous.size,
          checkpoint.size,
          proof.proof.map((hash) => Buffer.from(hash, 'base64')),
          previous.root,
          checkpoint.root,
        );
      } catch (error) {
        throw new AuditFailure(
          `the log's consistency proof from size ${previous.size} to ${checkpoint.size} fails: ${(error as ProofError).message}`,
        );
      }
    }
    previousReport = `; consistent with the checkpoint of size ${previous.size} saved in ${stateFile}`;
  }
  if (stateFile) writeFileSync(stateFile, note);
  process.stdout.write(
    `OK: ${checkpoint.size} entries of ${checkpoint.origin} replayed; the root matches the signed checkpoint${previousReport}\n`,
  );
}
