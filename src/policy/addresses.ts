// pii.address: postal addresses in English, French, German and Arabic, by their structure (a number
// and a street type, postcodes in context, boxes). Linear: a native scan finds digits and Arabic street
// words, a glance at the words around each keeps those worth a look, and only their windows are scanned.
import { germanStreetSuffixes } from './data/address-words.js';
import { arabicArticleStreet, arabicStreet, extendAddress } from './addresses-lines.js';
import { britishPostcode, cityAfter, labelledPostcode, postBox, standalonePostcode } from './addresses-postcodes.js';
import { germanStreet } from './addresses-german.js';
import { streetFromNumber } from './addresses-streets.js';
import {
  beginAddresses,
  isCapitalisedWord,
  isComma,
  isDash,
  maskOf,
  plainNumber,
  type Street,
  words,
} from './addresses-tokens.js';
import { city } from './addresses-vocabulary.js';
import type { Span } from './span.js';
import {
  arabicWord,
  endText,
  has,
  joined,
  kindOf,
  mixedToken,
  newlineBefore,
  numberToken,
  tokenizeRange,
  tokenLength,
  tokens,
} from './tokens.js';
import {
  fold,
  hashRange,
  isApostrophe,
  isHyphen,
  isArabicLetter,
  isDigit,
  isLatinLetter,
  isSpace,
  isUpper,
  marked,
  snapBack,
  snapForward,
} from './words.js';

const label = 'pii.address';

/** Scans tokens from index up to limit (an address may end past it); returns where it stopped. */
function scanTokens(from: number, limit: number, spans: Span[]): number {
  let index = from;
  while (index < limit) {
    const kind = kindOf(index);
    let street: Street | undefined;
    if (kind === numberToken) {
      street = streetFromNumber(index) ?? arabicArticleStreet(index);
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
          const last =
            isDash(index + 1) && joined(index + 1) && plainNumber(index + 2, 4, 4) && joined(index + 2)
              ? index + 2
              : index;
          street = { first: index, last: cityAfter(last + 1, last) };
        }
      }
      street ??= standalonePostcode(index);
    } else if (kind === mixedToken) {
      const british = britishPostcode(index);
      if (british >= 0) {
        let first = index;
        const before = index - 1;
        if (before >= 0 && joined(index) && isCapitalisedWord(before) && (maskOf(before) & city || isComma(before - 1)))
          first = before;
        street = { first, last: british };
      }
    } else if (kind === arabicWord && mayBeArabicStreetWord(index)) {
      street = arabicStreet(index);
    }
    if (street) {
      const end = extendAddress(street.last);
      spans.push({ start: tokens.starts[street.first]!, end: tokens.ends[end]!, label });
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
  const first = tokens.text.charCodeAt(tokens.starts[index]!);
  return (
    first === 0x634 ||
    first === 0x637 ||
    first === 0x62c ||
    first === 0x632 ||
    first === 0x645 ||
    first === 0x62f ||
    first === 0x62d ||
    first === 0x636 ||
    first === 0x648 ||
    first === 0x628 ||
    first === 0x641
  );
}

// Where an address may be: a digit (Arabic-Indic too), or, in Arabic text, a street or district
// word, which may stand without a number ("شارع التحلية، حي السليمانية"). Literals and a class: linear.
const digits = /[0-9\u0660-\u0669\u06F0-\u06F9]/g;
// The street words by their first letter, then the rest, and not inside a longer word: measured
// faster than a plain alternation on Arabic text.
const digitsAndStreetWords =
  /[0-9\u0660-\u0669\u06F0-\u06F9]|[شطجمزدح](?:ارع|ريق|ادة|يدان|قاق|وار|ي|نطقة)(?![\u0621-\u064A])/g;
const arabicLetters = /[\u0621-\u064A]/;

