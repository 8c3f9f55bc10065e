// The labelled corpus on which the precision and recall of `pii.name` and `pii.address` are measured
// and published: English, French and Arabic, a `dev` part for tuning and a held-out `test` part.
//
// How it is built (quotable as is):
//
// - Sources. Values (given names, family names, street names, building numbers, cities, postcodes)
//   come from the locale data of @faker-js/faker 10 (MIT licence): en_US and en_GB for English, fr for
//   French, ar for Arabic, each drawn through its own `Faker` instance seeded with a fixed number, so
//   the corpus is the same on every build and every machine with the same faker version. They are mixed
//   with value lists written by hand for this corpus: real city/postcode pairs (UK outward codes, US
//   ZIP codes, French codes postaux, Saudi, Emirati, Egyptian and Moroccan cities), double-barrelled
//   and hyphenated names, particles (de, van der, al-, bin, بن), Arabic names transliterated into
//   English and French, UK flat addresses ("Flat 2, 14 Queen's Road"), Saudi national addresses
//   (building number, street, district, city, postcode and additional number), and Arabic-Indic digits.
//   No list used by the detectors was consulted: the corpus was written without reading their code
//   or data.
// - Sentences. Every template and sentence was written by hand for this corpus, natively in each
//   language (not translated from another), the way people write to an assistant in a hospital, a
//   bank, a ministry or a company: clinical notes, referral letters, e-mails with salutations and
//   sign-offs, line-based forms, chat requests, complaints, HR notes, delivery instructions. Values
//   sit at the start, middle and end of sentences, after punctuation, in lists and in forms. A
//   template is rendered twice (positives) or three times (negatives) with fresh values (drawn again
//   if they repeat an earlier case); a hand-written sentence is used once.
// - Hard negatives (category `negative`) contain no personal name and no postal address and are
//   chosen to look like one: capitalised words that are not names (weekdays, months, brands,
//   medicines, places, organisations), titles without a name ("Dear Sir or Madam", "le patient est
//   stable", "المريض بحالة مستقرة"), street words in prose ("on the road to recovery", "هو حي يرزق"),
//   numbers before capitalised words ("12 Angry Men", "Room 12 Building B"), dates, amounts,
//   reference numbers, codes shaped like postcodes, and words that are also given names ("Will you
//   send it?", "صباح الخير"). Public figures' names are kept out of negatives.
// - Categories. `name.context`: a name introduced by a title, a phrase ("my name is", "Patient:",
//   "signed"), a salutation or a sign-off. `name.bare`: a full name with no such context.
//   `address.street`: a postal address with a street number. `address.postcode`: a location given by
//   postcode in context, or a P.O. box. A case's category says what it was written to exercise; a
//   positive case may also carry spans of the other label (a letter with a name and an address).
// - Span conventions. Offsets are UTF-16 code unit indices into `text`, `end` exclusive; spans never
//   overlap and never cross a line break. A name span covers the name tokens only: not the title or
//   trigger ("Dr Amira Haddad" → "Amira Haddad"), not a possessive or an elided or attached particle
//   of the sentence ("Mrs Khan's" → "Khan", "d'Élodie Martin" → "Élodie Martin", "وأحمد" → "أحمد");
//   particles that belong to the name are in it ("van der Merwe", "bin Khalid", "بن سالم"); a given
//   name alone after a salutation or as a sign-off is a span ("Dear Sarah," → "Sarah"); an inverted
//   name in a form is one span ("WHITTAKER, JOANNE"); a person's name that is part of a street,
//   place or organisation ("avenue Jean-Jaurès", "شارع الأمير سلطان") is not a name span. An address
//   span runs from its first token (the flat or unit when it comes first, else the street number, or
//   the street word when the number follows it) to the end of the address on that line: street name,
//   district, city, state, postcode and additional number when they follow on the same line;
//   trailing punctuation is outside. A multi-line address is one span per line. A postcode span covers the postcode and
// the city or state
//   next to it ("Leeds LS6 3HN", "75008 Paris", "Seattle, WA 98109"); a P.O. box span covers the box
//   ("P.O. Box 1234", "BP 45", "ص.ب 1234") and, like a street, the city and postcode that follow it on
//   the same line. Negative cases have no spans.
// - Split. `dev` and `test` are built from different templates and different hand-written sentences
//   (each language file keeps them in separate lists) and from different seeds (`seeds` below), so no
//   text is shared; `test` is held out from whoever tunes the detectors and is what gets published.
//   Case ids read `language/part/category/index`. The corpus test prints the sizes and the SHA-256
//   of the test part: published numbers should quote that digest and the faker version, since a
//   faker upgrade may change the values.
import type { EnglishValues } from './pii-corpus-en.js';
import { english } from './pii-corpus-en.js';
import type { FrenchValues } from './pii-corpus-fr.js';
import { french } from './pii-corpus-fr.js';
import type { ArabicValues } from './pii-corpus-ar.js';
import { arabic } from './pii-corpus-ar.js';

