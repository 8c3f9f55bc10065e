// pii.name: personal names in English, French and Arabic text, found deterministically: a name
// introduced by an honorific, a phrase ("my name is", "اسمي"), a salutation or a sign-off, or a
// listed given name followed by a family name. Linear time: a native character-class scan finds the
// capitalised words worth a look, the text around them is tokenised once, and each token is tried
// with a bounded look-ahead and allocation-free hashed look-ups. Pure: the word lists are module
// data, loaded once at first use.
import type { Span } from './span.js';
import {
  arabicAbbreviatedHonorifics,
  arabicHonorifics,
  arabicInnerTitles,
  arabicNameParticles,
  arabicPlaceIntroducers,
  arabicStopWords,
  arabicTriggers,
  arabicWeakHonorifics,
  assistantNames,
  honorificsNeedingDot,
  latinCapitalParticles,
  latinHonorifics,
  latinNameParticles,
  latinTitles,
  latinTriggers,
  nonNameWords,
  organisationWords,
  placeIntroducers,
  placeNames,
  type Trigger,
  type TriggerStrength,
} from './data/name-context.js';
import { givenNameLists } from './given-names.js';

const label = 'pii.name';

// ---------------------------------------------------------------------------------------------
// Folding and hashing: a word is looked up by the FNV-1a hash of its folded code units (Latin lower
// case, ’ as ', Arabic without diacritics or tatweel and with one alef), then confirmed code unit by
// code unit, so a look-up allocates nothing.

/** The folded code unit, or -1 for one that does not count (an Arabic diacritic). */
function fold(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  if (code >= 0xc0 && code <= 0xde) return code === 0xd7 ? code : code + 32;
  if (code >= 0x100 && code <= 0x17f) {
    if (code <= 0x137 || (code >= 0x14a && code <= 0x177)) return code % 2 === 0 ? code + 1 : code;
    if ((code >= 0x139 && code <= 0x148) || (code >= 0x179 && code <= 0x17e)) return code % 2 === 1 ? code + 1 : code;
    return code === 0x178 ? 0xff : code;
  }
  if (code === 0x2019 || code === 0x2018 || code === 0x2bc) return 39;
  if (code === 0x2010 || code === 0x2011) return 45;
  if ((code >= 0x64b && code <= 0x65f) || code === 0x670 || code === 0x640) return -1;
  if (code === 0x623 || code === 0x625 || code === 0x622 || code === 0x671) return 0x627;
  if (code === 0x6cc) return 0x64a;
  if (code === 0x6a9) return 0x643;
  return code;
}

const hashSeed = 0x811c9dc5;
const step = (hash: number, code: number): number => Math.imul(hash ^ code, 0x01000193);
const finish = (hash: number): number => hash & 0x3fffffff;

function hashRange(text: string, start: number, end: number): number {
  let hash = hashSeed;
  for (let index = start; index < end; index += 1) {
    const raw = text.charCodeAt(index);
    // Lower-case ASCII and plain Arabic letters fold to themselves.
    const code = (raw >= 97 && raw <= 122) || (raw >= 0x626 && raw <= 0x63a) || (raw >= 0x641 && raw <= 0x64a) || raw === 0x624 ? raw : fold(raw);
    if (code >= 0) hash = step(hash, code);
  }
  return finish(hash);
}

const nonAscii = /[^\u0000-\u007f]/;

/** The folded form of a Latin word, by native lower-casing when it is ASCII. */
function latinKey(word: string): string {
  return nonAscii.test(word) ? foldWord(word) : word.toLowerCase();
}

function foldWord(word: string): string {
  // Most listed words are ASCII, where folding is lower-casing.
  let ascii = true;
  for (let index = 0; index < word.length && ascii; index += 1) ascii = word.charCodeAt(index) < 128;
  if (ascii) return word.toLowerCase();
  let folded = '';
  for (let index = 0; index < word.length; index += 1) {
    const code = fold(word.charCodeAt(index));
    if (code >= 0) folded += String.fromCharCode(code);
  }
  return folded;
}

interface Entry {
  /** The folded word. */
  word: string;
  mask: number;
  id: number;
  /** The next entry with the same hash. */
  next: Entry | undefined;
}

// Word categories, one bit each; a word may have several.
const given = 1 << 0;
const needsContext = 1 << 1;
const nonName = 1 << 2;
const organisation = 1 << 3;
const place = 1 << 4;
const placeIntroducer = 1 << 5;
const honorific = 1 << 6;
const title = 1 << 7;
const particle = 1 << 8;
const capitalParticle = 1 << 9;
const triggerHead = 1 << 10;
const arabicGiven = 1 << 11;
const arabicNeedsContext = 1 << 12;
const arabicFamily = 1 << 13;
const arabicAdjective = 1 << 14;
const arabicStop = 1 << 15;
const arabicHonorific = 1 << 16;
const arabicWeakHonorific = 1 << 17;
const arabicPlaceIntroducer = 1 << 18;
const arabicInnerTitle = 1 << 19;
const arabicParticle = 1 << 20;
const arabicAbbreviatedHonorific = 1 << 21;
const needsDot = 1 << 22;
const arabicServant = 1 << 23;
const arabicReligion = 1 << 24;
const vocative = 1 << 25;
const assistant = 1 << 26;
const lowerCaseHonorific = 1 << 27;
const streetAbbreviationToo = 1 << 28;
/** After a name: a day, an award, a building named after the person ("… Day", "… Prize", "… Hall"). */
const afterNameThing = 1 << 29;
const generationSuffix = 1 << 30;

interface CompiledTrigger {
  /** Entry ids of the words; -1 stands for a required colon. */
  words: number[];
  strength: TriggerStrength;
  /** "patient": one unknown capitalised word after the lower-case trigger is enough. */
  patient: boolean;
}

/**
 * Bit sets over the low 20 bits of word hashes: with some 12,000 listed words about 1% of other
 * words pass by chance, so most capitalised words of prose cost one read.
 */
const filterBits = 20;
const filterWords = (1 << filterBits) >>> 5;
const filterMask = (1 << filterBits) - 1;
const mark = (filter: Uint32Array, hash: number): void => {
  const bit = hash & filterMask;
  filter[bit >>> 5]! |= 1 << (bit & 31);
};
const marked = (filter: Uint32Array, hash: number): boolean => {
  const bit = hash & filterMask;
  return (filter[bit >>> 5]! & (1 << (bit & 31))) !== 0;
};

class Vocabulary {
  private readonly byHash = new Map<number, Entry>();
  /**
   * The Latin-script given names, folded, in a native set: some 10,000 names built with native
   * calls keep the first call's load short, where a hashed entry each would cost more.
   */
  latinGiven = new Set<string>();
  /** The hashes of those names in a bit set, so that most other words never build a string. */
  readonly givenFilter = new Uint32Array(filterWords);

  setLatinGiven(names: readonly string[]): void {
    const keys = names.map(latinKey);
    this.latinGiven = new Set(keys);
    for (const key of keys) mark(this.givenFilter, finish(hashOfFolded(key)));
  }
  readonly entries: Entry[] = [];
  readonly triggers = new Map<number, CompiledTrigger[]>();
  /** One bit per low 16 bits of the hash of a word that can start or introduce a name. */
  readonly startFilter = new Uint32Array(filterWords);
  /** One bit per low 16 bits of the hash of a word that ends a trigger: "is", "named", "docteur". */
  readonly tailFilter = new Uint32Array(filterWords);
  /** For a lower-case ASCII first letter: one bit per length of a trigger word starting with it. */
  readonly lowerCaseLengths = new Int32Array(26);

