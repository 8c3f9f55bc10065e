// pii.address: postal addresses in English, French, German and Arabic text, found by their
// structure: a street number with a street type ("221B Baker Street", "12 bis, rue de la Paix",
// "Hauptstraße 5", "١٢ شارع الملك فهد"), extended over the unit, district, postcode and city on the
// same line; postcodes in context ("75008 Paris", "Springfield, IL 62704", "SW1A 1AA", "12629-7890")
// and post-office boxes. Linear time: a native scan for digits (and Arabic street words) finds the
// places worth a look, the text around them is tokenised once, and each number is tried with a
// bounded look-around and allocation-free hashed look-ups. Pure.
import type { Span } from './span.js';
import {
  arabicCities,
  arabicDistrictWords,
  arabicStreetTypes,
  cities,
  directionals,
  englishAmbiguousStreetTypes,
  englishStreetTypes,
  englishWeakStreetTypes,
  frenchAmbiguousStreetTypes,
  frenchNumberSuffixes,
  frenchStreetTypes,
  germanStreetSuffixes,
  nonCityWords,
  postcodeLabels,
  ukPostcodeAreas,
  unitWords,
  usStateCodes,
} from './data/address-words.js';

const label = 'pii.address';

// ---------------------------------------------------------------------------------------------
// Folding and hashing, as in names.ts: a word is looked up by the hash of its folded code units and
// confirmed code unit by code unit, so a look-up allocates nothing.

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

interface Entry {
  word: string;
  mask: number;
  next: Entry | undefined;
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

class Vocabulary {
  private readonly byHash = new Map<number, Entry>();

  add(word: string, mask: number): void {
    let folded = '';
    let hash = hashSeed;
    for (let index = 0; index < word.length; index += 1) {
      const code = fold(word.charCodeAt(index));
      if (code < 0) continue;
      folded += String.fromCharCode(code);
      hash = step(hash, code);
    }
    const key = finish(hash);
    for (let entry = this.byHash.get(key); entry; entry = entry.next) {
      if (entry.word === folded) {
        entry.mask |= mask;
        return;
      }
    }
    this.byHash.set(key, { word: folded, mask, next: this.byHash.get(key) });
  }

