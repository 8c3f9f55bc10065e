// Property-based fuzzing of the parsers of what strangers hand the gateway besides requests: the
// config file (objects and YAML text), C2SP signed notes and checkpoints, ledger receipts (JSON and
// tlog-proof, and the `verify` command over them), inclusion and consistency proofs, action-gate
// receipts, signed weights manifests (DSSE) and GGUF headers. Each may only accept or refuse with its
// own error type; a tampered signed thing never verifies. Seeded and bounded: the same cases every run.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { VerifyFailure, verifyReceiptFile } from '../src/cli/verify-receipt.js';
import { ConfigError, parseConfig, parseConfigText } from '../src/config/load.js';
import { checkReceipt, paramsDigest, signReceipt, trustedKeyMap } from '../src/gate/receipt.js';
import { formatCheckpoint, parseCheckpoint } from '../src/ledger/checkpoint.js';
import { encodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { leafHash } from '../src/ledger/hash.js';
import { generateSigner, NoteError, openNote, parseSignerKey, parseVerifierKey, signNote } from '../src/ledger/note.js';
import { formatTlogProof, parseTlogProof, type Receipt, ReceiptError, verifyReceipt } from '../src/ledger/receipt.js';
import { MerkleTree } from '../src/ledger/tree.js';
import { ProofError, verifyConsistency, verifyInclusion } from '../src/ledger/verify-proof.js';
import { GgufError, describeGguf } from '../src/models/gguf.js';
import { buildStatement, ManifestError, openEnvelope, signStatement } from '../src/models/manifest.js';
import { fuzzTallies } from './support/fuzz-tally.js';
import { temporaryDirectory } from './helpers.js';
import { writeTinyModel } from './support/tiny-gguf.js';
import { receiptTestRecord } from './support/entry-record.js';

const seed = 20261217;
const { tally, runs } = fuzzTallies('formats', seed, 36);

/**
 * One case: `run` either returns (accepted) or throws an instance of `expected` (refused); anything else is a failure,
 * kept with what caused it. `accepted` may add its own check of a result.
 */
function attempt<T>(
  target: string,
  input: unknown,
  expected: abstract new (...args: never[]) => Error,
  run: () => T,
  accepted?: (result: T) => void,
): void {
  const entry = tally(target);
  entry.cases += 1;
  let result: T;
  try {
    result = run();
  } catch (error) {
    if (error instanceof expected) {
      entry.refused += 1;
      return;
    }
    fail(target, input, error);
  }
  entry.accepted += 1;
  try {
    accepted?.(result!);
  } catch (error) {
    fail(target, input, error);
  }
}

async function attemptAsync<T>(
  target: string,
  input: unknown,
  expected: abstract new (...args: never[]) => Error,
  run: () => Promise<T>,
): Promise<void> {
  const entry = tally(target);
  entry.cases += 1;
  try {
    await run();
    entry.accepted += 1;
  } catch (error) {
    if (error instanceof expected) {
      entry.refused += 1;
      return;
    }
    fail(target, input, error);
  }
}

function fail(target: string, input: unknown, error: unknown): never {
  const shown = typeof input === 'string' ? input : Buffer.isBuffer(input) ? input.toString('hex') : safeJson(input);
  const reason = `${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 200)} — input ${shown.slice(0, 200)}`;
  tally(target).failures.push(reason);
  assert.fail(`${target} ${reason}`);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '(unserialisable)';
  }
}

// ---- mutations shared by the targets ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf'];
const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, '', '\u0000', '\ud800', [], {}, [
    null,
  ]),
  fc.string({ maxLength: 16 }),
  fc.integer({ min: 257, max: 70_000 }).map((length) => 'x'.repeat(length)),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.constantFrom(...prototypeKeys).map((key) => ({ [key]: { polluted: true } }) as Json),
);

/** A copy of `value` with the place `choices` walk to replaced by `replacement`. */
function mutateJson(value: Json, choices: readonly number[], replacement: Json): Json {
  if (choices.length === 0 || value === null || typeof value !== 'object') return replacement;
  const keys = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[choices[0]! % keys.length]!;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, Json>;
  copy[key] = mutateJson((value as Record<string | number, Json>)[key]!, choices.slice(1), replacement);
  return copy as Json;
}
const jsonMutation = fc.tuple(fc.array(fc.nat(), { maxLength: 5 }), hostile);