  /**
   * Marks the words with one of bits in startFilter, those with tailBits in tailFilter (a word
   * before a name), and the lengths of those with lowerCaseBits in lowerCaseLengths.
   */
  markStarters(bits: number, tailBits: number, lowerCaseBits: number): void {
    for (const entry of this.entries) {
      if (!(entry.mask & bits)) continue;
      const hash = finish(hashOfFolded(entry.word));
      mark(this.startFilter, hash);
      if (entry.mask & tailBits) mark(this.tailFilter, hash);
      if (!(entry.mask & lowerCaseBits)) continue;
      const first = entry.word.charCodeAt(0);
      if (first >= 97 && first <= 122) this.lowerCaseLengths[first - 97]! |= 1 << Math.min(entry.word.length, 31);
    }
  }

  add(word: string, mask: number): Entry {
    // One pass for an ASCII word (nearly all of the listed names): lower case and hash together.
    let hash = hashSeed;
    let ascii = true;
    for (let index = 0; index < word.length; index += 1) {
      let code = word.charCodeAt(index);
      if (code >= 128) {
        ascii = false;
        break;
      }
      if (code >= 65 && code <= 90) code += 32;
      hash = step(hash, code);
    }
    const folded = ascii ? word.toLowerCase() : foldWord(word);
    if (!ascii) hash = hashOfFolded(folded);
    hash = finish(hash);
    let entry = this.byHash.get(hash);
    while (entry) {
      if (entry.word === folded) {
        entry.mask |= mask;
        return entry;
      }
      entry = entry.next;
    }
    const created: Entry = { word: folded, mask, id: this.entries.length, next: this.byHash.get(hash) };
    this.byHash.set(hash, created);
    this.entries.push(created);
    return created;
  }

  /** The entry for text[start, end) whose hash is given, or undefined. */
  find(text: string, start: number, end: number, hash: number): Entry | undefined {
    let entry = this.byHash.get(hash);
    while (entry) {
      if (sameFolded(text, start, end, entry.word)) return entry;
      entry = entry.next;
    }
    return undefined;
  }

  addTrigger(trigger: Trigger): void {
    const words = trigger.phrase.split(' ').map((word) => (word === ':' ? -1 : this.add(word, 0).id));
    const head = this.entries[words[0]!]!;
    head.mask |= triggerHead;
    const lastWord = words.filter((id) => id >= 0).pop()!;
    mark(this.tailFilter, finish(hashOfFolded(this.entries[lastWord]!.word)));
    const compiled: CompiledTrigger = { words, strength: trigger.strength, patient: head.word === 'patient' || head.word === 'patiente' };
    const list = this.triggers.get(head.id);
    if (list) list.push(compiled);
    else this.triggers.set(head.id, [compiled]);
  }
}

function hashOfFolded(folded: string): number {
  let hash = hashSeed;
  for (let index = 0; index < folded.length; index += 1) hash = step(hash, folded.charCodeAt(index));
  return hash;
}

function sameFolded(text: string, start: number, end: number, word: string): boolean {
  let position = 0;
  for (let index = start; index < end; index += 1) {
    const code = fold(text.charCodeAt(index));
    if (code < 0) continue;
    if (position >= word.length || word.charCodeAt(position) !== code) return false;
    position += 1;
  }
  return position === word.length;
}

/** Arabic prefixes a honorific or trigger may carry: "والسيد", "بالدكتور", "للمريض". */
function arabicPrefixed(word: string): string[] {
  const forms = [word, `و${word}`, `ف${word}`];
  if (word.startsWith('ال')) forms.push(`ب${word}`, `ك${word}`, `لل${word.slice(2)}`, `ول${word.slice(1)}`, `وب${word}`);
  return forms;
}

/** Spellings of an Arabic name as people also write it: a final ة as ه, a final ى as ي. */
function arabicVariants(name: string): string[] {
  const forms = [name];
  if (name.endsWith('ة')) forms.push(`${name.slice(0, -1)}ه`);
  if (name.endsWith('ى')) forms.push(`${name.slice(0, -1)}ي`);
  return forms;
}

let vocabulary: Vocabulary | undefined;

function buildVocabulary(): Vocabulary {
  const lists = givenNameLists();
  const words = new Vocabulary();
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
  words.add('dr', streetAbbreviationToo);
  for (const word of ['day', 'week', 'award', 'awards', 'prize', 'medal', 'lecture', 'lectures', 'fellowship', 'scholarship', 'hall', 'house', 'park', 'square', 'bridge', 'tunnel', 'library', 'stadium', 'arena', 'festival', 'cup', 'trophy', 'effect', 'law', 'theorem', 'principle', 'equation', 'method', 'test', 'scale', 'index', 'model', 'model', 'estate', 'gardens', 'tower', 'building', 'way', 'lane', 'court', 'close', 'place']) words.add(word, afterNameThing);
  for (const word of ['jr', 'sr', 'junior', 'senior', 'ii', 'iii', 'iv']) words.add(word, generationSuffix);
  // "le docteur Martin", "j'ai vu madame Dupont": written in lower case in running French text.
  for (const word of ['monsieur', 'madame', 'mademoiselle', 'docteur', 'professeur', 'maître', 'doctor', 'professor']) words.add(word, lowerCaseHonorific);
  for (const word of latinTitles) words.add(word, title);
  for (const word of latinNameParticles) words.add(word, particle);
  for (const word of latinCapitalParticles) words.add(word, capitalParticle);
  for (const name of lists.arabic) {
    for (const form of arabicVariants(name)) {
      const existing = words.add(form, 0);
      if (form === name || !(existing.mask & arabicStop)) existing.mask |= arabicGiven;
    }
  }
  for (const name of lists.arabicNeedingContext) for (const form of arabicVariants(name)) words.add(form, arabicNeedsContext);
  for (const name of lists.arabicFamily) words.add(name, arabicFamily);
  for (const word of lists.arabicNisbaAdjectives) words.add(word, arabicAdjective);
  for (const word of arabicHonorifics) for (const form of arabicPrefixed(word)) words.add(form, arabicHonorific);
  for (const word of arabicWeakHonorifics) for (const form of arabicPrefixed(word)) words.add(form, arabicWeakHonorific);
  for (const word of arabicAbbreviatedHonorifics) words.add(word, arabicAbbreviatedHonorific);
  for (const word of arabicPlaceIntroducers) for (const form of arabicPrefixed(word)) words.add(form, arabicPlaceIntroducer);
  for (const word of arabicInnerTitles) words.add(word, arabicInnerTitle);
  for (const word of arabicNameParticles) words.add(word, arabicParticle);
  words.add('عبد', arabicServant);
  words.add('الدين', arabicReligion);
  words.add('يا', vocative);
  // "Claude Opus", "Gemini Pro": in a prompt, an assistant's name is not a person's.
  for (const word of assistantNames) words.add(word, assistant | needsContext);
  for (const trigger of latinTriggers) words.addTrigger(trigger);
  for (const trigger of arabicTriggers) words.addTrigger(trigger);
  words.addTrigger({ phrase: 'يا', strength: 'salutation' });
  words.markStarters(given | honorific | title | triggerHead | lowerCaseHonorific | arabicGiven | arabicHonorific | arabicAbbreviatedHonorific | arabicServant, triggerHead | lowerCaseHonorific | honorific | title, triggerHead | lowerCaseHonorific);
  return words;
}

// ---------------------------------------------------------------------------------------------
// Tokens: words (Latin or Arabic script, with inner apostrophes and hyphens), digit runs, and single
// punctuation characters, in typed arrays reused between calls.

const latinWord = 1;
const arabicWord = 2;
const numberToken = 3;
const punctuation = 4;

