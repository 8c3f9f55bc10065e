// `verify`: a receipt checked offline with the log's verifier key alone. Shared by `sovereign verify`
// and the single-file verifier (dist/sovereign-verify.mjs, built from src/cli/verify-standalone.ts),
// so this module imports only src/ledger/ and node: built-ins: anything else would end up in the bundle.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type NoteError, parseVerifierKey, type VerifierKey } from '../ledger/note.js';
import { parseTlogProof, ReceiptError, verifyReceipt } from '../ledger/receipt.js';

/** Exit codes as docs/cli.md documents them: 0 valid, 1 invalid, 2 bad usage. */
export const exitInvalid = 1;
export const exitUsage = 2;

/**
 * The command's arguments, described once for commander (`sovereign verify`) and for node:util parseArgs (the single
 * file).
 */
export const verifyCommand = {
  description: 'verify a receipt offline (no network, no data directory) and print its entry',
  receipt: {
    name: 'receipt',
    description: 'a receipt file: JSON from /v1/ledger/receipts/<index>, or its tlog-proof text',
  },
  options: [
    { name: 'key', value: 'vkey', required: true, description: "the log's verifier key (or @file)" },
    {
      name: 'body',
      value: 'file',
      required: false,
      description: 'the exact request body sent; its SHA-256 must match the entry',
    },
    { name: 'origin', value: 'origin', required: false, description: 'require this log origin' },
  ],
} as const;

export interface VerifyOptions {
  key: string;
  body?: string;
  origin?: string;
}

/** Why the command stops, with its exit code; the message is printed as `sovereign: <message>`. */
export class VerifyFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'VerifyFailure';
  }
}

function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    // A file that cannot be read is a usage error (exit 2), not an invalid receipt and not a stack trace.
    throw new VerifyFailure(`cannot read ${what} ${file}: ${(error as Error).message}`, exitUsage);
  }
}

/**
 * The prefix of the gateway's API keys (keyPrefix in src/pipeline/auth.ts, not imported: the single file must not
 * bundle pipeline/).
 */
const apiKeyPrefix = 'sk-sov-';

/**
 * A verifier key given on the command line (name+hexid+base64, or @file holding it). Where other
 * commands' --key is an API key, an API key or a private signing key given here is named as such
 * (exit 2) rather than reported as a malformed verifier key; `apiKeyFlag` says where an API key goes
 * instead (`ledger audit`), or nowhere (`verify` works offline).
 */
export function verifierKeyFrom(text: string, apiKeyFlag?: string): VerifierKey {
  const fromFile = text.startsWith('@');
  const value = fromFile ? readInput(text.slice(1), 'the key file').toString('utf8').trim() : text.trim();
  const where = fromFile ? `--key ${text}` : '--key';
  const expected =
    "takes the log's verifier key (name+hexid+base64: `sovereign ledger key` prints it, GET /v1/ledger/key serves it)";
  if (value.startsWith(apiKeyPrefix))
    throw new VerifyFailure(
      `${where} ${expected}, and this is an API key (${apiKeyPrefix}…)${apiKeyFlag ? `: pass the API key with ${apiKeyFlag}` : ': verify works offline and needs no API key'}`,
      exitUsage,
    );
  if (value.startsWith('PRIVATE+KEY+'))
    throw new VerifyFailure(
      `${where} ${expected}, and this is a private signing key (PRIVATE+KEY+…): give its verifier key, never the private one`,
      exitUsage,
    );
  try {
    return parseVerifierKey(value);
  } catch (error) {
    throw new VerifyFailure(
      `--key is not a verifier key (name+hexid+base64): ${(error as NoteError).message}`,
      exitUsage,
    );
  }
}

/** Checks the receipt in `file` (and the request body, with --body); returns what to print, or throws VerifyFailure. */
export function verifyReceiptFile(file: string, options: VerifyOptions): string {
  const key = verifierKeyFrom(options.key);
  const text = readInput(file, 'the receipt').toString('utf8');
  let receipt: unknown;
  try {
    receipt = text.startsWith('c2sp.org/tlog-proof@v1\n') ? parseTlogProof(text) : JSON.parse(text);
  } catch (error) {
    throw new VerifyFailure(`${file}: not a receipt (${(error as Error).message})`, exitInvalid);
  }
  try {
    const verified = verifyReceipt(receipt, [key], options.origin);
    if (options.body !== undefined) {
      const digest = createHash('sha256').update(readInput(options.body, 'the request body')).digest('hex');
      if (digest !== verified.entry.request_sha256)
        throw new VerifyFailure(
          `${options.body}: its SHA-256 ${digest} is not the entry's request_sha256 ${verified.entry.request_sha256}`,
          exitInvalid,
        );
    }
    return (
      `${JSON.stringify(verified.entry, null, 2)}\n` +
      `OK: entry ${verified.index} is in log ${verified.checkpoint.origin} (checkpoint size ${verified.checkpoint.size}), signed by ${key.name}${options.body !== undefined ? '; the request body matches' : ''}\n`
    );
  } catch (error) {
    if (error instanceof ReceiptError)
      throw new VerifyFailure(`receipt INVALID (${error.where}): ${error.message}`, exitInvalid);
    throw error;
  }
}

export interface Output {
  write(text: string): unknown;
}

/** Runs `verify` and returns its exit code: the entry and OK line on stdout, or `sovereign: …` on stderr. */
export function runVerify(
  file: string,
  options: VerifyOptions,
  stdout: Output = process.stdout,
  stderr: Output = process.stderr,
): number {
  try {
    stdout.write(verifyReceiptFile(file, options));
    return 0;
  } catch (error) {
    if (!(error instanceof VerifyFailure)) throw error;
    stderr.write(`sovereign: ${error.message}\n`);
    return error.exitCode;
  }
}
