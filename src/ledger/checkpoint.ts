// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text a log signs for a tree
// head — origin line, decimal tree size, base64 root hash, optional extension lines.
import { hashSize } from './hash.js';
import { decodeBase64Strict, NoteError } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

export function formatCheckpoint(checkpoint: {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions?: readonly string[];
}): string {
  if (checkpoint.origin === '' || /[\n\u0000-\u001f]/.test(checkpoint.origin))
    throw new NoteError('invalid checkpoint origin');
  if (checkpoint.root.length !== hashSize) throw new NoteError('a checkpoint root is 32 bytes');
  const extensions = (checkpoint.extensions ?? []).map((line) => `${line}\n`).join('');
  return `${checkpoint.origin}\n${checkpoint.size}\n${Buffer.from(checkpoint.root).toString('base64')}\n${extensions}`;
}

/** Parses the text of a checkpoint note (already verified by openNote). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new NoteError('a checkpoint ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new NoteError('a checkpoint has at least three lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw new NoteError('the checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw new NoteError('the checkpoint size is not a decimal without leading zeros');
  const root = /^[A-Za-z0-9+/]{43}=$/.test(rootText) ? decodeBase64Strict(rootText) : undefined;
  if (!root || root.length !== hashSize) throw new NoteError('the checkpoint root is not base64 of 32 bytes');
  if (extensions.some((line) => line === '')) throw new NoteError('empty extension line in checkpoint');
  return { origin, size: Number(sizeText), root, extensions };
}