// Flags, above the three kind bits; a punctuation token keeps its character above bit 16.
const capitalised = 1 << 3;
const allCapitals = 1 << 4;
const newlineBefore = 1 << 5;
const spaceBefore = 1 << 6;
const hyphenated = 1 << 7;
const possessive = 1 << 8;
const segmentsCapitalised = 1 << 9;
const prefixedCapital = 1 << 10;
const startsWithArticle = 1 << 11;
const endsWithYa = 1 << 12;
/** A capital after a lower-case letter, past a name prefix (Mc, Mac, De, O'…): "NodeJS", "GiB". */
const innerCapital = 1 << 13;

let capacity = 0;
let starts: Int32Array = new Int32Array(0);
let ends: Int32Array = new Int32Array(0);
let info: Int32Array = new Int32Array(0);
/** The hash of each word, computed when first needed (-1 until then). */
let hashes: Int32Array = new Int32Array(0);
let entryIds: Int32Array = new Int32Array(0);
let masks: Int32Array = new Int32Array(0);
let count = 0;

function ensureCapacity(needed: number): void {
  if (needed <= capacity && (capacity <= 65536 || needed * 4 > capacity)) return;
  capacity = Math.max(needed, 256);
  starts = new Int32Array(capacity);
  ends = new Int32Array(capacity);
  info = new Int32Array(capacity);
  hashes = new Int32Array(capacity);
  entryIds = new Int32Array(capacity);
  masks = new Int32Array(capacity);
}

function isLatinLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) || (code >= 0x1e00 && code <= 0x1eff) || (code >= 0x300 && code <= 0x36f);
}

function isArabicLetter(code: number): boolean {
  return (code >= 0x621 && code <= 0x65f) || (code >= 0x66e && code <= 0x6d3) || code === 0x6d5 || (code >= 0xfb50 && code <= 0xfdff) || (code >= 0xfe70 && code <= 0xfefc);
}

/** Diacritics and tatweel, which do not count as letters of a word. */
function isArabicMark(code: number): boolean {
  return (code >= 0x64b && code <= 0x65f) || code === 0x670 || code === 0x640;
}

function isDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 0x660 && code <= 0x669) || (code >= 0x6f0 && code <= 0x6f9);
}

function isUpper(code: number): boolean {
  if (code < 128) return code >= 65 && code <= 90;
  return fold(code) !== code && code < 0x250;
}

function isApostrophe(code: number): boolean {
  return code === 39 || code === 0x2019 || code === 0x2bc;
}

function isHyphen(code: number): boolean {
  return code === 45 || code === 0x2010 || code === 0x2011;
}

function isNewline(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029 || code === 0x85;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 0xa0 || code === 11 || code === 12 || (code >= 0x2000 && code <= 0x200b) || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff || code === 0x200c || code === 0x200d;
}

/** McDonald, MacArthur, DeShawn, LeBron, DiCaprio, VanDyke: a capital after these is a name's. */
function namePrefix(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > 4) return false;
  const first = text.charCodeAt(start) | 32;
  const second = length > 1 ? text.charCodeAt(start + 1) | 32 : 0;
  const third = length > 2 ? text.charCodeAt(start + 2) | 32 : 0;
  if (length === 2) return (first === 109 && second === 99) || (first === 100 && (second === 101 || second === 105 || second === 97)) || (first === 108 && (second === 101 || second === 97));
  if (length === 3) return (first === 109 && second === 97 && third === 99) || (first === 118 && second === 97 && third === 110) || (first === 118 && second === 111 && third === 110);
  return length === 4 && first === 102 && second === 105 && third === 116 && (text.charCodeAt(start + 3) | 32) === 122;
}

/**
 * Appends the tokens of text[from, to), both word boundaries. After a gap (text left out), the first
 * token counts as starting a line, so that no phrase or name runs across the gap.
 */
function tokenizeRange(text: string, from: number, to: number, gap: boolean): void {
  const first = count;
  tokenizeInto(text, from, to, gap);
  // Hashes and look-ups are filled in when first needed.
  hashes.fill(-1, first, count);
  entryIds.fill(-2, first, count);
  masks.fill(-1, first, count);
  // Two empty tokens after the last, so that a look-ahead past the end reads nothing left over
  // from an earlier call.
  while (count + 2 > capacity) grow();
  info[count] = 0;
  info[count + 1] = 0;
}

function tokenizeInto(text: string, from: number, to: number, gap: boolean): void {
  let pendingNewline = gap || from === 0;
  let pendingSpace = true;
  const length = to;
  let index = from;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === 32) {
      pendingSpace = true;
      index += 1;
      continue;
    }
    if (isNewline(code)) {
      pendingNewline = true;
      pendingSpace = true;
      index += 1;
      continue;
    }
    if (isSpace(code)) {
      pendingSpace = true;
      index += 1;
      continue;
    }
    if (count >= capacity) grow();
    let flags = (pendingNewline ? newlineBefore : 0) | (pendingSpace ? spaceBefore : 0);
    pendingNewline = false;
    pendingSpace = false;
    const start = index;
    if (isLatinLetter(code)) {
      // The common case, a run of lower-case ASCII letters, costs one comparison a character;
      // hashes are computed later, only for the words that are looked up.
      let uppers = 0;
      let sawLower = false;
      let allSegmentsCapitalised = true;
      let firstConnector = -1;
      let lastApostrophe = -1;
      let segmentBegin = index;
      for (;;) {
        const first = text.charCodeAt(index);
        if (isUpper(first)) uppers += 1;
        else {
          allSegmentsCapitalised = false;
          sawLower = true;
        }
        index += 1;
        while (index < length) {
          const current = text.charCodeAt(index);
          if (current >= 97 && current <= 122) {
            sawLower = true;
            index += 1;
            continue;
          }
          if (!isLatinLetter(current)) break;
          if (isUpper(current)) {
            uppers += 1;
            // "NodeJS", "iPhone", but "McDonald", "DeShawn"
            const previous = text.charCodeAt(index - 1);
            if (((previous >= 97 && previous <= 122) || (previous >= 0xdf && previous <= 0xff)) && !namePrefix(text, segmentBegin, index)) flags |= innerCapital;
          } else sawLower = true;
          index += 1;
        }
        if (index + 1 < length) {
          const next = text.charCodeAt(index);
          if ((isApostrophe(next) || isHyphen(next)) && isLatinLetter(text.charCodeAt(index + 1))) {
            if (firstConnector < 0) firstConnector = index - start;
            if (isHyphen(next)) flags |= hyphenated;
            else lastApostrophe = index;
            index += 1;
            segmentBegin = index;
            continue;
          }
        }
        break;
      }
      const end = index;
      if (isUpper(code)) flags |= capitalised;
      if (uppers >= 2 && !sawLower) flags |= allCapitals;
      if (allSegmentsCapitalised) flags |= segmentsCapitalised;
      // "Smith's": looked up as "Smith", and the span leaves the 's out.
      if (lastApostrophe === end - 2 && (text.charCodeAt(end - 1) | 32) === 115 && end - start > 3) flags |= possessive;
      // "d'Artagnan", "al-Rashid": a lower-case particle glued to a capitalised name.
      if (firstConnector > 0 && firstConnector <= 2 && isUpper(text.charCodeAt(start + firstConnector + 1))) {
        const first = text.charCodeAt(start) | 32;
        const second = firstConnector === 2 ? text.charCodeAt(start + 1) | 32 : 0;
        if ((firstConnector === 1 && first === 100) || (firstConnector === 2 && (first === 97 || first === 101) && second === 108)) flags |= prefixedCapital;
      }
      info[count] = latinWord | flags;
    } else if (isArabicLetter(code)) {
      index += 1;
      for (; index < length; index += 1) {
        const current = text.charCodeAt(index);
        if ((current < 0x621 || current > 0x652) && !isArabicLetter(current)) break;
      }
      // The article and the final ي, looking past diacritics: "الْعُتَيْبِيّ".
      let second = start + 1;
      while (second < index && isArabicMark(text.charCodeAt(second))) second += 1;
      let last = index - 1;
      while (last > start && isArabicMark(text.charCodeAt(last))) last -= 1;
      const first = code;
      if ((first === 0x627 || first === 0x623 || first === 0x625 || first === 0x622) && second < index && text.charCodeAt(second) === 0x644) flags |= startsWithArticle;
      const final = text.charCodeAt(last);
      if (final === 0x64a || final === 0x6cc) flags |= endsWithYa;
      info[count] = arabicWord | flags;
    } else if (isDigit(code)) {
      index += 1;
      while (index < length && isDigit(text.charCodeAt(index))) index += 1;
      info[count] = numberToken | flags;
    } else {
      index += 1;
      info[count] = punctuation | flags | (code << 16);
    }
    starts[count] = start;
    ends[count] = index;
    count += 1;
  }
}

