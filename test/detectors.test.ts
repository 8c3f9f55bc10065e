// Detector quality on a labelled corpus: true positives in English, French and Arabic prompts, and
// tricky negatives (numbers that fail their check digits, dates, hashes, UUIDs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ibanCodesValid, ibanValid } from '../src/policy/checksums.js';
import { detect } from '../src/policy/detectors.js';
import { formatCharacters, unicodeForm } from '../src/policy/text-forms.js';
import { corpus } from './support/detector-corpus.js';

const labelsOf = (text: string): string[] => [...new Set(detect(text).map((span) => span.label))].sort();

describe('detectors', () => {
  for (const [label, cases] of Object.entries(corpus)) {
    it(`${label}: finds every positive and none of the negatives`, () => {
      for (const text of cases.positive)
        assert.ok(
          labelsOf(text).includes(label),
          `${label} missed in ${JSON.stringify(text)} (found ${labelsOf(text).join(',') || 'nothing'})`,
        );
      for (const text of cases.negative)
        assert.ok(!labelsOf(text).includes(label), `${label} falsely found in ${JSON.stringify(text)}`);
    });
  }

  it('reports spans that cover exactly the sensitive value', () => {
    const text = 'Écrivez à marie.curie@example.fr ou au +33 6 12 34 56 78.';
    const spans = detect(text);
    assert.deepEqual(
      spans.map((span) => [span.label, text.slice(span.start, span.end)]),
      [
        ['pii.email', 'marie.curie@example.fr'],
        ['pii.phone', '+33 6 12 34 56 78'],
      ],
    );
  });

  it('reads Arabic-Indic digits as digits, keeping offsets', () => {
    const text = 'رقم البطاقة ٤١١١ ١١١١ ١١١١ ١١١١ شكرا';
    const [span] = detect(text);
    assert.equal(span?.label, 'pii.card');
    assert.equal(text.slice(span!.start, span!.end), '٤١١١ ١١١١ ١١١١ ١١١١');
  });
});

describe('text forms', () => {
  it('the written-out format characters are exactly \\p{Cf}, code point by code point', () => {
    const cf = /\p{Cf}/u;
    const written = new RegExp(`^(?:${formatCharacters.source})$`);
    const differ: string[] = [];
    for (let point = 0; point <= 0x10ffff; point += 1) {
      if (point >= 0xd800 && point <= 0xdfff) continue;
      const character = String.fromCodePoint(point);
      if (cf.test(character) !== written.test(character)) differ.push(point.toString(16));
    }
    assert.deepEqual(differ, []);
  });

  it('a text read as its letters loses its format characters, astral ones too', () => {
    assert.equal(unicodeForm('jo\u200Bhn\uD834\uDD73@exa\u00ADmple.com'), 'john@example.com');
  });
});

describe('the IBAN check on code units', () => {
  /** An IBAN of a country and body with its check digits computed, so that about half the cases pass. */
  const withCheckDigits = (country: string, body: string): string => {
    const digits = `${body}${country}00`.toUpperCase().replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
    let remainder = 0;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
    return `${country}${String(98 - remainder).padStart(2, '0')}${body}`;
  };
  const codesOf = (text: string): Uint16Array => Uint16Array.from(text, (character) => character.charCodeAt(0));

  it('agrees with the check on strings, spaces, dashes and lower case included (seeded property)', () => {
    const character = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefxyz0123456789  -.é');
    const body = fc.string({ unit: fc.constantFrom(...'ABCXYZ0123456789'), minLength: 8, maxLength: 32 });
    const country = fc.constantFrom('FR', 'DE', 'GB', 'SA', 'AE', 'NL', 'QQ', 'fr');
    const spaced = (text: string, every: number): string => text.replace(new RegExp(`(.{${every}})`, 'g'), '$1 ');
    const candidate = fc.oneof(
      fc.string({ unit: character, maxLength: 40 }),
      fc.tuple(country, body, fc.integer({ min: 0, max: 6 })).map(([code, rest, every]) => {
        const iban = withCheckDigits(code.toUpperCase(), rest);
        const cased = code === 'fr' ? iban.toLowerCase() : iban;
        return every >= 2 ? spaced(cased, every).trim() : cased;
      }),
    );
    let valid = 0;
    fc.assert(
      fc.property(candidate, (text) => {
        const expected = ibanValid(text);
        if (expected) valid += 1;
        // A character outside letters, digits, spaces and dashes: the code check declines, the string check decides.
        if (/[^A-Za-z0-9 -]/.test(text)) return !ibanCodesValid(codesOf(text), 0, text.length);
        return ibanCodesValid(codesOf(text), 0, text.length) === expected;
      }),
      { seed: 1613, numRuns: 5_000 },
    );
    assert.ok(valid > 250, `only ${valid} valid IBANs among the cases`);
    assert.ok(ibanCodesValid(codesOf('xx FR76 3000 6000 0112 3456 7890 189 yy'), 3, 36));
  });
});