/** Text mutations: flip, insert, delete or truncate at a position; the mutated text may equal the original. */
type TextEdit = { kind: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; code: number };
const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  code: fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.constantFrom(0x2014, 0xd800, 0xfeff, 0x0a, 0x20, 0x2b)),
});
function editText(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const { kind, at, code } of edits) {
    const position = out.length === 0 ? 0 : at % out.length;
    const character = String.fromCharCode(code);
    if (kind === 'flip')
      out =
        out.slice(0, position) + String.fromCharCode(out.charCodeAt(position) ^ (code || 1)) + out.slice(position + 1);
    else if (kind === 'insert') out = out.slice(0, position) + character + out.slice(position);
    else if (kind === 'delete') out = out.slice(0, position) + out.slice(position + 1);
    else out = out.slice(0, position);
  }
  return out;
}
const textEdits = fc.array(textEdit, { minLength: 1, maxLength: 4 });

/** A string near `valid`: itself (so that acceptance is tested too), edited, or arbitrary. */
function nearText(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(valid) },
    { weight: 4, arbitrary: textEdits.map((edits) => editText(valid, edits)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  );
}

// ---- the config loader ----

const validConfig: Json = {
  listen: '127.0.0.1:8300',
  auth: { required: true },
  providers: [
    {
      id: 'local',
      kind: 'openai-compatible',
      base_url: 'http://127.0.0.1:11434/v1',
      jurisdiction: 'local',
      operator: 'IT',
      ownership: 'owned',
      models: ['qwen3-8b'],
    },
  ],
  models: { default: { candidates: ['local/qwen3-8b'] } },
  routing: { retries: 1, attempt_timeout_ms: 5_000 },
  limits: { max_body_bytes: 1_048_576 },
  policy: {
    name: 'p',
    rules: [
      { when: { labels_any: ['pii'] }, allow: { ownership: ['owned'] } },
      { when: {}, allow: {} },
    ],
  },
};

/** YAML that stresses the parser itself: anchors and aliases (an expansion bomb), tags, merges, deep flows. */
const yamlSpecials = fc.constantFrom(
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
  `models: &m\n  default: *m\n`,
  'providers: !!set {a, b}\n',
  'limits: !!binary AAAA\n',
  '<<: {listen: "x"}\n',
  `listen: ${'['.repeat(3_000)}${']'.repeat(3_000)}\n`,
  `x: ${'{a: '.repeat(2_000)}1${'}'.repeat(2_000)}\n`,
  '__proto__:\n  listen: 1\n',
  'listen: !!js/function "function(){}"\n',
  '%YAML 9.9\n---\nlisten: x\n',
  '--- a\n--- b\n',
  '\ufefflisten: "127.0.0.1:1"\n',
);

