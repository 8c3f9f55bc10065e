// The Merkle tree and proof verification against independent vectors (transparency-dev/merkle),
// against the RFC 6962 definition computed naively, and under random sizes, indices and tampering.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { leafHash, nodeHash, emptyRoot } from '../src/ledger/hash.js';
import { MerkleTree, largestPowerOfTwoBelow } from '../src/ledger/tree.js';
import { ProofError, verifyConsistency, verifyInclusion } from '../src/ledger/verify-proof.js';

const vectors = new URL('./vectors/rfc6962/', import.meta.url).pathname;
const b64 = (text: string | null | undefined): Buffer => Buffer.from(text ?? '', 'base64');

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : name.endsWith('.json') ? [path] : [];
  });
}

function decided(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (error) {
    assert.ok(error instanceof ProofError, `a verification failure is a ProofError, got ${String(error)}`);
    return false;
  }
}

describe('interop: transparency-dev/merkle vectors', () => {
  const inclusion = filesUnder(join(vectors, 'inclusion'));
  const consistency = filesUnder(join(vectors, 'consistency'));

  it(`decides all ${inclusion.length} inclusion cases exactly as wantErr says`, () => {
    assert.ok(inclusion.length > 60);
    for (const file of inclusion) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      const ok = decided(() =>
        verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)),
      );
      assert.equal(ok, !v.wantErr, `${file.slice(vectors.length)}: ${v.desc}`);
    }
  });

  it(`decides all ${consistency.length} consistency cases exactly as wantErr says`, () => {
    assert.ok(consistency.length > 60);
    for (const file of consistency) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      const ok = decided(() =>
        verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)),
      );
      assert.equal(ok, !v.wantErr, `${file.slice(vectors.length)}: ${v.desc}`);
    }
  });
});

/** MTH straight from RFC 6962 §2.1, recursively over the leaf hashes. */
function naiveRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return emptyRoot;
  if (hashes.length === 1) return hashes[0]!;
  const split = largestPowerOfTwoBelow(hashes.length);
  return nodeHash(naiveRoot(hashes.slice(0, split)), naiveRoot(hashes.slice(split)));
}

function treeOf(size: number): { tree: MerkleTree; hashes: Buffer[] } {
  const tree = new MerkleTree();
  const hashes: Buffer[] = [];
  for (let index = 0; index < size; index += 1) {
    const hash = leafHash(Buffer.from(`leaf ${index}`));
    hashes.push(hash);
    tree.append(hash);
  }
  return { tree, hashes };
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

describe('the tree', () => {
  it('has the RFC 6962 root for every size up to 130, and for every earlier size', () => {
    const { tree, hashes } = treeOf(130);
    for (let size = 0; size <= 130; size += 1)
      assert.deepEqual(tree.root(size), naiveRoot(hashes.slice(0, size)), `size ${size}`);
  });

  it('matches the vectors’ tree of 8 leaves (root XcnaeacG…)', () => {
    // transparency-dev/merkle's test leaves: "", 0x00, 0x10, 0x2021, 0x3031, 0x40414243, 0x5051525354555657,
    // 0x606162636465666768696a6b6c6d6e6f.
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const tree = new MerkleTree();
    for (const leaf of leaves) tree.append(leafHash(Buffer.from(leaf, 'hex')));
    assert.equal(tree.root().toString('base64'), 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=');
    assert.equal(tree.root(1).toString('base64'), 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=');
  });
});

describe('property: proofs made by the tree verify with the verifier', () => {
  const next = random(6962);
  const { tree, hashes } = treeOf(1500);

  it('inclusion, for random sizes and indices (and fails for any other index or leaf)', () => {
    for (let round = 0; round < 400; round += 1) {
      const size = 1 + Math.floor(next() * 1500);
      const index = Math.floor(next() * size);
      const proof = tree.inclusionProof(index, size);
      const root = tree.root(size);
      verifyInclusion(index, size, hashes[index]!, proof, root);
      assert.ok(proof.length <= Math.ceil(Math.log2(size)), 'O(log n) hashes');
      if (size > 1) {
        const other = (index + 1 + Math.floor(next() * (size - 1))) % size;
        assert.throws(() => verifyInclusion(other, size, hashes[index]!, proof, root), ProofError);
        assert.throws(() => verifyInclusion(index, size, hashes[other]!, proof, root), ProofError);
      }
    }
  });

  it('consistency, for random pairs of sizes (and fails against another root)', () => {
    for (let round = 0; round < 400; round += 1) {
      const size2 = 1 + Math.floor(next() * 1500);
      const size1 = 1 + Math.floor(next() * size2);
      const proof = tree.consistencyProof(size1, size2);
      verifyConsistency(size1, size2, proof, tree.root(size1), tree.root(size2));
      if (size1 < size2) {
        assert.throws(
          () => verifyConsistency(size1, size2, proof, tree.root(size1 === 1 ? 2 : size1 - 1), tree.root(size2)),
          ProofError,
        );
        assert.throws(() => verifyConsistency(size1, size2, proof, tree.root(size1), tree.root(size2 - 1)), ProofError);
      }
    }
  });

  it('tamper: flipping any bit of any proof hash breaks the proof', () => {
    const size = 1000;
    const index = 333;
    const proof = tree.inclusionProof(index, size);
    const root = tree.root(size);
    for (let hash = 0; hash < proof.length; hash += 1) {
      for (let byte = 0; byte < 32; byte += 1) {
        const mangled = proof.map((entry) => Buffer.from(entry));
        mangled[hash]![byte]! ^= 1 << (byte % 8);
        assert.throws(() => verifyInclusion(index, size, hashes[index]!, mangled, root), ProofError);
      }
    }
  });

  it('malformed inputs are verification failures, never crashes', () => {
    const root = tree.root(10);
    for (const [index, size] of [
      [-1, 10],
      [10, 10],
      [1.5, 10],
      [0, Number.MAX_SAFE_INTEGER + 2],
      [Number.NaN, 10],
    ] as const) {
      assert.throws(() => verifyInclusion(index, size, hashes[0]!, [], root), ProofError);
    }
    assert.throws(() => verifyInclusion(0, 10, hashes[0]!, [Buffer.alloc(31)], root), ProofError);
    assert.throws(() => verifyConsistency(3, 10, [Buffer.alloc(33)], tree.root(3), root), ProofError);
  });
});
