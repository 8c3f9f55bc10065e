// The tokens the name and address detectors read (words, numbers with a glued suffix, "SW1A",
// punctuation), in typed arrays reused between calls: one buffer for both, as they run one after the
// other and each call starts by resetting it.
import { loadCodes, scan } from './codes.js';
import {
  finish,
  fold,
  hashRange,
  hashSeed,
  isApostrophe,
  isArabicLetter,
  isArabicMark,
  isDigit,
  isHyphen,
  isLatinLetter,
  isNewline,
  isSpace,
  isUpper,
  step,
} from './words.js';

export const latinWord = 1;
export const arabicWord = 2;
export const numberToken = 3;
/** Capitals then digits, as a British postcode's outward code: "SW1A", "M1". */
export const mixedToken = 4;
export const punctuation = 5;

// Flags, above the three kind bits; a punctuation token keeps its character above bit 16.
export const capitalised = 1 << 3;
export const allCapitals = 1 << 4;
export const newlineBefore = 1 << 5;
export const spaceBefore = 1 << 6;
export const hyphenated = 1 << 7;
/** "Smith's": looked up as "Smith". */
export const possessive = 1 << 8;
export const segmentsCapitalised = 1 << 9;
/** "d'Artagnan", "al-Rashid": a lower-case particle glued to a capitalised name. */
export const prefixedCapital = 1 << 10;
export const startsWithArticle = 1 << 11;
export const endsWithYa = 1 << 12;
/** A capital after a lower-case letter, past a name prefix (Mc, Mac, De, O'…): "NodeJS", "GiB". */
export const innerCapital = 1 << 13;

/**
 * The text being read and its tokens. One object with fields, not module variables: V8 reads a
 * field of a constant object faster than a module binding (no hole check), and the detectors read
 * these in every predicate.
 */
export const tokens = {
  /** The text being read; set by beginText, cleared by endText. */
  text: '',
  /**
   * Its code units (loadCodes), which the tokenizer reads instead of the string: the array loadCodes reuses, so
   * valid while this text is being read (the detectors run one at a time, none calls another inside a run).
   */
  codes: scan.codes as Uint16Array,
  count: 0,
  capacity: 0,
  starts: new Int32Array(0),
  ends: new Int32Array(0),
  info: new Int32Array(0),
  /** The hash of each word (without a possessive 's), computed when first needed (-1 until then). */
  hashes: new Int32Array(0),
  /** The detector's own look-ups of each word, filled when first needed (-1 and -2 until then). */
  masks: new Int32Array(0),
  entryIds: new Int32Array(0),
  /** For a number token: how many of its characters are digits (-1 when letters go on past a suffix). */
  digitCounts: new Int32Array(0),
};

/** Starts reading input, with room for about as many tokens as a text of its length holds. */
export function beginText(input: string): void {
  tokens.text = input;
  tokens.codes = loadCodes(input);
  tokens.count = 0;
  const needed = input.length < 4096 ? 1024 : (input.length >> 1) + 16;
  const capacity = tokens.capacity;
  if (needed <= capacity && (capacity <= 65536 || needed * 4 > capacity)) return;
  allocate(Math.max(needed, 256), false);
}

/** Lets the text go, so that the buffer does not keep it alive. */
export function endText(): void {
  tokens.text = '';
}

/** New arrays of the given capacity, keeping the tokens so far when asked. */
function allocate(capacity: number, keep: boolean): void {
  const resize = (from: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
    const to = new Int32Array(capacity);
    if (keep) to.set(from);
    return to;
  };
  tokens.starts = resize(tokens.starts);
  tokens.ends = resize(tokens.ends);
  tokens.info = resize(tokens.info);
  tokens.hashes = resize(tokens.hashes);
  tokens.masks = resize(tokens.masks);
  tokens.entryIds = resize(tokens.entryIds);
  tokens.digitCounts = resize(tokens.digitCounts);
  tokens.capacity = capacity;
}

const grow = (): void => allocate(tokens.capacity * 2, true);

/** McDonald, MacArthur, DeShawn, LeBron, DiCaprio, VanDyke: a capital after these is a name's. */
function namePrefix(codes: Uint16Array, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > 4) return false;
  const first = codes[start]! | 32;
  const second = length > 1 ? codes[start + 1]! | 32 : 0;
  const third = length > 2 ? codes[start + 2]! | 32 : 0;
  if (length === 2)
    return (
      (first === 109 && second === 99) ||
      (first === 100 && (second === 101 || second === 105 || second === 97)) ||
      (first === 108 && (second === 101 || second === 97))
    );
  if (length === 3)
    return (
      (first === 109 && second === 97 && third === 99) ||
      (first === 118 && second === 97 && third === 110) ||
      (first === 118 && second === 111 && third === 110)
    );
  return length === 4 && first === 102 && second === 105 && third === 116 && (codes[start + 3]! | 32) === 122;
}

