// Detector quality on a labelled corpus: true positives in English, French and Arabic prompts, and
// tricky negatives (numbers that fail their check digits, dates, hashes, UUIDs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
