// Which anchors of pii.address are worth a window: a digit group that may be a house number, a postcode or a box
// number, judged by a glance at the characters and words around it (no tokens yet), or an Arabic street word standing
// alone. Most digit groups of a text dense with numbers are passed over here, a run of groups in one read.
import { germanStreetSuffixes } from './data/address-words.js';
import { words } from './addresses-tokens.js';
import { scan } from './codes.js';
import { tokens } from './tokens.js';
import {
  fold,
  hashRange,
  isApostrophe,
  isArabicLetter,
  isDigit,
  isHyphen,
  isLatinLetter,
  isSpace,
  isUpper,
  marked,
} from './words.js';

/** Words looked at after a number for a street type: "1600 Pennsylvania Avenue", "12 bis, rue". */
const wordsAfterNumber = 8;

const isArabicLetterAt = (position: number): boolean =>
  position >= 0 && position < scan.length && isArabicLetter(scan.codes[position]!);

/**
 * The end of the anchor at start if it is worth a window, else minus where the scan goes on. A
 * digit run is worth one when it may be a postcode (five digits), a British outward code ("SW1A"),
 * a number after a box, a label or a German street ("Postfach 12", "Hauptstraße 5"), or a number
 * with a street type in the words after it; an Arabic street word when it stands alone.
 */
export function anchorEnd(start: number, matched: number): number {
  const { codes, length } = scan;
  const code = codes[start]!;
  if (isDigit(code)) {
    let end = start + 1;
    while (end < length && isDigit(codes[end]!)) end += 1;
    // No house number, postcode or box number has more than six digits.
    if (end - start > 6) return -end;
    return worthNumber(start, end) ? end : -end;
  }
  const end = start + matched;
  if (isArabicLetterAt(end)) return -end;
  if (isArabicLetterAt(start - 1)) {
    // "وشارع", "بشارع": one glued letter before the word.
    const glued = codes[start - 1]!;
    if (!(glued === 0x648 || glued === 0x628 || glued === 0x641) || isArabicLetterAt(start - 2)) return -end;
  }
  return end;
}

function worthNumber(start: number, end: number): boolean {
  const { codes } = scan;
  const before = start > 0 ? codes[start - 1]! : 32;
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
  const { codes, length } = scan;
  let before = start - 1;
  while (before >= 0 && isSpace(codes[before]!)) before -= 1;
  if (before < 0 || before === start - 1 || !isDigit(codes[before]!)) return false;
  let after = end;
  while (after < length && isSpace(codes[after]!)) after += 1;
  if (after === end || !isDigit(codes[after]!)) return false;
  while (after < length && isDigit(codes[after]!)) after += 1;
  return !isLatinLetter(codes[after]!);
}

/**
 * Where the anchor scan goes on after the digit group that ends at end, past the groups after it on its line that
 * anchorEnd would pass over for being inside a run of groups ("4111 1111 1111 1111", "+33 6 12 34 56 78"). The same
 * tests as worthNumber and insideNumberRun, reading each character once and with no pattern call a group: on text
 * dense with numbers, these groups are most of the anchors. A group those tests would look at further (five digits,
 * the last of a run, one before an ordinal) is returned as the next anchor.
 */
export function numberRunEnd(end: number): number {
  const { codes, length } = scan;
  let start = end;
  while (start < length && isSpace(codes[start]!)) start += 1;
  // No space or no digit next: the scan goes on from here (spaces hold no anchor).
  if (start === end || !isDigit(codes[start]!)) return start;
  let stop = start + 1;
  while (stop < length && isDigit(codes[stop]!)) stop += 1;
  for (;;) {
    // [start, stop) is a group with a digit group before it on its line, past spaces.
    const digits = stop - start;
    // A possible postcode: anchorEnd decides.
    if (digits === 5) return start;
    let after = stop;
    while (after < length && isSpace(codes[after]!)) after += 1;
    // The last group of the run: more than six digits is no anchor, else its neighbour test reads on.
    if (after === stop || !isDigit(codes[after]!)) return digits > 6 ? after : start;
    let next = after + 1;
    while (next < length && isDigit(codes[next]!)) next += 1;
    // A group before an ordinal ("12 725 5th Avenue"): anchorEnd decides.
    if (digits <= 6 && isLatinLetter(codes[next]!)) return start;
    start = after;
    stop = next;
  }
}