function grow(): void {
  const bigger = capacity * 2;
  const copy = (from: Int32Array): Int32Array => {
    const to = new Int32Array(bigger);
    to.set(from);
    return to;
  };
  starts = copy(starts);
  ends = copy(ends);
  info = copy(info);
  hashes = copy(hashes);
  entryIds = copy(entryIds);
  masks = copy(masks);
  capacity = bigger;
}

// ---------------------------------------------------------------------------------------------
// Token predicates

let text = '';
let words: Vocabulary;

const kindOf = (index: number): number => info[index]! & 7;
const has = (index: number, flag: number): boolean => (info[index]! & flag) !== 0;
const charOf = (index: number): number => (index >= 0 && index < count && kindOf(index) === punctuation ? info[index]! >>> 16 : -1);
const keyEnd = (index: number): number => (has(index, possessive) ? ends[index]! - 2 : ends[index]!);
const lengthOf = (index: number): number => keyEnd(index) - starts[index]!;

function hashOf(index: number): number {
  let hash = hashes[index]!;
  if (hash < 0) {
    hash = hashRange(text, starts[index]!, keyEnd(index));
    hashes[index] = hash;
  }
  return hash;
}

/** Can this word start a name or introduce one? One bitmap read, before any map look-up. */
function mayStart(index: number): boolean {
  if (marked(words.startFilter, hashOf(index))) return true;
  return kindOf(index) === latinWord && has(index, capitalised) && (maskOf(index) & given) !== 0;
}

/** Looks the word up once; its entry id and mask are kept with the token. */
function lookUp(index: number): void {
  const kind = kindOf(index);
  const entry = kind === latinWord || kind === arabicWord ? words.find(text, starts[index]!, keyEnd(index), hashOf(index)) : undefined;
  entryIds[index] = entry ? entry.id : -1;
  let mask = entry ? entry.mask : 0;
  if (kind === latinWord && has(index, capitalised) && marked(words.givenFilter, hashOf(index)) && isLatinGiven(starts[index]!, keyEnd(index))) mask |= given;
  masks[index] = mask;
}

/** Is text[start, end) a listed Latin-script given name? */
function isLatinGiven(start: number, end: number): boolean {
  if (end - start < 2 || end - start > 20) return false;
  return words.latinGiven.has(latinKey(text.slice(start, end)));
}

function entryOf(index: number): Entry | undefined {
  if (entryIds[index] === -2) lookUp(index);
  const id = entryIds[index]!;
  return id >= 0 ? words.entries[id] : undefined;
}

function maskOf(index: number): number {
  let mask = masks[index]!;
  if (mask < 0) {
    lookUp(index);
    mask = masks[index]!;
  }
  return mask;
}

/** Same line as the token before it, and no punctuation between: words of one phrase. */
const joined = (index: number): boolean => index < count && !has(index, newlineBefore);

/** Just after the end of a sentence: "Thanks for your help. Best regards, Sam". */
function afterSentence(index: number): boolean {
  const character = characterBefore(starts[index]!);
  return character === 46 || character === 33 || character === 63;
}

/** The last character before position that is not a space, or -1 at the start of the text. */
function characterBefore(position: number): number {
  let before = position - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
  return before < 0 ? -1 : text.charCodeAt(before);
}

function atLineStart(index: number): boolean {
  const previous = characterBefore(starts[index]!);
  if (previous < 0 || isNewline(previous)) return true;
  const before = index - 1;
  if (before < 0 || has(index, newlineBefore) || kindOf(before) !== punctuation) return false;
  const character = charOf(before);
  // Bullets, table bars, quotes and brackets may open a line of a form.
  if (character === 46 || character === 44) return false;
  const lineStart = characterBefore(starts[before]!);
  return lineStart < 0 || isNewline(lineStart) || character === 124 || character === 59;
}

/** The first part of a hyphenated word names a saint, so the word is a place: "Saint-Denis". */
function saintCompound(index: number): boolean {
  if (!has(index, hyphenated)) return false;
  const entry = segmentEntry(index);
  return entry !== undefined && (entry.mask & placeIntroducer) !== 0;
}

function segmentMayStart(index: number): boolean {
  const start = starts[index]!;
  let end = start;
  while (end < ends[index]! && !isHyphen(text.charCodeAt(end)) && !isApostrophe(text.charCodeAt(end))) end += 1;
  const hash = hashRange(text, start, end);
  return marked(words.startFilter, hash) || (marked(words.givenFilter, hash) && isLatinGiven(start, end));
}

/** The end of a hyphenated word's first part: "Jean" in "Jean-Pierre". */
function segmentEnd(index: number): number {
  const start = starts[index]!;
  let end = start;
  while (end < ends[index]! && !isHyphen(text.charCodeAt(end)) && !isApostrophe(text.charCodeAt(end))) end += 1;
  return end;
}

function segmentEntry(index: number): Entry | undefined {
  const start = starts[index]!;
  let end = start;
  while (end < ends[index]! && !isHyphen(text.charCodeAt(end)) && !isApostrophe(text.charCodeAt(end))) end += 1;
  return words.find(text, start, end, hashRange(text, start, end));
}

/** A listed given name, by the whole word or, for "Jean-Pierre", "Marie-Hélène", its first part. */
function givenMask(index: number): number {
  if (!has(index, capitalised)) return 0;
  const mask = maskOf(index);
  if (mask & given) return mask;
  if (has(index, hyphenated) && has(index, segmentsCapitalised) && marked(words.givenFilter, hashRange(text, starts[index]!, segmentEnd(index))) && isLatinGiven(starts[index]!, segmentEnd(index))) {
    const segment = segmentEntry(index);
    if (!segment || !(segment.mask & placeIntroducer)) return (segment ? segment.mask : 0) | given;
  }
  return 0;
}

const isPunctuation = (index: number, character: number): boolean => index < count && kindOf(index) === punctuation && charOf(index) === character;

/** Ends a phrase: a punctuation mark, a line break or the end of the text. */
function endsPhrase(index: number): boolean {
  if (index >= count || has(index, newlineBefore)) return true;
  if (kindOf(index) !== punctuation) return false;
  const character = charOf(index);
  // "Node.js", "Report.docx": a dot glued to a word on both sides does not end anything.
  if (character === 46 && index + 1 < count && !has(index + 1, spaceBefore) && kindOf(index + 1) === latinWord) return false;
  return character !== 45 && character !== 39 && character !== 0x2019 && character !== 38;
}

// ---------------------------------------------------------------------------------------------
// Latin-script names

