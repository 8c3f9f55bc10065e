// C2SP signed notes, checkpoints and receipts: Go's sumdb/note vectors byte for byte, and tampering.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatCheckpoint, parseCheckpoint } from '../src/ledger/checkpoint.js';
import { encodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { leafHash } from '../src/ledger/hash.js';
import { generateSigner, NoteError, openNote, parseSignerKey, parseVerifierKey, signNote } from '../src/ledger/note.js';
import { formatTlogProof, parseTlogProof, ReceiptError, verifyReceipt, type Receipt } from '../src/ledger/receipt.js';
import { MerkleTree } from '../src/ledger/tree.js';
import { receiptTestRecord } from './support/entry-record.js';

const vectors = JSON.parse(readFileSync(new URL('./vectors/signed-note.json', import.meta.url), 'utf8'));

describe('interop: signed-note vectors (golang.org/x/mod/sumdb/note)', () => {
  const signer = parseSignerKey(vectors.signer_key);
  const peter = parseVerifierKey(vectors.verifier_keys.PeterNeumann);
  const enoch = parseVerifierKey(vectors.verifier_keys.EnochRoot);

  it('derives the verifier key and key ID from the signer key', () => {
    assert.equal(signer.encoded, vectors.verifier_keys.PeterNeumann);
    assert.equal(signer.keyId.toString(16), 'c74f20a3');
    assert.equal(signer.encodedPrivate, vectors.signer_key);
  });

  it('signs the text into the exact signed note', () => {
    assert.equal(signNote(vectors.text, [signer]), vectors.signed_by_peter);
  });

  it('opens notes signed by one or two known keys, ignoring unknown ones', () => {
    assert.equal(openNote(vectors.signed_by_peter, [peter]).text, vectors.text);
    const both = openNote(vectors.signed_by_peter_and_enoch, [peter, enoch]);
    assert.deepEqual(
      both.verifiedBy.map((key) => key.name),
      ['PeterNeumann', 'EnochRoot'],
    );
    const onlyPeter = openNote(vectors.signed_by_peter_and_enoch, [peter]);
    assert.deepEqual(
      onlyPeter.unverified.map((entry) => entry.name),
      ['EnochRoot'],
    );
    assert.throws(() => openNote(vectors.signed_by_peter, [enoch]), NoteError, 'no known signer');
  });

  it('rejects every malformed note', () => {
    for (const [index, note] of (vectors.malformed_notes as string[]).entries()) {
      assert.throws(() => openNote(note, [peter]), NoteError, `malformed note ${index}`);
    }
  });

  it('rejects a note whose signature by a known key does not verify', () => {
    assert.throws(() => openNote(vectors.invalid_signature_note, [peter]), NoteError);
  });

  it('rejects bad verifier keys', () => {
    for (const key of vectors.bad_verifier_keys as string[]) assert.throws(() => parseVerifierKey(key), NoteError, key);
  });

  it("splits keys on the first two '+' only (a base64 part may contain '+')", () => {
    const plusSigner = parseSignerKey(vectors.plus_in_key.signer_key);
    assert.equal(plusSigner.encoded, vectors.plus_in_key.verifier_key);
    assert.equal(signNote(vectors.text, [plusSigner]), vectors.plus_in_key.signed);
    assert.equal(
      openNote(vectors.plus_in_key.signed, [parseVerifierKey(vectors.plus_in_key.verifier_key)]).text,
      vectors.text,
    );
  });
});

describe('checkpoints', () => {
  it('round-trip the C2SP tlog-checkpoint text', () => {
    const root = leafHash(Buffer.from('x'));
    const text = formatCheckpoint({ origin: 'example.org/log', size: 42, root });
    assert.equal(text, `example.org/log\n42\n${root.toString('base64')}\n`);
    assert.deepEqual(parseCheckpoint(text), { origin: 'example.org/log', size: 42, root, extensions: [] });
  });

  it('refuse malformed sizes and roots', () => {
    const root = leafHash(Buffer.from('x')).toString('base64');
    for (const text of [`o\n042\n${root}\n`, `o\n-1\n${root}\n`, `o\n1\nAAAA\n`, `\n1\n${root}\n`, `o\n1\n${root}`]) {
      assert.throws(() => parseCheckpoint(text), NoteError, JSON.stringify(text));
    }
  });
});

describe('receipts', () => {
  const signer = generateSigner('test.example/log');
  const tree = new MerkleTree();
  const leaves: Buffer[] = [];
  const record = (index: number): EntryRecord => receiptTestRecord(index, '2026-11-23T10:00:00.000Z');
  for (let index = 0; index < 13; index += 1) {
    const leaf = encodeEntry(record(index));
    leaves.push(leaf);
    tree.append(leafHash(leaf));
  }
  const checkpoint = signNote(formatCheckpoint({ origin: 'test.example/log', size: 13, root: tree.root() }), [signer]);
  const receiptFor = (index: number): Receipt => ({
    index,
    leaf: leaves[index]!.toString('base64'),
    proof: tree.inclusionProof(index).map((hash) => hash.toString('base64')),
    checkpoint,
  });

  it('verify offline with the public key alone, giving back the entry', () => {
    const verified = verifyReceipt(receiptFor(7), [parseVerifierKey(signer.encoded)], 'test.example/log');
    assert.equal(verified.entry.request_id, 'r7');
    assert.equal(verified.checkpoint.size, 13);
  });

  it('round-trip through the tlog-proof text', () => {
    const receipt = receiptFor(4);
    const text = formatTlogProof(receipt);
    assert.match(text, /^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex 4\n/);
    assert.deepEqual(parseTlogProof(text), receipt);
  });

  it('tamper: any flipped byte of the entry, a proof hash, the checkpoint text or the signature fails', () => {
    const keys = [parseVerifierKey(signer.encoded)];
    const receipt = receiptFor(5);
    const leaf = Buffer.from(receipt.leaf, 'base64');
    for (let byte = 0; byte < leaf.length; byte += 1) {
      const mangled = Buffer.from(leaf);
      mangled[byte]! ^= 0x01;
      assert.throws(
        () => verifyReceipt({ ...receipt, leaf: mangled.toString('base64') }, keys),
        ReceiptError,
        `leaf byte ${byte}`,
      );
    }
    for (let hash = 0; hash < receipt.proof.length; hash += 1) {
      for (let byte = 0; byte < 32; byte += 1) {
        const bytes = Buffer.from(receipt.proof[hash]!, 'base64');
        bytes[byte]! ^= 0x80;
        const proof = [...receipt.proof];
        proof[hash] = bytes.toString('base64');
        assert.throws(() => verifyReceipt({ ...receipt, proof }, keys), ReceiptError);
      }
    }
    const note = Buffer.from(receipt.checkpoint, 'utf8');
    verifyReceipt({ ...receipt, checkpoint: note.toString('utf8') }, keys);
    for (let byte = 0; byte < note.length; byte += 1) {
      const mangled = Buffer.from(note);
      mangled[byte]! ^= 0x01;
      assert.throws(
        () => verifyReceipt({ ...receipt, checkpoint: mangled.toString('utf8') }, keys),
        ReceiptError,
        `checkpoint byte ${byte}`,
      );
    }
  });

  it('refuse a receipt signed by another key, or from another origin', () => {
    assert.throws(
      () => verifyReceipt(receiptFor(1), [parseVerifierKey(generateSigner('test.example/log').encoded)]),
      (error: unknown) => error instanceof ReceiptError && error.where === 'signature',
    );
    assert.throws(
      () => verifyReceipt(receiptFor(1), [parseVerifierKey(signer.encoded)], 'other.example/log'),
      (error: unknown) => error instanceof ReceiptError && error.where === 'checkpoint',
    );
  });

  it('refuse malformed receipts with a reason', () => {
    const keys = [parseVerifierKey(signer.encoded)];
    for (const bad of [
      null,
      7,
      {},
      { ...receiptFor(1), index: -1 },
      { ...receiptFor(1), index: '1' },
      { ...receiptFor(1), proof: 'x' },
      { ...receiptFor(1), leaf: '!!' },
      { ...receiptFor(1), index: 2 },
    ]) {
      assert.throws(() => verifyReceipt(bad, keys), ReceiptError);
    }
  });
});