/**
 * Appends the tokens of text[from, to), both word boundaries. After a gap (text left out), the first
 * token counts as starting a line, so that no phrase, name or address runs across the gap.
 */
export function tokenizeRange(from: number, to: number, gap: boolean): void {
  const first = tokens.count;
  tokenizeInto(tokens.codes, from, to, gap);
  const count = tokens.count;
  // Look-ups are filled in when first needed, and the hashes tokenizeInto did not take on the way.
  tokens.masks.fill(-1, first, count);
  tokens.entryIds.fill(-2, first, count);
  // Two empty tokens after the last, so that a look-ahead past the end reads nothing left over
  // from an earlier call.
  while (count + 2 > tokens.capacity) grow();
  tokens.info[count] = 0;
  tokens.info[count + 1] = 0;
}

// What a character starts, as tokenizeInto tells it: the tests it makes, in their order, read from a table below
// U+0700 (one read for most characters of a text instead of a chain of comparisons). Here, not in words.ts: a
// module binding read for every character measured slower (1 MB tokenised in 6.1 ms, against 5.4).
const spaceClass = 1;
const newlineClass = 2;
const lowerClass = 3;
const upperClass = 4;
const latinClass = 5;
const arabicClass = 6;
const digitClass = 7;
const otherClass = 0;

function characterClass(code: number): number {
  if (code === 32) return spaceClass;
  if (isNewline(code)) return newlineClass;
  if (isSpace(code)) return spaceClass;
  if (code >= 97 && code <= 122) return lowerClass;
  if (code >= 65 && code <= 90) return upperClass;
  if (isLatinLetter(code)) return latinClass;
  if (isArabicLetter(code)) return arabicClass;
  return isDigit(code) ? digitClass : otherClass;
}

const characterClasses = new Uint8Array(0x700);
for (let code = 0; code < characterClasses.length; code += 1) characterClasses[code] = characterClass(code);

function tokenizeInto(codes: Uint16Array, from: number, length: number, gap: boolean): void {
  let count = tokens.count;
  // The arrays and the capacity in locals: the loop reads them for every token.
  let { starts, ends, info, hashes, digitCounts, capacity } = tokens;
  let pendingNewline = gap || from === 0;
  let pendingSpace = true;
  let index = from;
  while (index < length) {
    const code = codes[index]!;
    const type = code < 0x700 ? characterClasses[code]! : characterClass(code);
    if (type === spaceClass) {
      pendingSpace = true;
      index += 1;
      continue;
    }
    if (type === newlineClass) {
      pendingNewline = true;
      pendingSpace = true;
      index += 1;
      continue;
    }
    if (count >= capacity) {
      tokens.count = count;
      grow();
      ({ starts, ends, info, hashes, digitCounts, capacity } = tokens);
    }
    let flags = (pendingNewline ? newlineBefore : 0) | (pendingSpace ? spaceBefore : 0);
    pendingNewline = false;
    pendingSpace = false;
    const start = index;
    let kind: number;
    let end = 0;
    // The word's hash (as hashOf takes it) where the loop below reads the word anyway; else -1, taken when needed.
    let hash = -1;
    if (type === lowerClass) {
      // The common case, a run of lower-case ASCII letters ending the word, in one tight loop; they fold to
      // themselves, so the hash is taken on the way.
      kind = latinWord;
      let running = step(hashSeed, code);
      index += 1;
      let next = codes[index]!;
      while (next >= 97 && next <= 122) {
        running = step(running, next);
        next = codes[(index += 1)]!;
      }
      if (index < length && (isLatinLetter(next) || isApostrophe(next) || isHyphen(next) || isDigit(next))) {
        index = latinWordEnd(codes, start, length);
        flags |= latinFlags & ~onlyCapitals;
      } else if (index <= length) hash = finish(running);
      if (index > length) index = length;
    } else if (type === upperClass && (end = capitalisedWordEnd(codes, index, length)) > 0) {
      // "Mr", "Dear", "A": a capital, then lower-case ASCII letters ending the word.
      kind = latinWord;
      index = end;
      flags |= capitalised | segmentsCapitalised;
      hash = capitalisedHash;
    } else if (type === upperClass || type === latinClass) {
      kind = latinWord;
      index = latinWordEnd(codes, start, length);
      flags |= latinFlags & ~onlyCapitals;
      if (index < length && isDigit(codes[index]!) && latinFlags & onlyCapitals) {
        // "SW1A", "EC1A": capitals, digits, maybe a capital, as one token.
        kind = mixedToken;
        flags |= capitalised;
        while (index < length && (isDigit(codes[index]!) || (isLatinLetter(codes[index]!) && isUpper(codes[index]!))))
          index += 1;
      }
    } else if (type === arabicClass) {
      kind = arabicWord;
      index += 1;
      for (
        let next = codes[index]!;
        index < length && ((next >= 0x621 && next <= 0x65f) || isArabicLetter(next));
        next = codes[index]!
      )
        index += 1;
      // The article and the final ي, looking past diacritics: "الْعُتَيْبِيّ".
      let second = start + 1;
      while (second < index && isArabicMark(codes[second]!)) second += 1;
      let last = index - 1;
      while (last > start && isArabicMark(codes[last]!)) last -= 1;
      if (
        (code === 0x627 || code === 0x623 || code === 0x625 || code === 0x622) &&
        second < index &&
        codes[second]! === 0x644
      )
        flags |= startsWithArticle;
      const final = codes[last]!;
      if (final === 0x64a || final === 0x6cc) flags |= endsWithYa;
    } else if (type === digitClass) {
      kind = numberToken;
      index += 1;
      while (index < length && isDigit(codes[index]!)) index += 1;
      let digits = index - start;
      // A glued suffix of letters: "221B", "12bis", "5th". More than six letters: a word.
      while (index < length && isLatinLetter(codes[index]!) && index - start - digits < 6) index += 1;
      if (index < length && isLatinLetter(codes[index]!)) {
        while (index < length && isLatinLetter(codes[index]!)) index += 1;
        digits = -1;
      }
      digitCounts[count] = digits;
    } else {
      kind = punctuation;
      index += 1;
      flags |= code << 16;
    }
    starts[count] = start;
    ends[count] = index;
    info[count] = kind | flags;
    hashes[count] = hash;
    count += 1;
  }
  tokens.count = count;
}