/** Text kept before and after an anchor: room for "Apt 4B, " or "Springfield, IL" before it, a line after it. */
const windowBefore = 100;
const windowAfter = 220;
/** An address and its look-ahead span fewer tokens than this, so the tail of a window waits. */
const tailTokens = 40;
/** Words looked at after a number for a street type: "1600 Pennsylvania Avenue", "12 bis, rue". */
const wordsAfterNumber = 8;

const isArabicLetterAt = (position: number): boolean =>
  position >= 0 && position < tokens.text.length && isArabicLetter(tokens.text.charCodeAt(position));

/**
 * The end of the anchor at start if it is worth a window, else minus where the scan goes on. A
 * digit run is worth one when it may be a postcode (five digits), a British outward code ("SW1A"),
 * a number after a box, a label or a German street ("Postfach 12", "Hauptstraße 5"), or a number
 * with a street type in the words after it; an Arabic street word when it stands alone.
 */
function anchorEnd(start: number, matched: number): number {
  const text = tokens.text;
  const code = text.charCodeAt(start);
  if (isDigit(code)) {
    let end = start + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end += 1;
    // No house number, postcode or box number has more than six digits.
    if (end - start > 6) return -end;
    return worthNumber(start, end) ? end : -end;
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

function worthNumber(start: number, end: number): boolean {
  const text = tokens.text;
  const before = start > 0 ? text.charCodeAt(start - 1) : 32;
  // Digits glued to letters: an identifier ("rfc7517", "IPv6"), or a British outward code.
  if (isLatinLetter(before)) return britishOutward(start, end);
  if (end - start === 5) return true;
  if (insideNumberRun(start, end)) return false;
  return wordBeforeNumber(start) || streetWordAfter(end);
}

/**
 * A group with digit groups on both sides on its line ("4111 1111 1111", "+33 6 12 34 56"): no house
 * number, and the look-around of the two tests after it costs most on text dense with numbers. A
 * group before an ordinal reads on ("12 725 5th Avenue" is left to the street patterns).
 */
function insideNumberRun(start: number, end: number): boolean {
  const text = tokens.text;
  let before = start - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
  if (before < 0 || before === start - 1 || !isDigit(text.charCodeAt(before))) return false;
  let after = end;
  while (after < text.length && isSpace(text.charCodeAt(after))) after += 1;
  if (after === end || !isDigit(text.charCodeAt(after))) return false;
  while (after < text.length && isDigit(text.charCodeAt(after))) after += 1;
  return !isLatinLetter(text.charCodeAt(after));
}

/** "SW1A 1AA", "M1 1AE", "EC1A1BB": one or two capitals, the district digits, then the inward code. */
function britishOutward(start: number, end: number): boolean {
  const text = tokens.text;
  let letters = start;
  while (letters > 0 && isUpper(text.charCodeAt(letters - 1)) && start - letters < 3) letters -= 1;
  if (start - letters > 2 || (letters > 0 && isLatinLetter(text.charCodeAt(letters - 1)))) return false;
  let position = end;
  const after = text.charCodeAt(position);
  if (isUpper(after) || (isDigit(after) && end - start === 1)) position += 1;
  if (text.charCodeAt(position) === 32) position += 1;
  return (
    isDigit(text.charCodeAt(position)) &&
    isUpper(text.charCodeAt(position + 1)) &&
    isUpper(text.charCodeAt(position + 2))
  );
}

/**
 * A street type among the next words on the line, as the street patterns read them: right after the
 * number ("12 rue", "12 bis, rue", "١٢ شارع"), or after capitalised name words ("1600 Pennsylvania
 * Avenue", "725 5th Avenue"), or after a few lower-case words ("27 cranbrook rd").
 */
function streetWordAfter(end: number): boolean {
  const text = tokens.text;
  const filter = words.afterNumberFilter;
  let position = end;
  // A glued suffix: "12bis", "221B".
  while (position < text.length && isLatinLetter(text.charCodeAt(position))) position += 1;
  if (position > end && marked(filter, hashRange(text, end, position))) return true;
  let lowerCase = false;
  for (let seen = 0; seen < wordsAfterNumber; seen += 1) {
    // Spaces, and a comma only before the first word ("12, rue de la Paix").
    const before = position;
    while (position < text.length && isSpace(text.charCodeAt(position))) position += 1;
    if (seen === 0 && text.charCodeAt(position) === 44) {
      position += 1;
      while (position < text.length && isSpace(text.charCodeAt(position))) position += 1;
    }
    // "N. Main St", "St. John's": a dot after a short word.
    if (seen > 0 && position === before && text.charCodeAt(position) === 46) {
      position += 1;
      while (position < text.length && isSpace(text.charCodeAt(position))) position += 1;
    } else if (seen > 0 && position === before) return false;
    const code = text.charCodeAt(position);
    const wordStart = position;
    if (isLatinLetter(code)) {
      while (
        position < text.length &&
        (isLatinLetter(text.charCodeAt(position)) ||
          ((isApostrophe(text.charCodeAt(position)) || isHyphen(text.charCodeAt(position))) &&
            isLatinLetter(text.charCodeAt(position + 1))))
      )
        position += 1;
      // A single letter is no type ("5 E Broadway" reads on).
      if (
        position - wordStart > 1 &&
        words.afterNumberShapes.mayHold(text, wordStart, position) &&
        marked(filter, hashRange(text, wordStart, position))
      )
        return true;
      // "629 The Spinney, Brighton": the British form with an article and no type.
      if (
        seen === 0 &&
        position - wordStart === 3 &&
        text.startsWith('The ', wordStart) &&
        isUpper(text.charCodeAt(position + 1))
      )
        return true;
      // Name words before the type are capitalised, or all in lower case, and then few.
      if (seen === 0) lowerCase = !isUpper(code);
      else if (lowerCase !== !isUpper(code)) return false;
      if (lowerCase && seen >= 1) return false;
      continue;
    }
    if (isArabicLetter(code)) {
      // The Arabic street word comes right after the number.
      while (position < text.length && isArabicLetter(text.charCodeAt(position))) position += 1;
      return seen === 0 && marked(filter, hashRange(text, wordStart, position));
    }
    if (isDigit(code)) {
      // "725 5th Avenue" reads on past an ordinal; another plain number is an anchor of its own.
      while (position < text.length && isDigit(text.charCodeAt(position))) position += 1;
      if (!isLatinLetter(text.charCodeAt(position))) return false;
      while (position < text.length && isLatinLetter(text.charCodeAt(position))) position += 1;
      continue;
    }
    return false;
  }
  return false;
}

/** A box word, a postcode label or a city just before the number, or a German street word. */
function wordBeforeNumber(start: number): boolean {
  const text = tokens.text;
  let before = start - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
  // "Box: 12", "Box #12", "B.P. 123", "Bahnhofstr. 12"
  const mark = text.charCodeAt(before);
  const punctuated = mark === 58 || mark === 35 || mark === 46;
  if (punctuated) {
    before -= 1;
    while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
  }
  if (before < 0) return false;
  const last = text.charCodeAt(before);
  let wordStart = before;
  if (isLatinLetter(last)) {
    while (wordStart > 0 && isLatinLetter(text.charCodeAt(wordStart - 1))) wordStart -= 1;
    // A single Latin letter is a box word only with its dot: "B.P. 123", "P.O. Box".
    if (wordStart === before && !punctuated) return false;
  } else if (isArabicLetter(last))
    while (wordStart > 0 && isArabicLetter(text.charCodeAt(wordStart - 1))) wordStart -= 1;
  else return false;
  if (
    words.beforeNumberShapes.mayHold(text, wordStart, before + 1) &&
    marked(words.beforeNumberFilter, hashRange(text, wordStart, before + 1))
  )
    return true;
  return isLatinLetter(last) && germanStreetWord(wordStart, before + 1);
}

/** Does text[start, end) end with a German street word ("Hauptstraße", "Bahnhofstr", "Mühlweg")? */
function germanStreetWord(start: number, end: number): boolean {
  const text = tokens.text;
  // Every suffix ends in e, r, g, z or m: one comparison before the suffix loop.
  const last = text.charCodeAt(end - 1) | 32;
  if (end - start < 3 || !(last === 101 || last === 114 || last === 103 || last === 122 || last === 109)) return false;
  for (const suffix of germanStreetSuffixes) {
    if (end - start < suffix.length) continue;
    let matches = true;
    for (let position = 0; position < suffix.length && matches; position += 1)
      matches = fold(text.charCodeAt(end - suffix.length + position)) === suffix.charCodeAt(position);
    if (matches) return true;
  }
  return false;
}

/**
 * Spans of postal addresses in text (offsets into text as given; Arabic-Indic digits count as
 * digits). A span covers the address line as far as it can be told; spans never overlap.
 */
export function findAddresses(input: string): Span[] {
  // No digit (and no Arabic street word): nothing to find, at the cost of one native scan.
  const arabic = arabicLetters.test(input);
  const anchors = arabic ? digitsAndStreetWords : digits;
  anchors.lastIndex = 0;
  if (!anchors.test(input)) return [];
  beginAddresses(input);
  const spans: Span[] = [];
  // Tokenise only windows around the anchors; windows close together are joined into one.
  let tokenisedTo = 0;
  let scanned = 0;
  let joinedWindows = 0;
  anchors.lastIndex = 0;
  // test(), not exec(), for digits: no match object for each of the many digits of a text.
  while (anchors.test(input)) {
    const matched =
      arabic && !isDigit(input.charCodeAt(anchors.lastIndex - 1)) ? arabicStreetWordLength(anchors.lastIndex) : 1;
    const start = anchors.lastIndex - matched;
    const end = anchorEnd(start, matched);
    if (end < 0) {
      anchors.lastIndex = Math.max(-end, start + 1);
      continue;
    }
    if (start < tokenisedTo) {
      // Windows that keep growing (text dense with addresses or their words): read the rest at once.
      if (++joinedWindows > 32 && tokenisedTo < input.length) {
        tokenizeRange(tokenisedTo, input.length, false);
        tokenisedTo = input.length;
        break;
      }
      // An anchor late in the window: make sure the window reaches far enough past it.
      if (tokenisedTo - end < windowAfter / 2 && tokenisedTo < input.length) {
        const to = snapForward(input, end + windowAfter);
        tokenizeRange(tokenisedTo, to, false);
        tokenisedTo = to;
        scanned = scanTokens(scanned, to >= input.length ? tokens.count : tokens.count - tailTokens, spans);
      }
      anchors.lastIndex = Math.max(end, tokenisedTo - windowAfter / 2);
      continue;
    }
    let from = snapBack(input, start - windowBefore, tokenisedTo);
    if (from - tokenisedTo < windowBefore) {
      from = tokenisedTo;
      joinedWindows += 1;
    } else {
      scanned = scanTokens(scanned, tokens.count, spans);
      joinedWindows = 0;
    }
    const to = snapForward(input, end + windowAfter);
    tokenizeRange(from, to, from > tokenisedTo);
    tokenisedTo = to;
    scanned = scanTokens(scanned, to >= input.length ? tokens.count : tokens.count - tailTokens, spans);
    anchors.lastIndex = Math.max(end, to - windowAfter / 2);
  }
  scanTokens(scanned, tokens.count, spans);
  endText();
  return mergeOverlaps(spans);
}

/** The length of the Arabic street or district word of the anchor pattern that ends at end. */
function arabicStreetWordLength(end: number): number {
  const text = tokens.text;
  for (const word of anchorStreetWords)
    if (end >= word.length && text.startsWith(word, end - word.length)) return word.length;
  return 1;
}
const anchorStreetWords = ['شارع', 'طريق', 'جادة', 'ميدان', 'زقاق', 'دوار', 'منطقة', 'حي'];

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
