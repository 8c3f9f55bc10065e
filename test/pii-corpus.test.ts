// The name and address corpus is well-formed: every span covers what its label says, on word
// boundaries, without overlaps; every language and category has its minimum size; dev and test share
// nothing; two builds are identical. Precision and recall are only as honest as these promises.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { english } from './support/pii-corpus-en.js';
import { french } from './support/pii-corpus-fr.js';
import { arabic } from './support/pii-corpus-ar.js';
import {
  assemble,
  buildCorpus,
  categories,
  languages,
  type Category,
  type CorpusCase,
  type Language,
  type LanguageSource,
} from './support/pii-corpus.js';

const corpus = buildCorpus();
const parts = { dev: corpus.dev, test: corpus.test };
const everyCase = [...corpus.dev, ...corpus.test];
const show = (item: CorpusCase): string => `${item.id} ${JSON.stringify(item.text)}`;
const spanText = (item: CorpusCase, span: CorpusCase['spans'][number]): string => item.text.slice(span.start, span.end);

// Titles and triggers that the conventions keep outside a name span.
const leadingTitle =
  /^(?:Mr|Mrs|Ms|Miss|Dr|Prof|M|Mme|Mlle|Me|Pr|Monsieur|Madame|Dear|Patient|Name)\b\.?\s|^(?:السيد|السيدة|الدكتور|الدكتورة|د\.|الأستاذ|الأستاذة|الآنسة|المهندس|اسمي)\s/u;
