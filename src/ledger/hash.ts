// RFC 6962 §2.1 hashing with domain separation: leaves and interior nodes can never be confused.
import { createHash } from 'node:crypto';

export const hashSize = 32;

/** SHA-256(0x00 ‖ leaf) — RFC 6962 §2.1. */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(leafPrefix).update(leaf).digest();
}

/** SHA-256(0x01 ‖ left ‖ right) — RFC 6962 §2.1. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(nodePrefix).update(left).update(right).digest();
}

/** The hash of the empty tree: SHA-256 of nothing. */
export const emptyRoot: Buffer = createHash('sha256').digest();

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const leafPrefix = Buffer.from([0x00]);
const nodePrefix = Buffer.from([0x01]);