describe('the config loader, fuzzed: a frozen config or a ConfigError, never another exception', () => {
  it(`parseConfig on ${runs(800)} arbitrary and mutated objects`, () => {
    const target = 'config: parseConfig (objects)';
    fc.assert(
      fc.property(
        fc.oneof(
          jsonMutation.map(([choices, value]) => mutateJson(validConfig, choices, value)),
          fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>,
        ),
        (input) =>
          attempt(
            target,
            input,
            ConfigError,
            () => parseConfig(input, 'fuzz.yaml'),
            (config) => assert.ok(Object.isFrozen(config)),
          ),
      ),
      { numRuns: runs(800), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
    assert.ok(tally(target).accepted > 0 && tally(target).refused > 0);
  });

  it(`parseConfigText on ${runs(800)} YAML texts (mutated, arbitrary, hostile)`, () => {
    const target = 'config: parseConfigText (YAML)';
    const text = stringify(validConfig);
    fc.assert(
      fc.property(
        fc.oneof(
          {
            weight: 3,
            arbitrary: jsonMutation.map(([choices, value]) => stringify(mutateJson(validConfig, choices, value))),
          },
          { weight: 3, arbitrary: nearText(text) },
          { weight: 1, arbitrary: yamlSpecials },
        ),
        (input) => attempt(target, input, ConfigError, () => parseConfigText(input, 'fuzz.yaml')),
      ),
      { numRuns: runs(800), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it('regression: an alias expansion bomb is a ConfigError naming the file, not a ReferenceError', () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    assert.throws(
      () => parseConfigText(bomb, 'bomb.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `a ConfigError, not ${(error as Error).name}`);
        assert.match(error.message, /^bomb\.yaml: not valid YAML/);
        return true;
      },
    );
  });
});

// ---- signed notes, checkpoints, receipts, proofs ----

const signer = generateSigner('fuzz.example/log');
const verifier = parseVerifierKey(signer.encoded);
const record = (index: number): EntryRecord => receiptTestRecord(index, '2026-12-01T10:00:00.000Z');
const tree = new MerkleTree();
const leaves: Buffer[] = [];
for (let index = 0; index < 11; index += 1) {
  leaves.push(encodeEntry(record(index)));
  tree.append(leafHash(leaves[index]!));
}
const checkpointText = formatCheckpoint({ origin: 'fuzz.example/log', size: 11, root: tree.root() });
const note = signNote(checkpointText, [signer]);
const receiptFor = (index: number): Receipt => ({
  index,
  leaf: leaves[index]!.toString('base64'),
  proof: tree.inclusionProof(index).map((hash) => hash.toString('base64')),
  checkpoint: note,
});

describe('notes, checkpoints, receipts and proofs, fuzzed: each refuses with its own error, and tampering never verifies', () => {
  it(`openNote on ${runs(1000)} edited and arbitrary notes`, () => {
    const target = 'ledger: openNote';
    fc.assert(
      fc.property(
        fc.oneof(
          nearText(note),
          fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
        ),
        (input) =>
          attempt(
            target,
            input,
            NoteError,
            () => openNote(input, [verifier]),
            (opened) =>
              // What verifies is the note as signed: an edit may only touch what the signature does not cover.
              assert.equal(opened.text, checkpointText),
          ),
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it(`parseVerifierKey and parseSignerKey on ${runs(600)} edited and arbitrary keys`, () => {
    const target = 'ledger: note keys';
    fc.assert(
      fc.property(
        fc.oneof(nearText(signer.encoded), nearText(signer.encodedPrivate)),
        fc.boolean(),
        (input, asSigner) =>
          attempt(target, input, NoteError, () => (asSigner ? parseSignerKey(input) : parseVerifierKey(input))),
      ),
      { numRuns: runs(600), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it(`parseCheckpoint on ${runs(1000)} edited and arbitrary texts`, () => {
    const target = 'ledger: parseCheckpoint';
    fc.assert(
      fc.property(
        fc.oneof(
          nearText(checkpointText),
          fc
            .tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 25 }))
            .map(([origin, size]) => `${origin}\n${size}\n${tree.root().toString('base64')}\n`),
        ),
        (input) =>
          attempt(
            target,
            input,
            NoteError,
            () => parseCheckpoint(input),
            (checkpoint) => assert.ok(Number.isSafeInteger(checkpoint.size) && checkpoint.root.length === 32),
          ),
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it(`verifyReceipt on ${runs(1000)} mutated and arbitrary receipts: never an entry that is not in the log`, () => {
    const target = 'ledger: verifyReceipt (JSON)';
    fc.assert(
      fc.property(
        fc.nat({ max: 10 }),
        fc.oneof(
          { weight: 1, arbitrary: fc.constant({ kind: 'valid' as const }) },
          {
            weight: 4,
            arbitrary: jsonMutation.map(([choices, value]) => ({ kind: 'mutated' as const, choices, value })),
          },
          {
            weight: 1,
            arbitrary: (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map((value) => ({
              kind: 'arbitrary' as const,
              value,
            })),
          },
        ),
        (index, input) => {
          const receipt =
            input.kind === 'valid'
              ? receiptFor(index)
              : input.kind === 'arbitrary'
                ? input.value
                : mutateJson(receiptFor(index) as unknown as Json, input.choices, input.value);
          attempt(
            target,
            receipt,
            ReceiptError,
            () => verifyReceipt(receipt, [verifier], 'fuzz.example/log'),
            (verified) => {
              // Accepted only if it names a leaf that really is at that index.
              assert.ok(
                verified.leaf.equals(leaves[verified.index]!),
                'a verified receipt names the leaf at its index',
              );
            },
          );
        },
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it(`parseTlogProof on ${runs(800)} edited texts, then verified`, () => {
    const target = 'ledger: tlog-proof';
    const texts = leaves.map((_, index) => formatTlogProof(receiptFor(index)));
    fc.assert(
      fc.property(
        fc.nat({ max: 10 }).chain((index) => nearText(texts[index]!)),
        (input) =>
          attempt(
            target,
            input,
            ReceiptError,
            () => verifyReceipt(parseTlogProof(input), [verifier]),
            (verified) => assert.ok(verified.leaf.equals(leaves[verified.index]!)),
          ),
      ),
      { numRuns: runs(800), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it(`inclusion and consistency proofs with ${runs(1000)} hostile indices, sizes and hashes`, () => {
    const target = 'ledger: verify-proof';
    const size = fc.oneof(
      fc.nat({ max: 40 }),
      fc.constantFrom(-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 53 - 1, 2 ** 31, 2 ** 32 + 1),
    );
    const hash = fc.oneof(
      { weight: 5, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    );
    fc.assert(
      fc.property(
        size,
        size,
        fc.array(hash, { maxLength: 70 }),
        hash,
        hash,
        fc.boolean(),
        (first, second, proof, left, right, inclusion) => {
          const hashes = proof.map((bytes) => Buffer.from(bytes));
          attempt(target, { first, second, proof: proof.length }, ProofError, () =>
            inclusion
              ? verifyInclusion(first, second, Buffer.from(left), hashes, Buffer.from(right))
              : verifyConsistency(first, second, hashes, Buffer.from(left), Buffer.from(right)),
          );
        },
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });

  it(`real proofs of a tree of 11, with a flipped bit or not: ${runs(500)} cases, verified only when untouched`, () => {
    const target = 'ledger: verify-proof (real proofs)';
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 11 })
          .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }))),
        fc.boolean(),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { nil: undefined }),
        ([size, other], inclusion, flip) => {
          // An inclusion proof of leaf `other` in the tree of `size`, or a consistency proof from `other + 1` to `size`.
          const proof = inclusion ? tree.inclusionProof(other, size) : tree.consistencyProof(other + 1, size);
          // Copies: the tree hands out its own buffers, and a flip must not change it.
          const hashes = [...proof, tree.root(size), tree.root(other + 1), leafHash(leaves[other]!)].map((hash) =>
            Buffer.from(hash),
          );
          if (flip) hashes[flip[0] % hashes.length]![flip[0] % 32]! ^= 1 << flip[1];
          const [root, oldRoot, leaf] = hashes.slice(-3) as [Buffer, Buffer, Buffer];
          const path = hashes.slice(0, -3);
          const run = (): void =>
            inclusion
              ? verifyInclusion(other, size, leaf, path, root)
              : verifyConsistency(other + 1, size, path, oldRoot, root);
          attempt(target, { size, other, inclusion, flip }, ProofError, run, () => {
            // A flip may land on a hash the check does not use (the old root, for an inclusion proof, and so on).
            if (flip === undefined) return;
            const used = inclusion ? [...path, leaf, root] : [...path, oldRoot, root];
            const original = inclusion
              ? [...tree.inclusionProof(other, size), leafHash(leaves[other]!), tree.root(size)]
              : [...tree.consistencyProof(other + 1, size), tree.root(other + 1), tree.root(size)];
            // An empty consistency proof (equal sizes) reads the roots only.
            assert.ok(
              used.every((hash, index) => hash.equals(original[index]!)),
              'a changed proof verified',
            );
          });
          // An untouched proof always verifies (the property is not vacuous).
          if (flip === undefined) assert.doesNotThrow(run);
        },
      ),
      { numRuns: runs(500), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
    assert.ok(tally(target).accepted > 0 && tally(target).refused > 0);
  });

  it(`sovereign verify (the CLI and the single-file verifier) on ${runs(300)} receipt files`, () => {
    const target = 'cli: verify receipt file';
    const directory = temporaryDirectory('sovereign-fuzz-verify-');
    const file = join(directory, 'receipt');
    const body = join(directory, 'body');
    writeFileSync(body, 'x');
    try {
      fc.assert(
        fc.property(
          fc.nat({ max: 10 }),
          fc.boolean(),
          fc.oneof(textEdits, fc.constant([] as TextEdit[])),
          fc.boolean(),
          (index, asTlog, edits, withBody) => {
            const valid = asTlog ? formatTlogProof(receiptFor(index)) : JSON.stringify(receiptFor(index));
            const text = edits.length === 0 ? valid : editText(valid, edits);
            writeFileSync(file, text);
            attempt(target, text, VerifyFailure, () =>
              verifyReceiptFile(file, { key: signer.encoded, ...(withBody ? { body } : {}) }),
            );
          },
        ),
        { numRuns: runs(300), seed, endOnFailure: true },
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    assert.deepEqual(tally(target).failures, []);
    assert.ok(tally(target).accepted > 0);
  });
});

// ---- action-gate receipts ----

describe('action-gate receipts, fuzzed: checkReceipt never throws, and a changed receipt never passes', () => {
  const gateSigner = generateSigner('veritas.example');
  const trusted = trustedKeyMap([gateSigner.encoded]);
  const now = Date.parse('2026-12-01T12:00:00Z');
  const params = { to: 'acct-1', note: 'invoice 7' };
  const expected = {
    agentId: 'agent-1',
    action: 'payments.transfer',
    paramsSha256: paramsDigest('12.50', params),
    policyHash: 'p'.repeat(64),
    now,
    maxAgeMs: 300_000,
    trusted,
  };
  const valid = signReceipt(
    {
      receipt_id: 'rcpt-1',
      agent_id: 'agent-1',
      action: 'payments.transfer',
      params_sha256: expected.paramsSha256,
      policy_hash: expected.policyHash,
      state_fingerprint: 'state-1',
      issued_at: '2026-12-01T11:59:00Z',
    },
    gateSigner,
  );

  it(`checkReceipt on ${runs(1000)} mutated and arbitrary receipts`, () => {
    const target = 'gate: checkReceipt';
    assert.deepEqual(checkReceipt(valid, expected), { ok: true, signer: valid.key_id });
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 1, arbitrary: fc.constant(valid as unknown as Json) },
          {
            weight: 4,
            arbitrary: jsonMutation.map(([choices, value]) => mutateJson(valid as unknown as Json, choices, value)),
          },
          {
            weight: 2,
            arbitrary: fc.tuple(fc.constantFrom(...Object.keys(valid)), textEdits).map(([field, edits]) => ({
              ...valid,
              [field]: editText(String(valid[field as keyof typeof valid]), edits),
            })),
          },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
        ),
        (input) => {
          const entry = tally(target);
          entry.cases += 1;
          let check: ReturnType<typeof checkReceipt>;
          try {
            check = checkReceipt(input, expected);
          } catch (error) {
            fail(target, input, error);
          }
          if (!check.ok) {
            entry.refused += 1;
            return;
          }
          entry.accepted += 1;
          // Only the receipt as signed passes (a hex spelling of the same signature is the one allowed re-spelling).
          const { signature, ...rest } = input as Record<string, unknown>;
          const { signature: validSignature, ...validRest } = valid;
          if (JSON.stringify(rest) !== JSON.stringify(validRest) || typeof signature !== 'string')
            fail(target, input, new Error('a changed receipt passed'));
          assert.ok(
            signature === validSignature || Buffer.from(signature, 'hex').equals(Buffer.from(validSignature, 'base64')),
          );
        },
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
  });
});

// ---- weights manifests (DSSE) ----

describe('regression: a gate receipt with a lone surrogate is malformed, not a TypeError from the canonical encoder', () => {
  it('checkReceipt returns malformed (the action gets its DENY, not a 500)', () => {
    const gateSigner = generateSigner('veritas.example');
    const receipt = signReceipt(
      {
        receipt_id: 'r',
        agent_id: 'a',
        action: 'x',
        params_sha256: 'a'.repeat(64),
        policy_hash: 'p',
        state_fingerprint: 's',
        issued_at: '2026-12-01T11:59:00Z',
      },
      gateSigner,
    );
    for (const field of ['receipt_id', 'agent_id', 'action', 'policy_hash', 'state_fingerprint'])
      assert.deepEqual(
        checkReceipt(
          { ...receipt, [field]: 'x\ud800' },
          {
            agentId: 'a',
            action: 'x',
            paramsSha256: 'a'.repeat(64),
            policyHash: 'p',
            now: Date.parse('2026-12-01T12:00:00Z'),
            maxAgeMs: 300_000,
            trusted: trustedKeyMap([gateSigner.encoded]),
          },
        ).ok,
        false,
        field,
      );
  });
});

describe('signed weights manifests, fuzzed: openEnvelope refuses with a ManifestError, and a changed envelope never opens', () => {
  const manifestSigner = generateSigner('registry.example');
  const key = parseVerifierKey(manifestSigner.encoded);
  const statement = buildStatement('tiny', [{ name: 'tiny.gguf', sha256: 'c'.repeat(64) }], { size: 1 });
  const envelope = signStatement(statement, manifestSigner);
  const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as Json;

  it(`openEnvelope on ${runs(1000)} mutated envelopes, re-signed payloads and arbitrary values`, () => {
    const target = 'models: openEnvelope';
    fc.assert(
      fc.property(
        fc.oneof(
          {
            weight: 3,
            arbitrary: jsonMutation.map(([choices, value]) => ({
              changed: true,
              value: mutateJson(envelope as unknown as Json, choices, value),
            })),
          },
          // A payload the trusted key signed but that is malformed inside: the statement is still checked.
          {
            weight: 3,
            arbitrary: jsonMutation.map(([choices, value]) => {
              const body = Buffer.from(JSON.stringify(mutateJson(payload, choices, value)));
              const signed = signStatement(JSON.parse(body.toString()), manifestSigner);
              return { changed: false, value: signed as unknown as Json };
            }),
          },
          {
            weight: 1,
            arbitrary: (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map((value) => ({ changed: true, value })),
          },
        ),
        ({ changed, value }) =>
          attempt(
            target,
            value,
            ManifestError,
            () => openEnvelope(value, key),
            () => {
              // A changed envelope opens only if the change is outside what is signed (the signature's keyid is not).
              if (changed) {
                const opened = value as unknown as typeof envelope;
                assert.equal(
                  Buffer.from(opened.payload, 'base64').toString(),
                  Buffer.from(envelope.payload, 'base64').toString(),
                );
              }
            },
          ),
      ),
      { numRuns: runs(1000), seed, endOnFailure: true },
    );
    assert.deepEqual(tally(target).failures, []);
    assert.ok(tally(target).accepted > 0);
  });

  it('regressions: signatures that are not a list, a sig that is not text, resources that are not a list are ManifestErrors', () => {
    for (const broken of [
      { ...envelope, signatures: 'x' },
      { ...envelope, signatures: [null] },
      { ...envelope, signatures: [{ keyid: envelope.signatures[0]!.keyid, sig: 5 }] },
      signStatement({ ...statement, predicate: { ...statement.predicate, resources: 'x' } } as never, manifestSigner),
      signStatement(
        { ...statement, predicate: { ...statement.predicate, resources: [{ name: 'a', digest: 5 }] } } as never,
        manifestSigner,
      ),
      signStatement(null as never, manifestSigner),
      null,
      'x',
    ])
      assert.throws(() => openEnvelope(broken, key), ManifestError, JSON.stringify(broken)?.slice(0, 100));
  });
});

// ---- GGUF headers ----

describe('GGUF headers, fuzzed on temp files: describeGguf gives a summary or a GgufError, in bounded time', () => {
  let directory: string;
  let valid: Buffer;
  /** Where the header ends in the valid file (its tensor data starts after): mutations go before it. */
  let headerEnd: number;

  before(() => {
    directory = temporaryDirectory('sovereign-fuzz-gguf-');
    const model = join(directory, 'valid.gguf');
    writeTinyModel(model);
    valid = readFileSync(model);
    // The header holds the vocabulary; 64 KB covers it and its tensor table (the data is after).
    headerEnd = Math.min(valid.length, 64 * 1024);
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  /** A u64 little-endian: the counts and lengths a hostile header lies with. */
  const u64 = (value: bigint): Buffer => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(value);
    return bytes;
  };
  const lies = fc.constantFrom(2n ** 64n - 1n, 2n ** 63n, 2n ** 40n, 2n ** 31n, 2n ** 32n + 1n, 10_000_000n, 0n);

  const files: fc.Arbitrary<{ kind: string; bytes: () => Buffer }> = fc.oneof(
    fc.nat().map((at) => ({ kind: 'truncated', bytes: () => valid.subarray(0, at % headerEnd) })),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => ({
      kind: 'flipped',
      bytes: () => {
        const bytes = Buffer.from(valid);
        for (const [at, mask] of flips) bytes[at % headerEnd]! ^= mask;
        return bytes;
      },
    })),
    // A count or a length anywhere in the header replaced by a lie (most land on one: the header is full of them).
    fc.tuple(fc.nat(), lies).map(([at, lie]) => ({
      kind: 'lying count',
      bytes: () => {
        const bytes = Buffer.from(valid);
        u64(lie).copy(bytes, 8 + (at % (headerEnd - 16)));
        return bytes;
      },
    })),
    // The tensor count, the metadata count, the first key's length, the first value's type: the fixed places.
    fc.tuple(fc.constantFrom(8, 16, 24), lies).map(([at, lie]) => ({
      kind: 'lying header',
      bytes: () => {
        const bytes = Buffer.from(valid.subarray(0, headerEnd));
        u64(lie).copy(bytes, at);
        return bytes;
      },
    })),
    fc.uint8Array({ maxLength: 256 }).map((random) => ({
      kind: 'random',
      bytes: () => Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.from(random)]),
    })),
  );

  it(`describeGguf on ${runs(200)} truncated, flipped, lying and random files`, async () => {
    const target = 'models: describeGguf';
    const file = join(directory, 'fuzz.gguf');
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(files, async ({ kind, bytes }) => {
        const content = bytes();
        writeFileSync(file, content);
        const started = performance.now();
        await attemptAsync(target, `${kind} ${content.length} bytes`, GgufError, () => describeGguf(file));
        const ms = performance.now() - started;
        slowest = Math.max(slowest, ms);
        // Bounded time: the header check reads at most the file, a window at a time.
        assert.ok(ms < 5_000, `${kind}: ${Math.round(ms)} ms`);
      }),
      { numRuns: runs(200), seed, endOnFailure: true },
    );
    console.log(`describeGguf: slowest case ${Math.round(slowest)} ms`);
    assert.deepEqual(tally(target).failures, []);
    assert.ok(tally(target).accepted > 0 && tally(target).refused > 0);
  });

  it('regressions: an array claiming 2^60 elements and a string claiming 2^40 bytes are GgufErrors at once', async () => {
    // The first metadata value of the tiny model is a string (general.architecture): its length, and a lying array.
    const keyLength = Number(valid.readBigUInt64LE(24));
    const valueAt = 24 + 8 + keyLength; // the value type (u32), then the value
    const longString = Buffer.from(valid);
    u64(2n ** 40n).copy(longString, valueAt + 4);
    const hugeArray = Buffer.concat([
      valid.subarray(0, valueAt),
      Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]), // array of uint8
      u64(2n ** 60n),
      valid.subarray(valueAt + 4 + 8 + 5),
    ]);
    for (const [name, bytes] of [
      ['long string', longString],
      ['huge array', hugeArray],
    ] as const) {
      const file = join(directory, `${name.replace(' ', '-')}.gguf`);
      writeFileSync(file, bytes);
      const started = performance.now();
      await assert.rejects(describeGguf(file), GgufError, name);
      assert.ok(performance.now() - started < 1_000, name);
    }
  });
});