  maskOf(text: string, start: number, end: number, hash: number): number {
    for (let entry = this.byHash.get(hash); entry; entry = entry.next) if (sameFolded(text, start, end, entry.word)) return entry.mask;
    return 0;
  }
}

// Word categories
const englishType = 1 << 0;
const englishAmbiguousType = 1 << 1;
const frenchType = 1 << 2;
const frenchAmbiguousType = 1 << 3;
const frenchSuffix = 1 << 4;
const germanWord = 1 << 5;
const arabicType = 1 << 6;
const arabicDistrict = 1 << 7;
const unit = 1 << 8;
const direction = 1 << 9;
const labelHead = 1 << 10;
const city = 1 << 11;
const arabicCity = 1 << 12;
const nonCity = 1 << 13;
const frenchParticle = 1 << 14;
const notStreetName = 1 << 15;
const arabicStop = 1 << 16;
const boxWord = 1 << 17;
const country = 1 << 18;
const ordinalSuffix = 1 << 19;
const saint = 1 << 20;
const cityParticle = 1 << 21;
const cedex = 1 << 22;
const labelWord = 1 << 23;
const englishWeakType = 1 << 24;
const usState = 1 << 25;
const ukArea = 1 << 26;
/** Lower-case words that may follow a street ending in "Close", "Way": "and", "in", "near"… */
const follower = 1 << 27;
/** Prepositions before a year, so that "in 2019 Main Street was…" is no house number. */
const yearPreposition = 1 << 28;
/** Arabic words that count things ("3 مرات", "5 سنوات"): after them a number is no house number. */
const numberWord = 1 << 29;

// Words that do not name a street although they stand between a number and a street type:
// "4 Wheel Drive", "15 Google Drive", "2 Square Feet", "3 cours de Français".
const notStreetNames = [
  'pro', 'max', 'mini', 'ultra', 'plus', 'lite', 'hard', 'flash', 'thumb', 'test', 'google', 'disk',
  'disc', 'usb', 'ssd', 'hdd', 'external', 'cloud', 'boot', 'network', 'optical', 'tape', 'floppy',
  'solid', 'hybrid', 'wheel', 'power', 'sex', 'one', 'hour', 'hours', 'day', 'days', 'week', 'weeks',
  'month', 'months', 'year', 'years', 'minute', 'minutes', 'mile', 'miles', 'km', 'million',
  'billion', 'thousand', 'hundred', 'dollar', 'dollars', 'euro', 'euros', 'percent', 'feet', 'foot',
  'meter', 'meters', 'metre', 'metres', 'yard', 'yards', 'inch', 'inches', 'settings', 'options',
  'times', 'ways', 'steps', 'tips', 'things', 'reasons', 'people', 'men', 'women', 'kids', 'best',
  'top', 'easy', 'simple', 'quick', 'big', 'small', 'the', 'a', 'an', 'and', 'or', 'of', 'to',
  'in', 'on', 'at', 'for', 'by', 'with', 'is', 'are', 'was', 'français', 'anglais', 'allemand',
  'espagnol', 'italien', 'arabe', 'maths', 'math', 'histoire', 'géographie', 'physique', 'chimie',
  'philosophie', 'musique', 'sport', 'danse', 'cuisine', 'yoga', 'piano', 'guitare', 'chant',
  'théâtre', 'dessin', 'informatique', 'english', 'french', 'german', 'spanish', 'arabic', 'italian',
  'chinese', 'japanese', 'russian', 'portuguese', 'latin', 'biology', 'chemistry', 'physics',
  'mètres', 'kilomètres', 'minutes', 'secondes', 'heures', 'jours', 'mois', 'ans', 'fois', 'places',
  'personnes', 'euros', 'lanes', 'speed', 'gear', 'gears', 'cylinder', 'door', 'doors',
  'seater', 'star', 'stars', 'lucky', 'fast', 'slow', 'test', 'demo', 'beta', 'alpha', 'level',
  'round', 'part', 'chapter', 'page', 'section', 'figure', 'table', 'item', 'step',
];

let vocabulary: Vocabulary | undefined;

function buildVocabulary(): Vocabulary {
  const words = new Vocabulary();
  const arabicPrefixed = (word: string): string[] => [word, `و${word}`, `ب${word}`, `ف${word}`];
  for (const word of englishStreetTypes) words.add(word, englishType);
  for (const word of englishAmbiguousStreetTypes) words.add(word, englishAmbiguousType);
  for (const word of englishWeakStreetTypes) words.add(word, englishWeakType);
  for (const word of frenchStreetTypes) words.add(word, frenchType);
  for (const word of frenchAmbiguousStreetTypes) words.add(word, frenchAmbiguousType);
  for (const word of frenchNumberSuffixes) words.add(word, frenchSuffix);
  for (const word of germanStreetSuffixes) words.add(word, germanWord);
  for (const word of arabicStreetTypes) for (const form of arabicPrefixed(word)) words.add(form, arabicType);
  for (const word of arabicDistrictWords) for (const form of arabicPrefixed(word)) words.add(form, arabicDistrict);
  for (const word of unitWords) words.add(word, unit);
  for (const word of directionals) words.add(word, direction);
  for (const phrase of postcodeLabels) {
    const parts = phrase.split(' ');
    parts.forEach((part, index) => words.add(part, index === parts.length - 1 ? labelHead : labelWord));
  }
  for (const word of cities) {
    const parts = word.split(' ');
    words.add(parts[parts.length - 1]!, city);
  }
  for (const word of arabicCities) for (const part of word.split(' ')) words.add(part, arabicCity);
  for (const word of nonCityWords) words.add(word, nonCity);
  for (const word of ['de', 'du', 'des', 'la', 'le', 'les', "l'", "d'", 'aux', 'au', 'et', 'sur', 'sous', 'en', 'lès', 'lez']) words.add(word, frenchParticle);
  for (const word of ['sur', 'sous', 'en', 'lès', 'lez', 'le', 'la', 'les', 'am', 'an', 'der', 'de', 'du', 'des', 'aux', 'upon', 'on']) words.add(word, cityParticle);
  for (const word of notStreetNames) words.add(word, notStreetName);
  for (const word of ['في', 'من', 'إلى', 'الى', 'على', 'عن', 'مع', 'هو', 'هي', 'قرب', 'بجوار', 'بالقرب', 'مقابل', 'خلف', 'أمام', 'بين', 'عند', 'حيث', 'الذي', 'التي', 'كان', 'كانت', 'ثم', 'أو', 'و', 'لا', 'لم', 'قد', 'هذا', 'هذه', 'ذلك', 'تلك', 'يرزق', 'جدا', 'مزدحم', 'رقم', 'الرقم', 'مرات', 'مرة', 'سنوات', 'سنة', 'أيام', 'يوم', 'دقائق', 'ساعات', 'كيلو', 'كم', 'متر', 'ريال', 'درهم', 'دينار', 'جنيه', 'دولار']) words.add(word, arabicStop);
  for (const word of ['مرات', 'مرة', 'سنوات', 'سنة', 'أيام', 'يوم', 'دقائق', 'ساعات', 'كيلو', 'كم', 'متر', 'ريال', 'درهم', 'دينار', 'جنيه', 'دولار']) words.add(word, numberWord);
  for (const word of ['box', 'bp', 'pob', 'postfach', 'po', 'p', 'o', 'b', 'ص', 'ب', 'صندوق', 'بريد', 'post', 'office']) words.add(word, boxWord);
  for (const word of ['france', 'uk', 'usa', 'us', 'germany', 'deutschland', 'allemagne', 'belgique', 'belgium', 'suisse', 'switzerland', 'schweiz', 'luxembourg', 'canada', 'united', 'kingdom', 'states', 'england', 'scotland', 'wales', 'ireland', 'saudi', 'arabia', 'ksa', 'uae', 'qatar', 'kuwait', 'bahrain', 'oman', 'egypt', 'jordan', 'lebanon', 'morocco', 'maroc', 'tunisia', 'tunisie', 'algeria', 'algérie', 'السعودية', 'المملكة', 'العربية', 'الإمارات', 'مصر', 'الأردن', 'لبنان', 'المغرب', 'قطر', 'الكويت', 'البحرين', 'عمان']) words.add(word, country);
  for (const word of ['st', 'nd', 'rd', 'th', 'er', 'e', 'ème', 'eme', 'ère', 're', 'è']) words.add(word, ordinalSuffix);
  for (const word of ['st', 'saint', 'ste', 'sainte', 'mt', 'mount', 'ft', 'fort']) words.add(word, saint);
  words.add('cedex', cedex);
  // Codes are matched on their folded form; the text must still be in capitals (see isCode).
  for (const code of usStateCodes) words.add(code, usState);
  for (const code of ukPostcodeAreas) words.add(code, ukArea);
  for (const word of ['and', 'in', 'near', 'where', 'which', 'is', 'was', 'for', 'to', 'on', 'at', 'with', 'by', 'from', 'or', 'et', 'à']) words.add(word, follower);
  for (const word of ['in', 'since', 'by', 'from', 'until', 'till', 'before', 'after', 'during', 'of', 'circa', 'around', 'en', 'depuis', 'dès', 'avant', 'après', 'vers', 'de', 'année', 'year', 'im', 'seit', 'bis', 'ab', 'um']) words.add(word, yearPreposition);
  return words;
}

// ---------------------------------------------------------------------------------------------
// Tokens

const latinWord = 1;
const arabicWord = 2;
const numberToken = 3;
/** Letters then digits, as a British postcode's outward code: "SW1A", "M1". */
const mixedToken = 4;
const punctuation = 5;

const capitalised = 1 << 3;
const allCapitals = 1 << 4;
const newlineBefore = 1 << 5;
const spaceBefore = 1 << 6;
const startsWithArticle = 1 << 7;

let capacity = 0;
let starts: Int32Array = new Int32Array(0);
let ends: Int32Array = new Int32Array(0);
let info: Int32Array = new Int32Array(0);
let hashes: Int32Array = new Int32Array(0);
/** For a number token: how many of its characters are digits (the rest is a glued suffix: "221B"). */
let digitCounts: Int32Array = new Int32Array(0);
/** The mask of each word, looked up when first needed (-1 until then). */
let masks: Int32Array = new Int32Array(0);
let count = 0;

function ensureCapacity(needed: number): void {
  if (needed <= capacity && (capacity <= 65536 || needed * 4 > capacity)) return;
  capacity = Math.max(needed, 256);
  starts = new Int32Array(capacity);
  ends = new Int32Array(capacity);
  info = new Int32Array(capacity);
  hashes = new Int32Array(capacity);
  digitCounts = new Int32Array(capacity);
  masks = new Int32Array(capacity);
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
  digitCounts = copy(digitCounts);
  masks = copy(masks);
  capacity = bigger;
}

function isLatinLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) || (code >= 0x1e00 && code <= 0x1eff) || (code >= 0x300 && code <= 0x36f);
}

function isArabicLetter(code: number): boolean {
  return (code >= 0x621 && code <= 0x65f) || (code >= 0x66e && code <= 0x6d3) || code === 0x6d5 || (code >= 0xfb50 && code <= 0xfdff) || (code >= 0xfe70 && code <= 0xfefc);
}

function isDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 0x660 && code <= 0x669) || (code >= 0x6f0 && code <= 0x6f9);
}

function isUpper(code: number): boolean {
  if (code < 128) return code >= 65 && code <= 90;
  return fold(code) !== code && code < 0x250;
}

const isConnector = (code: number): boolean => code === 39 || code === 0x2019 || code === 0x2bc || code === 45 || code === 0x2010 || code === 0x2011;
const isNewline = (code: number): boolean => code === 10 || code === 13 || code === 0x2028 || code === 0x2029 || code === 0x85;
const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 0xa0 || code === 11 || code === 12 || (code >= 0x2000 && code <= 0x200b) || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff || code === 0x200c || code === 0x200d;

/**
 * Appends the tokens of text[from, to), both word boundaries. After a gap (text left out), the first
 * token counts as starting a line, so that nothing runs across the gap. Words are hashed later,
 * only when looked up; a number's glued suffix ("221B", "12bis") is hashed here.
 */
