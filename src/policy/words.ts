// Words for the name and address detectors: character classes, folding (Latin case, ’ as ', Arabic
// without diacritics or tatweel and with one alef), FNV-1a hashes of folded code units, bit-set
// filters over those hashes, and a hashed word table whose look-ups allocate nothing.

import { scan } from './codes.js';

/** The folded code unit, or -1 for one that does not count (an Arabic diacritic). */
export function fold(code: number): number {
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

export const hashSeed = 0x811c9dc5;
export const step = (hash: number, code: number): number => Math.imul(hash ^ code, 0x01000193);
export const finish = (hash: number): number => hash & 0x3fffffff;

/** The hash of the folded text[start, end). */
export function hashRange(text: string, start: number, end: number): number {
  // Read from the code array where it holds the text (codes.ts: a read on the string costs a call once reads on
  // strings have turned megamorphic); only inside the text, as past its end the string reads NaN, the array 0.
  if (scan.text === text && start >= 0 && end <= scan.length) return hashCodes(scan.codes, start, end);
  let hash = hashSeed;
  for (let index = start; index < end; index += 1) {
    const raw = text.charCodeAt(index);
    // Lower-case ASCII and plain Arabic letters fold to themselves.
    const code =
      (raw >= 97 && raw <= 122) || (raw >= 0x626 && raw <= 0x63a) || (raw >= 0x641 && raw <= 0x64a) || raw === 0x624
        ? raw
        : fold(raw);
    if (code >= 0) hash = step(hash, code);
  }
  return finish(hash);
}

/** hashRange on codes[start, end). */
function hashCodes(codes: Uint16Array, start: number, end: number): number {
  let hash = hashSeed;
  for (let index = start; index < end; index += 1) {
    const raw = codes[index]!;
    const code =
      (raw >= 97 && raw <= 122) || (raw >= 0x626 && raw <= 0x63a) || (raw >= 0x641 && raw <= 0x64a) || raw === 0x624
        ? raw
        : fold(raw);
    if (code >= 0) hash = step(hash, code);
  }
  return finish(hash);
}

/** The hash of a word already folded. */
export function hashOfFolded(folded: string): number {
  let hash = hashSeed;
  for (let index = 0; index < folded.length; index += 1) hash = step(hash, folded.charCodeAt(index));
  return finish(hash);
}

const nonAscii = /[^\u0000-\u007f]/;

/** The folded form of a word: native lower-casing when it is ASCII, as most listed words are. */
export function foldWord(word: string): string {
  if (!nonAscii.test(word)) return word.toLowerCase();
  let folded = '';
  for (let index = 0; index < word.length; index += 1) {
    const code = fold(word.charCodeAt(index));
    if (code >= 0) folded += String.fromCharCode(code);
  }
  return folded;
}

const accented = /[\u00e0-\u00ff\u0153]/;
const plainLetters: Record<string, string> = {
  à: 'a',
  á: 'a',
  â: 'a',
  ã: 'a',
  ä: 'a',
  å: 'a',
  æ: 'ae',
  ç: 'c',
  è: 'e',
  é: 'e',
  ê: 'e',
  ë: 'e',
  ì: 'i',
  í: 'i',
  î: 'i',
  ï: 'i',
  ð: 'd',
  ñ: 'n',
  ò: 'o',
  ó: 'o',
  ô: 'o',
  õ: 'o',
  ö: 'o',
  ø: 'o',
  ù: 'u',
  ú: 'u',
  û: 'u',
  ü: 'u',
  ý: 'y',
  þ: 'th',
  ÿ: 'y',
  œ: 'oe',
};

/** A folded word without the accents of Latin-1 letters: "leïla" as "leila", "gaëtan" as "gaetan". */
export function withoutAccents(folded: string): string {
  return accented.test(folded)
    ? folded.replace(/[\u00e0-\u00ff\u0153]/g, (letter) => plainLetters[letter] ?? letter)
    : folded;
}

/** Does text[start, end), folded, spell word (already folded)? */
export function sameFolded(text: string, start: number, end: number, word: string): boolean {
  let position = 0;
  for (let index = start; index < end; index += 1) {
    let code = text.charCodeAt(index);
    // Lower-case ASCII and plain Arabic letters fold to themselves.
    if (
      !(
        (code >= 97 && code <= 122) ||
        (code >= 0x626 && code <= 0x63a) ||
        (code >= 0x641 && code <= 0x64a) ||
        code === 0x624
      )
    ) {
      code = fold(code);
      if (code < 0) continue;
    }
    if (position >= word.length || word.charCodeAt(position) !== code) return false;
    position += 1;
  }
  return position === word.length;
}

// ---------------------------------------------------------------------------------------------
// Character classes

export function isLatinLetter(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) ||
    (code >= 0x1e00 && code <= 0x1eff) ||
    (code >= 0x300 && code <= 0x36f)
  );
}

export function isArabicLetter(code: number): boolean {
  return (
    (code >= 0x621 && code <= 0x65f) ||
    (code >= 0x66e && code <= 0x6d3) ||
    code === 0x6d5 ||
    (code >= 0xfb50 && code <= 0xfdff) ||
    (code >= 0xfe70 && code <= 0xfefc)
  );
}

/** Diacritics and tatweel, which do not count as letters of a word. */
export function isArabicMark(code: number): boolean {
  return (code >= 0x64b && code <= 0x65f) || code === 0x670 || code === 0x640;
}

/** ASCII, Arabic-Indic and Eastern Arabic-Indic digits. */
export function isDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 0x660 && code <= 0x669) || (code >= 0x6f0 && code <= 0x6f9);
}