// Arabic clitics written against the next word (و and, ل and لـ for, ب with) may touch a name.
const arabicClitic = /(?:^|[\s،؛:(«])(?:و|ل|لـ|ب)$/u;
const letter = /[\p{L}\p{M}]/u;

const count = (cases: CorpusCase[], language: Language, category?: Category): number =>
  cases.filter((item) => item.language === language && (category === undefined || item.category === category)).length;

describe('every span covers exactly what its label claims', () => {
  it('assembles offsets from pieces, never from hand-typed numbers', () => {
    const { text, spans } = assemble([
      'Dear ',
      { name: 'Sarah' },
      ',\nplease post it to ',
      { address: '٧ شارع المعز' },
      '.',
    ]);
    assert.equal(text, 'Dear Sarah,\nplease post it to ٧ شارع المعز.');
    assert.deepEqual(
      spans.map((span) => [span.label, text.slice(span.start, span.end)]),
      [
        ['pii.name', 'Sarah'],
        ['pii.address', '٧ شارع المعز'],
      ],
    );
    assert.throws(() => assemble([{ name: ' Sarah' }]));
    assert.throws(() => assemble([{ address: '12 rue des Lilas\n75011 Paris' }]));
    assert.throws(() => assemble([{ name: '' }]));
  });

  it('keeps spans inside the text, in order, without overlaps and without line breaks', () => {
    for (const item of everyCase) {
      let previousEnd = 0;
      for (const span of item.spans) {
        assert.ok(
          span.start >= previousEnd && span.start < span.end && span.end <= item.text.length,
          `bad span ${span.start}-${span.end} in ${show(item)}`,
        );
        assert.doesNotMatch(spanText(item, span), /[\r\n]/, `span crosses a line in ${show(item)}`);
        assert.equal(spanText(item, span).trim(), spanText(item, span), `span has outer blanks in ${show(item)}`);
        previousEnd = span.end;
      }
    }
  });

  it('gives negatives no span, and every positive a span of the label its category names', () => {
    for (const item of everyCase) {
      if (item.category === 'negative') assert.equal(item.spans.length, 0, show(item));
      else
        assert.ok(
          item.spans.some((span) => span.label === (item.category.startsWith('name.') ? 'pii.name' : 'pii.address')),
          show(item),
        );
    }
  });

  it('makes name spans names: letters only, no title or trigger, no possessive', () => {
    for (const item of everyCase) {
      for (const span of item.spans.filter((candidate) => candidate.label === 'pii.name')) {
        const value = spanText(item, span);
        assert.match(
          value,
          /^[\p{L}\p{M}][\p{L}\p{M} .,'’-]*[\p{L}\p{M}.]$|^[\p{L}\p{M}]$/u,
          `not a name: ${JSON.stringify(value)} in ${show(item)}`,
        );
        assert.doesNotMatch(value, leadingTitle, `title inside the name span in ${show(item)}`);
        assert.doesNotMatch(value, /['’]s$/u, `possessive inside the name span in ${show(item)}`);
      }
    }
  });

  it('makes address spans addresses: a number (street, box or postcode), no trailing punctuation', () => {
    for (const item of everyCase) {
      for (const span of item.spans.filter((candidate) => candidate.label === 'pii.address')) {
        const value = spanText(item, span);
        assert.match(value, /\p{Nd}/u, `no number in ${JSON.stringify(value)} of ${show(item)}`);
        assert.doesNotMatch(
          value,
          /[,.;:،؛]$|^[,.;:،؛]/u,
          `punctuation at the edge of ${JSON.stringify(value)} in ${show(item)}`,
        );
      }
    }
  });

  it('starts and ends every span on a word boundary (an Arabic clitic may touch a name)', () => {
    for (const item of everyCase) {
      for (const span of item.spans) {
        const before = item.text.slice(0, span.start);
        const after = item.text.charAt(span.end);
        const touchesBefore = before.length > 0 && letter.test(before.charAt(before.length - 1));
        assert.ok(
          !touchesBefore || (item.language === 'ar' && span.label === 'pii.name' && arabicClitic.test(before)),
          `span starts inside a word in ${show(item)}`,
        );
        assert.ok(!letter.test(after) && !/\p{Nd}/u.test(after), `span ends inside a word in ${show(item)}`);
      }
    }
  });

  it('writes Arabic cases in Arabic script', () => {
    for (const item of everyCase.filter((candidate) => candidate.language === 'ar'))
      assert.match(item.text, /[\u0600-\u06FF]/u, show(item));
  });
});

describe('every language and category has its minimum size', () => {
  it('prints the size of every language, category and part', (context) => {
    for (const [part, cases] of Object.entries(parts)) {
      for (const language of languages)
        context.diagnostic(
          `${part} ${language}: ${categories.map((category) => `${category} ${count(cases, language, category)}`).join(', ')}; ${count(cases, language)} cases`,
        );
    }
  });

  const minimums: Record<Category, number> = {
    'name.context': 40,
    'name.bare': 20,
    'address.street': 30,
    'address.postcode': 15,
    negative: 0,
  };

  for (const language of languages) {
    it(`${language}: at least 150 test and 100 dev cases, with the minimum of each category in test`, () => {
      assert.ok(count(corpus.test, language) >= 150, `${language} test has ${count(corpus.test, language)}`);
      assert.ok(count(corpus.dev, language) >= 100, `${language} dev has ${count(corpus.dev, language)}`);
      for (const category of categories) {
        assert.ok(
          count(corpus.test, language, category) >= minimums[category],
          `${language} test ${category}: ${count(corpus.test, language, category)}`,
        );
        assert.ok(count(corpus.dev, language, category) > 0, `${language} dev has no ${category}`);
      }
    });

    it(`${language}: at least as many hard negatives as positives, in each part`, () => {
      for (const [part, cases] of Object.entries(parts)) {
        const negatives = count(cases, language, 'negative');
        assert.ok(negatives >= count(cases, language) - negatives, `${language} ${part}: ${negatives} negatives`);
      }
    });
  }
});

describe('dev and test are disjoint', () => {
  it('share no text and no id, and repeat no text within a part', () => {
    for (const [part, cases] of Object.entries(parts)) {
      const seen = new Set<string>();
      for (const item of cases) {
        assert.ok(!seen.has(item.text), `${part} repeats ${show(item)}`);
        seen.add(item.text);
      }
    }
    const testTexts = new Set(corpus.test.map((item) => item.text));
    const testIds = new Set(corpus.test.map((item) => item.id));
    for (const item of corpus.dev) {
      assert.ok(!testTexts.has(item.text), `dev and test share ${show(item)}`);
      assert.ok(!testIds.has(item.id), `dev and test share the id ${item.id}`);
    }
  });

  const assertSeparate = <Values>(source: LanguageSource<Values>): void => {
    for (const category of categories) {
      const devTemplates = new Set(source.dev.templates[category]);
      assert.ok(
        !source.test.templates[category].some((template) => devTemplates.has(template)),
        `${source.language} ${category}: a template is in both parts`,
      );
      const devSentences = new Set(source.dev.sentences[category].map((sentence) => JSON.stringify(sentence)));
      assert.ok(
        !source.test.sentences[category].some((sentence) => devSentences.has(JSON.stringify(sentence))),
        `${source.language} ${category}: a sentence is in both parts`,
      );
    }
  };

  it('come from different templates and different hand-written sentences', () => {
    assertSeparate(english);
    assertSeparate(french);
    assertSeparate(arabic);
  });
});

describe('the corpus is deterministic', () => {
  it('is identical across two builds', () => {
    assert.deepEqual(buildCorpus(), buildCorpus());
  });

  it('prints the digest of the published test part', (context) => {
    // Published numbers are over this exact text; a changed digest (a faker upgrade, an edited
    // template) means they must be measured and published again.
    const digest = createHash('sha256').update(JSON.stringify(corpus.test)).digest('hex');
    context.diagnostic(`test part sha256 ${digest}`);
    assert.match(digest, /^[0-9a-f]{64}$/);
  });
});