/** Set by capitalisedWordEnd: the hash of the word it found (as hashOf takes it), or -1. */
let capitalisedHash = -1;

/** The end of a word of a capital and lower-case ASCII letters at index, or -1 for any other word. */
function capitalisedWordEnd(codes: Uint16Array, index: number, length: number): number {
  let end = index + 1;
  // The capital folds to its lower case; the letters after it to themselves.
  let running = step(hashSeed, codes[index]! + 32);
  let code = codes[end]!;
  while (code >= 97 && code <= 122) {
    running = step(running, code);
    code = codes[(end += 1)]!;
  }
  capitalisedHash = end > length ? -1 : finish(running);
  if (end > length) end = length;
  return isWordGoingOn(codes, end, length) ? -1 : end;
}

/** Does a word go on at index: a letter, a digit, or an apostrophe or hyphen before a letter? */
function isWordGoingOn(codes: Uint16Array, index: number, length: number): boolean {
  if (index >= length) return false;
  const code = codes[index]!;
  return (
    isLatinLetter(code) ||
    isDigit(code) ||
    ((isApostrophe(code) || isHyphen(code)) && index + 1 < length && isLatinLetter(codes[index + 1]!))
  );
}

/** Set by latinWordEnd beside the flags: no lower-case letter and no connector so far. */
const onlyCapitals = 1 << 30;
let latinFlags = 0;

/**
 * The end of the Latin word at start, with its flags left in latinFlags. The common case, a run of
 * lower-case ASCII letters, costs one comparison a character.
 */