export function isUpper(code: number): boolean {
  if (code < 128) return code >= 65 && code <= 90;
  return fold(code) !== code && code < 0x250;
}

export const isApostrophe = (code: number): boolean => code === 39 || code === 0x2019 || code === 0x2bc;
export const isHyphen = (code: number): boolean => code === 45 || code === 0x2010 || code === 0x2011;
export const isNewline = (code: number): boolean =>
  code === 10 || code === 13 || code === 0x2028 || code === 0x2029 || code === 0x85;
export const isSpace = (code: number): boolean =>
  code === 32 ||
  code === 9 ||
  code === 0xa0 ||
  code === 11 ||
  code === 12 ||
  (code >= 0x2000 && code <= 0x200b) ||
  code === 0x202f ||
  code === 0x205f ||
  code === 0x3000 ||
  code === 0xfeff ||
  code === 0x200c ||
  code === 0x200d;

/** Moves position forward to the next space or line break (or the end), so no word is cut. */
export function snapForward(text: string, position: number): number {
  let index = Math.min(position, text.length);
  while (index < text.length && !isSpace(text.charCodeAt(index)) && !isNewline(text.charCodeAt(index))) index += 1;
  return index;
}

/** Moves position back to just after a space or line break, but not before floor. */
export function snapBack(text: string, position: number, floor: number): number {
  let index = Math.max(position, floor);
  while (index > floor && !isSpace(text.charCodeAt(index - 1)) && !isNewline(text.charCodeAt(index - 1))) index -= 1;
  return index;
}

// ---------------------------------------------------------------------------------------------
// Bit-set filters over the low 20 bits of word hashes: with some 12,000 listed words about 1% of
// other words pass by chance, so most words of prose cost one read.

const filterBits = 20;
const filterMask = (1 << filterBits) - 1;
export const newFilter = (): Uint32Array => new Uint32Array((1 << filterBits) >>> 5);
export const mark = (filter: Uint32Array, hash: number): void => {
  const bit = hash & filterMask;
  filter[bit >>> 5]! |= 1 << (bit & 31);
};
export const marked = (filter: Uint32Array, hash: number): boolean => {
  const bit = hash & filterMask;
  return (filter[bit >>> 5]! & (1 << (bit & 31))) !== 0;
};

// ---------------------------------------------------------------------------------------------
// Word shapes: first and last letter (ASCII of either case, or Arabic of the basic block with one
// alef) and length, one bit a length, so that most words of prose are ruled out of a small set
// before any hashing.

/** The letter's index in a shape (1 to 42), or 0 for a letter that has none. */
function shapeLetter(code: number): number {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) return code & 31;
  if (code >= 0x621 && code <= 0x64a) return code === 0x623 || code === 0x625 || code === 0x622 ? 7 : code - 0x620;
  return 0;
}

export class WordShapes {
  private readonly lengths = new Int32Array(64 * 64);

  /** Adds a folded word; one that does not begin and end with a letter of a shape needs none. */
  add(word: string): void {
    const first = shapeLetter(word.charCodeAt(0));
    const last = shapeLetter(word.charCodeAt(word.length - 1));
    if (first === 0 || last === 0) return;
    // Arabic may carry diacritics and tatweel in the text: any length from the folded one on.
    const arabic = word.charCodeAt(0) >= 0x621;
    this.lengths[(first << 6) | last]! |= arabic
      ? ~((1 << Math.min(word.length, 31)) - 1)
      : 1 << Math.min(word.length, 31);
  }

  /** Could text[start, end) be one of the words? Yes unless its shape says no. */
  mayHold(text: string, start: number, end: number): boolean {
    // Both ends read from the code array where it holds the text and they are inside it (as in hashRange).
    const loaded = scan.text === text && start >= 0 && end >= 1 && start < scan.length && end <= scan.length;
    const first = shapeLetter(loaded ? scan.codes[start]! : text.charCodeAt(start));
    const last = shapeLetter(loaded ? scan.codes[end - 1]! : text.charCodeAt(end - 1));
    if (first === 0 || last === 0) return true;
    return (this.lengths[(first << 6) | last]! & (1 << Math.min(end - start, 31))) !== 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The word table

export interface WordEntry {
  /** The folded word. */
  word: string;
  /** The categories of the word, one bit each (the detector's own). */
  mask: number;
  id: number;
  /** The next entry with the same hash. */
  next: WordEntry | undefined;
}

/** Folded words with their category bits, found by hash and confirmed code unit by code unit. */
export class WordTable {
  private readonly byHash = new Map<number, WordEntry>();
  readonly entries: WordEntry[] = [];

  /** Adds the word with the given bits (or them to its entry) and returns its entry. */
  add(word: string, mask: number): WordEntry {
    const folded = foldWord(word);
    const hash = hashOfFolded(folded);
    for (let entry = this.byHash.get(hash); entry; entry = entry.next) {
      if (entry.word === folded) {
        entry.mask |= mask;
        return entry;
      }
    }
    const created: WordEntry = { word: folded, mask, id: this.entries.length, next: this.byHash.get(hash) };
    this.byHash.set(hash, created);
    this.entries.push(created);
    return created;
  }

  /** The entry for text[start, end) whose hash is given, or undefined. */
  find(text: string, start: number, end: number, hash: number): WordEntry | undefined {
    for (let entry = this.byHash.get(hash); entry; entry = entry.next)
      if (sameFolded(text, start, end, entry.word)) return entry;
    return undefined;
  }

  /** The bits of text[start, end), or 0 when it is not listed. */
  maskOf(text: string, start: number, end: number, hash: number): number {
    const entry = this.find(text, start, end, hash);
    return entry ? entry.mask : 0;
  }
}
