// An append-only RFC 6962 Merkle tree held as levels of complete-subtree hashes: level k keeps the
// hash of every aligned, complete run of 2^k leaves. Appending is O(1) amortised; the root, an
// inclusion proof or a consistency proof for any earlier size takes O(log n) stored hashes
// (plus O(log² n) hashing along the ragged right edge). Pure: no I/O.
import { hashSize, emptyRoot, nodeHash } from './hash.js';

/** One level: 32-byte hashes back to back in a growable buffer (no object per hash). */
class Level {
  private buffer = Buffer.alloc(hashSize * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * hashSize > this.buffer.length) {
      const grown = Buffer.alloc(this.buffer.length * 2);
      this.buffer.copy(grown, 0, 0, this.length * hashSize);
      this.buffer = grown;
    }
    this.buffer.set(hash, this.length * hashSize);
    this.length += 1;
  }

  get(index: number): Buffer {
    return this.buffer.subarray(index * hashSize, (index + 1) * hashSize);
  }
}

export class MerkleTree {
  private readonly levels: Level[] = [new Level()];

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends a leaf hash (already SHA-256(0x00 ‖ leaf)). */
  append(leafHashValue: Uint8Array): void {
    if (leafHashValue.length !== hashSize) throw new Error('a leaf hash is 32 bytes');
    this.levels[0]!.push(leafHashValue);
    let index = this.levels[0]!.length - 1;
    for (let level = 0; index % 2 === 1; level += 1) {
      const parent = nodeHash(this.levels[level]!.get(index - 1), this.levels[level]!.get(index));
      if (!this.levels[level + 1]) this.levels.push(new Level());
      this.levels[level + 1]!.push(parent);
      index = (index - 1) / 2;
    }
  }

  /** MTH of the first `size` leaves (RFC 6962 §2.1). */
  root(size = this.size): Buffer {
    this.check(size);
    if (size === 0) return Buffer.from(emptyRoot);
    return this.subtree(0, size);
  }

  /** PATH(index, D[size]) — RFC 6962 §2.1.1, from the leaf's sibling up to the root's child. */
  inclusionProof(index: number, size = this.size): Buffer[] {
    this.check(size);
    if (!(Number.isInteger(index) && index >= 0 && index < size))
      throw new RangeError(`index ${index} is outside a tree of size ${size}`);
    const proof: Buffer[] = [];
    this.path(index, 0, size, proof);
    return proof;
  }

  /** PROOF(from, D[to]) — RFC 6962 §2.1.2. */
  consistencyProof(from: number, to = this.size): Buffer[] {
    this.check(to);
    if (!(Number.isInteger(from) && from > 0 && from <= to))
      throw new RangeError(`no consistency proof from size ${from} to ${to}`);
    const proof: Buffer[] = [];
    this.subproof(from, 0, to, true, proof);
    return proof;
  }

  private check(size: number): void {
    if (!(Number.isInteger(size) && size >= 0 && size <= this.size))
      throw new RangeError(`size ${size} is beyond the tree (size ${this.size})`);
  }

  /** MTH(D[start:end]); complete aligned subtrees come straight from their level. */
  private subtree(start: number, end: number): Buffer {
    const width = end - start;
    if ((width & (width - 1)) === 0 && width <= 2 ** 30) {
      const level = Math.log2(width);
      if (start % width === 0) return this.levels[level]!.get(start / width);
    }
    const split = largestPowerOfTwoBelow(width);
    return nodeHash(this.subtree(start, start + split), this.subtree(start + split, end));
  }

  private path(index: number, start: number, end: number, proof: Buffer[]): void {
    const width = end - start;
    if (width === 1) return;
    const split = largestPowerOfTwoBelow(width);
    if (index < start + split) {
      this.path(index, start, start + split, proof);
      proof.push(this.subtree(start + split, end));
    } else {
      this.path(index, start + split, end, proof);
      proof.push(this.subtree(start, start + split));
    }
  }

  private subproof(from: number, start: number, end: number, complete: boolean, proof: Buffer[]): void {
    const width = end - start;
    if (from === width) {
      if (!complete) proof.push(this.subtree(start, end));
      return;
    }
    const split = largestPowerOfTwoBelow(width);
    if (from <= split) {
      this.subproof(from, start, start + split, complete, proof);
      proof.push(this.subtree(start + split, end));
    } else {
      this.subproof(from - split, start + split, end, false, proof);
      proof.push(this.subtree(start, start + split));
    }
  }
}

/** The largest power of two strictly less than n (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
}