/** A word that can be part of a name at this position of it. */
function latinNameWord(index: number, position: number, afterTrigger: boolean): boolean {
  if (index >= count || kindOf(index) !== latinWord) return false;
  if (position > 0 && has(index, newlineBefore)) return false;
  if (!has(index, capitalised) && !has(index, prefixedCapital)) return false;
  if (lengthOf(index) < 2) return false;
  if (saintCompound(index) || identifierLike(index)) return false;
  const mask = maskOf(index);
  if (mask & (honorific | title) && !(mask & given)) return false;
  if (mask & (organisation | placeIntroducer) && !(mask & given)) return false;
  if (mask & place) {
    // "Miss France", "Bonjour Paris": a place alone is not a name, even when it is a given name too.
    if (position === 0 && (!(mask & given) || !latinNameWord(index + 1, 1, true) || !joined(index + 1))) return false;
  }
  const wordLikeName = (mask & needsContext) !== 0 && (mask & given) !== 0;
  if (mask & nonName && !wordLikeName) return false;
  if (wordLikeName) {
    // "Dear Will", "Mr May", "Dr Grace Hopper": a name that is also a word needs the trigger.
    if (position === 0 && !afterTrigger) return false;
    const next = index + 1;
    if (next < count && kindOf(next) === numberToken && joined(next)) return false;
    // "Theresa May said" but not "Smith Will Join": a function word ends a name.
    if (mask & nonName && position > 0 && next < count && joined(next) && kindOf(next) === latinWord && has(next, capitalised)) return false;
  }
  return true;
}

/** Code, not prose: "NodeJS.ArrayBufferView", "NODE_SEA_BLOB", "userName(", "GiB". */
function identifierLike(index: number): boolean {
  if (has(index, innerCapital)) return true;
  const after = index + 1;
  if (after < count && !has(after, spaceBefore) && kindOf(after) === punctuation) {
    const character = charOf(after);
    if (character === 95 || character === 40 || character === 60 || character === 91 || character === 123 || character === 47 || character === 92 || character === 61 || character === 64 || character === 35) return true;
    if (character === 46 && after + 1 < count && !has(after + 1, spaceBefore) && kindOf(after + 1) === latinWord) return true;
  }
  if (index > 0 && !has(index, spaceBefore)) {
    const before = index - 1;
    const kind = kindOf(before);
    if (kind === latinWord || kind === numberToken) return true;
    const character = charOf(before);
    if (character === 95 || character === 46 || character === 47 || character === 92 || character === 64 || character === 35 || character === 36 || character === 60 || character === 61) return true;
  }
  return false;
}

/** A single capital with a dot, inside a name: "J. R. R. Tolkien", "John F. Kennedy". */
function initial(index: number): boolean {
  return index + 1 < count && kindOf(index) === latinWord && has(index, capitalised) && ends[index]! - starts[index]! === 1 && isPunctuation(index + 1, 46) && !has(index + 1, spaceBefore);
}

interface Found {
  first: number;
  last: number;
  /** The first name word (first may be a particle: "de Gaulle"). */
  firstWord: number;
  words: number;
  /** Index of the first token after the name. */
  after: number;
}

/** The longest run of name words from index, with particles and initials between them. */
function takeLatinName(from: number, afterTrigger: boolean): Found | undefined {
  let index = from;
  let first = -1;
  let last = -1;
  let firstWord = -1;
  let wordsTaken = 0;
  let initials = 0;
  for (let steps = 0; steps < 10 && index < count; steps += 1) {
    if (index > from && has(index, newlineBefore)) break;
    if (wordsTaken < 5 && initials < 3 && initial(index)) {
      const next = index + 2;
      if (next < count && !has(next, newlineBefore) && (initial(next) || latinNameWord(next, 1, true))) {
        if (first < 0) first = index;
        last = index + 1;
        index = next;
        initials += 1;
        continue;
      }
      break;
    }
    const mask = maskOf(index);
    if (kindOf(index) === latinWord && !has(index, capitalised) && mask & particle && (wordsTaken > 0 || afterTrigger)) {
      // "de", "de la", "van der", "bin": only when a name word follows.
      let next = index + 1;
      if (next < count && joined(next) && kindOf(next) === latinWord && !has(next, capitalised) && maskOf(next) & particle) next += 1;
      if (latinNameWord(next, 1, true) && joined(next)) {
        if (first < 0) first = index;
        index = next;
        continue;
      }
      break;
    }
    if (kindOf(index) === latinWord && has(index, capitalised) && mask & capitalParticle && !(mask & given) && wordsTaken < 4) {
      const next = index + 1;
      if (joined(next) && latinNameWord(next, 1, true)) {
        if (first < 0) first = index;
        last = index;
        index = next;
        continue;
      }
    }
    if (wordsTaken < 5 && latinNameWord(index, wordsTaken, afterTrigger)) {
      if (first < 0) first = index;
      if (firstWord < 0) firstWord = index;
      last = index;
      wordsTaken += 1;
      index += 1;
      if (has(index - 1, possessive)) break;
      continue;
    }
    break;
  }
  if (wordsTaken === 0) return undefined;
  return { first, last, firstWord, words: wordsTaken, after: last + 1 };
}

/** The word after the name makes it a thing: "George Washington University", "Martin Luther King Jr. Day". */
function followedByOrganisation(found: Found): boolean {
  let next = found.after;
  // Past "Jr." or "Sr.": "Martin Luther King Jr. Day".
  if (next < count && joined(next) && kindOf(next) === latinWord && maskOf(next) & generationSuffix) {
    next += 1;
    if (charOf(next) === 46 && !has(next, spaceBefore)) next += 1;
  }
  return next < count && joined(next) && kindOf(next) === latinWord && has(next, capitalised) && (maskOf(next) & (organisation | afterNameThing)) !== 0;
}

/** After a context word, does this run of name words make a name? */
function acceptLatin(found: Found, strength: TriggerStrength, patientLowerCase: boolean): boolean {
  const firstGiven = (givenMask(found.firstWord) & given) !== 0;
  // "Hi Claude": the assistant the prompt is addressed to, not a person.
  if (strength !== 'strong' && strength !== 'field' && maskOf(found.firstWord) & assistant) return false;
  switch (strength) {
    case 'strong':
    case 'field':
      return true;
    case 'named':
      return firstGiven && !followedByOrganisation(found);
    case 'given-only': {
      const mask = givenMask(found.firstWord);
      return (mask & given) !== 0 && !(mask & needsContext) && !followedByOrganisation(found);
    }
    case 'salutation':
      if (followedByOrganisation(found)) return false;
      if (firstGiven) return true;
      return endsPhrase(found.after);
    case 'signoff':
    case 'weak':
      if (followedByOrganisation(found)) return false;
      if (firstGiven || found.words >= 2) return true;
      return patientLowerCase && (endsPhrase(found.after) || (kindOf(found.after) === latinWord && !has(found.after, capitalised)));
  }
}

/** A listed given name with a family name after it: "Marie Dubois", "John F. Kennedy". */
function acceptGiven(found: Found): boolean {
  if (found.words < 2) return false;
  const mask = givenMask(found.firstWord);
  if (!(mask & given) || mask & needsContext || has(found.first, allCapitals)) return false;
  // The word after the given name must be a family name (latinNameWord has ruled out heading words,
  // organisations and places), and not a short acronym: "John USA".
  let second = found.first + 1;
  while (second <= found.last && (initial(second) || isPunctuation(second, 46) || (kindOf(second) === latinWord && !has(second, capitalised)))) second += 1;
  if (has(second, allCapitals) && lengthOf(second) < 3) return false;
  return !followedByOrganisation(found);
}

/** Just before index: a street, an institution or a saint ("rue Victor Hugo", "Lycée Jean Moulin"). */
function afterPlaceIntroducer(index: number): boolean {
  let before = index - 1;
  if (before < 0 || has(index, newlineBefore)) return false;
  if (kindOf(before) === latinWord && !has(before, capitalised) && maskOf(before) & particle && before > 0 && !has(before, newlineBefore)) before -= 1;
  if (kindOf(before) === latinWord && !has(before, capitalised) && maskOf(before) & particle && before > 0 && !has(before, newlineBefore)) before -= 1;
  // "St. Louis", "Mt. Vernon"
  if (charOf(before) === 46 && !has(before, spaceBefore) && before > 0 && !has(before, newlineBefore)) before -= 1;
  if (kindOf(before) === latinWord || kindOf(before) === arabicWord) {
    const mask = maskOf(before);
    if (mask & (placeIntroducer | arabicPlaceIntroducer)) return true;
  }
  return false;
}

