// pii.address: postal addresses in English, French, German and Arabic, by their structure (a number
// and a street type, postcodes in context, boxes). Linear: a native scan finds digits and Arabic street
// words, a glance at the words around each keeps those worth a look, and only their windows are scanned.
import { anchorEnd, numberRunEnd } from './addresses-anchors.js';
import { germanStreet } from './addresses-german.js';
import { arabicArticleStreet, arabicStreet, extendAddress } from './addresses-lines.js';
import { britishPostcode, cityAfter, labelledPostcode, postBox, standalonePostcode } from './addresses-postcodes.js';
import { streetFromNumber } from './addresses-streets.js';
import {
  beginAddresses,
  isCapitalisedWord,
  isComma,
  isDash,
  maskOf,
  plainNumber,
  type Street,
} from './addresses-tokens.js';
import { city } from './addresses-vocabulary.js';
import { loadCodes } from './codes.js';
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
import { isDigit, snapBack, snapForward } from './words.js';

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
  const codes = loadCodes(input);
  beginAddresses(input);
  const spans: Span[] = [];
  // Tokenise only windows around the anchors; windows close together are joined into one.
  let tokenisedTo = 0;
  let scanned = 0;
  let joinedWindows = 0;
  anchors.lastIndex = 0;
  // test(), not exec(), for digits: no match object for each of the many digits of a text.
  while (anchors.test(input)) {
    const matched = arabic && !isDigit(codes[anchors.lastIndex - 1]!) ? arabicStreetWordLength(anchors.lastIndex) : 1;
    const start = anchors.lastIndex - matched;
    const end = anchorEnd(start, matched);
    if (end < 0) {
      // Past a digit group, the groups after it on its line are mostly no anchor: numberRunEnd reads them in one go.
      anchors.lastIndex = isDigit(codes[start]!) ? numberRunEnd(-end) : Math.max(-end, start + 1);
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
