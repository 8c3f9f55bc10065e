// The words of the pii.name detector, in one hashed table built once at first use: given names,
// honorifics, titles, particles, trigger phrases, and the words that rule a name out, each with its
// category bits; and the bit-set filters that let most words of prose pass with one read.
import {
  arabicAbbreviatedHonorifics,
  arabicHonorifics,
  arabicInnerTitles,
  arabicNameParticles,
  arabicWeakHonorifics,
  honorificsNeedingDot,
  latinCapitalParticles,
  latinHonorifics,
  latinNameParticles,
  latinTitles,
  lowerCaseHonorifics,
} from './data/name-titles.js';
import { arabicTriggers } from './data/name-triggers-arabic.js';
import { latinTriggers, type Trigger, type TriggerStrength } from './data/name-triggers.js';
import { latinRoleTriggers } from './data/name-triggers-roles.js';
import {
  afterNameThings,
  arabicHonorificAdjectives,
  rolePrepositions,
  arabicPlaceIntroducers,
  arabicStopWords,
  assistantNames,
  generationSuffixes,
  nonNameWords,
  organisationWords,
  placeIntroducers,
  placeNames,
} from './data/name-words.js';
import { givenNameLists } from './given-names.js';
import { foldWord, hashOfFolded, mark, marked, newFilter, withoutAccents, WordShapes, WordTable } from './words.js';

// Word categories, one bit each; a word may have several.
export const given = 1 << 0;
export const needsContext = 1 << 1;
export const nonName = 1 << 2;
export const organisation = 1 << 3;
export const place = 1 << 4;
export const placeIntroducer = 1 << 5;
export const honorific = 1 << 6;
export const title = 1 << 7;
export const particle = 1 << 8;
export const capitalParticle = 1 << 9;
export const triggerHead = 1 << 10;
export const arabicGiven = 1 << 11;
export const arabicNeedsContext = 1 << 12;
export const arabicFamily = 1 << 13;
export const arabicAdjective = 1 << 14;
export const arabicStop = 1 << 15;
export const arabicHonorific = 1 << 16;
export const arabicWeakHonorific = 1 << 17;
export const arabicPlaceIntroducer = 1 << 18;
export const arabicInnerTitle = 1 << 19;
export const arabicParticle = 1 << 20;
export const arabicAbbreviatedHonorific = 1 << 21;
export const needsDot = 1 << 22;
export const arabicServant = 1 << 23;
export const arabicReligion = 1 << 24;
/** "at", "of", "chez": after "I am Head of…" the words before were a role, not a name. */
export const rolePreposition = 1 << 25;
export const assistant = 1 << 26;
export const lowerCaseHonorific = 1 << 27;
export const afterNameThing = 1 << 29;
export const generationSuffix = 1 << 30;
/** Between an Arabic honorific and the name: "الأستاذ الفاضل", "السيد المحترم". */
export const arabicHonorificAdjective = 1 << 28;

export interface CompiledTrigger {
  /** Entry ids of the words; -1 stands for a required colon. */
  words: number[];
  strength: TriggerStrength;
  /** "patient": one unknown capitalised word after the lower-case trigger is enough. */
  patient: boolean;
  /** "my name is": the name may be typed in lower case. */
  lowerCase: boolean;
}

export class NameVocabulary extends WordTable {
  /**
   * The Latin-script given names, folded, in a native set: some 10,000 names built with native
   * calls keep the first call's load short, where a hashed entry each would cost more.
   */
  latinGiven = new Set<string>();
  /** The hashes of those names in a bit set, so that most other words never build a string. */
  readonly givenFilter = newFilter();
  /** The triggers that start with each word, by the word's entry id (an array: read for every trigger word met). */
  readonly triggers: Array<CompiledTrigger[] | undefined> = [];
  /** Words that can start or introduce a name. */
  readonly startFilter = newFilter();
  /** Words that end a trigger or are an honorific: a name may follow them ("is", "named", "docteur"). */
  readonly tailFilter = newFilter();
  /** Arabic words that may start a name with no context word before them: given names, عبد. */
  readonly openFilter = newFilter();
  /** Lower-case particles that may start a name: "de Gaulle", "van der Merwe". */
  readonly particleFilter = newFilter();
  /**
   * Arabic words of the basic block (U+0621–U+064A) by their first three letters, last letter and
   * length (alef forms folded): could the word be in the open or tail filter? Most words of Arabic
   * prose are ruled out by it before any hashing.
   */
  readonly arabicShapes = newFilter();
  /** For a lower-case ASCII first letter: one bit per length of a trigger word starting with it. */
  readonly lowerCaseLengths = new Int32Array(26);
  /**
   * For the words of the tail and particle filters in ASCII letters, by first and last letter, one
   * bit per length: most words before a capitalised word ("the", "in", "with") are ruled out by one
   * read, before any hashing.
   */
  readonly tailShapes = new WordShapes();