function latinWordEnd(codes: Uint16Array, start: number, length: number): number {
  let index = start;
  let flags = 0;
  let uppers = 0;
  let sawLower = false;
  let connectors = false;
  let allSegmentsCapitalised = true;
  let firstConnector = -1;
  let lastApostrophe = -1;
  let segmentBegin = index;
  for (;;) {
    const first = codes[index]!;
    if (isUpper(first)) uppers += 1;
    else {
      allSegmentsCapitalised = false;
      sawLower = true;
    }
    index += 1;
    while (index < length) {
      const current = codes[index]!;
      if (current >= 97 && current <= 122) {
        sawLower = true;
        index += 1;
        continue;
      }
      if (!isLatinLetter(current)) break;
      if (isUpper(current)) {
        uppers += 1;
        // "NodeJS", "iPhone", but "McDonald", "DeShawn"
        const previous = codes[index - 1]!;
        if (
          ((previous >= 97 && previous <= 122) || (previous >= 0xdf && previous <= 0xff)) &&
          !namePrefix(codes, segmentBegin, index)
        )
          flags |= innerCapital;
      } else sawLower = true;
      index += 1;
    }
    if (index + 1 < length) {
      const next = codes[index]!;
      if ((isApostrophe(next) || isHyphen(next)) && isLatinLetter(codes[index + 1]!)) {
        if (firstConnector < 0) firstConnector = index - start;
        if (isHyphen(next)) flags |= hyphenated;
        else lastApostrophe = index;
        connectors = true;
        index += 1;
        segmentBegin = index;
        continue;
      }
    }
    break;
  }
  const end = index;
  if (isUpper(codes[start]!)) flags |= capitalised;
  if (uppers >= 2 && !sawLower) flags |= allCapitals;
  if (!sawLower && !connectors) flags |= onlyCapitals;
  if (allSegmentsCapitalised) flags |= segmentsCapitalised;
  if (lastApostrophe === end - 2 && (codes[end - 1]! | 32) === 115 && end - start > 3) flags |= possessive;
  if (firstConnector > 0 && firstConnector <= 2 && isUpper(codes[start + firstConnector + 1]!)) {
    const first = codes[start]! | 32;
    const second = firstConnector === 2 ? codes[start + 1]! | 32 : 0;
    if (
      (firstConnector === 1 && first === 100) ||
      (firstConnector === 2 && (first === 97 || first === 101) && second === 108)
    )
      flags |= prefixedCapital;
  }
  latinFlags = flags;
  return end;
}

// ---------------------------------------------------------------------------------------------
// Predicates on tokens

export const kindOf = (index: number): number => tokens.info[index]! & 7;
export const has = (index: number, flag: number): boolean => (tokens.info[index]! & flag) !== 0;
/** The character of a punctuation token, or -1. */
export const charOf = (index: number): number =>
  index >= 0 && index < tokens.count && kindOf(index) === punctuation ? tokens.info[index]! >>> 16 : -1;
export const isPunctuation = (index: number, character: number): boolean => charOf(index) === character;
/** Same line as the token before it: words of one phrase. */
export const joined = (index: number): boolean => index < tokens.count && !has(index, newlineBefore);
/** No space before it: glued to the token before. */
export const glued = (index: number): boolean => index < tokens.count && !has(index, spaceBefore);
export const tokenLength = (index: number): number => tokens.ends[index]! - tokens.starts[index]!;
/** The end of the word as looked up: before a possessive 's. */
export const keyEnd = (index: number): number =>
  has(index, possessive) ? tokens.ends[index]! - 2 : tokens.ends[index]!;
export const lengthOf = (index: number): number => keyEnd(index) - tokens.starts[index]!;
export const isWord = (index: number): boolean =>
  index < tokens.count && (kindOf(index) === latinWord || kindOf(index) === arabicWord);

export function hashOf(index: number): number {
  let hash = tokens.hashes[index]!;
  if (hash < 0) {
    hash = hashRange(tokens.text, tokens.starts[index]!, keyEnd(index));
    tokens.hashes[index] = hash;
  }
  return hash;
}

/** The word is value (lower case): compared ignoring ASCII case, without making a string. */
export function wordIs(index: number, value: string): boolean {
  if (index < 0 || index >= tokens.count || tokens.ends[index]! - tokens.starts[index]! !== value.length) return false;
  const start = tokens.starts[index]!;
  for (let position = 0; position < value.length; position += 1) {
    const code = tokens.text.charCodeAt(start + position);
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== value.charCodeAt(position)) return false;
  }
  return true;
}

/** The word is written exactly so ("BP", "P", "عن"). */
export function wordExactly(index: number, value: string): boolean {
  return (
    index >= 0 &&
    index < tokens.count &&
    tokens.ends[index]! - tokens.starts[index]! === value.length &&
    tokens.text.startsWith(value, tokens.starts[index]!)
  );
}

/** The last character before position that is not a space, or -1 at the start of the text. */
export function characterBefore(position: number): number {
  let before = position - 1;
  while (before >= 0 && isSpace(tokens.text.charCodeAt(before))) before -= 1;
  return before < 0 ? -1 : tokens.text.charCodeAt(before);
}

/** The folded first code unit of a word. */
export const firstFolded = (index: number): number => fold(tokens.text.charCodeAt(tokens.starts[index]!));