/** "12 Elm Dr": the abbreviation of Drive after a street name, not Doctor. */
function streetAbbreviation(index: number): boolean {
  const before = index - 1;
  if (before < 0 || has(index, newlineBefore) || kindOf(before) !== latinWord || !has(before, capitalised)) return false;
  for (let back = before - 1; back >= 0 && back >= before - 4; back -= 1) {
    if (kindOf(back) === numberToken) return true;
    if (has(back + 1, newlineBefore)) return false;
  }
  return false;
}

/** A trigger phrase starting at index: the longest that matches. */
function matchTrigger(index: number): { trigger: CompiledTrigger; after: number } | undefined {
  const entry = entryOf(index);
  if (!entry) return undefined;
  const candidates = words.triggers.get(entry.id);
  if (!candidates) return undefined;
  let best: { trigger: CompiledTrigger; after: number } | undefined;
  for (const trigger of candidates) {
    let position = index;
    let matched = true;
    for (let word = 0; word < trigger.words.length; word += 1) {
      const id = trigger.words[word]!;
      if (position >= count || (word > 0 && has(position, newlineBefore))) {
        matched = false;
        break;
      }
      if (id === -1) {
        const character = charOf(position);
        if (character !== 58 && character !== 0xff1a) {
          matched = false;
          break;
        }
      } else if (word > 0 && entryOf(position)?.id !== id) {
        matched = false;
        break;
      }
      position += 1;
    }
    if (matched && (!best || position > best.after)) best = { trigger, after: position };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Arabic-script names

const arabicNone = 0;
const arabicGivenWord = 1;
const arabicCommonWord = 2;
const arabicFamilyWord = 3;
const arabicParticleWord = 4;
const arabicServantWord = 5;
const arabicUnknownWord = 6;
const arabicReligionWord = 7;

function arabicClass(index: number): number {
  if (index >= count || kindOf(index) !== arabicWord) return arabicNone;
  const mask = maskOf(index);
  if (mask & arabicGiven) return mask & arabicNeedsContext ? arabicCommonWord : arabicGivenWord;
  if (mask & arabicFamily) return arabicFamilyWord;
  if (mask & arabicParticle) return arabicParticleWord;
  if (mask & arabicServant) return arabicServantWord;
  if (mask & arabicReligion) return arabicReligionWord;
  if (mask & (arabicStop | arabicAdjective | arabicHonorific | arabicPlaceIntroducer | arabicInnerTitle | vocative | triggerHead)) return arabicNone;
  if (has(index, startsWithArticle)) return has(index, endsWithYa) && lengthOf(index) >= 5 ? arabicFamilyWord : arabicNone;
  // Unknown words: a verb (يـ تـ نـ) or a word with a glued preposition is not a name.
  const firstCode = fold(text.charCodeAt(starts[index]!));
  if (lengthOf(index) < 2) return arabicNone;
  if (firstCode === 0x64a || firstCode === 0x62a || firstCode === 0x646 || firstCode === 0x648) return arabicNone;
  if ((firstCode === 0x628 || firstCode === 0x644 || firstCode === 0x643 || firstCode === 0x641) && fold(text.charCodeAt(starts[index]! + 1)) === 0x627 && fold(text.charCodeAt(starts[index]! + 2)) === 0x644) return arabicNone;
  return arabicUnknownWord;
}

interface ArabicFound extends Found {
  firstClass: number;
  secondClass: number;
  /** Offset of the first name word when a glued و was left out. */
  start: number;
}

/** The run of Arabic name words from index: given names, بن/أبو/آل + word, عبد + ال-word, family names. */
function takeArabicName(from: number, allowUnknown: boolean): ArabicFound | undefined {
  let index = from;
  let wordsTaken = 0;
  let last = -1;
  let firstClass = arabicNone;
  let secondClass = arabicNone;
  let start = starts[from]!;
  // A glued "and": "ومحمد".
  if (arabicClass(from) === arabicNone || arabicClass(from) === arabicUnknownWord) {
    const stripped = gluedAnd(from);
    if (stripped) {
      firstClass = stripped.mask & arabicNeedsContext ? arabicCommonWord : arabicGivenWord;
      start = starts[from]! + 1;
      last = from;
      wordsTaken = 1;
      index = from + 1;
    }
  }
  for (let steps = 0; steps < 8 && index < count && wordsTaken < 6; steps += 1) {
    if (index > from && has(index, newlineBefore)) break;
    const kind = arabicClass(index);
    let taken = 0;
    if (kind === arabicParticleWord) {
      const next = index + 1;
      // أم is also "or": only at the start of a name.
      const word = entryOf(index)?.word;
      if (word === 'ام' && wordsTaken > 0) break;
      if (next < count && joined(next) && kindOf(next) === arabicWord && !(maskOf(next) & (arabicStop | arabicHonorific | arabicPlaceIntroducer))) taken = 2;
    } else if (kind === arabicServantWord) {
      const next = index + 1;
      if (next < count && joined(next) && kindOf(next) === arabicWord && has(next, startsWithArticle)) taken = 2;
    } else if (kind === arabicGivenWord || kind === arabicCommonWord || kind === arabicFamilyWord) {
      taken = 1;
    } else if (kind === arabicReligionWord && wordsTaken > 0) {
      taken = 1;
    } else if (kind === arabicUnknownWord && allowUnknown && wordsTaken < 2 && (wordsTaken === 0 || firstClass === arabicUnknownWord || firstClass === arabicGivenWord || firstClass === arabicCommonWord)) {
      // An unknown word is a name only first or second ("السيدة ماري كوري"), never after a family name.
      taken = 1;
    }
    if (taken === 0) break;
    if (wordsTaken === 0) firstClass = kind;
    else if (wordsTaken === 1) secondClass = kind;
    wordsTaken += 1;
    last = index + taken - 1;
    index += taken;
  }
  if (wordsTaken === 0) return undefined;
  return { first: from, last, firstWord: from, words: wordsTaken, after: last + 1, firstClass, secondClass, start };
}

/** "ومحمد": a given name behind a glued "and". */
function gluedAnd(index: number): Entry | undefined {
  if (kindOf(index) !== arabicWord || lengthOf(index) < 3 || text.charCodeAt(starts[index]!) !== 0x648) return undefined;
  const start = starts[index]! + 1;
  const entry = words.find(text, start, ends[index]!, hashRange(text, start, ends[index]!));
  return entry && entry.mask & arabicGiven ? entry : undefined;
}

const isNameClass = (kind: number): boolean => kind === arabicGivenWord || kind === arabicCommonWord || kind === arabicFamilyWord || kind === arabicParticleWord || kind === arabicServantWord;

function acceptArabic(found: ArabicFound, strength: TriggerStrength | 'given'): boolean {
  const { firstClass, secondClass } = found;
  switch (strength) {
    case 'strong':
    case 'field':
      if (firstClass === arabicUnknownWord) return found.words >= 2 || strength === 'field';
      return true;
    case 'given-only':
      return firstClass === arabicGivenWord;
    case 'named':
      return firstClass === arabicGivenWord || firstClass === arabicCommonWord;
    case 'salutation':
    case 'signoff':
    case 'weak':
      if (firstClass === arabicUnknownWord) return found.words >= 2 && isNameClass(secondClass) && secondClass !== arabicCommonWord;
      return firstClass !== arabicFamilyWord || found.words >= 2;
    case 'given':
      if (firstClass === arabicGivenWord || firstClass === arabicServantWord) return true;
      if (firstClass === arabicCommonWord) {
        if (secondClass === arabicCommonWord) return found.words >= 3;
        return found.words >= 2 && (isNameClass(secondClass) || secondClass === arabicReligionWord);
      }
      return firstClass === arabicParticleWord && found.words >= 2 && secondClass !== arabicNone;
  }
}

/** Just before index: a street or institution word, or a title inside one ("طريق الملك عبدالعزيز"). */
function afterArabicPlace(index: number): boolean {
  let before = index - 1;
  if (before < 0 || has(index, newlineBefore)) return false;
  for (let back = 0; back < 2 && before >= 0 && kindOf(before) === arabicWord; back += 1) {
    const mask = maskOf(before);
    if (mask & arabicPlaceIntroducer) return true;
    if (!(mask & arabicInnerTitle)) return false;
    if (has(before, newlineBefore)) return false;
    before -= 1;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The scan

/** A name at a trigger: the honorific or phrase at index vouches for the words after it. */
function nameAfterTrigger(index: number, spans: Span[]): number {
  const kind = kindOf(index);
  const mask = maskOf(index);
  if (kind === latinWord) {
    if (mask & (honorific | title) && (has(index, capitalised) || mask & lowerCaseHonorific)) {
      let next = index + 1;
      // Cheap test first: a name needs a word within the next three tokens.
      if (!(next < count && joined(next) && (kindOf(next) === latinWord || (isPunctuation(next, 46) && next + 1 < count && kindOf(next + 1) === latinWord)))) return -1;
      if (afterPlaceIntroducer(index)) return -1;
      if (isPunctuation(next, 46) && !has(next, spaceBefore)) next += 1;
      else if (mask & needsDot) return -1;
      // "M. Dupont", but not "M.Resolve" in code.
      if (mask & needsDot && next < count && !has(next, spaceBefore)) return -1;
      if (mask & streetAbbreviationToo && streetAbbreviation(index)) return -1;
      if (has(index, allCapitals) && !(next < count && has(next, allCapitals))) return -1;
      // "Prof. Dr. Hans Müller": the last honorific of a row introduces the name.
      if (next >= count || !joined(next) || (kindOf(next) === latinWord && maskOf(next) & honorific && has(next, capitalised))) return -1;
      const found = takeLatinName(next, true);
      // A title ("King", "President") vouches only for a listed given name: not "General Motors".
      const accepted = found && (mask & honorific ? acceptLatin(found, 'strong', false) : givenMask(found.firstWord) & given && !followedByOrganisation(found));
      if (found && accepted) return emit(found.first, found.last, spans);
      return -1;
    }
  }
  if (kind === arabicWord) {
    if (mask & arabicHonorific || (mask & arabicAbbreviatedHonorific && (isPunctuation(index + 1, 46) || isPunctuation(index + 1, 47)))) {
      if (afterArabicPlace(index)) return -1;
      let next = index + 1;
      if (mask & arabicAbbreviatedHonorific && !(mask & arabicHonorific)) next += 1;
      for (let more = 0; more < 2 && next < count && joined(next) && kindOf(next) === arabicWord && maskOf(next) & arabicHonorific; more += 1) next += 1;
      if (next >= count || !joined(next)) return -1;
      const weak = (mask & arabicWeakHonorific) !== 0 || (mask & arabicAbbreviatedHonorific && entryOf(index)?.word !== 'د');
      const found = takeArabicName(next, true);
      if (found && acceptArabic(found, weak ? 'weak' : 'strong')) return emitArabic(found, spans);
      return -1;
    }
  }
  if (!(mask & triggerHead)) return -1;
  const match = matchTrigger(index);
  if (!match) return -1;
  const { trigger } = match;
  let next = match.after;
  const strength = trigger.strength;
  if (strength === 'field' && !atLineStart(index)) return -1;
  if (strength === 'signoff') {
    if (!atLineStart(index) && !afterSentence(index)) return -1;
    if (next < count && (isPunctuation(next, 44) || isPunctuation(next, 0x60c) || isPunctuation(next, 33) || isPunctuation(next, 46))) next += 1;
    else if (next < count && !has(next, newlineBefore)) return -1;
    if (next >= count) return -1;
  } else {
    if (strength === 'salutation' && (isPunctuation(next, 44) || isPunctuation(next, 0x60c))) next += 1;
    if (next >= count || (has(next, newlineBefore) && strength !== 'field')) return -1;
  }
  // "مرحبا يا أحمد"
  if (kindOf(next) === arabicWord && maskOf(next) & vocative && next + 1 < count && joined(next + 1)) next += 1;
  if (kindOf(next) === latinWord) {
    const found = takeLatinName(next, true);
    const patientLowerCase = trigger.patient && !has(index, capitalised);
    // A capitalised weak trigger is likely a heading word ("Patient Safety Week", "Named Exports
    // Supported"): then only a listed given name counts.
    const headingLike = strength === 'weak' && has(index, capitalised) && !(givenMask(found?.firstWord ?? index) & given);
    if (found && acceptLatin(found, strength, patientLowerCase) && !headingLike) return emit(found.first, found.last, spans);
    return -1;
  }
  if (kindOf(next) === arabicWord) {
    const found = takeArabicName(next, true);
    // A phrase that says a name follows ("اسمي", "الاسم:") vouches for one unknown word too.
    if (found && acceptArabic(found, strength === 'strong' ? 'field' : strength)) return emitArabic(found, spans);
  }
  return -1;
}

function emit(first: number, last: number, spans: Span[]): number {
  spans.push({ start: starts[first]!, end: keyEnd(last), label });
  return last + 1;
}

function emitArabic(found: ArabicFound, spans: Span[]): number {
  spans.push({ start: found.start, end: ends[found.last]!, label });
  return found.last + 1;
}

/** A name with no context word before it: a listed given name, then a family name. */
function nameFromGivenName(index: number, spans: Span[]): number {
  const kind = kindOf(index);
  if (kind === latinWord) {
    if (!has(index, capitalised) || has(index, allCapitals)) return -1;
    const next = index + 1;
    if (next >= count || !joined(next) || kindOf(next) !== latinWord || !(has(next, capitalised) || has(next, prefixedCapital) || maskOf(next) & particle || initial(next))) return -1;
    const mask = givenMask(index);
    if (!(mask & given) || mask & needsContext) return -1;
    if (afterPlaceIntroducer(index)) return -1;
    const found = takeLatinName(index, false);
    if (found && found.first === index && acceptGiven(found)) return emit(found.first, found.last, spans);
    return -1;
  }
  if (kind === arabicWord) {
    const mask = maskOf(index);
    if (!(mask & (arabicGiven | arabicServant)) && !(text.charCodeAt(starts[index]!) === 0x648 && !(mask & arabicStop) && gluedAnd(index))) return -1;
    if (afterArabicPlace(index)) return -1;
    const found = takeArabicName(index, false);
    if (found && acceptArabic(found, 'given')) return emitArabic(found, spans);
  }
  return -1;
}

/** The first, cheap test of the scan: a word that may start or introduce a name. */
function worthLooking(index: number): boolean {
  const kind = kindOf(index);
  if (kind === latinWord) {
    if (has(index, capitalised)) return mayStart(index) || (has(index, hyphenated) && segmentMayStart(index));
    // Lower case: only a trigger ("my name is", "patient", "regards") or a French honorific.
    const first = text.charCodeAt(starts[index]!);
    if (first >= 97 && first <= 122) return (words.lowerCaseLengths[first - 97]! & (1 << Math.min(lengthOf(index), 31))) !== 0 && mayStart(index);
    return first > 127 && mayStart(index);
  }
  if (kind === arabicWord) return mayStart(index) || (text.charCodeAt(starts[index]!) === 0x648 && lengthOf(index) >= 3);
  return false;
}

/** Scans tokens from index up to limit (a name found may end past it); returns where it stopped. */
function scanTokens(from: number, limit: number, spans: Span[]): number {
  let index = from;
  while (index < limit) {
    const kind = kindOf(index);
    if (worthLooking(index)) {
      const after = nameAfterTrigger(index, spans);
      if (after >= 0) {
        index = after;
        continue;
      }
      if (kind === arabicWord || (has(index, capitalised) && (maskOf(index) & given || has(index, hyphenated)))) {
        const afterGiven = nameFromGivenName(index, spans);
        if (afterGiven >= 0) {
          index = afterGiven;
          continue;
        }
      }
    }
    index += 1;
  }
  return index;
}

// A capital letter (Latin-1 too): every Latin-script name has one. A character class, so linear.
const capitalLetters = /[A-Z\u00C0-\u00D6\u00D8-\u00DE]/g;
const arabicLetter = /[\u0621-\u064A]/;
const anyLetterOfInterest = /[A-Z\u00C0-\u00D6\u00D8-\u00DE\u0621-\u064A]/;

/** Tokens kept before and after a capitalised word: room for "nom de la patiente :" and a name. */
const windowBefore = 80;
const windowAfter = 160;
/** A name and its trigger span fewer tokens than this, so the tail of a window waits for more. */
const tailTokens = 14;

/**
 * Could the capitalised word at [start, end) be, or follow, a context word or a given name? Most
 * capitalised words in prose (sentence starts) are not and cost one hash.
 */
function worthWindow(start: number, end: number): boolean {
  const hash = hashRange(text, start, end);
  if (marked(words.startFilter, hash) || (marked(words.givenFilter, hash) && isLatinGiven(start, end))) return true;
  let before = start - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
  if (before < 0) return false;
  const character = text.charCodeAt(before);
  // "Name: John", "Hello, John", "Regards, John"
  if (character === 58 || character === 44 || character === 0xff1a) return true;
  if (isNewline(character)) {
    // "Best regards,\nJohn", "Cordialement\nMarie", "Name:\nJohn"
    while (before >= 0 && (isSpace(text.charCodeAt(before)) || isNewline(text.charCodeAt(before)))) before -= 1;
    if (before < 0) return false;
    const last = text.charCodeAt(before);
    return last === 44 || last === 58 || isLatinLetter(last);
  }
  // "my name is John", "named John", "le docteur Martin", "Dr. Haddad": the word before (past a
  // dot) ends a trigger or is an honorific. This also catches an honorific left at a window's end.
  if (character === 46 && before > 0 && isLatinLetter(text.charCodeAt(before - 1))) before -= 1;
  else if (!isLatinLetter(character)) return false;
  let wordStart = before;
  while (wordStart > 0 && (isLatinLetter(text.charCodeAt(wordStart - 1)) || isApostrophe(text.charCodeAt(wordStart - 1)))) wordStart -= 1;
  return marked(words.tailFilter, hashRange(text, wordStart, before + 1));
}

function onlySpaces(from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (!isSpace(text.charCodeAt(index))) return false;
  return true;
}

/** Moves position forward to the next space or line break (or the end), so no word is cut. */
function snapForward(position: number): number {
  let index = Math.min(position, text.length);
  while (index < text.length && !isSpace(text.charCodeAt(index)) && !isNewline(text.charCodeAt(index))) index += 1;
  return index;
}

/** Moves position back to just after a space or line break, but not before floor. */
function snapBack(position: number, floor: number): number {
  let index = Math.max(position, floor);
  while (index > floor && !isSpace(text.charCodeAt(index - 1)) && !isNewline(text.charCodeAt(index - 1))) index -= 1;
  return index;
}

let tokenisedTo = 0;
let scanned = 0;

/**
 * Scans the tail of the last window with the text after it in view (a name's last check looks a
 * few tokens ahead: "Dear Smith 75008" is no salutation), tokenising on while what follows could
 * still start a name.
 */
function closeWindow(spans: Span[]): void {
  for (;;) {
    const end = count;
    if (tokenisedTo < text.length) {
      const to = snapForward(tokenisedTo + windowAfter);
      tokenizeRange(text, tokenisedTo, to, false);
      tokenisedTo = to;
    }
    scanned = scanTokens(scanned, end, spans);
    // Nothing added (the end of the text), or nothing added that could start a name: done.
    if (end === count || !anyWorthLooking(Math.max(scanned, end), count)) {
      scanned = Math.max(scanned, count);
      return;
    }
  }
}

/** Does any token in [from, to) pass the first test of the scan (could it start a name)? */
function anyWorthLooking(from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (worthLooking(index)) return true;
  return false;
}

/**
 * Spans of personal names in text (offsets into text as given; Arabic-Indic digits need not be
 * normalised). A span covers the name words only, never the honorific or phrase before them, and
 * spans never overlap.
 */
export function findNames(input: string): Span[] {
  // No capital and no Arabic letter: nothing to find, at the cost of one native scan.
  if (!anyLetterOfInterest.test(input)) return [];
  words = vocabulary ??= buildVocabulary();
  text = input;
  count = 0;
  ensureCapacity(input.length < 4096 ? 1024 : (input.length >> 1) + 16);
  const spans: Span[] = [];
  if (arabicLetter.test(input)) {
    // Arabic has no capitals to look for: every word may start a name.
    tokenizeRange(input, 0, input.length, false);
    scanTokens(0, count, spans);
  } else {
    // Latin script: tokenise only windows around capitalised words that may matter.
    tokenisedTo = 0;
    scanned = 0;
    let passedOver = 0;
    capitalLetters.lastIndex = 0;
    for (let match = capitalLetters.exec(input); match; match = capitalLetters.exec(input)) {
      const start = match.index;
      // Capitals so dense that looking at each costs more than reading everything ("A.A.A.…"):
      // tokenise the rest at once.
      if (passedOver > 256 && passedOver * 8 > start - tokenisedTo) {
        tokenizeRange(input, tokenisedTo, input.length, false);
        tokenisedTo = input.length;
        break;
      }
      if (start < tokenisedTo) {
        capitalLetters.lastIndex = tokenisedTo;
        continue;
      }
      let end = start + 1;
      while (end < input.length && isLatinLetter(input.charCodeAt(end))) end += 1;
      // A capital inside a word ("iPhone", "d'Artagnan") is handled with the word it belongs to.
      if (start > 0 && (isLatinLetter(input.charCodeAt(start - 1)) || isApostrophe(input.charCodeAt(start - 1)) || isHyphen(input.charCodeAt(start - 1)))) {
        capitalLetters.lastIndex = end;
        passedOver += 1;
        continue;
      }
      // A capitalised word right after a window may continue a name cut at its end: "… Inigo | Montoya".
      const continuesWindow = tokenisedTo > 0 && start - tokenisedTo <= 3 && onlySpaces(tokenisedTo, start);
      if (!continuesWindow && !worthWindow(start, end)) {
        capitalLetters.lastIndex = end;
        passedOver += 1;
        continue;
      }
      passedOver = 0;
      let from = snapBack(start - windowBefore, tokenisedTo);
      // Close to the last window: continue it, so that both read as one stretch of text.
      if (from - tokenisedTo < windowBefore) from = tokenisedTo;
      else {
        closeWindow(spans);
        if (start < tokenisedTo) {
          capitalLetters.lastIndex = tokenisedTo;
          continue;
        }
        from = snapBack(start - windowBefore, tokenisedTo);
      }
      const to = snapForward(end + windowAfter);
      tokenizeRange(input, from, to, from > tokenisedTo);
      tokenisedTo = to;
      scanned = scanTokens(scanned, to >= input.length ? count : count - tailTokens, spans);
      capitalLetters.lastIndex = to;
    }
    closeWindow(spans);
  }
  text = '';
  return spans;
}