function tokenizeRange(text: string, from: number, to: number, gap: boolean): void {
  const firstToken = count;
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
    let hash = hashSeed;
    let digits = 0;
    let kind: number;
    if (isLatinLetter(code)) {
      let uppers = 0;
      let lowers = 0;
      kind = latinWord;
      for (;;) {
        const current = text.charCodeAt(index);
        if (current >= 97 && current <= 122) lowers += 1;
        else if (isUpper(current)) uppers += 1;
        else lowers += 1;
        index += 1;
        if (index >= length) break;
        const next = text.charCodeAt(index);
        if (isLatinLetter(next)) continue;
        if (isDigit(next) && kind === latinWord && lowers === 0) {
          // "SW1A", "EC1A": letters, digits, maybe a letter, as one token.
          kind = mixedToken;
          while (index < length && (isDigit(text.charCodeAt(index)) || (isLatinLetter(text.charCodeAt(index)) && isUpper(text.charCodeAt(index))))) index += 1;
          break;
        }
        if (isConnector(next) && index + 1 < length && isLatinLetter(text.charCodeAt(index + 1))) {
          index += 1;
          continue;
        }
        break;
      }
      if (isUpper(code)) flags |= capitalised;
      if (uppers >= 2 && lowers === 0) flags |= allCapitals;
      if (kind === mixedToken) flags |= capitalised;
    } else if (isArabicLetter(code)) {
      kind = arabicWord;
      let first = -1;
      let second = -1;
      for (; index < length; index += 1) {
        const current = text.charCodeAt(index);
        if (!isArabicLetter(current)) break;
        if ((current >= 0x64b && current <= 0x65f) || current === 0x670 || current === 0x640) continue;
        if (first < 0) first = current;
        else if (second < 0) second = current;
      }
      if ((first === 0x627 || first === 0x623 || first === 0x625 || first === 0x622) && second === 0x644) flags |= startsWithArticle;
    } else if (isDigit(code)) {
      kind = numberToken;
      while (index < length && isDigit(text.charCodeAt(index))) index += 1;
      digits = index - start;
      // A glued suffix of letters: "221B", "12bis", "5th", "1AA". The hash is of the suffix.
      while (index < length && isLatinLetter(text.charCodeAt(index)) && index - start - digits < 6) {
        hash = step(hash, fold(text.charCodeAt(index)));
        index += 1;
      }
      if (index < length && isLatinLetter(text.charCodeAt(index))) {
        while (index < length && isLatinLetter(text.charCodeAt(index))) index += 1;
        digits = -1;
      }
    } else {
      kind = punctuation;
      index += 1;
      flags |= code << 16;
    }
    starts[count] = start;
    ends[count] = index;
    info[count] = kind | flags;
    // Only read for numbers (their suffix); other tokens leave them as they were.
    if (kind === numberToken) {
      hashes[count] = finish(hash);
      digitCounts[count] = digits;
    }
    count += 1;
  }
  masks.fill(-1, firstToken, count);
  // Two empty tokens after the last, so that a look-ahead past the end reads nothing left over
  // from an earlier call.
  while (count + 2 > capacity) grow();
  info[count] = 0;
  info[count + 1] = 0;
}

// ---------------------------------------------------------------------------------------------
// Token predicates

let text = '';
let words: Vocabulary;

const kindOf = (index: number): number => info[index]! & 7;
const has = (index: number, flag: number): boolean => (info[index]! & flag) !== 0;
// Only punctuation tokens have bits above 16 (their character), so one load tells both.
function charOf(index: number): number {
  if (index < 0 || index >= count) return -1;
  const character = info[index]! >>> 16;
  return character === 0 ? -1 : character;
}
const joined = (index: number): boolean => index < count && !has(index, newlineBefore);
const glued = (index: number): boolean => index < count && !has(index, spaceBefore);
const tokenLength = (index: number): number => ends[index]! - starts[index]!;

function maskOf(index: number): number {
  if (index < 0 || index >= count) return 0;
  let mask = masks[index]!;
  if (mask < 0) {
    const kind = kindOf(index);
    mask = kind === latinWord || kind === arabicWord ? words.maskOf(text, starts[index]!, ends[index]!, hashRange(starts[index]!, ends[index]!)) : 0;
    masks[index] = mask;
  }
  return mask;
}

function hashRange(start: number, end: number): number {
  let hash = hashSeed;
  for (let position = start; position < end; position += 1) {
    const raw = text.charCodeAt(position);
    // Lower-case ASCII and plain Arabic letters fold to themselves.
    const code = (raw >= 97 && raw <= 122) || (raw >= 0x626 && raw <= 0x63a) || (raw >= 0x641 && raw <= 0x64a) || raw === 0x624 ? raw : fold(raw);
    if (code >= 0) hash = step(hash, code);
  }
  return finish(hash);
}

/** The word is value: compared ignoring ASCII case, without making a string. */
function wordIs(index: number, value: string): boolean {
  if (index < 0 || index >= count || ends[index]! - starts[index]! !== value.length) return false;
  const start = starts[index]!;
  for (let position = 0; position < value.length; position += 1) {
    const code = text.charCodeAt(start + position);
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== value.charCodeAt(position)) return false;
  }
  return true;
}

/** The word is written exactly so ("BP", "P", "عن"). */
function wordExactly(index: number, value: string): boolean {
  return index >= 0 && index < count && ends[index]! - starts[index]! === value.length && text.startsWith(value, starts[index]!);
}

/** The mask of a number token's glued letters: "bis" in "12bis", "th" in "5th". */
function suffixMask(index: number): number {
  const digits = digitCounts[index]!;
  if (digits <= 0 || digits === tokenLength(index)) return 0;
  return words.maskOf(text, starts[index]! + digits, ends[index]!, hashes[index]!);
}

const isWord = (index: number): boolean => index < count && (kindOf(index) === latinWord || kindOf(index) === arabicWord);
const isCapitalisedWord = (index: number): boolean => index < count && kindOf(index) === latinWord && has(index, capitalised);
function isPunctuation(index: number, character: number): boolean {
  return index >= 0 && index < count && info[index]! >>> 16 === character;
}

function isComma(index: number): boolean {
  const character = charOf(index);
  return character === 44 || character === 0x60c;
}

function isDash(index: number): boolean {
  const character = charOf(index);
  return character === 45 || character === 0x2013 || character === 0x2014;
}

/** A number token of exactly these many digits and no glued letters. */
function plainNumber(index: number, minimum: number, maximum: number): boolean {
  if (index < 0 || index >= count || (info[index]! & 7) !== numberToken) return false;
  const length = ends[index]! - starts[index]!;
  return digitCounts[index] === length && length >= minimum && length <= maximum;
}

/** Ends a phrase: punctuation (not a hyphen or an apostrophe), a line break or the end. */
function endsPhrase(index: number): boolean {
  if (index >= count || has(index, newlineBefore)) return true;
  if (kindOf(index) !== punctuation) return false;
  const character = charOf(index);
  return character !== 45 && character !== 39 && character !== 0x2019 && character !== 38 && character !== 47;
}

