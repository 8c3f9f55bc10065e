// Verification of inclusion and consistency proofs, RFC 9162 §2.1.3.2 and §2.1.4.2. Inputs come
// from strangers (receipts, monitors), so every malformed value is a verification failure with a
// reason, never a crash: wrong hash lengths, out-of-range indices, proofs of the wrong length.
// Tree sizes are JS numbers (exact to 2^53); bit operations are done arithmetically, since JS
// bitwise operators truncate to 32 bits.
import { hashSize, nodeHash } from './hash.js';

export class ProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProofError';
  }
}

const isSize = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
const odd = (value: number): boolean => value % 2 === 1;
const half = (value: number): number => Math.floor(value / 2);

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  hashes.forEach((hash, index) => {
    if (hash.length !== hashSize) throw new ProofError(`${what}[${index}] is ${hash.length} bytes, not ${hashSize}`);
  });
}

function equal(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && Buffer.compare(left, right) === 0;
}

/** The root an inclusion proof leads to; throws ProofError if the proof cannot be right for these sizes. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHashValue: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  if (!isSize(index) || !isSize(size)) throw new ProofError('index and size must be non-negative integers');
  if (index >= size) throw new ProofError(`index ${index} is not below tree size ${size}`);
  if (leafHashValue.length !== hashSize)
    throw new ProofError(`the leaf hash is ${leafHashValue.length} bytes, not ${hashSize}`);
  checkHashes('proof', proof);
  let fn = index;
  let sn = size - 1;
  let hash: Buffer = Buffer.from(leafHashValue);
  for (const sibling of proof) {
    if (sn === 0) throw new ProofError('the proof is longer than the tree is deep');
    if (odd(fn) || fn === sn) {
      hash = nodeHash(sibling, hash);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('the proof is shorter than the tree is deep');
  return hash;
}

export function verifyInclusion(
  index: number,
  size: number,
  leafHashValue: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(index, size, leafHashValue, proof);
  if (root.length !== hashSize) throw new ProofError(`the root is ${root.length} bytes, not ${hashSize}`);
  if (!equal(computed, root)) throw new ProofError('the inclusion proof does not lead to the root');
}

/**
 * Checks that the tree of size `size2` with root `root2` extends the tree of size `size1` with root
 * `root1`. A consistency check from the empty tree proves nothing and is refused.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  if (!isSize(size1) || !isSize(size2)) throw new ProofError('sizes must be non-negative integers');
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree proves nothing');
  if (size1 > size2) throw new ProofError(`size1 (${size1}) is larger than size2 (${size2})`);
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError('equal sizes need an empty proof');
    if (!equal(root1, root2)) throw new ProofError('equal sizes but different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('empty proof');
  if (root1.length !== hashSize || root2.length !== hashSize) throw new ProofError(`roots must be ${hashSize} bytes`);
  checkHashes('proof', proof);
  // RFC 9162 §2.1.4.2: when size1 is a power of two, the proof starts from root1 itself.
  const path = size1 === largestPowerOfTwoAtMost(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const hash of path.slice(1)) {
    if (sn === 0) throw new ProofError('the proof is longer than needed');
    if (odd(fn) || fn === sn) {
      fr = nodeHash(hash, fr);
      sr = nodeHash(hash, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('the proof is shorter than needed');
  if (!equal(fr, root1)) throw new ProofError('the proof does not lead to root1');
  if (!equal(sr, root2)) throw new ProofError('the proof does not lead to root2');
}

function largestPowerOfTwoAtMost(n: number): number {
  let power = 1;
  while (power * 2 <= n) power *= 2;
  return power;
}
