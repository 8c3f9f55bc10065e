// Our RFC 8785 encoder agrees with an independent implementation (the `canonicalize` package) on
// the RFC's own examples and on random values, unicode keys and awkward numbers included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../src/core/canonical-json.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

const alphabet = ['a', 'b', 'B', '_', '1', 'é', '€', '\u{1F600}', 'ع', '"', '\\', '\n', '\u0001', '\u2028'];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 7));
  const text = (): string =>
    Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -0, 1e21, 1e-7, 123.456, -42, 2 ** 53, 5e-324, 0.1 + 0.2][Math.floor(next() * 9)];
    case 3:
    case 4:
      return text();
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 5) }, () => [text(), randomValue(next, depth + 1)]),
      );
  }
}

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and serialises numbers as ECMAScript does (RFC 8785 §3.2.2-3)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\u{1f600}': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    assert.equal(canonicalJson(value), canonicalize(value));
    assert.equal(
      // biome-ignore lint/correctness/noPrecisionLoss: the literal is the RFC 8785 example, rounding included
      canonicalJson({ numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000001, -0] }),
      '{"numbers":[333333333.3333333,1e+30,4.5,0.002,0.000001,0]}',
    );
  });

  it('agrees with the canonicalize package on 5,000 random values', () => {
    const next = random(8785);
    for (let round = 0; round < 5_000; round += 1) {
      const value = randomValue(next, 0);
      assert.equal(canonicalJson(value), canonicalize(value), JSON.stringify(value));
    }
  });

  it('refuses values JSON cannot hold, and strings that are not Unicode', () => {
    assert.throws(() => canonicalJson(Number.NaN));
    assert.throws(() => canonicalJson({ a: Infinity }));
    assert.throws(() => canonicalJson({ a: 'x\uD800y' }));
  });
});

describe('ledger entries are canonical', () => {
  it('a call entry, written by its constructor in canonical order, gives the same bytes as the canonicalize package', async () => {
    const { callEntry, encodeEntry } = await import('../src/ledger/entry.js');
    const next = random(8785);
    const text = (): string =>
      Array.from({ length: Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const maybe = <T>(value: () => T): T | undefined => (next() < 0.5 ? value() : undefined);
    for (let round = 0; round < 2_000; round += 1) {
      const record = callEntry(next() < 0.5 ? 'chat' : 'stream_close', {
        time: Math.floor(next() * 2e12),
        requestId: text(),
        tenant: text(),
        endpoint: 'chat',
        modelRequested: text(),
        provider: maybe(() => ({ id: text(), jurisdiction: 'SA', ownership: 'owned', operator: text() })),
        providerModel: next() < 0.5 ? null : text(),
        labels: [text(), text()],
        findings: maybe(() => ({
          locations: [
            { label: text(), path: text() },
            { label: text(), path: text(), key: true as const },
          ],
          omitted: Math.floor(next() * 3),
        })),
        deepScan: maybe(() => ({ engine: text(), outcome: text() })),
        redactedLabels: maybe(() => [text()]),
        policyHash: text(),
        outcome: 'ok',
        status: Math.floor(next() * 600),
        errorCode: next() < 0.5 ? null : text(),
        requestSha256: next() < 0.5 ? null : 'a'.repeat(64),
        responseSha256: 'b'.repeat(64),
        attempts: [{ provider: text(), outcome: text() }],
        usage: maybe(() => ({ prompt_tokens: Math.floor(next() * 1e6), completion_tokens: Math.floor(next() * 1e6) })),
        weights: maybe(() => ({ model_sha256: text(), ...(next() < 0.5 ? { adapter_sha256: text() } : {}) })),
        openIndex: maybe(() => Math.floor(next() * 1e9)),
        bytesDelivered: maybe(() => Math.floor(next() * 1e9)),
      });
      assert.equal(encodeEntry(record).toString('utf8'), canonicalize(record));
    }
  });

  it('encodeEntry gives the same bytes as the canonicalize package, for random entries', async () => {
    const { encodeEntry } = await import('../src/ledger/entry.js');
    const next = random(6962);
    const text = (): string =>
      Array.from({ length: Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let round = 0; round < 2_000; round += 1) {
      const record = {
        v: 1,
        kind: 'chat' as const,
        time: new Date(Math.floor(next() * 2e12)).toISOString(),
        request_id: text(),
        tenant: text(),
        endpoint: 'chat',
        model_requested: text(),
        provider: next() < 0.5 ? null : text(),
        provider_model: next() < 0.5 ? null : text(),
        jurisdiction: 'SA',
        ownership: 'owned',
        operator: text(),
        labels: [text(), text()],
        policy_hash: '',
        outcome: 'ok' as const,
        status: Math.floor(next() * 600),
        error_code: next() < 0.5 ? null : text(),
        request_sha256: null,
        response_sha256: 'b'.repeat(64),
        attempts: [{ provider: text(), outcome: text() }],
        usage:
          next() < 0.5
            ? null
            : { prompt_tokens: Math.floor(next() * 1e6), completion_tokens: Math.floor(next() * 1e6) },
        ...(next() < 0.3 ? { open_index: Math.floor(next() * 1e9), bytes_delivered: Math.floor(next() * 1e9) } : {}),
        ...(next() < 0.3 ? { redacted_labels: [text(), text()] } : {}),
        ...(next() < 0.3
          ? {
              findings: [
                { label: text(), path: text() },
                { label: text(), path: text(), key: true as const },
              ],
              findings_omitted: Math.floor(next() * 100),
            }
          : {}),
        ...(next() < 0.3 ? { deep_scan: { engine: text(), outcome: text() } } : {}),
        ...(next() < 0.1 ? { '10': 'an integer-like extra member' } : {}),
      };
      assert.equal(encodeEntry(record).toString('utf8'), canonicalize(record));
    }
  });
});