/** The word is a two-letter US state code, written in capitals: "IL", "CA". */
function isStateCode(index: number): boolean {
  return index >= 0 && index < count && kindOf(index) === latinWord && tokenLength(index) === 2 && has(index, allCapitals) && (maskOf(index) & usState) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Street numbers

/** A number that can be a house number: 1–5 digits, maybe a letter or bis/ter, not an amount or a time. */
function houseNumber(index: number): boolean {
  if (kindOf(index) !== numberToken) return false;
  const digits = digitCounts[index]!;
  if (digits < 1 || digits > 5) return false;
  const suffix = tokenLength(index) - digits;
  if (suffix > 0) {
    if (suffix === 1) {
      const letter = text.charCodeAt(ends[index]! - 1);
      // "5e étage" and "1er" are ordinals, "12h" a time, "5m" a length.
      if (letter === 101 || letter === 104 || letter === 109 || letter === 107 || letter === 103 || letter === 120) return false;
    } else if (!(suffixMask(index) & frenchSuffix)) return false;
  }
  if (index > 0 && glued(index)) {
    // "rfc7517", "IPv6": digits glued to a word are part of an identifier.
    if (kindOf(index - 1) !== punctuation) return false;
    const before = charOf(index - 1);
    if (before === 46 || before === 44 || before === 58 || before === 47 || before === 36 || before === 0x20ac || before === 0xa3 || before === 43 || before === 45) return false;
  }
  if (index + 1 < count && glued(index + 1)) {
    const after = charOf(index + 1);
    if (after === 37 || after === 58 || after === 46 && index + 2 < count && kindOf(index + 2) === numberToken && glued(index + 2) || after === 47 || after === 0x20ac) return false;
  }
  return true;
}

/** After a house number: "-14" of a range, "bis", a single letter, a comma before a French type. */
function afterHouseNumber(index: number): number {
  let next = index + 1;
  if (isDash(next) && glued(next) && next + 1 < count && kindOf(next + 1) === numberToken && glued(next + 1)) next += 2;
  if (next < count && joined(next) && kindOf(next) === latinWord && (maskOf(next) & frenchSuffix || (tokenLength(next) === 1 && has(next, capitalised) && next + 1 < count && maskOf(next + 1) & frenchType))) next += 1;
  return next;
}

interface Street {
  first: number;
  last: number;
}

/** "12 rue de la Paix", "3 allée des Tilleuls", "5 bd Saint-Michel": the name after a French type. */
function frenchStreet(typeIndex: number): number {
  let index = typeIndex + 1;
  const typeMask = maskOf(typeIndex);
  if (isPunctuation(index, 46) && glued(index)) index += 1;
  let last = -1;
  let capitalWords = 0;
  let lowerWords = 0;
  let sawParticle = false;
  let particleFirst = false;
  let afterParticle = false;
  for (let steps = 0; steps < 9 && index < count && joined(index); steps += 1) {
    const kind = kindOf(index);
    if (kind === latinWord) {
      const mask = maskOf(index);
      if (mask & notStreetName && !(has(index, capitalised) && capitalWords > 0)) break;
      if (!has(index, capitalised) && mask & frenchParticle) {
        if (steps === 0) particleFirst = true;
        sawParticle = true;
        afterParticle = true;
        index += 1;
        continue;
      }
      if (elidedLanguage(index)) break;
      if (has(index, capitalised) || elidedCapital(index)) {
        capitalWords += 1;
        last = index;
        index += 1;
        afterParticle = false;
        continue;
      }
      // "rue de la gare": a lower-case word right after a particle.
      if (afterParticle && lowerWords < 3) {
        lowerWords += 1;
        last = index;
        index += 1;
        afterParticle = false;
        continue;
      }
      break;
    }
    // "rue du 4 Septembre", "avenue du 8 Mai 1945"
    if (kind === numberToken && sawParticle && tokenLength(index) <= 2 && isCapitalisedWord(index + 1) && joined(index + 1)) {
      last = index;
      index += 1;
      continue;
    }
    break;
  }
  if (last < 0) return -1;
  const afterName = last + 1;
  // All in lower case: fine after "rue", "allée", "impasse"; after "place" or "cours" a postcode must follow.
  if (capitalWords === 0) return !(typeMask & frenchAmbiguousType) || postcodeAt(skipSeparator(afterName)) >= 0 ? last : -1;
  // "3 Place Settings", "2 Route Options": an English-looking phrase with no particle must end there.
  if (typeMask & frenchAmbiguousType && !particleFirst && !endsPhrase(afterName) && postcodeAt(skipSeparator(afterName)) < 0) return -1;
  return last;
}

/** "l'Église", "d'Alsace": an elided article glued to a capitalised name. */
function elidedCapital(index: number): boolean {
  const start = starts[index]!;
  if (tokenLength(index) < 3) return false;
  const second = text.charCodeAt(start + 1);
  const first = text.charCodeAt(start) | 32;
  return (first === 108 || first === 100) && (second === 39 || second === 0x2019) && isUpper(text.charCodeAt(start + 2));
}

/** "d'Anglais" in "2 cours d'Anglais": a school subject, not a street name. */
function elidedLanguage(index: number): boolean {
  if (!elidedCapital(index)) return false;
  const start = starts[index]! + 2;
  let hash = hashSeed;
  for (let position = start; position < ends[index]!; position += 1) {
    const code = fold(text.charCodeAt(position));
    if (code >= 0) hash = step(hash, code);
  }
  return (words.maskOf(text, start, ends[index]!, finish(hash)) & notStreetName) !== 0;
}

/** A word of an English street name: capitalised, an ordinal ("5th"), a compass letter ("N."). */
function englishNameWord(index: number): boolean {
  if (index >= count || !joined(index)) return false;
  const kind = kindOf(index);
  if (kind === numberToken) return digitCounts[index]! > 0 && digitCounts[index]! <= 3 && (suffixMask(index) & ordinalSuffix) !== 0 && tokenLength(index) - digitCounts[index]! <= 2;
  if (kind !== latinWord || !has(index, capitalised)) return false;
  return (maskOf(index) & notStreetName) === 0;
}

const englishTypeMask = englishType | englishAmbiguousType | englishWeakType;

/** "221B Baker Street", "1600 Pennsylvania Avenue NW", "12 St John's Road": the name, then a type. */
function englishStreet(from: number): number {
  let index = from;
  let nameWords = 0;
  let best = -1;
  /** 0 for a type that needs nothing after it, 1 for "Way", "Close", 2 for "Center", "Island". */
  let bestWeakness = 0;
  for (let steps = 0; steps < 7 && index < count && joined(index); steps += 1) {
    // "204 The Green", "12 The Avenue": an article only first, before a capitalised word.
    if (steps === 0 && kindOf(index) === latinWord && text.startsWith('The', starts[index]!) && tokenLength(index) === 3 && englishNameWord(index + 1)) {
      nameWords += 1;
      index += 1;
      continue;
    }
    if (!englishNameWord(index)) {
      // "N. Main St": a compass letter with a dot.
      if (kindOf(index) === punctuation && isPunctuation(index, 46) && glued(index) && index > from && tokenLength(index - 1) <= 2 && maskOf(index - 1) & (direction | saint)) {
        index += 1;
        continue;
      }
      break;
    }
    const mask = kindOf(index) === latinWord ? maskOf(index) : 0;
    if (mask & englishTypeMask && nameWords > 0) {
      // "St" followed by a capitalised word is Saint: "12 St John's Road".
      const saintLike = mask & saint && englishNameWord(index + (isPunctuation(index + 1, 46) ? 2 : 1));
      if (!saintLike || !(mask & englishType)) {
        best = index;
        bestWeakness = mask & englishType ? 0 : mask & englishAmbiguousType ? 1 : 2;
      } else if (best < 0) {
        best = index;
        bestWeakness = 0;
      }
    }
    // "Park Drive", "Church Road": a word that is also a weaker type can name the street.
    if (!(mask & englishType) || mask & saint) nameWords += 1;
    index += 1;
  }
  if (best < 0) return -1;
  let last = best;
  if (isPunctuation(last + 1, 46) && glued(last + 1) && tokenLength(last) <= 4) last += 1;
  // "Pennsylvania Avenue NW"
  const after = last + 1;
  if (after < count && joined(after) && kindOf(after) === latinWord && (has(after, allCapitals) || (tokenLength(after) === 1 && has(after, capitalised))) && maskOf(after) & direction && tokenLength(after) <= 2) last = after;
  if (bestWeakness === 1 && !streetEnds(last + 1, true)) return -1;
  if (bestWeakness === 2 && !streetEnds(last + 1, false)) return -1;
  return last;
}

/** What may follow an ambiguous street type ("Close", "Way"): the end of a phrase, a unit, a postcode. */
function streetEnds(index: number, wordsToo: boolean): boolean {
  if (endsPhrase(index)) return true;
  if (kindOf(index) === latinWord) {
    const mask = maskOf(index);
    if (mask & unit) return true;
    if (!has(index, capitalised)) return wordsToo && (mask & follower) !== 0;
  }
  return postcodeAt(index) >= 0;
}

/** "١٢ شارع الملك فهد", "شارع التحلية": the Arabic words that name the street, up to four. */
function arabicStreetName(typeIndex: number): number {
  let index = typeIndex + 1;
  let last = -1;
  for (let steps = 0; steps < 4 && index < count && joined(index); steps += 1) {
    if (kindOf(index) === arabicWord) {
      const mask = maskOf(index);
      if (mask & (arabicStop | arabicDistrict | arabicType | unit)) break;
      last = index;
      index += 1;
      continue;
    }
    // "شارع 15": a street named by its number, only as the first word.
    if (steps === 0 && plainNumber(index, 1, 3)) {
      last = index;
      index += 1;
      continue;
    }
    break;
  }
  return last;
}

// ---------------------------------------------------------------------------------------------
// Postcodes and the rest of an address line

/** Skips one separator of an address line: a comma, a dash, "،". */
function skipSeparator(index: number): number {
  if (index < count && joined(index) && (isComma(index) || isDash(index) || isPunctuation(index, 0x61b))) return index + 1;
  return index;
}

/** A postcode at index, with the city after it; the index of its last token, or -1. */
function postcodeAt(index: number): number {
  if (index >= count || !joined(index)) return -1;
  // Five digits, maybe with the four of a US ZIP+4 or a Saudi additional number: "12629 - 7890".
  if (plainNumber(index, 5, 5)) {
    let last = index;
    if (isDash(index + 1) && joined(index + 1) && plainNumber(index + 2, 4, 4) && joined(index + 2)) last = index + 2;
    return cityAfter(last + 1, last);
  }
  // "F-75008 Paris", "D-10115 Berlin"
  if (kindOf(index) === latinWord && tokenLength(index) <= 2 && has(index, capitalised) && isDash(index + 1) && glued(index + 1) && plainNumber(index + 2, 4, 5) && glued(index + 2)) return cityAfter(index + 3, index + 2);
  const british = britishPostcode(index);
  if (british >= 0) return british;
  return -1;
}

/** The city words after a postcode ("Paris", "Aix-en-Provence", "Paris Cedex 08"), or the postcode. */
function cityAfter(index: number, last: number): number {
  let end = last;
  let position = index;
  let cityWords = 0;
  for (let steps = 0; steps < 5 && position < count && joined(position); steps += 1) {
    const kind = kindOf(position);
    if (kind === latinWord) {
      const mask = maskOf(position);
      if (has(position, capitalised) && !(mask & (nonCity | unit))) {
        if (mask & cedex) {
          end = plainNumber(position + 1, 1, 2) && joined(position + 1) ? position + 1 : position;
          break;
        }
        cityWords += 1;
        end = position;
        position += 1;
        continue;
      }
      if (cityWords > 0 && mask & cityParticle && isCapitalisedWord(position + 1)) {
        position += 1;
        continue;
      }
      break;
    }
    if (kind === arabicWord && cityWords < 2 && !(maskOf(position) & (arabicStop | arabicType | arabicDistrict))) {
      cityWords += 1;
      end = position;
      position += 1;
      continue;
    }
    break;
  }
  return end;
}

/** A British postcode: a valid area, a district, then the inward code: "SW1A 1AA", "M1 1AE". */
function britishPostcode(index: number): number {
  if (index >= count) return -1;
  const kind = kindOf(index);
  if (kind !== mixedToken && !(kind === latinWord && tokenLength(index) === 3 && text.startsWith('GIR', starts[index]!))) return -1;
  const start = starts[index]!;
  const end = ends[index]!;
  const length = end - start;
  if (length > 7 || length < 2) return -1;
  let position = start;
  let letters = 0;
  while (position < end && isUpper(text.charCodeAt(position)) && letters < 3) {
    position += 1;
    letters += 1;
  }
  if (letters === 3) return text.startsWith('GIR', start) && position === end && plainInward(index + 1) ? index + 1 : -1;
  if (letters < 1 || !(words.maskOf(text, start, position, hashRange(start, position)) & ukArea)) return -1;
  // District: a digit, then maybe a digit or a letter.
  if (position >= end || !isDigit(text.charCodeAt(position))) return -1;
  position += 1;
  const rest = end - position;
  if (rest === 0) return plainInward(index + 1) ? index + 1 : -1;
  if (rest === 1) {
    const code = text.charCodeAt(position);
    if (!isDigit(code) && !isUpper(code)) return -1;
    return plainInward(index + 1) ? index + 1 : -1;
  }
  // Written without its space: "SW1A1AA".
  if (rest === 3 || rest === 4) {
    let inward = position;
    if (rest === 4) inward += 1;
    return inwardAt(inward, end) ? index : -1;
  }
  return -1;
}

function inwardAt(position: number, end: number): boolean {
  if (end - position !== 3 || !isDigit(text.charCodeAt(position))) return false;
  for (let letter = position + 1; letter < end; letter += 1) {
    const code = text.charCodeAt(letter);
    // The inward letters never use C I K M O V.
    if (code < 65 || code > 90 || code === 67 || code === 73 || code === 75 || code === 77 || code === 79 || code === 86) return false;
  }
  return true;
}

function plainInward(index: number): boolean {
  return index < count && joined(index) && kindOf(index) === numberToken && digitCounts[index] === 1 && inwardAt(starts[index]!, ends[index]!);
}

/** A US state code and ZIP at index: "IL 62704", "CA 94103-1234"; the last token, or -1. */
function stateAndZip(index: number): number {
  if (!isStateCode(index)) return -1;
  const zip = index + 1;
  if (!plainNumber(zip, 5, 5) || !joined(zip)) return -1;
  if (isDash(zip + 1) && glued(zip + 1) && plainNumber(zip + 2, 4, 4) && glued(zip + 2)) return zip + 2;
  return zip;
}

/** One part of an address line after the street: a unit, a district, a postcode, a city, a country. */
function chunkAt(index: number): number {
  if (index >= count || !joined(index)) return -1;
  const kind = kindOf(index);
  const mask = maskOf(index);
  // "Apt 4B", "Suite 200", "bât. A", "شقة 5"
  if (mask & unit) {
    let next = index + 1;
    if (isPunctuation(next, 46) && glued(next)) next += 1;
    if (isPunctuation(next, 35) || isPunctuation(next, 58)) next += 1;
    if (next < count && joined(next) && (kindOf(next) === numberToken || kindOf(next) === mixedToken || (kindOf(next) === latinWord && tokenLength(next) === 1 && has(next, capitalised)))) return next;
    return -1;
  }
  // "#12", "3e étage"
  if (isPunctuation(index, 35) && plainNumber(index + 1, 1, 5) && glued(index + 1)) return index + 1;
  if (kind === numberToken && digitCounts[index]! > 0 && digitCounts[index]! <= 2 && maskOf(index + 1) & unit && joined(index + 1)) return index + 1;
  // "حي الملز"
  if (mask & arabicDistrict) {
    const name = arabicStreetName(index);
    return name > index && has(index + 1, startsWithArticle) ? name : -1;
  }
  const postcode = postcodeAt(index);
  if (postcode >= 0) return postcode;
  const state = stateAndZip(index);
  if (state >= 0) return state;
  // A city (or a country), maybe with a postcode or a state after it: "London SW1A 1AA",
  // "Springfield, IL 62704", "الرياض 12629 - 7890".
  if (kind === latinWord && has(index, capitalised) && !(mask & (nonCity | unit)) || kind === arabicWord && !(mask & (arabicStop | arabicType | unit))) {
    let last = index;
    for (let steps = 0; steps < 2 && last + 1 < count && joined(last + 1) && kindOf(last + 1) === kind && (kind === arabicWord || has(last + 1, capitalised)) && !(maskOf(last + 1) & (nonCity | arabicStop | unit)); steps += 1) {
      if (stateAndZip(last + 1) >= 0) break;
      last += 1;
    }
    const after = last + 1;
    const postcodeAfter = postcodeAt(after);
    if (postcodeAfter >= 0) return postcodeAfter;
    const stateAfter = stateAndZip(skipSeparator(after));
    if (stateAfter >= 0) return stateAfter;
    const known = (mask | maskOf(last)) & (city | arabicCity | country);
    if (known || endsPhrase(after) && kind === latinWord) return endsPhrase(after) || isComma(after) ? last : -1;
  }
  return -1;
}

/** The end of an address line that starts with a street ending at last. */
function extendAddress(last: number): number {
  let end = last;
  for (let chunks = 0; chunks < 5; chunks += 1) {
    const start = skipSeparator(end + 1);
    const chunk = chunkAt(start);
    if (chunk < 0) break;
    end = chunk;
  }
  return end;
}

/** "Apt 4B, 12 Main St", "Flat 2, 10 Downing Street": a unit written before the number. */
function unitBefore(index: number): number {
  const comma = index - 1;
  if (comma < 2 || !isComma(comma) || has(index, newlineBefore) || has(comma, newlineBefore)) return index;
  const value = comma - 1;
  const word = isPunctuation(value - 1, 35) ? value - 2 : value - 1;
  if (word < 0 || has(value, newlineBefore)) return index;
  const valueKind = kindOf(value);
  if ((valueKind === numberToken || valueKind === mixedToken || (valueKind === latinWord && tokenLength(value) === 1)) && maskOf(word) & unit && has(word, capitalised)) return word;
  return index;
}

// ---------------------------------------------------------------------------------------------
// The patterns, each tried at one token

/** A street with its number first: English, French or Arabic. Returns [first, last] or undefined. */
function streetFromNumber(index: number): Street | undefined {
  if (!houseNumber(index)) return undefined;
  let next = afterHouseNumber(index);
  if (next >= count || !joined(next)) return undefined;
  let comma = false;
  if (isComma(next) && next + 1 < count && maskOf(next + 1) & frenchType && joined(next + 1)) {
    next += 1;
    comma = true;
  }
  const kind = kindOf(next);
  if (yearAfterPreposition(index)) return undefined;
  if (kind === numberToken && !comma) {
    // "725 5th Avenue"
    const last = englishStreet(next);
    return last >= 0 ? { first: unitBefore(index), last } : undefined;
  }
  if (kind === latinWord) {
    const mask = maskOf(next);
    if (mask & frenchType) {
      const last = frenchStreet(next);
      if (last >= 0) return { first: unitBefore(index), last };
    }
    if (comma) return undefined;
    const last = englishStreet(next);
    if (last >= 0) return { first: unitBefore(index), last };
    return undefined;
  }
  if (kind === arabicWord && maskOf(next) & arabicType && !has(next, startsWithArticle)) {
    const last = arabicStreetName(next);
    if (last >= 0) return { first: index, last };
  }
  return undefined;
}

/** "in 2019 Main Street was renamed": a year after a preposition is not a house number. */
function yearAfterPreposition(index: number): boolean {
  if (tokenLength(index) !== 4 || index === 0 || kindOf(index - 1) !== latinWord) return false;
  if (!yearLike(index)) return false;
  return (maskOf(index - 1) & yearPreposition) !== 0;
}

/** A four-digit number from 1800 to 2099. */
function yearLike(index: number): boolean {
  if (tokenLength(index) !== 4) return false;
  const start = starts[index]!;
  const century = (text.charCodeAt(start) - 48) * 10 + (text.charCodeAt(start + 1) - 48);
  return century >= 18 && century <= 20;
}

/** "Hauptstraße 5", "Bahnhofstr. 12a", "Friedrich-Ebert-Platz 5", "Berliner Straße 12". */
function germanStreet(index: number): Street | undefined {
  if (kindOf(index) !== numberToken || has(index, newlineBefore) || !has(index, spaceBefore)) return undefined;
  const digits = digitCounts[index]!;
  if (digits < 1 || digits > 4 || tokenLength(index) - digits > 1) return undefined;
  if (index + 1 < count && glued(index + 1) && (isPunctuation(index + 1, 46) || isPunctuation(index + 1, 44)) && index + 2 < count && kindOf(index + 2) === numberToken && glued(index + 2)) return undefined;
  let word = index - 1;
  let dotted = false;
  if (isPunctuation(word, 46) && glued(word)) {
    word -= 1;
    dotted = true;
  }
  if (word < 0 || kindOf(word) !== latinWord || !has(word, capitalised) || (word + 1 < index && has(word + 1, newlineBefore))) return undefined;
  // Every suffix ends in e, r, g, z or m: one comparison before the suffix loop.
  const last = text.charCodeAt(ends[word]! - 1) | 32;
  if (tokenLength(word) < 3 || !(last === 101 || last === 114 || last === 103 || last === 122 || last === 109)) return undefined;
  const suffix = germanSuffix(word);
  if (suffix === 0) return undefined;
  if (suffix === 3 && (!dotted || tokenLength(word) < 6)) return undefined;
  if (tokenLength(word) === suffix) {
    // "Berliner Straße 12": the street word alone needs a capitalised word before it.
    const before = word - 1;
    if (before < 0 || !isCapitalisedWord(before) || has(word, newlineBefore) || maskOf(before) & nonCity) return undefined;
    return { first: before, last: index };
  }
  return { first: word, last: index };
}

/** The length of the German street suffix the word ends with (straße, str, weg…), or 0. */
function germanSuffix(index: number): number {
  const start = starts[index]!;
  const end = ends[index]!;
  for (const suffix of germanStreetSuffixes) {
    if (end - start < suffix.length) continue;
    let matches = true;
    for (let position = 0; position < suffix.length; position += 1) {
      if (fold(text.charCodeAt(end - suffix.length + position)) !== suffix.charCodeAt(position)) {
        matches = false;
        break;
      }
    }
    if (matches) {
      // A suffix inside a longer word starts a segment: "Haupt|straße", "Friedrich-Ebert-|Platz".
      return suffix.length;
    }
  }
  return 0;
}

/** An Arabic street without a number before it: with a number after it, or a district, or a postcode. */
function arabicStreet(index: number): Street | undefined {
  const mask = maskOf(index);
  if (kindOf(index) !== arabicWord || has(index, startsWithArticle)) return undefined;
  if (mask & arabicType) {
    // "عن طريق" is "by means of".
    if (index > 0 && kindOf(index - 1) === arabicWord && wordExactly(index - 1, 'عن')) return undefined;
    const name = arabicStreetName(index);
    if (name < 0) return undefined;
    let after = name + 1;
    if (after < count && joined(after) && kindOf(after) === arabicWord && wordExactly(after, 'رقم')) after += 1;
    // "شارع الحرية رقم ١٤" at the end of a phrase or before a preposition ("… في الرباط").
    if (plainNumber(after, 1, 5) && joined(after) && (endsPhrase(after + 1) || maskOf(after + 1) & arabicStop && !(maskOf(after + 1) & numberWord)) && name > index && kindOf(name) === arabicWord) return { first: index, last: after };
    const separated = skipSeparator(name + 1);
    if (separated < count && joined(separated) && maskOf(separated) & arabicDistrict) {
      const district = chunkAt(separated);
      if (district >= 0) return { first: index, last: district };
    }
    const postcode = chunkAt(separated);
    if (postcode >= 0 && postcodeInside(separated, postcode)) return { first: index, last: postcode };
    return undefined;
  }
  if (mask & arabicDistrict) {
    const district = chunkAt(index);
    if (district < 0) return undefined;
    const separated = skipSeparator(district + 1);
    if (separated < count && joined(separated) && maskOf(separated) & arabicType && !has(separated, startsWithArticle)) {
      const name = arabicStreetName(separated);
      if (name >= 0) return { first: index, last: name };
    }
    const postcode = chunkAt(separated);
    if (postcode >= 0 && postcodeInside(separated, postcode)) return { first: index, last: postcode };
  }
  return undefined;
}

function postcodeInside(first: number, last: number): boolean {
  for (let index = first; index <= last; index += 1) if (plainNumber(index, 5, 5)) return true;
  return false;
}

/** "P.O. Box 123", "PO Box 123", "BP 123", "B.P. 123", "Postfach 1234", "ص.ب 1234", "صندوق بريد 12". */
function postBox(index: number): number {
  if (!plainNumber(index, 1, 6) || has(index, newlineBefore)) return -1;
  let before = index - 1;
  if (isPunctuation(before, 58) || isPunctuation(before, 35)) before -= 1;
  if (before < 0) return -1;
  if (!(maskOf(before) & boxWord) && !isPunctuation(before, 46)) return -1;
  if (wordIs(before, 'box')) {
    const po = before - 1;
    if (wordIs(po, 'po') || wordIs(po, 'pob')) return !has(po + 1, newlineBefore) ? po : -1;
    // "P.O. Box", "P. O. Box"
    if (isPunctuation(po, 46) && wordIs(po - 1, 'o') && (wordIs(po - 2, 'p') || (isPunctuation(po - 2, 46) && wordIs(po - 3, 'p')))) return wordIs(po - 2, 'p') ? po - 2 : po - 3;
    if (wordIs(po, 'office') && wordIs(po - 1, 'post')) return po - 1;
    return -1;
  }
  if (wordIs(before, 'postfach') || wordIs(before, 'pob')) return before;
  const bp = wordExactly(before, 'BP');
  if (bp || (isPunctuation(before, 46) && wordExactly(before - 1, 'P') && isPunctuation(before - 2, 46) && wordExactly(before - 3, 'B'))) {
    // "BP 120/80" is a blood pressure, "BP 2023" a year.
    const next = index + 1;
    if (isPunctuation(next, 47) || (next < count && joined(next) && kindOf(next) === latinWord && (text.charCodeAt(starts[next]!) | 32) === 109 && (text.charCodeAt(starts[next]! + 1) | 32) === 109)) return -1;
    if (yearLike(index)) return -1;
    return bp ? before : before - 3;
  }
  // Arabic: "ص.ب", "ص ب", "ص/ب", "صندوق بريد"
  if (wordExactly(before, 'ب')) {
    if (wordExactly(before - 1, 'ص')) return before - 1;
    if ((isPunctuation(before - 1, 46) || isPunctuation(before - 1, 47)) && wordExactly(before - 2, 'ص')) return before - 2;
  }
  if (wordExactly(before, 'بريد') && wordExactly(before - 1, 'صندوق')) return before - 1;
  return -1;
}

/** A postcode with a label before it: "code postal : 75008", "ZIP 94103", "الرمز البريدي 12345". */
function labelledPostcode(index: number): number {
  if (!plainNumber(index, 4, 5) || has(index, newlineBefore)) return -1;
  let before = index - 1;
  if (isPunctuation(before, 58)) before -= 1;
  if (before < 0 || !(maskOf(before) & labelHead)) return -1;
  if (before > 0 && maskOf(before - 1) & labelWord && joined(before)) return before - 1;
  return before;
}

/** A postcode standing alone: "75008 Paris" at a line start or after a comma, or by a known city. */
function standalonePostcode(index: number): Street | undefined {
  if (!plainNumber(index, 5, 5)) return undefined;
  if (glued(index) && index > 0 && kindOf(index - 1) !== punctuation) return undefined;
  if (index > 0 && glued(index) && (isPunctuation(index - 1, 46) || isPunctuation(index - 1, 44) || isPunctuation(index - 1, 47) || isPunctuation(index - 1, 36))) return undefined;
  if (index + 2 < count && glued(index + 1) && (isPunctuation(index + 1, 46) || isPunctuation(index + 1, 44)) && kindOf(index + 2) === numberToken) return undefined;
  let last = index;
  const extended = isDash(index + 1) && joined(index + 1) && plainNumber(index + 2, 4, 4) && joined(index + 2);
  if (extended) last = index + 2;
  const before = index - 1;
  // US: "Springfield, IL 62704", "CA 94103-1234"
  if (before >= 0 && joined(index) && isStateCode(before)) {
    const comma = before - 1;
    if (isComma(comma) && joined(before) && comma > 0 && isCapitalisedWord(comma - 1) && joined(comma)) {
      let first = comma - 1;
      for (let steps = 0; steps < 2 && first > 0 && isCapitalisedWord(first - 1) && joined(first); steps += 1) first -= 1;
      return { first, last };
    }
    if (extended || (before > 0 && isCapitalisedWord(before - 1) && joined(before))) return { first: extended ? before : before - 1, last };
  }
  // A known city before: "Riyadh 12345", "الرياض 12629 - 7890", "Berlin 10115"
  if (before >= 0 && joined(index) && isWord(before) && maskOf(before) & (city | arabicCity)) {
    let first = before;
    if (before > 0 && isWord(before - 1) && joined(before) && maskOf(before - 1) & (city | arabicCity)) first = before - 1;
    if (endsPhrase(last + 1) || extended) return { first, last };
  }
  // A city after, by name or at the start of a line: "75008 Paris", "13001 Marseille"
  const cityEnd = cityAfter(last + 1, last);
  // "F-75008 Paris"
  const prefixed = before >= 1 && isDash(before) && glued(before) && glued(index) && kindOf(before - 1) === latinWord && has(before - 1, capitalised) && tokenLength(before - 1) <= 2;
  if (cityEnd > last && prefixed) return { first: before - 1, last: cityEnd };
  if (cityEnd > last) {
    const known = maskOf(last + 1) & city || maskOf(cityEnd) & city;
    const lineStart = index === 0 || has(index, newlineBefore) || isComma(before) || (kindOf(before) === punctuation && has(before, newlineBefore));
    if (known || (lineStart && (endsPhrase(cityEnd + 1) || isComma(cityEnd + 1)))) return { first: index, last: cityEnd };
  }
  // "… الرياض 12629 - 7890", "العنوان المختصر 12629-7890": the Saudi form in Arabic text.
  if (extended) {
    for (let back = before; back >= 0 && back >= before - 3 && !has(back + 1, newlineBefore); back -= 1) if (kindOf(back) === arabicWord) return { first: index, last };
  }
  return undefined;
}

/** Scans tokens from index up to limit (an address may end past it); returns where it stopped. */
function scanTokens(from: number, limit: number, spans: Span[]): number {
  let index = from;
  while (index < limit) {
    const kind = kindOf(index);
    let street: Street | undefined;
    if (kind === numberToken) {
      street = streetFromNumber(index);
      // The patterns that look back need a word (or a dot, a colon, a hash) just before.
      const before = index - 1;
      const wordBefore = before >= 0 && !has(index, newlineBefore) && kindOf(before) !== numberToken;
      if (!street && wordBefore) street = germanStreet(index);
      if (!street && wordBefore) {
        const box = postBox(index);
        if (box >= 0) street = { first: box, last: index };
      }
      if (!street && wordBefore) {
        const labelled = labelledPostcode(index);
        if (labelled >= 0) {
          const last = isDash(index + 1) && joined(index + 1) && plainNumber(index + 2, 4, 4) && joined(index + 2) ? index + 2 : index;
          street = { first: index, last: cityAfter(last + 1, last) };
        }
      }
      street ??= standalonePostcode(index);
    } else if (kind === mixedToken) {
      const british = britishPostcode(index);
      if (british >= 0) {
        let first = index;
        const before = index - 1;
        if (before >= 0 && joined(index) && isCapitalisedWord(before) && (maskOf(before) & city || isComma(before - 1))) first = before;
        street = { first, last: british };
      }
    } else if (kind === arabicWord && mayBeArabicStreetWord(index)) {
      street = arabicStreet(index);
    }
    if (street) {
      const end = extendAddress(street.last);
      spans.push({ start: starts[street.first]!, end: ends[end]!, label });
      index = end + 1;
      continue;
    }
    index += 1;
  }
  return index;
}

/** The first letters of the Arabic street and district words, bare or after و ب ف. */
function mayBeArabicStreetWord(index: number): boolean {
  const length = tokenLength(index);
  if (length < 2 || length > 8) return false;
  const first = text.charCodeAt(starts[index]!);
  return first === 0x634 || first === 0x637 || first === 0x62c || first === 0x632 || first === 0x645 || first === 0x62f || first === 0x62d || first === 0x636 || first === 0x648 || first === 0x628 || first === 0x641;
}

// Where an address may be: a digit (Arabic-Indic too), or an Arabic street or district word, which
// may stand without a number ("شارع التحلية، حي السليمانية"). Literals and a class: linear.
const anchors = /[0-9\u0660-\u0669\u06F0-\u06F9]|شارع|طريق|جادة|ميدان|زقاق|دوار|حي|منطقة/g;

/** Text kept before and after an anchor: room for "Apt 4B, " or "Springfield, IL" before it, a line after it. */
const windowBefore = 100;
const windowAfter = 220;
/** An address and its look-ahead span fewer tokens than this, so the tail of a window waits. */
const tailTokens = 40;

const isArabicLetterAt = (position: number): boolean => position >= 0 && position < text.length && isArabicLetter(text.charCodeAt(position));

/** Is the anchor at [start, end) worth a window: a digit run of at most six, or a whole Arabic word? */
function anchorEnd(start: number, matched: number): number {
  const code = text.charCodeAt(start);
  if (isDigit(code)) {
    let end = start + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end += 1;
    // No house number, postcode or box number has more than six digits.
    return end - start > 6 ? -end : end;
  }
  const end = start + matched;
  if (isArabicLetterAt(end)) return -end;
  if (isArabicLetterAt(start - 1)) {
    // "وشارع", "بشارع": one glued letter before the word.
    const glued = text.charCodeAt(start - 1);
    if (!(glued === 0x648 || glued === 0x628 || glued === 0x641) || isArabicLetterAt(start - 2)) return -end;
  }
  return end;
}

function snapForward(position: number): number {
  let index = Math.min(position, text.length);
  while (index < text.length && !isSpace(text.charCodeAt(index)) && !isNewline(text.charCodeAt(index))) index += 1;
  return index;
}

function snapBack(position: number, floor: number): number {
  let index = Math.max(position, floor);
  while (index > floor && !isSpace(text.charCodeAt(index - 1)) && !isNewline(text.charCodeAt(index - 1))) index -= 1;
  return index;
}

/**
 * Spans of postal addresses in text (offsets into text as given; Arabic-Indic digits count as
 * digits). A span covers the address line as far as it can be told; spans never overlap.
 */
export function findAddresses(input: string): Span[] {
  anchors.lastIndex = 0;
  // No digit and no Arabic street word: nothing to find, at the cost of one native scan.
  if (!anchors.test(input)) return [];
  words = vocabulary ??= buildVocabulary();
  text = input;
  count = 0;
  ensureCapacity(input.length < 4096 ? 1024 : (input.length >> 1) + 16);
  const spans: Span[] = [];
  // Tokenise only windows around the anchors; windows close together are joined into one.
  let tokenisedTo = 0;
  let scanned = 0;
  anchors.lastIndex = 0;
  for (let match = anchors.exec(input); match; match = anchors.exec(input)) {
    const start = match.index;
    const end = anchorEnd(start, match[0].length);
    if (end < 0) {
      anchors.lastIndex = Math.max(-end, start + 1);
      continue;
    }
    if (start < tokenisedTo) {
      // An anchor late in the window: make sure the window reaches far enough past it.
      if (tokenisedTo - end < windowAfter / 2 && tokenisedTo < input.length) {
        const to = snapForward(end + windowAfter);
        tokenizeRange(input, tokenisedTo, to, false);
        tokenisedTo = to;
        scanned = scanTokens(scanned, to >= input.length ? count : count - tailTokens, spans);
      }
      anchors.lastIndex = Math.max(end, tokenisedTo - windowAfter / 2);
      continue;
    }
    let from = snapBack(start - windowBefore, tokenisedTo);
    if (from - tokenisedTo < windowBefore) from = tokenisedTo;
    else scanned = scanTokens(scanned, count, spans);
    const to = snapForward(end + windowAfter);
    tokenizeRange(input, from, to, from > tokenisedTo);
    tokenisedTo = to;
    scanned = scanTokens(scanned, to >= input.length ? count : count - tailTokens, spans);
    anchors.lastIndex = Math.max(end, to - windowAfter / 2);
  }
  scanTokens(scanned, count, spans);
  text = '';
  return mergeOverlaps(spans);
}

/** Patterns that look back (a German street, a box, a US state) may reach into the span before. */
function mergeOverlaps(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start);
  const merged: Span[] = [spans[0]!];
  for (let index = 1; index < spans.length; index += 1) {
    const span = spans[index]!;
    const previous = merged[merged.length - 1]!;
    if (span.start < previous.end) previous.end = Math.max(previous.end, span.end);
    else merged.push(span);
  }
  return merged;
}