  markTailShapes(): void {
    for (const entry of this.entries) {
      const hash = hashOfFolded(entry.word);
      if (marked(this.tailFilter, hash) || marked(this.particleFilter, hash)) this.tailShapes.add(entry.word);
    }
  }

  /** Fills arabicShapes from the Arabic words in the open and tail filters, and و before a given name. */
  markArabicShapes(): void {
    for (const entry of this.entries) {
      const word = entry.word;
      const first = word.charCodeAt(0);
      if (first < 0x621 || first > 0x64a) continue;
      const hash = hashOfFolded(word);
      if (marked(this.openFilter, hash) || marked(this.tailFilter, hash))
        mark(this.arabicShapes, arabicShape(word, 0, word.length));
      if (entry.mask & arabicGiven) mark(this.arabicShapes, arabicShape(`و${word}`, 0, word.length + 1));
    }
  }

  setLatinGiven(names: readonly string[]): void {
    // Each name also without its accents, so that "Leïla", "Leila" and "Léïla" all meet.
    const keys = names.map(foldWord);
    for (const key of names.map(foldWord)) {
      const plain = withoutAccents(key);
      if (plain !== key) keys.push(plain);
    }
    this.latinGiven = new Set(keys);
    for (const key of keys) mark(this.givenFilter, hashOfFolded(key));
  }

  /**
   * Marks the words with one of bits in startFilter, those with tailBits in tailFilter, and the
   * lengths of those with lowerCaseBits in lowerCaseLengths.
   */
  markStarters(bits: number, tailBits: number, lowerCaseBits: number): void {
    for (const entry of this.entries) {
      const hash = hashOfFolded(entry.word);
      if (entry.mask & (arabicGiven | arabicServant)) mark(this.openFilter, hash);
      if (entry.mask & particle) mark(this.particleFilter, hash);
      if (!(entry.mask & bits)) continue;
      mark(this.startFilter, hash);
      if (entry.mask & tailBits) mark(this.tailFilter, hash);
      if (!(entry.mask & lowerCaseBits)) continue;
      const first = entry.word.charCodeAt(0);
      if (first >= 97 && first <= 122) this.lowerCaseLengths[first - 97]! |= 1 << Math.min(entry.word.length, 31);
    }
  }