/** "SW1A 1AA", "M1 1AE", "EC1A1BB": one or two capitals, the district digits, then the inward code. */
function britishOutward(start: number, end: number): boolean {
  const { codes } = scan;
  let letters = start;
  while (letters > 0 && isUpper(codes[letters - 1]!) && start - letters < 3) letters -= 1;
  if (start - letters > 2 || (letters > 0 && isLatinLetter(codes[letters - 1]!))) return false;
  let position = end;
  const after = codes[position]!;
  if (isUpper(after) || (isDigit(after) && end - start === 1)) position += 1;
  if (codes[position]! === 32) position += 1;
  return isDigit(codes[position]!) && isUpper(codes[position + 1]!) && isUpper(codes[position + 2]!);
}

/**
 * A street type among the next words on the line, as the street patterns read them: right after the
 * number ("12 rue", "12 bis, rue", "١٢ شارع"), or after capitalised name words ("1600 Pennsylvania
 * Avenue", "725 5th Avenue"), or after a few lower-case words ("27 cranbrook rd").
 */
function streetWordAfter(end: number): boolean {
  const text = tokens.text;
  const { codes, length } = scan;
  const filter = words.afterNumberFilter;
  let position = end;
  // A glued suffix: "12bis", "221B".
  while (position < length && isLatinLetter(codes[position]!)) position += 1;
  if (position > end && marked(filter, hashRange(text, end, position))) return true;
  let lowerCase = false;
  for (let seen = 0; seen < wordsAfterNumber; seen += 1) {
    // Spaces, and a comma only before the first word ("12, rue de la Paix").
    const before = position;
    while (position < length && isSpace(codes[position]!)) position += 1;
    if (seen === 0 && codes[position]! === 44) {
      position += 1;
      while (position < length && isSpace(codes[position]!)) position += 1;
    }
    // "N. Main St", "St. John's": a dot after a short word.
    if (seen > 0 && position === before && codes[position]! === 46) {
      position += 1;
      while (position < length && isSpace(codes[position]!)) position += 1;
    } else if (seen > 0 && position === before) return false;
    const code = codes[position]!;
    const wordStart = position;
    if (isLatinLetter(code)) {
      while (
        position < length &&
        (isLatinLetter(codes[position]!) ||
          ((isApostrophe(codes[position]!) || isHyphen(codes[position]!)) && isLatinLetter(codes[position + 1]!)))
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
        isUpper(codes[position + 1]!)
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
      while (position < length && isArabicLetter(codes[position]!)) position += 1;
      return seen === 0 && marked(filter, hashRange(text, wordStart, position));
    }
    if (isDigit(code)) {
      // "725 5th Avenue" reads on past an ordinal; another plain number is an anchor of its own.
      while (position < length && isDigit(codes[position]!)) position += 1;
      if (!isLatinLetter(codes[position]!)) return false;
      while (position < length && isLatinLetter(codes[position]!)) position += 1;
      continue;
    }
    return false;
  }
  return false;
}

/** A box word, a postcode label or a city just before the number, or a German street word. */
function wordBeforeNumber(start: number): boolean {
  const text = tokens.text;
  const { codes } = scan;
  let before = start - 1;
  while (before >= 0 && isSpace(codes[before]!)) before -= 1;
  // "Box: 12", "Box #12", "B.P. 123", "Bahnhofstr. 12"
  const mark = before >= 0 ? codes[before]! : 0;
  const punctuated = mark === 58 || mark === 35 || mark === 46;
  if (punctuated) {
    before -= 1;
    while (before >= 0 && isSpace(codes[before]!)) before -= 1;
  }
  if (before < 0) return false;
  const last = codes[before]!;
  let wordStart = before;
  if (isLatinLetter(last)) {
    while (wordStart > 0 && isLatinLetter(codes[wordStart - 1]!)) wordStart -= 1;
    // A single Latin letter is a box word only with its dot: "B.P. 123", "P.O. Box".
    if (wordStart === before && !punctuated) return false;
  } else if (isArabicLetter(last)) while (wordStart > 0 && isArabicLetter(codes[wordStart - 1]!)) wordStart -= 1;
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
  const { codes } = scan;
  // Every suffix ends in e, r, g, z or m: one comparison before the suffix loop.
  const last = codes[end - 1]! | 32;
  if (end - start < 3 || !(last === 101 || last === 114 || last === 103 || last === 122 || last === 109)) return false;
  for (const suffix of germanStreetSuffixes) {
    if (end - start < suffix.length) continue;
    let matches = true;
    for (let position = 0; position < suffix.length && matches; position += 1)
      matches = fold(codes[end - suffix.length + position]!) === suffix.charCodeAt(position);
    if (matches) return true;
  }
  return false;
}