export type Language = 'en' | 'fr' | 'ar';
export type Category = 'name.context' | 'name.bare' | 'address.street' | 'address.postcode' | 'negative';
export type Label = 'pii.name' | 'pii.address';
export type Part = 'dev' | 'test';

export interface CorpusSpan {
  start: number;
  end: number;
  label: Label;
}
export interface CorpusCase {
  id: string;
  language: Language;
  category: Category;
  text: string;
  spans: CorpusSpan[];
}

export const languages: readonly Language[] = ['en', 'fr', 'ar'];
export const categories: readonly Category[] = [
  'name.context',
  'name.bare',
  'address.street',
  'address.postcode',
  'negative',
];

/** A piece of a case's text: plain text, or a value that becomes a span of its label. */
export type Piece = string | { name: string } | { address: string };
/** Writes one case from values drawn from the language's seeded source. */
export type Template<Values> = (values: Values) => Piece[];

/** What one part (dev or test) of one language is made of. */
export interface PartSource<Values> {
  /** Each is rendered `renderings[category]` times, with fresh values every time. */
  templates: Record<Category, Array<Template<Values>>>;
  /** Hand-written cases, used once each. */
  sentences: Record<Category, Array<Piece[] | string>>;
}

export interface LanguageSource<Values> {
  language: Language;
  /** A fresh, seeded source of values; the same seed gives the same values. */
  values: (seed: number) => Values;
  dev: PartSource<Values>;
  test: PartSource<Values>;
}

// Fixed seeds: changing one changes the published corpus.
export const seeds: Record<Language, Record<Part, number>> = {
  en: { test: 1101, dev: 2101 },
  fr: { test: 1202, dev: 2202 },
  ar: { test: 1303, dev: 2303 },
};

// Negatives are cheap to vary (numbers, codes, dates), positives gain more from new sentences.
export const renderings: Record<Category, number> = {
  'name.context': 2,
  'name.bare': 2,
  'address.street': 2,
  'address.postcode': 2,
  negative: 3,
};

const labelOf = (piece: { name: string } | { address: string }): Label =>
  'name' in piece ? 'pii.name' : 'pii.address';

/** Joins pieces into a text and the spans of its values; offsets are computed, never written by hand. */
export function assemble(pieces: readonly Piece[]): { text: string; spans: CorpusSpan[] } {
  let text = '';
  const spans: CorpusSpan[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      text += piece;
      continue;
    }
    const value = 'name' in piece ? piece.name : piece.address;
    // A value with outer blanks or a line break would break the span conventions silently.
    if (value.length === 0 || value.trim() !== value || /[\r\n]/.test(value))
      throw new Error(`bad span value ${JSON.stringify(value)}`);
    spans.push({ start: text.length, end: text.length + value.length, label: labelOf(piece) });
    text += value;
  }
  return { text, spans };
}

// A template whose values happen to repeat an earlier case is drawn again, a few times at most.
const redraws = 8;

function casesOf<Values>(source: LanguageSource<Values>, part: Part): CorpusCase[] {
  const values = source.values(seeds[source.language][part]);
  const plan = source[part];
  const cases: CorpusCase[] = [];
  const texts = new Set<string>();
  const add = (category: Category, assembled: { text: string; spans: CorpusSpan[] }): void => {
    const index = cases.filter((item) => item.category === category).length + 1;
    cases.push({
      id: `${source.language}/${part}/${category}/${String(index).padStart(3, '0')}`,
      language: source.language,
      category,
      ...assembled,
    });
    texts.add(assembled.text);
  };
  for (const category of categories) {
    for (const template of plan.templates[category]) {
      for (let rendering = 0; rendering < renderings[category]; rendering += 1) {
        let assembled = assemble(template(values));
        for (let attempt = 0; texts.has(assembled.text) && attempt < redraws; attempt += 1)
          assembled = assemble(template(values));
        if (texts.has(assembled.text)) throw new Error(`template keeps repeating ${JSON.stringify(assembled.text)}`);
        add(category, assembled);
      }
    }
    for (const sentence of plan.sentences[category]) {
      const assembled = assemble(typeof sentence === 'string' ? [sentence] : sentence);
      if (texts.has(assembled.text)) throw new Error(`sentence written twice: ${JSON.stringify(assembled.text)}`);
      add(category, assembled);
    }
  }
  return cases;
}

function partOf(part: Part): CorpusCase[] {
  return [
    ...casesOf<EnglishValues>(english, part),
    ...casesOf<FrenchValues>(french, part),
    ...casesOf<ArabicValues>(arabic, part),
  ];
}

export function buildCorpus(): { dev: CorpusCase[]; test: CorpusCase[] } {
  return { dev: partOf('dev'), test: partOf('test') };
}