  addTrigger(trigger: Trigger): void {
    // "my name's": a token is looked up without its possessive 's, so the phrase's word is too.
    const key = (word: string): string => (/^.{2,}['’]s$/.test(word) ? word.slice(0, -2) : word);
    const words = trigger.phrase.split(' ').map((word) => (word === ':' ? -1 : this.add(key(word), 0).id));
    const head = this.entries[words[0]!]!;
    head.mask |= triggerHead;
    const lastWord = words.filter((id) => id >= 0).pop()!;
    mark(this.tailFilter, hashOfFolded(this.entries[lastWord]!.word));
    const compiled: CompiledTrigger = {
      words,
      strength: trigger.strength,
      patient: head.word === 'patient' || head.word === 'patiente',
      lowerCase: trigger.lowerCase === true,
    };
    const list = this.triggers[head.id];
    if (!list) {
      while (this.triggers.length < head.id) this.triggers.push(undefined);
      this.triggers[head.id] = [compiled];
    } else {
      // Longest first, so that a match is the longest one ("best regards" before "best").
      list.push(compiled);
      list.sort((a, b) => b.words.length - a.words.length);
    }
  }
}

/** Arabic prefixes a honorific or trigger may carry: "والسيد", "بالدكتور", "للمريض". */
function arabicPrefixed(word: string): string[] {
  const forms = [word, `و${word}`, `ف${word}`];
  if (word.startsWith('ال'))
    forms.push(`ب${word}`, `ك${word}`, `لل${word.slice(2)}`, `ول${word.slice(1)}`, `وب${word}`);
  return forms;
}

/** Spellings of an Arabic name as people also write it: a final ة as ه, a final ى as ي. */
function arabicVariants(name: string): string[] {
  const forms = [name];
  if (name.endsWith('ة')) forms.push(`${name.slice(0, -1)}ه`);
  if (name.endsWith('ى')) forms.push(`${name.slice(0, -1)}ي`);
  return forms;
}

let vocabulary: NameVocabulary | undefined;

/** The vocabulary, built on the first call. */
export function nameVocabulary(): NameVocabulary {
  return (vocabulary ??= buildVocabulary());
}

function buildVocabulary(): NameVocabulary {
  const lists = givenNameLists();
  const words = new NameVocabulary();
  // Stop words first, so a name variant that collides with one (منى → مني "from me") is skipped.
  for (const word of arabicStopWords) words.add(word, arabicStop);
  words.setLatinGiven(lists.latin);
  for (const name of lists.latinNeedingContext) words.add(name, needsContext);
  for (const word of nonNameWords) words.add(word, nonName);
  for (const word of organisationWords) words.add(word, organisation);
  for (const word of placeNames) words.add(word, place);
  for (const word of placeIntroducers) words.add(word, placeIntroducer);
  for (const word of latinHonorifics) words.add(word, honorific);
  for (const word of honorificsNeedingDot) words.add(word, needsDot);
  for (const word of afterNameThings) words.add(word, afterNameThing);
  for (const word of generationSuffixes) words.add(word, generationSuffix);
  for (const word of lowerCaseHonorifics) words.add(word, lowerCaseHonorific);
  for (const word of latinTitles) words.add(word, title);
  for (const word of latinNameParticles) words.add(word, particle);
  for (const word of latinCapitalParticles) words.add(word, capitalParticle);
  for (const name of lists.arabic) {
    for (const form of arabicVariants(name)) {
      const existing = words.add(form, 0);
      if (form === name || !(existing.mask & arabicStop)) existing.mask |= arabicGiven;
    }
  }
  for (const name of lists.arabicNeedingContext)
    for (const form of arabicVariants(name)) words.add(form, arabicNeedsContext);
  for (const name of lists.arabicFamily) words.add(name, arabicFamily);
  for (const word of lists.arabicNisbaAdjectives) words.add(word, arabicAdjective);
  for (const word of arabicHonorifics) for (const form of arabicPrefixed(word)) words.add(form, arabicHonorific);
  for (const word of arabicWeakHonorifics)
    for (const form of arabicPrefixed(word)) words.add(form, arabicWeakHonorific);
  for (const word of arabicAbbreviatedHonorifics) words.add(word, arabicAbbreviatedHonorific);
  for (const word of arabicPlaceIntroducers)
    for (const form of arabicPrefixed(word)) words.add(form, arabicPlaceIntroducer);
  for (const word of arabicInnerTitles) words.add(word, arabicInnerTitle);
  for (const word of arabicNameParticles) words.add(word, arabicParticle);
  for (const word of arabicHonorificAdjectives) words.add(word, arabicHonorificAdjective | arabicStop);
  words.add('عبد', arabicServant);
  words.add('الدين', arabicReligion);
  for (const word of rolePrepositions) words.add(word, rolePreposition);
  // "Claude Opus", "Gemini Pro": in a prompt, an assistant's name is not a person's.
  for (const word of assistantNames) words.add(word, assistant | needsContext);
  for (const trigger of latinTriggers) words.addTrigger(trigger);
  for (const trigger of latinRoleTriggers) words.addTrigger(trigger);
  for (const trigger of arabicTriggers) words.addTrigger(trigger);
  words.addTrigger({ phrase: 'يا', strength: 'salutation' });
  // Trigger words in the tail filter are the last of each phrase (addTrigger marks them).
  const starters =
    given |
    honorific |
    title |
    triggerHead |
    lowerCaseHonorific |
    arabicGiven |
    arabicHonorific |
    arabicAbbreviatedHonorific |
    arabicServant;
  words.markStarters(
    starters,
    lowerCaseHonorific | honorific | title | arabicHonorific | arabicWeakHonorific | arabicAbbreviatedHonorific,
    triggerHead | lowerCaseHonorific,
  );
  words.markArabicShapes();
  words.markTailShapes();
  return words;
}

/** أ إ آ as ا: the folding of the letters of a shape. */
const alefFolded = (code: number): number => (code === 0x623 || code === 0x625 || code === 0x622 ? 0x627 : code);

/**
 * The shape of the Arabic word text[start, end) (basic block, no diacritics): a hash of its first three letters, last
 * letter and length.
 */
export function arabicShape(text: string, start: number, end: number): number {
  const length = end - start;
  let shape = Math.imul(0x811c9dc5 ^ alefFolded(text.charCodeAt(start)), 0x01000193);
  shape = Math.imul(shape ^ (length > 1 ? alefFolded(text.charCodeAt(start + 1)) : 0), 0x01000193);
  shape = Math.imul(shape ^ (length > 2 ? alefFolded(text.charCodeAt(start + 2)) : 0), 0x01000193);
  shape = Math.imul(shape ^ alefFolded(text.charCodeAt(end - 1)), 0x01000193);
  return Math.imul(shape ^ length, 0x01000193) & 0x3fffffff;
}
