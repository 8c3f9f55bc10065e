// Receipts: everything needed to check offline, with the log's public key alone, that an entry is
// in the log at its index. Two encodings: JSON {"index","leaf","proof","checkpoint"} and the C2SP
// tlog-proof text (https://c2sp.org/tlog-proof). Verification is pure and shared by the server,
// the CLI and any other consumer.
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { decodeEntry, type EntryRecord } from './entry.js';
import { hashSize, leafHash } from './hash.js';
import { decodeBase64Strict, type NoteError, openNote, type VerifierKey } from './note.js';
import { type ProofError, verifyInclusion } from './verify-proof.js';

export interface Receipt {
  index: number;
  /** Base64 of the exact entry bytes. */
  leaf: string;
  /** Base64 hashes, from the leaf's sibling up. */
  proof: string[];
  /** The signed checkpoint note that the proof leads to. */
  checkpoint: string;
}

export interface VerifiedReceipt {
  index: number;
  entry: EntryRecord;
  leaf: Buffer;
  checkpoint: Checkpoint;
}

export class ReceiptError extends Error {
  constructor(
    message: string,
    readonly where: 'shape' | 'signature' | 'checkpoint' | 'proof' | 'entry',
  ) {
    super(message);
    this.name = 'ReceiptError';
  }
}

function base64(text: unknown, what: string): Buffer {
  const bytes = typeof text === 'string' ? decodeBase64Strict(text) : undefined;
  if (!bytes) throw new ReceiptError(`${what} is not canonical base64`, 'shape');
  return bytes;
}

/** Checks the shape of an untrusted receipt object. */
export function parseReceipt(value: unknown): Receipt {
  if (typeof value !== 'object' || value === null) throw new ReceiptError('a receipt is a JSON object', 'shape');
  const receipt = value as Record<string, unknown>;
  if (!Number.isSafeInteger(receipt.index) || (receipt.index as number) < 0)
    throw new ReceiptError('index must be a non-negative integer', 'shape');
  if (typeof receipt.leaf !== 'string') throw new ReceiptError('leaf must be a base64 string', 'shape');
  if (!Array.isArray(receipt.proof) || receipt.proof.some((hash) => typeof hash !== 'string'))
    throw new ReceiptError('proof must be an array of base64 strings', 'shape');
  if (typeof receipt.checkpoint !== 'string')
    throw new ReceiptError('checkpoint must be the signed note text', 'shape');
  return {
    index: receipt.index as number,
    leaf: receipt.leaf,
    proof: receipt.proof as string[],
    checkpoint: receipt.checkpoint,
  };
}

export function verifyReceipt(value: unknown, keys: readonly VerifierKey[], origin?: string): VerifiedReceipt {
  const receipt = parseReceipt(value);
  const leaf = base64(receipt.leaf, 'leaf');
  const proof = receipt.proof.map((hash, index) => {
    const bytes = base64(hash, `proof[${index}]`);
    if (bytes.length !== hashSize) throw new ReceiptError(`proof[${index}] is not a 32-byte hash`, 'shape');
    return bytes;
  });
  let text: string;
  try {
    text = openNote(receipt.checkpoint, keys).text;
  } catch (error) {
    throw new ReceiptError(`the checkpoint's signature does not verify: ${(error as Error).message}`, 'signature');
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    throw new ReceiptError(`the checkpoint is malformed: ${(error as NoteError).message}`, 'checkpoint');
  }
  if (origin !== undefined && checkpoint.origin !== origin)
    throw new ReceiptError(`the checkpoint is from log "${checkpoint.origin}", not "${origin}"`, 'checkpoint');
  try {
    verifyInclusion(receipt.index, checkpoint.size, leafHash(leaf), proof, checkpoint.root);
  } catch (error) {
    throw new ReceiptError(
      `the entry is not included at index ${receipt.index}: ${(error as ProofError).message}`,
      'proof',
    );
  }
  let entry: EntryRecord;
  try {
    entry = decodeEntry(leaf);
  } catch (error) {
    throw new ReceiptError((error as Error).message, 'entry');
  }
  return { index: receipt.index, entry, leaf, checkpoint };
}

const tlogProofHeader = 'c2sp.org/tlog-proof@v1';

/** The C2SP tlog-proof text of a receipt (the leaf itself travels as the proof's extra data). */
export function formatTlogProof(receipt: Receipt): string {
  return `${tlogProofHeader}\nextra ${receipt.leaf}\nindex ${receipt.index}\n${receipt.proof.map((hash) => `${hash}\n`).join('')}\n${receipt.checkpoint}`;
}

export function parseTlogProof(text: string): Receipt {
  const lines = text.split('\n');
  if (lines[0] !== tlogProofHeader) throw new ReceiptError(`a tlog-proof starts with ${tlogProofHeader}`, 'shape');
  let cursor = 1;
  let leaf = '';
  if (lines[cursor]?.startsWith('extra ')) {
    leaf = lines[cursor]!.slice(6);
    cursor += 1;
  }
  const indexMatch = /^index (0|[1-9][0-9]*)$/.exec(lines[cursor] ?? '');
  if (!indexMatch) throw new ReceiptError('missing or malformed index line', 'shape');
  cursor += 1;
  const proof: string[] = [];
  while (cursor < lines.length && lines[cursor] !== '') {
    proof.push(lines[cursor]!);
    cursor += 1;
  }
  if (cursor >= lines.length) throw new ReceiptError('missing checkpoint', 'shape');
  return { index: Number(indexMatch[1]), leaf, proof, checkpoint: lines.slice(cursor + 1).join('\n') };
}
